// Debian's nginx as the reference reverse proxy: a temp prefix and config (one worker, keep-alive upstream, buffering
// off both ways), run in the foreground so the benchmark owns and ends it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHelper } from './child-process';
import type { Helper } from './child-process';

/** The nginx binary the benchmark compares against. */
export const NGINX_BINARY = '/usr/sbin/nginx';

/** A running nginx. */
export interface NginxProxy {
  readonly port: number;
  stop(): Promise<void>;
}

/** The config: `/PREFIX/...` proxies to the upstream with the prefix stripped, `/v1/...` as is. */
export function nginxConfig(
  prefixDir: string,
  listenPort: number,
  upstreamPort: number,
  pathPrefix: string,
): string {
  const proxy = `
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;`;
  return `
worker_processes 1;
daemon off;
pid ${prefixDir}/nginx.pid;
error_log ${prefixDir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefixDir}/client_body;
  proxy_temp_path ${prefixDir}/proxy;
  fastcgi_temp_path ${prefixDir}/fastcgi;
  uwsgi_temp_path ${prefixDir}/uwsgi;
  scgi_temp_path ${prefixDir}/scgi;
  keepalive_requests 100000;
  upstream model {
    server 127.0.0.1:${upstreamPort};
    keepalive 256;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location /${pathPrefix}/ {
      proxy_pass http://model/;${proxy}
    }
    location /v1/ {
      proxy_pass http://model;${proxy}
    }
  }
}
`;
}

/** Starts nginx on `listenPort`, or returns null when the binary is missing. */
export async function startNginx(
  listenPort: number,
  upstreamPort: number,
  pathPrefix: string,
): Promise<NginxProxy | null> {
  if (!existsSync(NGINX_BINARY)) return null;
  const prefixDir = mkdtempSync(path.join(tmpdir(), 'siesta-bench-nginx-'));
  mkdirSync(path.join(prefixDir, 'logs'));
  const configFile = path.join(prefixDir, 'nginx.conf');
  writeFileSync(configFile, nginxConfig(prefixDir, listenPort, upstreamPort, pathPrefix));
  let helper: Helper;
  try {
    // In the foreground nginx prints nothing once it listens: wait for the port.
    helper = await startHelper(
      'nginx',
      NGINX_BINARY,
      ['-p', prefixDir, '-c', configFile, '-e', path.join(prefixDir, 'error.log')],
      {
        ready: listenPort,
        timeoutMs: 10_000,
      },
    );
  } catch (error: unknown) {
    rmSync(prefixDir, { recursive: true, force: true });
    throw error;
  }
  return {
    port: listenPort,
    async stop() {
      await helper.stop();
      rmSync(prefixDir, { recursive: true, force: true });
    },
  };
}

// Serves the built dashboard (dist/renderer) for headless mode: strict CSP, no directory escapes, SPA fallback to index.html.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** The dashboard's Content-Security-Policy: only our own origin; inline styles for React's style props. */
export const DASHBOARD_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'";

/** Headers every control-server response carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Answers a GET or HEAD for a static file of `rootDir`; paths without a file extension get index.html (the app's routes). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  rootDir: string | null,
): Promise<void> {
  if (rootDir === null) {
    notFound(
      res,
      'The dashboard is not part of this Siesta (no renderer folder was given). The API is at /api/.',
    );
    return;
  }
  const root = resolve(rootDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    notFound(res, 'Not found.');
    return;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const file = resolve(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) {
    notFound(res, 'Not found.');
    return;
  }
  const target = (await isFile(file))
    ? file
    : extname(relative) === ''
      ? join(root, 'index.html')
      : null;
  if (target === null || !(await isFile(target))) {
    notFound(
      res,
      target?.endsWith('index.html')
        ? `The dashboard is not built: ${join(root, 'index.html')} is missing (run \`npm run build\`).`
        : 'Not found.',
    );
    return;
  }
  const body = await readFile(target);
  const hashedAsset = /[\\/]assets[\\/]/.test(target);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Vite puts a content hash in asset names: cache those for good, always recheck index.html.
    'Cache-Control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function notFound(res: ServerResponse, message: string): void {
  res.writeHead(404, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(`${message}\n`);
}

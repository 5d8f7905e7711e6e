// The systemd user unit of `siesta service install`, and the systemctl calls around it. systemctl is a recording
// stand-in here: test machines have no user systemd; the unit text itself is checked with systemd-analyze when present.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  installService,
  serviceUnitText,
  uninstallService,
  userUnitPath,
  type ServiceOptions,
} from './service-unit';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function options(
  run: ServiceOptions['run'],
  extra: Partial<ServiceOptions> = {},
): ServiceOptions & { home: string } {
  const home = mkdtempSync(join(tmpdir(), 'siesta-service-'));
  dirs.push(home);
  return {
    home,
    env: { HOME: home, DOCKER_HOST: 'unix:///run/user/1000/docker.sock' },
    platform: 'linux',
    nodePath: '/usr/bin/node',
    cliPath: '/usr/lib/node_modules/siesta/dist/main/cli.js',
    serveArgs: ['--config', '/home/ana/my models/siesta.yaml'],
    run,
    ...extra,
  };
}

describe('siesta service', () => {
  it('writes a unit that runs this siesta serve with its flags and engine, then enables and starts it', () => {
    const calls: string[] = [];
    const o = options((command, args) => {
      calls.push([command, ...args].join(' '));
      return { status: 0, output: '' };
    });
    expect(installService(o)).toMatch(/^installed .*siesta\.service and started it/);
    const path = join(o.home, '.config', 'systemd', 'user', 'siesta.service');
    expect(userUnitPath(o.env)).toBe(path);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(
      'ExecStart=/usr/bin/node /usr/lib/node_modules/siesta/dist/main/cli.js serve --config "/home/ana/my models/siesta.yaml"\n',
    );
    expect(text).toContain('Environment=DOCKER_HOST=unix:///run/user/1000/docker.sock\n');
    expect(text).toContain('Restart=on-failure\n');
    expect(text).toContain('WantedBy=default.target\n');
    expect(calls).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now siesta.service',
    ]);

    calls.length = 0;
    expect(uninstallService(o)).toBe(`stopped the service and removed ${path}`);
    expect(existsSync(path)).toBe(false);
    expect(calls).toEqual([
      'systemctl --user disable --now siesta.service',
      'systemctl --user daemon-reload',
    ]);
    expect(uninstallService(o)).toBe(`nothing to remove: ${path} does not exist`);
  });

  it('says what to do where there is no user systemd, and refuses other systems', () => {
    const o = options(() => ({ status: 1, output: 'Failed to connect to bus: No medium found' }));
    expect(() => installService(o)).toThrow(
      /was written, but systemctl --user daemon-reload failed \(exit 1\): Failed to connect to bus: No medium found; .* run `siesta serve` instead$/,
    );
    expect(() => installService({ ...o, platform: 'darwin' })).toThrow(
      'siesta service install writes a systemd user unit, which exists only on Linux (this is darwin)',
    );
  });

  it('is a unit systemd-analyze accepts (where systemd-analyze is installed; elsewhere only its header is checked)', () => {
    let analyze = true;
    try {
      execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    } catch {
      analyze = false;
    }
    const o = options(() => ({ status: 0, output: '' }), {
      nodePath: process.execPath,
      cliPath: __filename,
      serveArgs: [],
    });
    const text = serviceUnitText(o);
    expect(text.split('\n')[0]).toBe(
      '# Written by `siesta service install`; `siesta service uninstall` removes it.',
    );
    if (!analyze) return;
    installService(o);
    // Verified as a plain unit file: `--user` needs a user session's runtime directory, which test machines lack.
    execFileSync('systemd-analyze', ['verify', userUnitPath(o.env)], { stdio: 'pipe' });
  });
});

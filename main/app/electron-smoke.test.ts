// Launches the real Electron app under Xvfb: the window's page is sandboxed and fenced in, closing hides it, a second launch shows it.
// It runs only where an Electron binary is installed; elsewhere (ELECTRON_SKIP_BINARY_DOWNLOAD=1) it is skipped and says why.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { _electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

/** The Electron binary, or why there is none. Looks before requiring: `require('electron')` downloads a missing binary. */
function findElectron():
  { readonly path: string } | { readonly path: null; readonly reason: string } {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile))
    return {
      path: null,
      reason: 'no Electron binary is installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1)',
    };
  if (!existsSync(join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8')))) {
    return {
      path: null,
      reason: 'the Electron binary named in node_modules/electron/path.txt is missing',
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the electron package answers require() with the binary's path.
  const binary = require('electron') as unknown;
  if (typeof binary !== 'string' || !existsSync(binary))
    return {
      path: null,
      reason: `require('electron') gave no existing binary (${String(binary)})`,
    };
  if (process.platform === 'linux' && !process.env.DISPLAY && !onPath('xvfb-run'))
    return { path: null, reason: 'no display and no xvfb-run' };
  return { path: binary };
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, command)));
}

const electron = findElectron();

/** A launcher that runs Electron under a virtual X server on Linux without a display; Playwright starts it like Electron. */
function launcherFor(binary: string, dir: string): string {
  if (process.platform !== 'linux' || process.env.DISPLAY) return binary;
  const script = join(dir, 'electron-under-xvfb.sh');
  writeFileSync(
    script,
    `#!/bin/sh\nexec xvfb-run -a -s "-screen 0 1280x800x24" "${binary}" "$@"\n`,
  );
  chmodSync(script, 0o755);
  return script;
}

async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(electron.path === null)(
  electron.path === null ? `Electron app (skipped: ${electron.reason})` : 'Electron app under Xvfb',
  () => {
    let dir = '';
    let launcher = '';
    let args: string[] = [];
    let app: ElectronApplication;
    let page: Page;

    beforeAll(async () => {
      if (electron.path === null) return;
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
      dir = mkdtempSync(join(tmpdir(), 'siesta-electron-'));
      launcher = launcherFor(electron.path, dir);
      // Chromium will not sandbox as root (CI containers); the page-level settings are still checked below.
      args = [
        root,
        `--user-data-dir=${join(dir, 'user-data')}`,
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ];
      app = await _electron.launch({
        executablePath: launcher,
        args,
        env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') },
        timeout: 90_000,
      });
      page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
    });

    afterAll(async () => {
      await app?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('opens the dashboard from the control API on loopback', () => {
      expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    });

    it('gives the page window.siesta and no Node', async () => {
      const seen = await page.evaluate(() => ({
        bridge: Object.keys(window.siesta ?? {}).sort(),
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
      }));
      expect(seen).toEqual({
        bridge: ['apiBaseUrl', 'token'],
        require: 'undefined',
        process: 'undefined',
      });
    });

    it('lets the page call the API with the bridge token', async () => {
      const status = await page.evaluate(
        async () =>
          (
            await fetch('/api/state', {
              headers: { authorization: `Bearer ${window.siesta?.token ?? ''}` },
            })
          ).status,
      );
      expect(status).toBe(200);
    });

    it('blocks eval (CSP), window.open and navigation away from the dashboard', async () => {
      expect(
        await page.evaluate(() => {
          try {
            return String(eval('1 + 1'));
          } catch {
            return 'blocked';
          }
        }),
      ).toBe('blocked');
      expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
      const origin = new URL(page.url()).origin;
      await page.evaluate(() => void (location.href = 'https://example.com/'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(new URL(page.url()).origin).toBe(origin);
    });

    it('hides the window on close and shows it again on a second launch, which exits', async () => {
      const closed = await app.evaluate(({ BrowserWindow }) => {
        const window = BrowserWindow.getAllWindows()[0];
        window?.close();
        return { destroyed: window?.isDestroyed() ?? true, visible: window?.isVisible() ?? true };
      });
      expect(closed).toEqual({ destroyed: false, visible: false });
      const second = spawn(launcher, args, {
        env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') },
        stdio: 'ignore',
      });
      const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
      expect(code).toBe(0);
      await until(
        () =>
          app.evaluate(
            ({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false,
          ),
        (visible) => visible,
        'the first instance to show its window',
      );
    });
  },
);

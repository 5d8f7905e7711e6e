// The installers: targets, icons, the asar with native modules unpacked, and the hook that closes Electron's fuses.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { buildResources: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  afterPack: string;
  linux: { target: string[]; icon: string; executableName: string };
  deb: { fpm: string[] };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
}

interface AfterPackModule {
  default: (context: unknown) => Promise<void>;
  electronBinaryPath: (context: unknown) => string;
  fuseSettingsFor: (platform: string) => Record<string, boolean>;
  FUSE_SETTINGS: Record<string, boolean>;
}

const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the hook is CommonJS, loaded the way electron-builder loads it.
const hook = require(join(root, config.afterPack)) as AfterPackModule;

/** The fuse wire of a binary: @electron/fuses' sentinel, version 1, then one byte per fuse ('0' off, '1' on). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_ORDER = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
  'WasmTrapHandlers',
];

function fakeElectronBinary(path: string): void {
  // Electron's defaults: Node fuses on, cookie encryption and asar-only off.
  const wire = '101100011';
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.alloc(4096, 0x7f),
      Buffer.from(SENTINEL),
      Buffer.from([1, wire.length]),
      Buffer.from(wire),
      Buffer.alloc(4096, 0x7f),
    ]),
  );
}

function fusesOf(path: string): Record<string, boolean> {
  const file = readFileSync(path);
  const at = file.indexOf(SENTINEL) + SENTINEL.length;
  const length = file[at + 1] ?? 0;
  const wire = file.subarray(at + 2, at + 2 + length).toString('ascii');
  return Object.fromEntries(FUSE_ORDER.map((name, i) => [name, wire[i] === '1']));
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('electron-builder config', () => {
  it("matches electron-builder's own schema", async () => {
    await expect(
      validateConfiguration(config as never, new DebugLogger(false)),
    ).resolves.toBeUndefined();
    await expect(
      validateConfiguration(
        { ...config, linux: { ...config.linux, targets: ['AppImage'] } } as never,
        new DebugLogger(false),
      ),
    ).rejects.toThrow(/does not match the API schema/);
  });

  it('names the app and builds AppImage and deb, an NSIS installer and a dmg', () => {
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Siesta');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    // `siesta` is the CLI's name; the desktop app must not take it from the user's PATH.
    expect(config.linux.executableName).toBe('siesta-desktop');
  });

  it('takes its icons from build/, and they are there', () => {
    expect(config.directories.buildResources).toBe('build');
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon]) {
      expect(icon.startsWith('build/'), icon).toBe(true);
      expect(existsSync(join(root, icon)), icon).toBe(true);
    }
  });

  it('packs the built app and the tray icons into an asar, with the native modules unpacked', () => {
    expect(config.files).toEqual(
      expect.arrayContaining(['dist/**', 'assets/tray/**', 'package.json']),
    );
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/koffi/**']),
    );
    const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string })
      .main;
    expect(main.startsWith('dist/')).toBe(true);
  });

  it('runs the fuses hook after packing', () => {
    expect(config.afterPack).toBe('./build/after-pack.cjs');
    expect(typeof hook.default).toBe('function');
  });
});

describe('fuses hook', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect, and turns on cookie encryption and asar-only loading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siesta-fuses-'));
    dirs.push(dir);
    fakeElectronBinary(join(dir, 'Siesta.exe'));
    const before = fusesOf(join(dir, 'Siesta.exe'));
    await hook.default({
      electronPlatformName: 'win32',
      arch: 1,
      appOutDir: dir,
      packager: { appInfo: { productFilename: 'Siesta' } },
    });
    expect(fusesOf(join(dir, 'Siesta.exe'))).toEqual({
      ...before,
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      OnlyLoadAppFromAsar: true,
    });
    expect(hook.fuseSettingsFor('darwin').RunAsNode).toBe(false);
  });

  it("keeps RunAsNode on Linux only, for the .deb's siesta command, and closes the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siesta-fuses-'));
    dirs.push(dir);
    fakeElectronBinary(join(dir, 'siesta'));
    const before = fusesOf(join(dir, 'siesta'));
    expect(before).toMatchObject({
      RunAsNode: true,
      EnableNodeOptionsEnvironmentVariable: true,
      EnableNodeCliInspectArguments: true,
      EnableCookieEncryption: false,
      OnlyLoadAppFromAsar: false,
    });
    await hook.default({
      electronPlatformName: 'linux',
      appOutDir: dir,
      arch: 1,
      packager: { appInfo: { productFilename: 'Siesta' }, executableName: 'siesta' },
    });
    expect(fusesOf(join(dir, 'siesta'))).toEqual({
      ...before,
      RunAsNode: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      OnlyLoadAppFromAsar: true,
    });
  });

  it('fails the build, naming the binary, when it cannot find the fuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siesta-fuses-'));
    dirs.push(dir);
    copyFileSync(join(root, 'package.json'), join(dir, 'Siesta.exe'));
    await expect(
      hook.default({
        electronPlatformName: 'win32',
        appOutDir: dir,
        arch: 1,
        packager: { appInfo: { productFilename: 'Siesta' } },
      }),
    ).rejects.toThrow(
      `after-pack: could not flip the Electron fuses in ${join(dir, 'Siesta.exe')}`,
    );
  });

  it('finds the Electron binary on each platform', () => {
    const packager = { appInfo: { productFilename: 'Siesta' }, executableName: 'siesta' };
    expect(
      hook.electronBinaryPath({ electronPlatformName: 'darwin', appOutDir: '/out', packager }),
    ).toBe('/out/Siesta.app');
    expect(
      hook.electronBinaryPath({ electronPlatformName: 'win32', appOutDir: '/out', packager }),
    ).toBe('/out/Siesta.exe');
    expect(
      hook.electronBinaryPath({ electronPlatformName: 'linux', appOutDir: '/out', packager }),
    ).toBe('/out/siesta');
    expect(() =>
      hook.electronBinaryPath({ electronPlatformName: 'aix', appOutDir: '/out', packager }),
    ).toThrow('no Electron binary known for platform "aix"');
  });
});

describe("the .deb's siesta command", () => {
  const wrapper = join(root, 'build', 'linux', 'siesta');
  const cli = join(root, 'dist', 'main', 'cli.js');

  /** The wrapper as installed, but pointing at a stand-in app folder instead of /opt/Siesta. */
  function installed(appDir: string): string {
    const copy = join(appDir, 'usr-bin-siesta');
    const text = readFileSync(wrapper, 'utf8');
    expect(text).toContain('app_dir=/opt/Siesta\n');
    writeFileSync(copy, text.replace('app_dir=/opt/Siesta\n', `app_dir=${appDir}\n`), {
      mode: 0o755,
    });
    return copy;
  }

  it('is put on PATH as /usr/bin/siesta, from an executable file in the repository', () => {
    expect(config.deb.fpm).toContain('build/linux/siesta=/usr/bin/siesta');
    expect(statSync(wrapper).mode & 0o111).not.toBe(0);
    expect(config.files).toContain('dist/**');
  });

  it('runs the bundled CLI with the app binary as Node (ELECTRON_RUN_AS_NODE=1), passing its arguments', () => {
    expect(existsSync(cli), `${cli} is missing: run npm run build first`).toBe(true);
    const appDir = mkdtempSync(join(tmpdir(), 'siesta-deb-'));
    dirs.push(appDir);
    // Electron run as Node, stood in for by plain Node: it refuses to run without ELECTRON_RUN_AS_NODE=1,
    // as the real binary would start the GUI instead.
    writeFileSync(
      join(appDir, 'siesta-desktop'),
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "started as the GUI" >&2; exit 3; }\nexec "${process.execPath}" "$@"\n`,
      { mode: 0o755 },
    );
    mkdirSync(join(appDir, 'resources'));
    // The asar holds the project's files at its root; the built project stands in for it.
    symlinkSync(root, join(appDir, 'resources', 'app.asar'));
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const help = spawnSync(installed(appDir), ['--help'], { encoding: 'utf8', env });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: siesta <command>/);
    const bad = spawnSync(installed(appDir), ['no-such-command'], { encoding: 'utf8', env });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('no-such-command');
  });

  it('says the app is missing, rather than a shell error, when the package was half removed', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'siesta-deb-'));
    dirs.push(appDir);
    const run = spawnSync(installed(appDir), ['status'], { encoding: 'utf8' });
    expect(run.status).toBe(127);
    expect(run.stderr).toBe(
      `siesta: the Siesta desktop app is not installed in ${appDir} (reinstall the siesta package)\n`,
    );
  });
});

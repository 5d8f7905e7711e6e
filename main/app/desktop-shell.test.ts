// The whole shell around a real control API, with Electron's parts faked: tray menu, clicks, notifications, window, bridge, login start.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { systemClock } from '../core/clock/clock';
import { exampleModel } from '../core/tray/testdata/state-examples';
import type { BridgeRequest } from './bridge-handler';
import { BRIDGE_CHANNEL } from './bridge-handler';
import type { DesktopShell, ElectronParts } from './desktop-shell';
import { startDesktopShell } from './desktop-shell';
import { TEST_TOKEN, startFakeControlApi, until } from '../core/client/testdata/fake-control-api';

const root = join(__dirname, '..', '..');

/** Electron's parts, faked just enough, recording what the shell does with them. */
function fakeElectron() {
  const seen = {
    menus: [] as MenuItemConstructorOptions[][],
    tooltips: [] as string[],
    images: [] as string[],
    windows: [] as Array<{ options: unknown; loaded: string[]; visible: boolean }>,
    notifications: [] as Array<{ title: string; body: string; click?: () => void }>,
    cookies: [] as unknown[],
    ipc: new Map<string, (event: BridgeRequest) => void>(),
    loginItems: [] as unknown[],
    trayDestroyed: false,
  };
  class FakeWindow {
    readonly record = { options: undefined as unknown, loaded: [] as string[], visible: false };
    readonly webContents = { on: () => undefined, setWindowOpenHandler: () => undefined };
    private ready?: () => void;
    constructor(options: unknown) {
      this.record.options = options;
      seen.windows.push(this.record);
    }
    loadURL(url: string): Promise<void> {
      this.record.loaded.push(url);
      queueMicrotask(() => this.ready?.());
      return Promise.resolve();
    }
    show(): void {
      this.record.visible = true;
    }
    hide(): void {
      this.record.visible = false;
    }
    focus(): void {}
    restore(): void {}
    isMinimized(): boolean {
      return false;
    }
    isDestroyed(): boolean {
      return false;
    }
    on(): void {}
    once(_event: string, listener: () => void): void {
      this.ready = listener;
    }
  }
  class FakeNotification {
    static isSupported(): boolean {
      return true;
    }
    private readonly record: { title: string; body: string; click?: () => void };
    constructor(options: { title: string; body: string }) {
      this.record = { title: options.title, body: options.body };
    }
    on(event: string, listener: () => void): void {
      if (event === 'click') this.record.click = listener;
    }
    show(): void {
      seen.notifications.push(this.record);
    }
  }
  class FakeTray {
    constructor(image: { path: string }) {
      seen.images.push(image.path);
    }
    setToolTip(text: string): void {
      seen.tooltips.push(text);
    }
    setContextMenu(menu: { template: MenuItemConstructorOptions[] }): void {
      seen.menus.push(menu.template);
    }
    setImage(image: { path: string }): void {
      seen.images.push(image.path);
    }
    on(): void {}
    popUpContextMenu(): void {}
    destroy(): void {
      seen.trayDestroyed = true;
    }
  }
  const parts = {
    app: {
      getAppPath: () => root,
      isPackaged: true,
      setLoginItemSettings: (s: unknown) => seen.loginItems.push(s),
      getLoginItemSettings: () => ({ openAtLogin: false }),
    },
    BrowserWindow: FakeWindow,
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) },
    Notification: FakeNotification,
    Tray: FakeTray,
    ipcMain: {
      on: (channel: string, listener: (event: BridgeRequest) => void) =>
        seen.ipc.set(channel, listener),
    },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    nativeTheme: { shouldUseDarkColors: false, on: () => undefined },
    session: {
      webRequest: { onHeadersReceived: () => undefined },
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
      setDevicePermissionHandler: () => undefined,
      cookies: { set: (details: unknown) => Promise.resolve(void seen.cookies.push(details)) },
    },
  };
  return { parts: parts as unknown as ElectronParts, seen };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(showWindow = false) {
  const api = await startFakeControlApi();
  cleanups.push(() => api.close());
  const configHome = mkdtempSync(join(tmpdir(), 'siesta-shell-config-'));
  cleanups.push(() => rmSync(configHome, { recursive: true, force: true }));
  const { parts, seen } = fakeElectron();
  const quits: string[] = [];
  const errors: Error[] = [];
  const shell: DesktopShell = await startDesktopShell(
    parts,
    { controlUrl: api.server.url, token: TEST_TOKEN, stop: () => Promise.resolve() },
    {
      clock: systemClock(),
      platform: 'linux',
      env: { XDG_CONFIG_HOME: configHome },
      showWindow,
      isQuitting: () => false,
      quit: () => quits.push('quit'),
      log: (e) => errors.push(e),
    },
  );
  cleanups.push(() => shell.dispose());
  const click = (id: string): void => {
    const item = seen.menus.at(-1)?.find((i) => i.id === id);
    if (!item?.click) throw new Error(`no clickable ${id} in the tray menu`);
    (item.click as () => void)();
  };
  return { api, seen, shell, quits, errors, click, configHome };
}

describe('desktop shell', () => {
  it('fills the tray from the live state and logs the window in with a cookie', async () => {
    const { seen, api } = await start();
    await until(() => seen.menus.length > 0, 'the first tray menu');
    expect(seen.menus[0]?.map((i) => i.label ?? i.type)).toEqual([
      'GPU 0 NVIDIA GeForce RTX 4090 · 20.1 / 24.0 GiB · 215 W',
      'separator',
      'qwen: asleep',
      'sdxl: awake',
      'separator',
      'Pause auto-sleep',
      'Energy saved today: 0.000 kWh (0.00 EUR)',
      'separator',
      'Add model…',
      'Open dashboard',
      'Quit Siesta',
    ]);
    expect(seen.tooltips.at(-1)).toBe('Siesta: 1 of 2 models awake · VRAM 20.1 / 24.0 GiB · 215 W');
    expect(seen.images.at(-1)).toBe(join(root, 'assets', 'tray', 'awake-dark.png'));
    expect(existsSync(seen.images.at(-1) ?? '')).toBe(true);
    expect(seen.cookies).toEqual([
      expect.objectContaining({
        url: new URL(api.server.url).origin,
        name: 'siesta_token',
        value: TEST_TOKEN,
        httpOnly: true,
      }),
    ]);
  });

  it('wakes and puts to sleep from the menu, as the tray, and follows the change', async () => {
    const { seen, api, click } = await start();
    await until(() => seen.menus.length > 0, 'the first tray menu');
    click('model-qwen');
    click('model-sdxl');
    click('auto-sleep-paused');
    await until(() => api.core.calls.length === 3, 'three API calls');
    expect(api.core.calls).toEqual([
      'wake qwen by tray',
      'sleep sdxl by tray',
      'auto-sleep paused=true',
    ]);
    api.core.emit({
      type: 'model',
      at: Date.now(),
      model: exampleModel('qwen', {
        state: 'waking',
        wakeStartedAt: Date.now(),
        wakeEstimateMs: 60_000,
      }),
    });
    await until(
      () =>
        seen.menus
          .at(-1)
          ?.find((i) => i.id === 'model-qwen')
          ?.label?.startsWith('qwen: waking') === true,
      'qwen shown waking',
    );
    expect(seen.images.at(-1)).toBe(join(root, 'assets', 'tray', 'waking-dark.png'));
  });

  it('shows a notification for a failed wake, and a click on it opens the dashboard', async () => {
    const { seen, api } = await start();
    await until(() => seen.menus.length > 0, 'the first tray menu');
    api.core.emit({
      type: 'wake-failed',
      at: Date.now(),
      model: 'sdxl',
      reason: 'CUDA out of memory',
      failureCause: { kind: 'error', detail: 'CUDA out of memory' },
      logLines: [],
    });
    await until(() => seen.notifications.length > 0, 'the notification');
    expect(seen.notifications.map((n) => [n.title, n.body])).toEqual([
      ['sdxl failed to wake', 'CUDA out of memory'],
    ]);
    seen.notifications[0]?.click?.();
    expect(seen.windows.map((w) => [w.loaded, w.visible])).toEqual([
      [[`${new URL(api.server.url).origin}/`], false],
    ]);
    await until(() => seen.windows[0]?.visible === true, 'the window to show');
  });

  it('tells a failed tray action in a notification', async () => {
    const { seen, api, click, errors } = await start();
    await until(() => seen.menus.length > 0, 'the first tray menu');
    await api.server.close();
    click('model-qwen');
    await until(() => seen.notifications.length > 0, 'the failure notification');
    expect(seen.notifications[0]?.title).toBe('Siesta could not wake qwen');
    expect(seen.notifications[0]?.body).toMatch(
      /^POST \/api\/models\/qwen\/wake: the control API at http:\/\/127\.0\.0\.1:\d+ did not answer/,
    );
    expect(errors.some((e) => e.message.startsWith('wake qwen: POST /api/models/qwen/wake'))).toBe(
      true,
    );
  });

  it('answers the preload with the address and token, and quits from the menu', async () => {
    const { seen, api, click, quits } = await start(true);
    await until(() => seen.menus.length > 0, 'the first tray menu');
    const origin = new URL(api.server.url).origin;
    const request: BridgeRequest = { senderFrame: { url: `${origin}/` }, returnValue: undefined };
    seen.ipc.get(BRIDGE_CHANNEL)?.(request);
    expect(request.returnValue).toEqual({ apiBaseUrl: origin, token: TEST_TOKEN });
    expect(seen.windows).toHaveLength(1);
    click('quit');
    expect(quits).toEqual(['quit']);
  });

  it('writes the autostart file when start-at-login is switched on in the settings', async () => {
    const { seen, api, configHome } = await start();
    await until(() => seen.menus.length > 0, 'the first tray menu');
    api.core.settings.update({ autoStart: true });
    const file = join(configHome, 'autostart', 'siesta.desktop');
    await until(() => existsSync(file), 'the autostart file');
    api.core.settings.update({ autoStart: false });
    await until(() => !existsSync(file), 'the autostart file to go');
  });
});

// The tray follows the state: menu, tooltip and icon, rebuilt a few times a second at most, progress ticking while a model wakes.
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { VirtualClock } from '../core/clock/virtual-clock';
import type { TrayAction } from '../core/tray/tray-action';
import { EXAMPLE_NOW, exampleModel, exampleState } from '../core/tray/testdata/state-examples';
import { menuTemplate } from './menu-template';
import { TrayController } from './tray-controller';

type FakeMenu = { readonly template: MenuItemConstructorOptions[] };

function setup(): {
  clock: VirtualClock;
  menus: FakeMenu[];
  tooltips: string[];
  images: string[];
  actions: TrayAction[];
  controller: TrayController<FakeMenu, string>;
} {
  const clock = new VirtualClock(EXAMPLE_NOW);
  const menus: FakeMenu[] = [];
  const tooltips: string[] = [];
  const images: string[] = [];
  const actions: TrayAction[] = [];
  const controller = new TrayController<FakeMenu, string>({
    tray: {
      setContextMenu: (m) => menus.push(m),
      setToolTip: (t) => tooltips.push(t),
      setImage: (i) => images.push(i),
    },
    buildMenu: (template) => ({ template }),
    iconFor: (state) => `${state}.png`,
    clock,
    onAction: (a) => actions.push(a),
    platform: 'linux',
  });
  return { clock, menus, tooltips, images, actions, controller };
}

const NO_PRICE = { pricePerKwh: null, currency: null };

function labelOf(menu: FakeMenu | undefined, id: string): string | undefined {
  return menu?.template.find((i) => i.id === id)?.label;
}

describe('tray controller', () => {
  it('shows the first state at once: menu, tooltip and icon', () => {
    const { menus, tooltips, images, controller } = setup();
    controller.show(exampleState({ models: [exampleModel('qwen', { state: 'ready' })] }), NO_PRICE);
    expect(menus).toHaveLength(1);
    expect(labelOf(menus[0], 'model-qwen')).toBe('qwen: awake');
    expect(tooltips).toEqual(['Siesta: 1 of 1 model awake · VRAM 20.1 / 24.0 GiB · 215 W']);
    expect(images).toEqual(['awake.png']);
  });

  it('rebuilds at most four times a second during a burst, ending on the latest state, and sets the menu again each time', async () => {
    const { clock, menus, controller } = setup();
    for (let i = 0; i < 100; i++) {
      controller.show(exampleState({ savedTodayJoules: i * 36_000 }), NO_PRICE);
      await clock.advance(10);
    }
    await clock.advance(1_000);
    expect(menus.length).toBeGreaterThanOrEqual(4);
    expect(menus.length).toBeLessThanOrEqual(5);
    expect(labelOf(menus.at(-1), 'saved-today')).toBe('Energy saved today: 0.990 kWh');
  });

  it('changes the icon and tooltip only when they change', async () => {
    const { clock, images, tooltips, controller } = setup();
    controller.show(exampleState({ models: [exampleModel('qwen')] }), NO_PRICE);
    await clock.advance(1_000);
    controller.show(
      exampleState({ models: [exampleModel('qwen')], savedTodayJoules: 5 }),
      NO_PRICE,
    );
    await clock.advance(1_000);
    controller.show(
      exampleState({
        models: [
          exampleModel('qwen', {
            state: 'failed',
            failure: { reason: 'x', cause: null, logLines: [], at: 0 },
          }),
        ],
      }),
      NO_PRICE,
    );
    expect(images).toEqual(['asleep.png', 'error.png']);
    expect(tooltips).toEqual([
      'Siesta: 0 of 1 model awake · VRAM 20.1 / 24.0 GiB · 215 W',
      'Siesta: 0 of 1 model awake, 1 failed · VRAM 20.1 / 24.0 GiB · 215 W',
    ]);
  });

  it("moves a waking model's progress every second until it is up", async () => {
    const { clock, menus, controller } = setup();
    const waking = exampleModel('llama', {
      state: 'waking',
      wakeStartedAt: EXAMPLE_NOW,
      wakeEstimateMs: 40_000,
    });
    controller.show(exampleState({ models: [waking] }), NO_PRICE);
    await clock.advance(2_000);
    expect(menus.map((m) => labelOf(m, 'model-llama'))).toEqual([
      'llama: waking 0.0 s of ~40 s (0%)',
      'llama: waking 1.0 s of ~40 s (2%)',
      'llama: waking 2.0 s of ~40 s (5%)',
    ]);
    controller.show(exampleState({ models: [{ ...waking, state: 'ready' }] }), NO_PRICE);
    await clock.advance(5_000);
    expect(menus.length).toBe(4);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("hands the clicked item's action to the app", () => {
    const { menus, actions, controller } = setup();
    controller.show(exampleState({ models: [exampleModel('qwen')] }), NO_PRICE);
    const click = (id: string): void => {
      const item = menus[0]?.template.find((i) => i.id === id);
      if (!item?.click) throw new Error(`${id} has no click`);
      (item.click as () => void)();
    };
    click('model-qwen');
    click('auto-sleep-paused');
    click('open-dashboard');
    click('quit');
    expect(actions).toEqual([
      { kind: 'wake', model: 'qwen' },
      { kind: 'set-auto-sleep-paused', paused: true },
      { kind: 'open-dashboard' },
      { kind: 'quit' },
    ]);
  });
});

describe('menu template', () => {
  it('greys out information lines and disables a model that cannot be clicked now', () => {
    const template = menuTemplate(
      [
        { type: 'label', id: 'gpu-0', label: 'GPU 0' },
        { type: 'checkbox', id: 'model-a', label: 'a: waking', checked: true, action: null },
        { type: 'separator', id: 's' },
      ],
      () => undefined,
      'linux',
    );
    expect(template).toEqual([
      { id: 'gpu-0', label: 'GPU 0', enabled: false },
      {
        id: 'model-a',
        type: 'checkbox',
        label: 'a: waking',
        checked: true,
        enabled: false,
        click: undefined,
      },
      { id: 's', type: 'separator' },
    ]);
  });

  it('keeps a literal & in a model name on Windows and Linux', () => {
    const item = { type: 'label', id: 'x', label: 'r&d: asleep' } as const;
    expect(menuTemplate([item], () => undefined, 'win32')[0]?.label).toBe('r&&d: asleep');
    expect(menuTemplate([item], () => undefined, 'darwin')[0]?.label).toBe('r&d: asleep');
  });
});

// Shows the state in the tray: rebuilds the menu, tooltip and icon on change, a few times a second at most.
import type { MenuItemConstructorOptions } from 'electron';
import type { StateResponse } from '../core/api/contract';
import type { Clock, TimerHandle } from '../core/clock/clock';
import type { EnergyPrice } from '../core/client/format';
import type { TrayAction } from '../core/tray/tray-action';
import type { TrayIconState } from '../core/tray/tray-icon-state';
import { trayIconState } from '../core/tray/tray-icon-state';
import { trayMenuModel } from '../core/tray/tray-menu-model';
import { trayTooltip } from '../core/tray/tray-tooltip';
import { menuTemplate } from './menu-template';

/** The part of Electron's `Tray` the controller drives; `M` is a built `Menu`, `I` an image or its path. */
export interface TrayView<M, I> {
  setContextMenu(menu: M): void;
  setToolTip(toolTip: string): void;
  setImage(image: I): void;
}

/** What the controller needs. */
export interface TrayControllerOptions<M, I> {
  readonly tray: TrayView<M, I>;
  /** Electron's `Menu.buildFromTemplate`. */
  readonly buildMenu: (template: MenuItemConstructorOptions[]) => M;
  /** The image for an icon state (see trayIconFile). */
  readonly iconFor: (state: TrayIconState) => I;
  readonly clock: Clock;
  readonly onAction: (action: TrayAction) => void;
  readonly platform: NodeJS.Platform;
  /** At most one rebuild per this many ms (default 250: four a second). */
  readonly minIntervalMs?: number;
  /** While a model wakes, the menu is rebuilt this often so its progress moves (default 1000). */
  readonly progressTickMs?: number;
}

/**
 * Keeps the tray in step with the state. `show` may be called on every event: rebuilds are
 * throttled (the first at once, then at most one per `minIntervalMs`, always with the latest
 * state). Each rebuild calls `setContextMenu` again, because on Linux the AppIndicator keeps the
 * menu it was given and ignores later changes to it (Electron's Tray docs, "Platform Considerations").
 */
export class TrayController<M, I> {
  private state: StateResponse | null = null;
  private price: EnergyPrice = { pricePerKwh: null, currency: null };
  private timer: TimerHandle | null = null;
  private lastRenderAt = Number.NEGATIVE_INFINITY;
  private shownTooltip: string | null = null;
  private shownIcon: TrayIconState | null = null;
  private readonly minIntervalMs: number;
  private readonly progressTickMs: number;

  constructor(private readonly options: TrayControllerOptions<M, I>) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.progressTickMs = options.progressTickMs ?? 1_000;
  }

  /** Shows a new state (and the price for the savings line), now or at the next allowed rebuild. */
  show(state: StateResponse, price: EnergyPrice): void {
    this.state = state;
    this.price = price;
    if (this.timer !== null) return;
    const waitMs = this.lastRenderAt + this.minIntervalMs - this.options.clock.now();
    if (waitMs <= 0) this.render();
    else this.schedule(waitMs);
  }

  /** Draws everything again now, icon included (the system theme changed, so the icon's file did). */
  redraw(): void {
    this.shownIcon = null;
    this.shownTooltip = null;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.render();
  }

  /** Stops the progress ticks (the app is quitting). */
  dispose(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.render();
    }, delayMs);
  }

  private render(): void {
    const { state } = this;
    if (state === null) return;
    const { tray, clock } = this.options;
    const now = clock.now();
    this.lastRenderAt = now;
    tray.setContextMenu(
      this.options.buildMenu(
        menuTemplate(
          trayMenuModel(state, now, this.price),
          this.options.onAction,
          this.options.platform,
        ),
      ),
    );
    const tooltip = trayTooltip(state);
    if (tooltip !== this.shownTooltip) {
      tray.setToolTip(tooltip);
      this.shownTooltip = tooltip;
    }
    const icon = trayIconState(state);
    if (icon !== this.shownIcon) {
      tray.setImage(this.options.iconFor(icon));
      this.shownIcon = icon;
    }
    if (state.models.some((m) => m.state === 'waking')) this.schedule(this.progressTickMs);
  }
}

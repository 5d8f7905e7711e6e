// Which of the four tray icons a state shows: all asleep, some awake, waking, or error.
import type { StateResponse } from '../api/contract';

/** The tray icon states; each has an SVG source in assets/ and rendered PNGs in assets/tray/. */
export type TrayIconState = 'asleep' | 'awake' | 'waking' | 'error';

/** Every icon state, in the order the icon script renders them. */
export const TRAY_ICON_STATES: readonly TrayIconState[] = ['asleep', 'awake', 'waking', 'error'];

/**
 * The icon for a state. A failed model or a Docker Engine that does not answer wins (it needs the user), then a
 * wake in progress, then any model awake (a model going to sleep still holds its VRAM), else all asleep.
 */
export function trayIconState(state: Pick<StateResponse, 'models' | 'engine'>): TrayIconState {
  const states = new Set(state.models.map((m) => m.state));
  if (states.has('failed') || !state.engine.reachable) return 'error';
  if (states.has('waking')) return 'waking';
  if (states.has('ready') || states.has('stopping')) return 'awake';
  return 'asleep';
}

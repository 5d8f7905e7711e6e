// The tray icon's tooltip: a one-line summary of models awake, VRAM and power.
import type { StateResponse } from '../api/contract';
import { formatVram, formatWatts, truncate } from '../client/format';

/** Windows cuts tray tooltips at 127 characters (NOTIFYICONDATA.szTip holds 128 with the NUL). */
export const MAX_TOOLTIP_CHARS = 127;

/** `Siesta: 1 of 3 models awake, 1 waking · VRAM 20.1 / 24 GiB · 215 W`, totals over all GPUs. */
export function trayTooltip(state: Pick<StateResponse, 'models' | 'gpus' | 'engine'>): string {
  const count = (s: string): number => state.models.filter((m) => m.state === s).length;
  const awake = count('ready') + count('stopping');
  const modelWord = state.models.length === 1 ? 'model' : 'models';
  const modelParts = [`${awake} of ${state.models.length} ${modelWord} awake`];
  if (count('waking') > 0) modelParts.push(`${count('waking')} waking`);
  if (count('failed') > 0) modelParts.push(`${count('failed')} failed`);
  const parts = [`Siesta: ${modelParts.join(', ')}`];
  if (!state.engine.reachable) parts.push('Docker is not answering');
  if (state.gpus.length === 0) {
    parts.push('no GPU found');
  } else {
    parts.push(
      `VRAM ${formatVram(sumOrNull(state.gpus.map((g) => g.vramUsedBytes)), sumOrNull(state.gpus.map((g) => g.vramTotalBytes)))}`,
    );
    const watts = sumOrNull(state.gpus.map((g) => g.powerWatts));
    if (watts !== null) parts.push(formatWatts(watts));
  }
  return truncate(parts.join(' · '), MAX_TOOLTIP_CHARS);
}

/** The sum, or null when any part is unknown (a partial total would read as the whole). */
function sumOrNull(values: readonly (number | null)[]): number | null {
  let total = 0;
  for (const value of values) {
    if (value === null) return null;
    total += value;
  }
  return total;
}

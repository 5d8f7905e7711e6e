// The tray menu as data, computed from the control API's state: GPUs, one toggle per model, pause, savings.
import type { GpuView, ModelView, ProbeView, StateResponse } from '../api/contract';
import { assertNever } from '../shared/assert-never';
import { engineGroups, noGpuText } from '../api/contract';
import { servedModelItems } from './served-model-items';
import type { TrayMenuItem } from './tray-action';
import type { EnergyPrice } from '../client/format';
import {
  NO_ENERGY_PRICE,
  dozePartText,
  dozedText,
  nextLevelText,
  STATE_WORDS,
  formatDuration,
  formatEnergyKwhRange,
  formatEnergyMoney,
  formatVram,
  formatWatts,
  truncate,
} from '../client/format';

/** Longest failure reason shown in a menu line; the dashboard has the whole text and the logs. */
const MAX_REASON_CHARS = 60;
/** A GPU reading older than this is called out as stale. */
const STALE_READING_MS = 30_000;

/**
 * The tray menu for a state at `now` (epoch ms): a line per GPU, a checkbox per model (checked
 * while awake or waking; clicking wakes or puts to sleep), "Pause auto-sleep", today's savings,
 * "Open dashboard" and "Quit". Items carry action descriptors, never callbacks.
 */
export function trayMenuModel(
  state: StateResponse,
  now: number,
  price: EnergyPrice = NO_ENERGY_PRICE,
): readonly TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  items.push(...gpuLines(state.gpus, state.probe));
  items.push({ type: 'separator', id: 'separator-gpus' });
  if (!state.engine.reachable)
    items.push({
      type: 'label',
      id: 'engine-away',
      label: 'Docker is not answering; Siesta keeps trying',
    });
  if (state.models.length === 0) {
    items.push({
      type: 'label',
      id: 'no-models',
      label: state.engine.reachable
        ? 'No models yet: label a container siesta.enable=true'
        : 'No models yet: waiting for Docker',
    });
  }
  for (const group of engineGroups(state)) {
    // With several engines, each engine's models under its name, and a line when it does not answer.
    if (group.engine !== null) {
      const away = group.engine.reachable ? '' : ' (not answering)';
      items.push({
        type: 'label',
        id: `engine-${group.engine.name}`,
        label: `${group.engine.name}${away}`,
      });
    }
    for (const model of group.models) items.push(modelItem(model, now), ...servedModelItems(model));
  }
  items.push({ type: 'separator', id: 'separator-models' });
  items.push({
    type: 'checkbox',
    id: 'auto-sleep-paused',
    label: 'Pause auto-sleep',
    checked: state.autoSleepPaused,
    action: { kind: 'set-auto-sleep-paused', paused: !state.autoSleepPaused },
  });
  items.push({
    type: 'label',
    id: 'saved-today',
    label: savedTodayLine(
      state.savedTodayJoules,
      price,
      state.savedTodayUncertaintyJoules,
      state.savedTodayDozeJoules,
    ),
  });
  if (state.usedTodayJoules !== undefined)
    items.push({
      type: 'label',
      id: 'used-today',
      label: usedTodayLine(state.usedTodayJoules, price, state.usedTodayUncertaintyJoules),
    });
  items.push({ type: 'separator', id: 'separator-app' });
  items.push({
    type: 'action',
    id: 'add-model',
    label: 'Add model…',
    action: { kind: 'open-dashboard', page: 'add' },
  });
  items.push({
    type: 'action',
    id: 'open-dashboard',
    label: 'Open dashboard',
    action: { kind: 'open-dashboard' },
  });
  items.push({ type: 'action', id: 'quit', label: 'Quit Siesta', action: { kind: 'quit' } });
  return items;
}

/** `Energy saved today: 0.42 kWh (€0.13), 0.10 kWh of it by dozes`; without a price, no money; without dozes, no part. */
export function savedTodayLine(
  savedTodayJoules: number,
  price: EnergyPrice,
  uncertaintyJoules?: number,
  dozeJoules?: number,
): string {
  const line = todayLine('Energy saved today', savedTodayJoules, price, uncertaintyJoules);
  const dozes = dozePartText(dozeJoules);
  return dozes === null ? line : `${line}, ${dozes}`;
}

/** `Energy used today: 1.200 kWh (€0.36)`: every model awake and waking (a stopped one draws nothing). */
export function usedTodayLine(
  usedTodayJoules: number,
  price: EnergyPrice,
  uncertaintyJoules?: number,
): string {
  return todayLine('Energy used today', usedTodayJoules, price, uncertaintyJoules);
}

function todayLine(
  title: string,
  energyJoules: number,
  price: EnergyPrice,
  uncertaintyJoules: number | undefined,
): string {
  const money = formatEnergyMoney(energyJoules, price);
  const energy = `${title}: ${formatEnergyKwhRange(energyJoules, uncertaintyJoules)}`;
  return money === null ? energy : `${energy} (${money})`;
}

function gpuLines(gpus: readonly GpuView[], probe: ProbeView): TrayMenuItem[] {
  if (gpus.length === 0) {
    // What was tried on a machine without a GPU is too long for a menu line; the dashboard and `siesta status` say it.
    const label =
      probe.backend === 'none' ? 'No GPU found' : truncate(noGpuText(probe), MAX_REASON_CHARS);
    return [{ type: 'label', id: 'no-gpu', label }];
  }
  const stale =
    probe.staleMs !== null && probe.staleMs > STALE_READING_MS
      ? ` (no reading for ${formatDuration(probe.staleMs)})`
      : '';
  return gpus.map((gpu) => {
    const parts = [
      `GPU ${gpu.index} ${gpu.name}`,
      formatVram(gpu.vramUsedBytes, gpu.vramTotalBytes),
    ];
    if (gpu.powerWatts !== null) parts.push(formatWatts(gpu.powerWatts));
    return { type: 'label', id: `gpu-${gpu.index}`, label: `${parts.join(' · ')}${stale}` };
  });
}

function modelItem(model: ModelView, now: number): TrayMenuItem {
  const id = `model-${model.name}`;
  switch (model.state) {
    case 'asleep':
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${STATE_WORDS.asleep}`,
        checked: false,
        action: { kind: 'wake', model: model.name },
      };
    case 'waking':
      // A wake cannot be called back halfway; the item waits, disabled, and shows how far it is.
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${wakeProgress(model, now)}`,
        checked: true,
        action: null,
      };
    case 'ready':
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${awakeDetail(model, now)}`,
        checked: true,
        action: { kind: 'sleep', model: model.name },
      };
    case 'stopping':
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${STATE_WORDS.stopping}…`,
        checked: false,
        action: null,
      };
    case 'dozing':
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: dozing…`,
        checked: false,
        action: null,
      };
    case 'dozed':
      // Clicking a dozed model wakes it (in seconds: its server kept running).
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${dozedText(model, now)}`,
        checked: false,
        action: { kind: 'wake', model: model.name },
      };
    case 'failed': {
      const reason =
        model.failure === null
          ? 'no reason given'
          : truncate(model.failure.reason, MAX_REASON_CHARS);
      // Clicking a failed model tries the wake again.
      return {
        type: 'checkbox',
        id,
        label: `${model.name}: ${STATE_WORDS.failed}: ${reason}`,
        checked: false,
        action: { kind: 'wake', model: model.name },
      };
    }
    default:
      return assertNever(model.state);
  }
}

/** `waking 12 s of ~40 s (30%)`, `waking 50 s (usually ~40 s)`, or `waking 3.0 s` before the first estimate. */
export function wakeProgress(
  model: Pick<ModelView, 'wakeStartedAt' | 'wakeEstimateMs'>,
  now: number,
): string {
  if (model.wakeStartedAt === null) return 'waking…';
  const elapsedMs = Math.max(0, now - model.wakeStartedAt);
  const estimateMs = model.wakeEstimateMs;
  if (estimateMs === null || estimateMs <= 0) return `waking ${formatDuration(elapsedMs)}`;
  if (elapsedMs > estimateMs)
    return `waking ${formatDuration(elapsedMs)} (usually ~${formatDuration(estimateMs)})`;
  const percent = Math.floor((elapsedMs / estimateMs) * 100);
  return `waking ${formatDuration(elapsedMs)} of ~${formatDuration(estimateMs)} (${percent}%)`;
}

function awakeDetail(model: ModelView, now: number): string {
  const parts = ['awake'];
  if (model.inFlight > 0)
    parts.push(model.inFlight === 1 ? '1 request open' : `${model.inFlight} requests open`);
  const next = nextLevelText(model, now);
  if (model.pinned) parts.push('pinned');
  else if (model.inFlight === 0 && next !== null) parts.push(next);
  return parts.join(', ');
}

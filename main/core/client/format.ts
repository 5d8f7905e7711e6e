// The one set of human spellings that the dashboard, the tray, the CLI and the notifications share: bytes, watts,
// durations, energy, money, CO2, model states and cut texts. Pure, so the renderer's bundle can take it too.
import type { ApiModelState, ModelView, WakeLevel } from '../api/contract';

const BYTES_PER_MIB = 1024 ** 2;
const BYTES_PER_GIB = 1024 ** 3;
const JOULES_PER_KWH = 3_600_000;

/** `8.0 GiB`; `512 MiB` under one GiB; `unknown`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  if (Math.abs(bytes) < BYTES_PER_GIB) return `${Math.round(bytes / BYTES_PER_MIB)} MiB`;
  return `${oneDecimal(bytes / BYTES_PER_GIB)} GiB`;
}

/** A GPU's memory in use of its total, `20.1 / 24.0 GiB`; a missing half is written `?`. */
export function formatVram(vramUsedBytes: number | null, vramTotalBytes: number | null): string {
  if (vramUsedBytes === null && vramTotalBytes === null) return 'VRAM unknown';
  const gib = (bytes: number | null): string =>
    bytes === null ? '?' : oneDecimal(bytes / BYTES_PER_GIB);
  return `${gib(vramUsedBytes)} / ${gib(vramTotalBytes)} GiB`;
}

/** `61 W`, `8.5 W`; `–` without a reading. */
export function formatWatts(powerWatts: number | null): string {
  if (powerWatts === null) return '–';
  return Math.abs(powerWatts) >= 10 ? `${Math.round(powerWatts)} W` : `${oneDecimal(powerWatts)} W`;
}

/** `0.4 s`, `12 s`, `2 min 5 s`, `1 h 3 min`; a negative duration is 0. */
export function formatDuration(durationMs: number): string {
  const ms = Math.max(0, durationMs);
  if (ms < 10_000) return `${oneDecimal(ms / 1000)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60)
    return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** `3 min ago`, `just now` (under 5 s), `never`. */
export function formatAgo(at: number | null, now: number): string {
  if (at === null) return 'never';
  const ms = now - at;
  return ms < 5_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/** `0.125 kWh`, `12.4 kWh`; a figure that rounds to zero is `0.000 kWh`, never `-0.000`. */
export function formatKwh(kwh: number): string {
  if (Math.abs(kwh) < 0.0005) return '0.000 kWh';
  return `${Math.abs(kwh) >= 10 ? kwh.toFixed(1) : kwh.toFixed(3)} kWh`;
}

/** An energy in joules as kWh: `formatKwh`. */
export function formatEnergyKwh(energyJoules: number): string {
  return formatKwh(energyJoules / JOULES_PER_KWH);
}

/**
 * `0.420 kWh ± 0.012`: the figure and one standard uncertainty at the figure's precision (never `± 0.000`); the figure
 * alone without an uncertainty (an estimate, an older daemon).
 */
export function formatKwhRange(kwh: number, uncertaintyKwh: number | undefined): string {
  const figure = formatKwh(kwh);
  if (uncertaintyKwh === undefined || !(uncertaintyKwh > 0)) return figure;
  const decimals = Math.abs(kwh) >= 10 ? 1 : 3;
  return `${figure} ± ${Math.max(uncertaintyKwh, 10 ** -decimals).toFixed(decimals)}`;
}

/** Energy and its uncertainty in joules as kWh: `formatKwhRange`. */
export function formatEnergyKwhRange(
  energyJoules: number,
  uncertaintyJoules: number | undefined,
): string {
  return formatKwhRange(
    energyJoules / JOULES_PER_KWH,
    uncertaintyJoules === undefined ? undefined : uncertaintyJoules / JOULES_PER_KWH,
  );
}

/** `0.100 kWh of it by dozes` (issue 15): the part of a saving its dozes made; null when they made none. */
export function dozePartText(dozeSavedJoules: number | undefined | null): string | null {
  if (dozeSavedJoules === undefined || dozeSavedJoules === null || !(dozeSavedJoules > 0))
    return null;
  return `${formatEnergyKwh(dozeSavedJoules)} of it by dozes`;
}

/** `1.23 EUR`, `0.63 kr`; `–` without a price. */
export function formatMoney(money: number | null, currency: string | null): string {
  if (money === null) return '–';
  const amount = Math.abs(money) < 0.005 ? 0 : money;
  return `${amount.toFixed(2)} ${currency?.trim() ?? ''}`.trim();
}

/** A cost with enough digits for a fraction of a cent (`0.00030 EUR`, `2.06 EUR`, `3750 EUR`, `0 EUR`); `–` unknown. */
export function formatCost(amount: number | null, currency: string): string {
  if (amount === null) return '–';
  if (amount === 0) return `0 ${currency}`;
  const digits = Math.abs(amount) >= 100 ? 0 : Math.abs(amount) >= 1 ? 2 : 5;
  return `${amount.toFixed(digits)} ${currency}`;
}

/** A price per kWh and its currency, as the settings hold them; null parts mean "not configured". */
export interface EnergyPrice {
  readonly pricePerKwh: number | null;
  /** ISO 4217 code such as `EUR`, or any short text such as `kr`. */
  readonly currency: string | null;
}

/** No price configured: energy is shown without money. */
export const NO_ENERGY_PRICE: EnergyPrice = { pricePerKwh: null, currency: null };

/** The money an energy is worth (`formatMoney`), or null when no price is configured. */
export function formatEnergyMoney(energyJoules: number, price: EnergyPrice): string | null {
  if (price.pricePerKwh === null) return null;
  return formatMoney((energyJoules / JOULES_PER_KWH) * price.pricePerKwh, price.currency);
}

/** `450 g`, `1.2 kg`; `–` without a grid intensity. */
export function formatCo2(grams: number | null): string {
  if (grams === null) return '–';
  return Math.abs(grams) >= 1000 ? `${oneDecimal(grams / 1000)} kg` : `${Math.round(grams)} g`;
}

/** A model's state in words: `asleep`, `waking`, `ready`, `going to sleep`, `failed`, `dozing`, `dozed`. */
export const STATE_WORDS: Readonly<Record<ApiModelState, string>> = {
  asleep: 'asleep',
  waking: 'waking',
  ready: 'ready',
  stopping: 'going to sleep',
  failed: 'failed',
  dozing: 'dozing',
  dozed: 'dozed',
};

/** Cuts a text to one line of at most `maxChars`, ending it with an ellipsis when cut. */
export function truncate(text: string, maxChars: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxChars
    ? oneLine
    : `${oneLine.slice(0, Math.max(0, maxChars - 1)).trimEnd()}…`;
}

/** One decimal, rounded half up on the decimal value (`0.85` is `0.9`, where `toFixed` gives `0.8`). */
function oneDecimal(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1);
}

/** Where a wake of the model starts (or started) from: its doze (the server's own wake) or asleep (a full start). */
export function wakeLevelOf(model: Pick<ModelView, 'state' | 'wakeFrom'>): WakeLevel {
  const fromDoze =
    model.state === 'dozed' ||
    model.state === 'dozing' ||
    (model.state === 'waking' && model.wakeFrom === 'dozed');
  return fromDoze ? 'dozed' : 'asleep';
}

/** How long a wake from where the model is now usually takes (a doze wake, or a start); null when not known yet. */
export function expectedWakeMs(
  model: Pick<ModelView, 'state' | 'wakeEstimateMs' | 'doze' | 'wakeFrom'>,
): number | null {
  return wakeLevelOf(model) === 'dozed'
    ? (model.doze?.wakeEstimateMs ?? null)
    : model.wakeEstimateMs;
}

/** The kind of wake and its usual time: `from its doze (its server kept running), usually 1.2 s`, `with a full start`. */
export function wakeKindText(
  from: WakeLevel | null | undefined,
  expectedMs: number | null,
): string {
  const usually = expectedMs === null ? '' : `, usually ${formatDuration(expectedMs)}`;
  return from === 'dozed'
    ? `from its doze (its server kept running)${usually}`
    : `with a full start${usually}`;
}

/** A dozed model in words: `dozed (VRAM freed), wakes in about 1.2 s, stops in 50 min`. */
export function dozedText(model: Pick<ModelView, 'doze' | 'sleepAt'>, now: number): string {
  const parts = ['dozed (VRAM freed)'];
  const wakeMs = model.doze?.wakeEstimateMs ?? null;
  parts.push(wakeMs === null ? 'wakes in seconds' : `wakes in about ${formatDuration(wakeMs)}`);
  if (model.sleepAt !== null)
    parts.push(`stops in ${formatDuration(Math.max(0, model.sleepAt - now))}`);
  return parts.join(', ');
}

/** When an idle awake model goes to its next level: `dozes in 4 min, stops in 1 h`, `sleeps in 10 min`; null: never. */
export function nextLevelText(
  model: Pick<ModelView, 'doze' | 'sleepAt'>,
  now: number,
): string | null {
  const dozeAt = model.doze?.dozeAt ?? null;
  const stop = model.sleepAt === null ? null : formatDuration(Math.max(0, model.sleepAt - now));
  if (dozeAt !== null) {
    const doze = `dozes in ${formatDuration(Math.max(0, dozeAt - now))}`;
    return stop === null ? doze : `${doze}, stops in ${stop}`;
  }
  return stop === null ? null : `sleeps in ${stop}`;
}

// Short, human spellings of bytes, watts, durations, energy and money for the tray and notifications.

const BYTES_PER_GIB = 1024 ** 3;
const JOULES_PER_KWH = 3_600_000;

/** A price per kWh and its currency, as the settings hold them; null parts mean "not configured". */
export interface EnergyPrice {
  readonly pricePerKwh: number | null;
  /** ISO 4217 code such as `EUR`, or any short text such as `kr`. */
  readonly currency: string | null;
}

/** No price configured: the tray shows energy without money. */
export const NO_ENERGY_PRICE: EnergyPrice = { pricePerKwh: null, currency: null };

/** `20.1 GiB`, `80 GiB`, `512 MiB` under one GiB. */
export function formatGib(vramBytes: number): string {
  if (Math.abs(vramBytes) < BYTES_PER_GIB) return `${Math.round(vramBytes / 1024 ** 2)} MiB`;
  return `${oneDecimal(vramBytes / BYTES_PER_GIB)} GiB`;
}

/** `20.1 / 24 GiB`; a missing half is written `?`. */
export function formatVram(vramUsedBytes: number | null, vramTotalBytes: number | null): string {
  if (vramUsedBytes === null && vramTotalBytes === null) return 'VRAM unknown';
  const used = vramUsedBytes === null ? '?' : oneDecimal(vramUsedBytes / BYTES_PER_GIB);
  const total = vramTotalBytes === null ? '?' : oneDecimal(vramTotalBytes / BYTES_PER_GIB);
  return `${used} / ${total} GiB`;
}

/** `215 W`, `8.5 W`. */
export function formatWatts(powerWatts: number): string {
  return Math.abs(powerWatts) >= 10 ? `${Math.round(powerWatts)} W` : `${oneDecimal(powerWatts)} W`;
}

/** `0.8 s`, `12 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(durationMs: number): string {
  const ms = Math.max(0, durationMs);
  if (ms < 10_000) return `${oneDecimal(ms / 1000)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** `0.42 kWh`; small figures keep three decimals so a few watt-hours do not read as zero. */
export function formatKwh(energyJoules: number): string {
  const kwh = energyJoules / JOULES_PER_KWH;
  const abs = Math.abs(kwh);
  const decimals = abs < 0.1 ? 3 : abs < 10 ? 2 : 1;
  return `${fixed(kwh, decimals)} kWh`;
}

/** The money an energy figure is worth (`€0.13`, `0.13 kr`), or null when no price is configured. */
export function formatEnergyMoney(energyJoules: number, price: EnergyPrice): string | null {
  if (price.pricePerKwh === null) return null;
  const amount = (energyJoules / JOULES_PER_KWH) * price.pricePerKwh;
  const currency = price.currency?.trim() ?? '';
  if (/^[A-Za-z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency: currency.toUpperCase(),
      }).format(amount);
    } catch {
      // Not a currency Intl knows (a made-up three-letter code): spell it after the number below.
    }
  }
  return currency === '' ? fixed(amount, 2) : `${fixed(amount, 2)} ${currency}`;
}

/** Cuts a text to `maxChars`, ending it with an ellipsis when cut. */
export function truncate(text: string, maxChars: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxChars
    ? oneLine
    : `${oneLine.slice(0, Math.max(0, maxChars - 1)).trimEnd()}…`;
}

function oneDecimal(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  // `-0.000` reads like a loss: a figure that rounds to zero is zero.
  return Number(text) === 0 ? (0).toFixed(decimals) : text;
}

// The ledger's CSV exports: every lifecycle event, and the daily figures per model.
import type { LifecycleEvent, SleepCause, WakeCause } from '../lifecycle/model-state';
import { assertNever } from '../shared/assert-never';
import type { BucketTimeZone } from './buckets';
import type { CsvValue } from './csv';
import { toCsv } from './csv';
import type { StoredEvent } from './event-store';
import type { HistoryBucket } from './history';
import type { RequestDay } from './request-store';
import { joulesToKwh } from './power-math';
import { USED_CSV_HEADERS, usedCsvColumns } from './used-csv';

function wakeCauseText(cause: WakeCause): string {
  switch (cause.kind) {
    case 'request':
      return `request (${cause.route}: ${cause.detail})`;
    case 'user':
      return `user (${cause.via})`;
    case 'prewarm':
      return `prewarm (${cause.detail})`;
    case 'external':
      return 'external';
    default:
      return assertNever(cause);
  }
}

function sleepCauseText(cause: SleepCause): string {
  switch (cause.kind) {
    case 'idle':
      return `idle (${cause.idleMs} ms)`;
    case 'user':
      return `user (${cause.via})`;
    case 'evicted':
      return `evicted for ${cause.forModel}`;
    case 'group':
      return `group ${cause.group} for ${cause.forModel}`;
    case 'external':
      return 'external';
    default:
      return assertNever(cause);
  }
}

/** The cause and detail columns of an event. */
export function describeEvent(event: LifecycleEvent): { cause: string; detail: string } {
  switch (event.kind) {
    case 'wake-requested':
      return { cause: wakeCauseText(event.cause), detail: '' };
    case 'ready':
      return {
        cause: '',
        detail: `woke in ${event.wakeMs} ms${event.from === 'dozed' ? ' from a doze' : ''}`,
      };
    case 'sleep':
      return { cause: sleepCauseText(event.cause), detail: '' };
    case 'doze':
      return { cause: sleepCauseText(event.cause), detail: 'dozed (VRAM freed, process kept)' };
    case 'failed':
      return { cause: event.failure.reason, detail: event.failure.logLines.join('\n') };
    case 'evicted':
      return { cause: `for ${event.forModel}`, detail: '' };
    case 'prewarm':
      return { cause: 'prewarm', detail: event.detail };
    default:
      return assertNever(event);
  }
}

/** Events as CSV: time (UTC, ISO 8601), epoch ms, model, event, cause, detail, GPUs. */
export function eventsToCsv(events: readonly StoredEvent[]): string {
  return toCsv(
    ['time_utc', 'epoch_ms', 'model', 'event', 'cause', 'detail', 'gpu_indexes'],
    events.map((e) => {
      const { cause, detail } = describeEvent(e.event);
      return [
        new Date(e.at).toISOString(),
        e.at,
        e.model,
        e.kind,
        cause,
        detail,
        e.gpuIndexes === null ? 'unknown' : e.gpuIndexes.join(' '),
      ];
    }),
  );
}

/** `YYYY-MM-DD` of `at` in the given calendar. */
export function dateText(at: number, timeZone: BucketTimeZone): string {
  const d = new Date(at);
  const [y, m, day] =
    timeZone === 'utc'
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  return `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Number(value.toFixed(digits));

/** The request columns of the daily CSV (issue 16) for one day and model, blank without requests. */
function requestColumns(r: RequestDay | undefined): CsvValue[] {
  if (r === undefined) return [0, 0, 0, null, null];
  return [
    r.requests,
    r.promptTokens,
    r.completionTokens,
    Number((r.marginalJoules / 3_600_000).toFixed(9)),
    r.estimated,
  ];
}

/** Daily figures as CSV: one row per day and model with activity (sleeps, wakes or requests). */
export function dailyToCsv(
  days: readonly HistoryBucket[],
  timeZone: BucketTimeZone,
  requestDays: readonly RequestDay[] = [],
): string {
  const requests = new Map(requestDays.map((r) => [`${r.dayStartAt}|${r.model}`, r]));
  const rows = days.flatMap((day) =>
    day.models.map((m) => [
      dateText(day.startAt, timeZone),
      m.model,
      round(m.savedKwh, 6),
      round(m.savedJoules, 1),
      round(m.money, 4),
      m.currency,
      round(m.co2Grams, 2),
      m.wakes,
      m.failedWakes,
      m.wakeP50Ms,
      m.wakeP95Ms,
      round(m.hoursAwake, 4),
      round(m.hoursAsleep, 4),
      m.estimated,
      ...requestColumns(requests.get(`${day.startAt}|${m.model}`)),
      round(joulesToKwh(m.savedUncertaintyJoules), 6),
      round(m.savedUncertaintyJoules, 1),
      round(joulesToKwh(m.dozeSavedJoules), 6),
      round(m.dozeSavedJoules, 1),
      ...usedCsvColumns(m),
    ]),
  );
  // Days on which a model served requests but neither slept nor woke.
  const listed = new Set(days.flatMap((d) => d.models.map((m) => `${d.startAt}|${m.model}`)));
  for (const r of requestDays) {
    if (listed.has(`${r.dayStartAt}|${r.model}`)) continue;
    const blank = [null, null, null, null, null, 0, 0, null, null, null, null, null];
    rows.push([
      dateText(r.dayStartAt, timeZone),
      r.model,
      ...blank,
      ...requestColumns(r),
      null,
      null,
      null,
      null,
      ...usedCsvColumns(undefined),
    ]);
  }
  rows.sort(
    (a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])),
  );
  return toCsv(
    [
      'date',
      'model',
      'saved_kwh',
      'saved_joules',
      'money',
      'currency',
      'co2_grams',
      'wakes',
      'failed_wakes',
      'wake_p50_ms',
      'wake_p95_ms',
      'hours_awake',
      'hours_asleep',
      'estimated',
      'requests',
      'prompt_tokens',
      'completion_tokens',
      'request_marginal_kwh',
      'estimated_token_requests',
      // "saved_kwh ± saved_uncertainty_kwh": one standard uncertainty (docs/energy.md); none for estimates.
      'saved_uncertainty_kwh',
      'saved_uncertainty_joules',
      // The part of saved_kwh that dozes made (issue 15): what each doze freed until the next ready.
      'doze_saved_kwh',
      'doze_saved_joules',
      ...USED_CSV_HEADERS,
    ],
    rows,
  );
}

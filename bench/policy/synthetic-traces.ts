// Synthetic multi-day traces, generated from a seeded PRNG: an office team's days with a lunch break, a nightly
// batch job, and one person's sparse use. Each spans two weeks from a Monday, so daily and weekly patterns repeat.
import { SeededRandom } from './seeded-random';
import type { Trace, TraceRequest } from './trace';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Monday 5 January 2026, 00:00 UTC. */
const MONDAY_AT = Date.UTC(2026, 0, 5);

/** Sorted requests from unsorted arrival offsets. */
function sortedRequests(requests: TraceRequest[]): TraceRequest[] {
  return requests.sort((a, b) => a.offsetMs - b.offsetMs);
}

/**
 * A chat session of one person from `startMs`: 1..maxTurns requests, each sent a think time (log-normal,
 * median `thinkMedianMs`) after the previous answer ended. Stops at `untilMs`.
 */
function session(
  random: SeededRandom,
  out: TraceRequest[],
  startMs: number,
  untilMs: number,
  maxTurns: number,
  thinkMedianMs: number,
): number {
  let at = startMs;
  const turns = random.int(1, maxTurns);
  for (let i = 0; i < turns && at < untilMs; i++) {
    const serviceMs = Math.round(random.uniform(1_500, 15_000));
    out.push({ offsetMs: Math.round(at), serviceMs });
    at += serviceMs + random.logNormal(thinkMedianMs, 0.8);
  }
  return at;
}

/** Sessions of one person over [fromMs, toMs): starts spaced exponentially (mean `betweenMs`) after the last ended. */
function sessionsBetween(
  random: SeededRandom,
  out: TraceRequest[],
  fromMs: number,
  toMs: number,
  betweenMs: number,
): void {
  let at = fromMs + random.exponential(betweenMs / 2);
  while (at < toMs) {
    const end = session(random, out, at, toMs, 8, 40_000);
    at = end + random.exponential(betweenMs);
  }
}

/**
 * An office team of three sharing one model on weekdays: each arrives 08:00-09:30, lunches from 12:00-12:30 for
 * 40-70 min, leaves 17:00-18:30, and between those runs chat sessions (1-8 turns, think time ~40 s) every ~35 min.
 * Weekends: one short session on about one day in five.
 */
export function officeTrace(days = 14, seed = 1): Trace {
  const random = new SeededRandom(seed);
  const out: TraceRequest[] = [];
  for (let day = 0; day < days; day++) {
    const dayMs = day * DAY_MS;
    const weekday = day % 7 < 5;
    if (!weekday) {
      if (random.chance(0.2))
        session(random, out, dayMs + random.uniform(10, 20) * HOUR_MS, dayMs + DAY_MS, 4, 60_000);
      continue;
    }
    for (let person = 0; person < 3; person++) {
      const arrive = dayMs + random.uniform(8 * HOUR_MS, 9.5 * HOUR_MS);
      const lunch = dayMs + random.uniform(12 * HOUR_MS, 12.5 * HOUR_MS);
      const back = lunch + random.uniform(40 * MINUTE_MS, 70 * MINUTE_MS);
      const leave = dayMs + random.uniform(17 * HOUR_MS, 18.5 * HOUR_MS);
      sessionsBetween(random, out, arrive, lunch, 35 * MINUTE_MS);
      sessionsBetween(random, out, back, leave, 35 * MINUTE_MS);
    }
  }
  return {
    name: 'office',
    description: `synthetic: 3-person office, weekdays 08:00-18:30 with a lunch break, ${days} days (seed ${seed})`,
    startAt: MONDAY_AT,
    requests: sortedRequests(out),
  };
}

/**
 * A nightly batch job: every night at 02:00 (+-2 min) it sends 150-300 requests one after another (0.2-1 s
 * apart, 3-8 s each); in the day 0-4 stray requests at random times between 09:00 and 18:00.
 */
export function nightlyBatchTrace(days = 14, seed = 2): Trace {
  const random = new SeededRandom(seed);
  const out: TraceRequest[] = [];
  for (let day = 0; day < days; day++) {
    const dayMs = day * DAY_MS;
    let at = dayMs + 2 * HOUR_MS + random.normal(0, 2 * MINUTE_MS);
    const count = random.int(150, 300);
    for (let i = 0; i < count; i++) {
      const serviceMs = Math.round(random.uniform(3_000, 8_000));
      out.push({ offsetMs: Math.round(at), serviceMs });
      at += serviceMs + random.uniform(200, 1_000);
    }
    const strays = random.int(0, 4);
    for (let i = 0; i < strays; i++) {
      out.push({
        offsetMs: Math.round(dayMs + random.uniform(9 * HOUR_MS, 18 * HOUR_MS)),
        serviceMs: Math.round(random.uniform(2_000, 10_000)),
      });
    }
  }
  return {
    name: 'nightly-batch',
    description: `synthetic: nightly batch at 02:00 (150-300 requests) plus 0-4 daytime strays, ${days} days (seed ${seed})`,
    startAt: MONDAY_AT,
    requests: sortedRequests(out),
  };
}

/**
 * One person's sparse use: on weekdays 0-3 evening sessions (19:00-23:00) and sometimes one at lunch; at weekends
 * 1-3 sessions from 10:00 to 23:00. Sessions have 1-10 turns with ~1 min of thinking.
 */
export function personalTrace(days = 21, seed = 3): Trace {
  const random = new SeededRandom(seed);
  const out: TraceRequest[] = [];
  for (let day = 0; day < days; day++) {
    const dayMs = day * DAY_MS;
    const weekday = day % 7 < 5;
    const starts: number[] = [];
    if (weekday) {
      if (random.chance(0.3)) starts.push(random.uniform(12 * HOUR_MS, 13 * HOUR_MS));
      const evening = random.int(0, 3);
      for (let i = 0; i < evening; i++) starts.push(random.uniform(19 * HOUR_MS, 23 * HOUR_MS));
    } else {
      const count = random.int(1, 3);
      for (let i = 0; i < count; i++) starts.push(random.uniform(10 * HOUR_MS, 23 * HOUR_MS));
    }
    starts.sort((a, b) => a - b);
    let free = 0;
    for (const start of starts) {
      free = session(
        random,
        out,
        dayMs + Math.max(start, free - dayMs),
        dayMs + DAY_MS,
        10,
        60_000,
      );
    }
  }
  return {
    name: 'personal',
    description: `synthetic: one person, weekday evenings and weekends, sparse, ${days} days (seed ${seed})`,
    startAt: MONDAY_AT,
    requests: sortedRequests(out),
  };
}

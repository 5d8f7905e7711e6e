// The texts of the desktop notifications, from the control API's events: who woke a model and how, ready, failed, evicted.
import type { ApiEvent, NotificationSettings, WakeLevel } from '../api/contract';
import type { RouteKind, WakeCause } from '../shared/causes';
import { assertNever } from '../shared/assert-never';
import { formatDuration, truncate } from '../client/format';
import type { Notice, NoticeKind } from './notice';

/** Events older than this are history (a reconnecting event stream may replay them), not news. */
export const STALE_EVENT_MS = 60_000;
/** Notification bodies are cut here; the dashboard has the whole reason and the logs. */
const MAX_BODY_CHARS = 200;
/** A summary names this many models, then "and N more". */
const MAX_NAMED_MODELS = 3;

/**
 * The notification for an API event at `now`, or null when there is none: the event is not one
 * we notify about, its kind is switched off, it is stale, or the user did it from the tray or
 * the dashboard (they know already).
 */
export function notificationFor(
  event: ApiEvent,
  settings: NotificationSettings,
  now: number,
): Notice | null {
  if (now - event.at > STALE_EVENT_MS) return null;
  const notice = noticeOf(event);
  if (notice === null || !settings[notice.kind]) return null;
  return notice;
}

function noticeOf(event: ApiEvent): Notice | null {
  switch (event.type) {
    case 'wake-requested': {
      // A cause this version cannot read (a newer daemon's) still woke the model: say so with its text rather than stay silent.
      const text =
        event.wakeCause === null
          ? { title: `Waking ${event.model}`, body: `Woken (${event.cause}).` }
          : wakeText(event.model, event.wakeCause);
      if (text === null) return null;
      return {
        kind: 'wake',
        model: event.model,
        forModel: null,
        at: event.at,
        title: text.title,
        body: `${text.body}${wakeLevelPhrase(event.from, event.expectedMs ?? null)}`,
      };
    }
    case 'wake-ready':
      return {
        kind: 'ready',
        model: event.model,
        forModel: null,
        at: event.at,
        title: `${event.model} is ready`,
        body: `Ready after ${formatDuration(event.wakeMs)}.`,
      };
    case 'wake-failed':
      return {
        kind: 'failed',
        model: event.model,
        forModel: null,
        at: event.at,
        title: `${event.model} failed to wake`,
        body: truncate(sentence(event.reason), MAX_BODY_CHARS),
      };
    case 'evicted':
      return evictedNotice(event.model, event.forModel, null, event.at);
    case 'slept': {
      // Idle sleeps are the point of Siesta and happen all day: only evictions are news.
      const cause = event.sleepCause;
      if (cause?.kind === 'evicted')
        return evictedNotice(event.model, cause.forModel, null, event.at);
      if (cause?.kind === 'group')
        return evictedNotice(event.model, cause.forModel, cause.group, event.at);
      return null;
    }
    // Dozes are idle sleeps' lighter kin: they happen all day and are no news.
    case 'dozed':
    case 'snapshot':
    case 'model':
    case 'samples':
    case 'auto-sleep':
    case 'settings':
    case 'error':
      return null;
    default:
      return assertNever(event);
  }
}

/** The kind of wake and its usual time: ` Waking it from its doze, usually 1.2 s.`, ` Starting it, usually 40 s.` */
function wakeLevelPhrase(from: WakeLevel | undefined, expectedMs: number | null): string {
  const usually = expectedMs === null ? '' : `, usually ${formatDuration(expectedMs)}`;
  if (from === 'dozed') return ` Waking it from its doze (its server kept running)${usually}.`;
  return expectedMs === null ? '' : ` Starting it${usually}.`;
}

function wakeText(model: string, cause: WakeCause): { title: string; body: string } | null {
  switch (cause.kind) {
    case 'request':
      return {
        title: `Waking ${model}`,
        body: `${requestPhrase(cause.route, cause.detail)} woke it.`,
      };
    case 'user':
      switch (cause.via) {
        case 'tray':
        case 'dashboard':
          return null;
        case 'cli':
          return { title: `Waking ${model}`, body: 'Woken from the command line (siesta wake).' };
        case 'api':
          return { title: `Waking ${model}`, body: 'Woken through the control API.' };
        default:
          return assertNever(cause.via);
      }
    case 'prewarm':
      return {
        title: `Waking ${model} ahead of use`,
        body:
          cause.detail === '' ? 'It is usually used about now.' : `Pre-warming: ${cause.detail}`,
      };
    case 'external':
      return {
        title: `${model} was started outside Siesta`,
        body: 'Its container was started directly (docker start); Siesta counts it as awake now.',
      };
    default:
      return assertNever(cause);
  }
}

/** How the request found its model, as a phrase: `A request on port 11434`. */
function requestPhrase(route: RouteKind, detail: string): string {
  if (detail === '') return 'A request';
  switch (route) {
    case 'port':
      return `A request on port ${detail}`;
    case 'host':
      return `A request for ${detail}`;
    case 'path':
      return `A request to ${detail}`;
    case 'model-field':
      return `A request for the model "${detail}"`;
    default:
      return assertNever(route);
  }
}

function evictedNotice(model: string, forModel: string, group: string | null, at: number): Notice {
  const why =
    group === null
      ? `to make room for ${forModel}`
      : `because ${forModel} shares its group "${group}"`;
  return {
    kind: 'evicted',
    model,
    forModel,
    at,
    title: `Made room for ${forModel}`,
    body: `Put ${model} to sleep ${why}.`,
  };
}

/**
 * A later notice about the same model that has not been shown yet takes over the earlier one:
 * "Waking qwen" followed within a second by "qwen is ready" shows once, with both bodies.
 */
export function supersede(earlier: Notice, later: Notice): Notice {
  return { ...later, body: truncate(`${earlier.body} ${later.body}`, MAX_BODY_CHARS) };
}

/** One notice for a burst of notices of one kind: `Waking 3 models` / `Requests woke qwen, sdxl and whisper.` */
export function summarize(kind: NoticeKind, notices: readonly Notice[]): Notice {
  const models = unique(notices.map((n) => n.model).filter((m): m is string => m !== null));
  const names = nameList(models);
  const count = `${models.length} models`;
  const at = Math.max(...notices.map((n) => n.at));
  const base = { kind, model: null, forModel: null, at };
  switch (kind) {
    case 'wake':
      return { ...base, title: `Waking ${count}`, body: `Requests woke ${names}.` };
    case 'ready':
      return { ...base, title: `${count} are ready`, body: `${names} answer now.` };
    case 'failed':
      return {
        ...base,
        title: `${count} failed to wake`,
        body: `${names}: the dashboard has the reasons and logs.`,
      };
    case 'evicted': {
      const forModels = unique(
        notices.map((n) => n.forModel).filter((m): m is string => m !== null),
      );
      const [only] = forModels;
      const room =
        forModels.length === 1 && only !== undefined ? `for ${only}` : 'for other models';
      return {
        ...base,
        forModel: forModels.length === 1 ? (only ?? null) : null,
        title: `Made room ${room}`,
        body: `Put ${names} to sleep to make room ${room}.`,
      };
    }
    default:
      return assertNever(kind);
  }
}

/** A reason as a sentence: capitalised (reasons are written to follow a colon elsewhere). */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function nameList(models: readonly string[]): string {
  // "and 1 more" says less than the name it hides.
  const named =
    models.length <= MAX_NAMED_MODELS + 1 ? [...models] : models.slice(0, MAX_NAMED_MODELS);
  const rest = models.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} more`;
  const last = named[named.length - 1];
  if (named.length <= 1 || last === undefined) return named.join('');
  return `${named.slice(0, -1).join(', ')} and ${last}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

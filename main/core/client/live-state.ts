// The one reducer of the client side: keeps a copy of the state current from the event stream, so the dashboard, the
// tray and the CLI need not refetch on every event.
import type { ApiEvent, ModelView, StateResponse } from '../api/contract';
import { assertNever } from '../shared/assert-never';

/**
 * The state after an event. A `snapshot` replaces everything; `model` replaces one model (or adds
 * it, in name order); `samples` replaces the GPUs; `auto-sleep` the pause flag. Events that only
 * report (wakes, sleeps, errors, settings) leave the state as it is: the `model` event that goes
 * with them carries the change. Today's savings move only with a snapshot or a refetch.
 */
export function applyApiEvent(state: StateResponse | null, event: ApiEvent): StateResponse | null {
  if (event.type === 'snapshot') return event.state;
  if (state === null) return null;
  switch (event.type) {
    case 'model': {
      const others = state.models.filter((m) => m.name !== event.model.name);
      const models = [...others, event.model].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      return { ...state, at: event.at, models };
    }
    case 'samples':
      return {
        ...state,
        at: event.at,
        gpus: event.gpus,
        probe: { ...state.probe, gpuCount: event.gpus.length, lastSampleAt: event.at, staleMs: 0 },
      };
    case 'auto-sleep':
      return { ...state, at: event.at, autoSleepPaused: event.paused };
    case 'wake-requested':
    case 'wake-ready':
    case 'wake-failed':
    case 'slept':
    case 'dozed':
    case 'evicted':
    case 'settings':
    case 'error':
      return state;
    default:
      return assertNever(event);
  }
}

/** One model's view after an event, for a client that follows one model (`siesta wake`, `siesta sleep`). */
export function applyApiEventToModel(model: ModelView, event: ApiEvent): ModelView {
  if (event.type === 'model') return event.model.name === model.name ? event.model : model;
  if (event.type === 'snapshot')
    return event.state.models.find((m) => m.name === model.name) ?? model;
  return model;
}

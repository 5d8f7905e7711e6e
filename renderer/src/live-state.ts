// The dashboard's live view: the state from GET /api/state kept current by the event stream, plus 10 minutes of GPU power.
import { useEffect, useReducer, useState } from 'react';
import type { ApiEvent, StateResponse } from '../../main/core/api/contract';
import { StateResponseSchema } from '../../main/core/api/contract';
import { applyApiEvent } from '../../main/core/client/live-state';
import { ApiCallError, callApi } from './api-client';
import type { LinkStatus } from './live-events';
import { openLiveEvents } from './live-events';

/** How much GPU power history the sparklines keep. */
export const POWER_WINDOW_MS = 10 * 60_000;

/** One power reading of one GPU. */
export interface PowerPoint {
  readonly at: number;
  readonly powerWatts: number;
}

/** What the dashboard renders from. */
export interface LiveView {
  readonly state: StateResponse | null;
  /** Power readings per GPU index, oldest first, the last 10 minutes. */
  readonly power: ReadonlyMap<number, readonly PowerPoint[]>;
  readonly link: LinkStatus;
  /** Why the state could not be loaded (e.g. not logged in), or null. */
  readonly error: ApiCallError | null;
  /** Settings changes the stream reported (the settings page listens). */
  readonly settingsVersion: number;
}

type Action =
  | { readonly kind: 'loaded'; readonly state: StateResponse }
  | { readonly kind: 'event'; readonly event: ApiEvent }
  | { readonly kind: 'link'; readonly link: LinkStatus }
  | { readonly kind: 'error'; readonly error: ApiCallError };

const initial: LiveView = {
  state: null,
  power: new Map(),
  link: 'connecting',
  error: null,
  settingsVersion: 0,
};

/** Applies one change to the view (pure, so it can be reasoned about alone). */
export function reduceLiveView(view: LiveView, action: Action): LiveView {
  switch (action.kind) {
    case 'loaded':
      return {
        ...view,
        state: action.state,
        power: withSamples(view.power, action.state),
        error: null,
      };
    case 'link':
      return { ...view, link: action.link };
    case 'error':
      return { ...view, error: action.error };
    case 'event':
      return applyEvent(view, action.event);
  }
}

/** The state through the client side's one reducer (`applyApiEvent`); the power history and the settings version beside it. */
function applyEvent(view: LiveView, event: ApiEvent): LiveView {
  if (event.type === 'settings') return { ...view, settingsVersion: view.settingsVersion + 1 };
  const state = applyApiEvent(view.state, event);
  if (state === view.state) return view;
  const power =
    state !== null && (event.type === 'snapshot' || event.type === 'samples')
      ? withSamples(view.power, state)
      : view.power;
  return { ...view, state, power, ...(event.type === 'snapshot' ? { error: null } : {}) };
}

function withSamples(
  power: ReadonlyMap<number, readonly PowerPoint[]>,
  state: StateResponse,
): ReadonlyMap<number, readonly PowerPoint[]> {
  const next = new Map(power);
  for (const gpu of state.gpus) {
    if (gpu.powerWatts === null) continue;
    const series = next.get(gpu.index) ?? [];
    const last = series[series.length - 1];
    if (last && last.at >= gpu.at) continue;
    const cutoff = gpu.at - POWER_WINDOW_MS;
    next.set(gpu.index, [
      ...series.filter((p) => p.at >= cutoff),
      { at: gpu.at, powerWatts: gpu.powerWatts },
    ]);
  }
  return next;
}

/** The live view: loads the state, then follows the event stream until unmounted. */
export function useLiveView(): LiveView {
  const [view, dispatch] = useReducer(reduceLiveView, initial);
  useEffect(() => {
    let closed = false;
    let close: (() => void) | null = null;
    callApi('GET', '/api/state', StateResponseSchema)
      .then((state) => {
        if (closed) return;
        dispatch({ kind: 'loaded', state });
        close = openLiveEvents(
          (event) => dispatch({ kind: 'event', event }),
          (link) => dispatch({ kind: 'link', link }),
        );
      })
      .catch((error: unknown) => {
        if (!closed)
          dispatch({
            kind: 'error',
            error:
              error instanceof ApiCallError
                ? error
                : new ApiCallError(0, 'unknown', String(error), null),
          });
      });
    return () => {
      closed = true;
      close?.();
    };
  }, []);
  return view;
}

/** The current time, updated every `everyMs` (countdowns and "3 min ago"). */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

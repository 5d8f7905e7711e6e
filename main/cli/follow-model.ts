// Follows one model through the live event stream (falling back to polling) until a wanted state, drawing progress.
import type { Clock } from '../core/clock/clock';
import type { ApiEvent, ModelView } from '../core/api/contract';
import { StateResponseSchema } from '../core/api/contract';
import { applyApiEventToModel } from '../core/client/live-state';
import type { ControlClient, EventStream } from '../core/client/control-client';

/** What the follower does with each view of the model: keep waiting (null) or stop with a result. */
export type FollowStep<T> = (model: ModelView) => { readonly result: T } | null;

/** How often a TTY progress line is redrawn and how often the fallback polls. */
export const REDRAW_MS = 250;
export const POLL_MS = 500;

/** Waits until `step` returns a result for the model named `name`, calling `draw` on every change and redraw tick. */
export async function followModel<T>(options: {
  readonly client: ControlClient;
  readonly stream: EventStream;
  readonly clock: Clock;
  readonly name: string;
  readonly initial: ModelView;
  readonly step: FollowStep<T>;
  readonly draw: (model: ModelView) => void;
  /** Sees every other event too (may throw to stop, e.g. on a `wake-failed` of this model). */
  readonly onEvent?: (event: ApiEvent) => void;
  /** Redraw on a timer too (a TTY's live line). */
  readonly ticking: boolean;
}): Promise<T> {
  const { client, stream, clock, name, step, draw } = options;
  let model = options.initial;
  let streaming = true;
  let pending: Promise<{ kind: 'event'; value: Awaited<ReturnType<EventStream['next']>> }> | null =
    null;
  for (;;) {
    const done = step(model);
    if (done) return done.result;
    draw(model);
    if (streaming) {
      pending ??= stream.next().then((value) => ({ kind: 'event' as const, value }));
      const waited = options.ticking
        ? await Promise.race([
            pending,
            clock.sleep(REDRAW_MS).then(() => ({ kind: 'tick' as const })),
          ])
        : await pending;
      if (waited.kind === 'tick') continue;
      pending = null;
      const event = waited.value;
      if (event === null) {
        streaming = false;
        continue;
      }
      options.onEvent?.(event);
      model = applyApiEventToModel(model, event);
      continue;
    }
    // The stream broke (daemon restarting, a proxy cut it): poll the state instead.
    await clock.sleep(POLL_MS);
    const state = await client.json('GET', '/api/state', StateResponseSchema);
    model = state.models.find((m) => m.name === name) ?? model;
  }
}

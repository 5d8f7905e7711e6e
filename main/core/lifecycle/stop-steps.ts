// The stop of one model: a user's sleep that waits for open uses, then ready or dozed -> stopping -> asleep; a stop
// that fails while the container still runs puts the model back where it was; waiting requests then wake it again.
import type { ModelMachine } from './model-machine';
import type { SleepCause } from './model-state';

/** A sleep asked for while uses are open: it happens when the last one ends (`releaseLease`). */
export function requestSleep(m: ModelMachine, cause: SleepCause): Promise<void> {
  if (m.sleepRequest) return m.sleepRequest.done;
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  m.holdSleepRequest({ cause, done, resolve, reject });
  m.cancelIdle();
  m.changed();
  return done;
}

/** Stops the container (one stop at a time); a pending user sleep settles with it. */
export function stopContainer(m: ModelMachine, cause: SleepCause): Promise<void> {
  if (m.stopping) return m.stopping;
  const request = m.takeSleepRequest();
  const was = m.state === 'dozed' ? 'dozed' : 'ready';
  m.enter('stopping', { readinessDetail: null });
  m.cancelIdle();
  m.changed();
  const stopping = runStop(m, cause, was).finally(() => m.trackStop(stopping, false));
  m.trackStop(stopping, true);
  stopping.then(
    () => request?.resolve(),
    (error: unknown) => request?.reject(error),
  );
  return stopping;
}

async function runStop(m: ModelMachine, cause: SleepCause, was: 'ready' | 'dozed'): Promise<void> {
  const runtime = m.ctx.runtime;
  try {
    await runtime.stop(m.containerRef(), m.ctx.stopGraceMs);
  } catch (error) {
    const info = await runtime.inspect(m.containerRef()).catch(() => null);
    if (info?.running && !m.removed && m.state === 'stopping') {
      m.enter(was, {});
      if (was === 'ready') {
        m.settleWaiters();
        m.armIdle();
      } else {
        const first = m.firstWaiter();
        if (first) m.startWake(first.cause, { external: false, quiet: false });
      }
      m.changed();
      throw error;
    }
  }
  if (m.removed || m.state !== 'stopping') return;
  m.becomeAsleep(cause, was === 'dozed');
  const first = m.firstWaiter();
  if (first) m.startWake(first.cause, { external: false, quiet: false });
}

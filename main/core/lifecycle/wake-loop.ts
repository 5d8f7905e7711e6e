// The wake of one model, step by step: admission (room on its GPU), the container started, then readiness polled
// until it answers, fails or the wake's deadline passes; while the engine is away the wake waits for it, saying so.
import { isEngineUnreachable } from '../docker/container-runtime';
import { upstreamFor } from '../providers/upstream-for';
import type { WakeRun } from './machine-parts';
import type { ModelMachine } from './model-machine';
import { exitText, messageOf } from './machine-parts';
import type { Upstream } from './model-state';
import { pollDelayMs } from './poll-delay';
import { effectiveHealth } from './readiness-checker';

/** While the engine is away, a wake asks again after 250 ms, doubling to 2 s (the reconnect cuts it short). */
const ENGINE_RETRY_FIRST_MS = 250;
const ENGINE_RETRY_MAX_MS = 2_000;

/** Runs `run` for the model until it is ready or failed; returns early once the run is no longer current. */
export async function runWake(m: ModelMachine, run: WakeRun): Promise<void> {
  const { runtime, admission, readiness } = m.ctx;
  const spec = m.spec;
  const current = (): boolean => m.isCurrent(run);
  if (!run.external) {
    if (admission) {
      m.readinessDetail = 'waiting for room on its GPU';
      await admission.admit(spec, {
        signal: run.abort.signal,
        deadlineAt: run.deadlineAt,
        onWaiting: (detail) => {
          if (current()) m.showDetail(detail);
        },
      });
      if (!current()) return;
    }
    const info = await withEngine(m, run, () => runtime.inspect(m.containerRef()));
    if (!current()) return;
    if (!info)
      return m.failWake(run, 'failed', `container "${spec.container}" does not exist`, false);
    m.containerId = info.id;
    if (!info.running) {
      run.startedContainer = true;
      m.readinessDetail = 'starting the container';
      m.changed();
      await withEngine(m, run, () => runtime.start(info.id));
      if (!current()) return;
    }
  }
  for (let attempt = 0; ; attempt++) {
    const info = await withEngine(m, run, () => runtime.inspect(m.containerRef()));
    if (!current()) return;
    if (!info)
      return m.failWake(
        run,
        'failed',
        `container "${spec.container}" was removed while waking`,
        false,
      );
    m.containerId = info.id;
    m.gpuIndexes = info.gpuIndexes;
    if (!info.running)
      return m.failWake(run, 'failed', `the container ${exitText(info)} while waking`, true);
    if (info.health === 'unhealthy')
      return m.failWake(run, 'failed', 'the container turned unhealthy while waking', true);
    const reach = upstreamFor(info, spec);
    if (!reach.ok) return m.failWake(run, 'failed', reach.problem, false);
    const upstream: Upstream = reach.upstream;
    const result = await readiness.check(
      { spec, health: effectiveHealth(spec, info), container: info, upstream },
      run.abort.signal,
    );
    if (!current()) return;
    if (result.ready) return m.becomeReady(run, upstream, info);
    if (result.fatal) return m.failWake(run, 'failed', result.detail, false);
    m.showDetail(result.detail);
    await pause(m, run, pollDelayMs(attempt));
    if (!current()) return;
  }
}

/**
 * An engine call of a wake. While the engine cannot be reached (a restart, an upgrade) the wake waits for
 * it, saying so, until its deadline; the engine's return (the `reconnected` event) cuts the wait short.
 */
async function withEngine<T>(m: ModelMachine, run: WakeRun, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error: unknown) {
      if (!isEngineUnreachable(error) || !m.isCurrent(run)) throw error;
      m.showDetail(`the Docker engine is not answering; waiting for it (${messageOf(error)})`);
      await pause(m, run, Math.min(ENGINE_RETRY_MAX_MS, ENGINE_RETRY_FIRST_MS * 2 ** attempt));
      if (!m.isCurrent(run)) throw error;
    }
  }
}

/** Waits between polls on the clock; an engine event about the container cuts it short. */
function pause(m: ModelMachine, run: WakeRun, delayMs: number): Promise<void> {
  const clock = m.ctx.clock;
  return new Promise((resolve) => {
    const done = (): void => {
      if (run.pollTimer) clock.clearTimeout(run.pollTimer);
      run.pollTimer = null;
      run.cutPause = null;
      resolve();
    };
    run.cutPause = done;
    run.pollTimer = clock.setTimeout(done, delayMs);
  });
}

// The wake of one model, step by step: admission (room on its GPU), the server's own wake from a doze or the container
// started, then readiness polled until it answers, fails or the deadline passes; while the engine is away it waits.
import { isEngineUnreachable } from '../docker/container-runtime';
import { upstreamFor } from '../providers/upstream-for';
import type { WakeRun } from './machine-parts';
import type { ModelMachine } from './model-machine';
import { foundDozed } from './doze-steps';
import { exitedCause, messageOf } from './machine-parts';
import type { Upstream } from './model-state';
import { pollDelayMs } from './poll-delay';
import { effectiveHealth } from './readiness-checker';

/** While the engine is away, a wake asks again after 250 ms, doubling to 2 s (the reconnect cuts it short). */
const ENGINE_RETRY_FIRST_MS = 250;
const ENGINE_RETRY_MAX_MS = 2_000;

/** Runs `run` for the model until it is ready or failed; returns early once the run is no longer current. */
export async function runWake(m: ModelMachine, run: WakeRun): Promise<void> {
  const { runtime } = m.ctx;
  const spec = m.spec;
  const current = (): boolean => m.isCurrent(run);
  if (!run.external) {
    // A doze wake needs its VRAM back too: admission first, as for a start.
    await admitFor(m, run);
    if (!current()) return;
    if (run.level === 'dozed') {
      if (await dozeWake(m, run)) return pollReady(m, run);
      if (!current()) return;
    }
    const info = await withEngine(m, run, () => runtime.inspect(m.containerRef()));
    if (!current()) return;
    if (!info)
      return m.failWake(run, 'failed', { kind: 'no-container', container: spec.container }, false);
    m.seeContainer(info);
    if (!info.running) {
      run.startedContainer = true;
      m.showDetail('starting the container');
      await withEngine(m, run, () => runtime.start(info.id));
      if (!current()) return;
    }
  }
  return pollReady(m, run);
}

/** Waits for room on the model's GPU (the scheduler may put others to sleep), showing what it waits for. */
async function admitFor(m: ModelMachine, run: WakeRun): Promise<void> {
  const admission = m.ctx.admission;
  if (!admission) return;
  m.noteDetail('waiting for room on its GPU');
  await admission.admit(m.spec, {
    signal: run.abort.signal,
    deadlineAt: run.deadlineAt,
    onWaiting: (detail) => {
      if (m.isCurrent(run)) m.showDetail(detail);
    },
  });
}

/**
 * The fast path from a doze: the server's own wake call. True when it answered; false after a failed call, once the
 * container was stopped so that the wake goes on as a full start (`run.level` becomes `asleep`).
 */
async function dozeWake(m: ModelMachine, run: WakeRun): Promise<boolean> {
  const { dozer, runtime, stopGraceMs, log } = m.ctx;
  const upstream = m.upstream;
  m.showDetail('waking from its doze');
  try {
    if (!dozer || !upstream) throw new Error('no dozer or no address to call');
    await dozer.wake(m.spec, upstream);
    return true;
  } catch (error) {
    if (!m.isCurrent(run)) return false;
    const why = messageOf(error);
    log(`the doze wake of "${m.name}" failed (${why}); restarting its container`);
    run.level = 'asleep';
    m.showDetail(`its doze wake failed (${why}); restarting it`);
    await withEngine(m, run, () => runtime.stop(m.containerRef(), stopGraceMs));
    return false;
  }
}

/** Polls readiness until the model answers, fails or the run ends. */
async function pollReady(m: ModelMachine, run: WakeRun): Promise<void> {
  const { runtime, readiness } = m.ctx;
  const spec = m.spec;
  const current = (): boolean => m.isCurrent(run);
  for (let attempt = 0; ; attempt++) {
    const info = await withEngine(m, run, () => runtime.inspect(m.containerRef()));
    if (!current()) return;
    if (!info)
      return m.failWake(
        run,
        'failed',
        { kind: 'removed', container: spec.container, whileWaking: true },
        false,
      );
    m.seeContainer(info);
    if (!info.running) return m.failWake(run, 'failed', exitedCause(info, true), true);
    if (info.health === 'unhealthy')
      return m.failWake(run, 'failed', { kind: 'unhealthy', whileWaking: true }, true);
    const reach = upstreamFor(info, spec);
    if (!reach.ok)
      return m.failWake(run, 'failed', { kind: 'unreachable', detail: reach.problem }, false);
    const upstream: Upstream = reach.upstream;
    const result = await readiness.check(
      { spec, health: effectiveHealth(spec, info), container: info, upstream },
      run.abort.signal,
    );
    if (!current()) return;
    if (result.ready) {
      // Found running at start: a server that says it dozes is taken as dozed, not awake (issue 15).
      const dozed = run.quiet && (await foundDozed(m, upstream));
      if (!current()) return;
      return m.becomeReady(run, upstream, info, dozed);
    }
    if (result.fatal)
      return m.failWake(run, 'failed', { kind: 'not-ready', detail: result.detail }, false);
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

// The doze of one model (issue 15): ready -> dozing -> dozed through its server's own sleep API; a doze that fails
// stops the model instead (its server's state is then unknown); requests that came meanwhile wake it at once.
import type { ModelMachine } from './model-machine';
import { messageOf } from './machine-parts';
import { stopContainer } from './stop-steps';
import type { SleepCause, Upstream } from './model-state';

/** Dozes `m` (the caller checked `dozeRefusal()`); resolves once it is dozed, or stopped when the doze failed. */
export function runDoze(m: ModelMachine, cause: SleepCause): Promise<void> {
  const dozing = dozeSteps(m, cause).finally(() => m.trackDoze(dozing, false));
  m.trackDoze(dozing, true);
  return dozing;
}

async function dozeSteps(m: ModelMachine, cause: SleepCause): Promise<void> {
  const { dozer, clock, log } = m.ctx;
  const upstream = m.upstream;
  if (!dozer || !upstream)
    throw new Error(`internal: "${m.name}" dozes without a dozer or upstream`);
  m.enter('dozing', { readinessDetail: null, dozedAt: clock.now() });
  m.changed();
  try {
    await dozer.doze(m.spec, upstream);
  } catch (error) {
    if (m.removed || m.state !== 'dozing') return;
    log(`doze of "${m.name}" failed (${messageOf(error)}); stopping it instead`);
    m.enter('ready', {});
    await stopContainer(m, cause);
    return;
  }
  if (m.removed || m.state !== 'dozing') return;
  const now = clock.now();
  m.enter('dozed', { dozedAt: now }, { kind: 'doze', at: now, model: m.name, cause });
  m.continueToStop();
  m.changed();
  const first = m.firstWaiter();
  if (first) m.startWake(first.cause, { external: false, quiet: false });
}

/**
 * Whether a server found running at start dozes, by its own status (vLLM `/is_sleeping`, a custom status path, Ollama
 * with nothing loaded, cuda-checkpoint's state); false where it cannot say or the question fails (said in the log).
 */
export async function foundDozed(m: ModelMachine, upstream: Upstream): Promise<boolean> {
  const dozer = m.ctx.dozer;
  if (!m.spec.doze || !dozer?.isDozed) return false;
  try {
    return (await dozer.isDozed(m.spec, upstream)) === true;
  } catch (error) {
    m.ctx.log(`could not ask "${m.name}" whether it dozes (${messageOf(error)}); taken as awake`);
    return false;
  }
}

/** A server found dozed at start: a request already waiting wakes it; else its idle timer goes on to the stop. */
export function afterFoundDozed(m: ModelMachine): void {
  m.ctx.log(`"${m.name}" was found dozing (its server says so): taken as dozed`);
  const first = m.firstWaiter();
  if (first) m.startWake(first.cause, { external: false, quiet: false });
  else m.armIdle();
}

/** Why the model may not doze now (not ready and idle, pinned, no doze, the dozer refuses), or null when it may. */
export function dozeRefusal(m: ModelMachine): string | null {
  if (m.state !== 'ready') return `it is ${m.state}, not ready`;
  if (m.inUse > 0) return `it is busy (${m.inUse} open)`;
  if (m.waiting > 0 || m.sleepRequest) return 'requests wait for it';
  if (m.pinned) return 'it is pinned';
  if (!m.spec.doze) return 'it has no doze (label siesta.doze)';
  const dozer = m.ctx.dozer;
  if (!dozer) return 'this Siesta has no dozer';
  return dozer.refusal(m.spec);
}

/** The idle timer's doze; a model that may not doze now (host RAM short) is stopped instead, as without a ladder. */
export function idleDoze(m: ModelMachine, idleMs: number): void {
  if (m.neverSleepsReason() !== null) return;
  const refusal = dozeRefusal(m);
  if (refusal !== null) {
    if (m.state !== 'ready' || m.inUse > 0) return;
    m.ctx.log(`"${m.name}" did not doze: ${refusal}; stopping it instead`);
    stopContainer(m, { kind: 'idle', idleMs }).catch((error: unknown) =>
      m.ctx.log(`idle sleep of "${m.name}" failed: ${messageOf(error)}`),
    );
    return;
  }
  runDoze(m, { kind: 'idle', idleMs }).catch((error: unknown) =>
    m.ctx.log(`idle doze of "${m.name}" failed: ${messageOf(error)}`),
  );
}

// Keeps a model's state true to its container when the engine reports it started, stopped, died, turned unhealthy or
// was removed by someone else, and when the engine comes back (DESIGN.md: "Engine events keep the state true").
import type { ContainerInfo, RuntimeEvent } from '../docker/container-runtime';
import { upstreamFor } from '../providers/upstream-for';
import { assertNever } from '../shared/assert-never';
import type { ModelMachine } from './model-machine';
import { exitedCause } from './machine-parts';
import { effectiveHealth } from './readiness-checker';

/** How long after a `kill` event a `die` still counts as a stop by hand rather than a crash. */
const KILL_WINDOW_MS = 60_000;

/** One engine event about the model's container. */
export async function followContainerEvent(
  m: ModelMachine,
  event: Extract<RuntimeEvent, { kind: 'container' }>,
): Promise<void> {
  const { clock, runtime } = m.ctx;
  switch (event.action) {
    case 'kill':
      m.noteKill(clock.now());
      return;
    case 'oom':
      return;
    case 'create':
      if (event.name === m.spec.container.replace(/^\//, '')) m.containerCreated(event.id);
      return;
    case 'start':
      // A kill before this start belonged to the previous run: a later die without a kill is a crash.
      m.noteKill(null);
      if (m.state === 'waking') return m.cutPause();
      if (m.state === 'asleep' || m.state === 'failed') {
        const info = await runtime.inspect(event.id);
        if (info?.running && (m.state === 'asleep' || m.state === 'failed') && !m.wake) {
          m.seeContainer(info);
          m.startWake({ kind: 'external' }, { external: true, quiet: false });
        }
      }
      return;
    case 'die':
    case 'stop':
    case 'destroy':
      if (m.state === 'waking') return m.cutPause();
      if (m.state === 'ready' || m.state === 'dozed' || m.state === 'dozing') {
        const was = m.state;
        const info = event.action === 'destroy' ? null : await runtime.inspect(event.id);
        if (info?.running || m.state !== was) return;
        const killedByHand = m.lastKillAt !== null && clock.now() - m.lastKillAt < KILL_WINDOW_MS;
        if (event.action !== 'die' || killedByHand) {
          m.becomeAsleep({ kind: 'external' });
        } else {
          const logLines = await m.logTail();
          if (m.state !== was) return;
          m.setFailed(
            info
              ? exitedCause(info, false)
              : { kind: 'removed', container: m.spec.container, whileWaking: false },
            logLines,
          );
          m.changed();
        }
      }
      if (event.action === 'destroy') m.containerDestroyed(event.id);
      return;
    case 'health':
      if (m.state === 'waking') return m.cutPause();
      if (m.state === 'ready' && event.health === 'unhealthy') {
        const info = await runtime.inspect(event.id);
        if (!info || m.state !== 'ready' || info.health !== 'unhealthy') return;
        if (effectiveHealth(m.spec, info).kind !== 'docker') return;
        const logLines = await m.logTail();
        if (m.state !== 'ready') return;
        m.setFailed({ kind: 'unhealthy', whileWaking: false }, logLines);
        m.changed();
      }
      return;
    default:
      assertNever(event.action);
  }
}

/** Makes the model's state agree with its container (at start, for a new model, after the engine came back). */
export async function resyncWithContainer(m: ModelMachine, quiet: boolean): Promise<void> {
  const info = await m.ctx.runtime.inspect(m.containerRef());
  if (m.removed) return;
  if (info) {
    // Its GPUs (device requests) before its first wake: the VRAM scheduler admits it on them.
    m.seeContainer(info);
  }
  switch (m.state) {
    case 'asleep':
    case 'failed':
      // A failed model whose failed run still runs (it turned unhealthy) stays failed; a new run is adopted.
      if (info?.running && !m.wake && !isRunThatFailed(m, info)) {
        m.startWake({ kind: 'external' }, { external: true, quiet });
      }
      return;
    case 'waking':
      return m.cutPause();
    case 'ready':
    case 'dozed':
      if (!info?.running) {
        m.becomeAsleep({ kind: 'external' });
        return;
      }
      refreshUpstream(m, info);
      return;
    case 'stopping':
    case 'dozing':
      return;
    default:
      return assertNever(m.state);
  }
}

function isRunThatFailed(m: ModelMachine, info: ContainerInfo): boolean {
  if (m.state !== 'failed' || !m.failure) return false;
  return info.startedAt === null || info.startedAt <= m.failure.at;
}

/** After an engine restart a running container may publish on a new host port. */
function refreshUpstream(m: ModelMachine, info: ContainerInfo): void {
  const reach = upstreamFor(info, m.spec);
  if (
    !reach.ok ||
    (m.upstream?.port === reach.upstream.port && m.upstream.host === reach.upstream.host)
  )
    return;
  m.moveUpstream(reach.upstream);
}

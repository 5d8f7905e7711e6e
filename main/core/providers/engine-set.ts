// Several engines as one provider: each model on the engine where its workload lives. Refs of the first engine stay
// plain; those of every other engine read ENGINE/ref. Remembers each engine's reachability; an engine that does not
// answer keeps its models listed (from its last answer) and fails their calls at once with a sentence naming it.
import type { Clock } from '../clock/clock';
import {
  isEngineUnreachable,
  type ContainerInfo,
  type ContainerRuntime,
  type RuntimeEvent,
} from '../docker/container-runtime';

/** One engine of the set. */
export interface EngineMember {
  readonly name: string;
  /** `tcp://10.0.0.12:2376`, for messages. */
  readonly address: string;
  readonly kind: 'docker' | 'swarm';
  readonly runtime: ContainerRuntime;
  /** Where its models' published ports are dialled; undefined for a local engine (127.0.0.1). */
  readonly upstreamHost: string | undefined;
  /**
   * On another machine: its calls are bounded by `callTimeoutMs`, and while it does not answer they fail at once (a
   * request for its model gets an error, not a wait). A local engine's outage is waited for, as with one engine.
   */
  readonly remote: boolean;
}

/** Whether one engine answers; while it does not, why and since when. */
export interface EngineStatus {
  readonly name: string;
  readonly address: string;
  readonly kind: 'docker' | 'swarm';
  readonly reachable: boolean;
  readonly detail: string | null;
  readonly since: number | null;
}

/** A call to an engine that does not answer: says which engine, since when and why. Not retried by a wake. */
export class EngineAwayError extends Error {
  constructor(
    readonly engine: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineAwayError';
  }
}

/** A container id as `docker ps` shows it (12 hex digits); a name as it is. */
function shortRef(ref: string): string {
  return /^[0-9a-f]{64}$/.test(ref) ? ref.slice(0, 12) : ref;
}

/** GPU indexes of the engine at position `i` start at `i * GPU_INDEX_STRIDE`, so GPU 0 of two hosts never clash. */
export const GPU_INDEX_STRIDE = 100;

interface MemberState {
  readonly member: EngineMember;
  readonly gpuIndexBase: number;
  status: EngineStatus;
  lastSeen: readonly ContainerInfo[];
}

/** What an `EngineSetRuntime` is built from. */
export interface EngineSetOptions {
  readonly members: readonly EngineMember[];
  readonly clock: Clock;
  /** A remote engine's call that takes longer counts as not answering. Default 10 s. */
  readonly callTimeoutMs?: number;
  /** Each change of an engine's reachability. */
  readonly onStatus?: (status: EngineStatus) => void;
}

/** What `setMembers` changed: the engines added, and those removed with the workloads last seen on them. */
export interface EngineSetChange {
  readonly added: readonly EngineStatus[];
  readonly removed: readonly {
    readonly engine: EngineStatus;
    readonly workloads: readonly string[];
  }[];
}

/** A listener of `watch` and its watch of each engine. */
interface Watcher {
  readonly listener: (event: RuntimeEvent) => void;
  readonly stops: Map<MemberState, () => void>;
}

/** The engines of siesta.yaml's `engines:` as one ContainerRuntime. */
export class EngineSetRuntime implements ContainerRuntime {
  private states: MemberState[];
  private readonly callTimeoutMs: number;
  private readonly watchers = new Set<Watcher>();
  /** The next engine's GPU slot: never reused, so a GPU index names one engine's GPU for the ledger's whole life. */
  private nextSlot: number;

  constructor(private readonly options: EngineSetOptions) {
    if (options.members.length === 0)
      throw new Error('internal: an engine set needs at least one engine');
    this.states = options.members.map((member, i) => this.stateOf(member, i));
    this.nextSlot = this.states.length;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  private stateOf(member: EngineMember, slot: number): MemberState {
    return {
      member,
      gpuIndexBase: slot * GPU_INDEX_STRIDE,
      status: {
        name: member.name,
        address: member.address,
        kind: member.kind,
        reachable: true,
        detail: null,
        since: null,
      },
      lastSeen: [],
    };
  }

  /** The member named `name` now, or undefined. */
  member(name: string): EngineMember | undefined {
    return this.states.find((s) => s.member.name === name)?.member;
  }

  /**
   * Replaces the engines (siesta.yaml's `engines:` changed while running). A member already in the set (the same
   * object) keeps its state; a new one is added and watched; one left out is dropped, its watch stopped. The first
   * engine must stay the same: its containers are the unprefixed ones, so changing it needs a restart.
   */
  setMembers(members: readonly EngineMember[]): EngineSetChange {
    const first = this.states[0];
    if (members[0] === undefined || members[0] !== first?.member)
      throw new Error(
        `the first engine ("${first?.member.name ?? ''}") cannot change while Siesta runs: its containers are the ones siesta.yaml names without ENGINE/`,
      );
    const kept = new Map(this.states.map((s) => [s.member, s]));
    const next = members.map((member) => kept.get(member) ?? this.stateOf(member, this.nextSlot++));
    const removed = this.states.filter((s) => !next.includes(s));
    const added = next.filter((s) => !kept.has(s.member));
    this.states = next;
    for (const watcher of this.watchers) {
      for (const state of removed) {
        watcher.stops.get(state)?.();
        watcher.stops.delete(state);
      }
      for (const state of added)
        watcher.stops.set(state, this.watchMember(state, watcher.listener));
    }
    return {
      added: added.map((s) => s.status),
      removed: removed.map((s) => ({
        engine: s.status,
        workloads: s.lastSeen.map((info) => info.name),
      })),
    };
  }

  /** Every engine and whether it answers, in siesta.yaml's order. */
  statuses(): readonly EngineStatus[] {
    return this.states.map((s) => s.status);
  }

  /** The first GPU index of an engine's GPUs (its GPU 0), for its GPU readings. */
  gpuIndexBaseOf(engine: string): number {
    return this.states.find((s) => s.member.name === engine)?.gpuIndexBase ?? 0;
  }

  async discover(): Promise<readonly ContainerInfo[]> {
    const results = await Promise.allSettled(
      this.states.map(async (state) => {
        const found = await this.call(
          state,
          'list its models',
          () => state.member.runtime.discover(),
          false,
        );
        state.lastSeen = found.map((info) => this.qualified(state, info));
        return state.lastSeen;
      }),
    );
    const infos: ContainerInfo[] = [];
    let answered = false;
    let firstError: Error | null = null;
    for (const [i, result] of results.entries()) {
      const state = this.states[i];
      if (!state) continue;
      if (result.status === 'fulfilled') {
        answered = true;
        infos.push(...result.value);
        continue;
      }
      const error =
        result.reason instanceof Error ? result.reason : new Error(String(result.reason));
      // The first engine behaves as a lone engine does: its errors are the scan's. Another engine's failure (an
      // outage, a refused certificate) marks it away and keeps its models as last seen, so a request for one is
      // answered with the engine's outage, not "no such model".
      if (i === 0 && !isEngineUnreachable(error)) throw error;
      if (i > 0 && !(error instanceof EngineAwayError))
        this.setStatus(state, error.message, this.options.clock.now());
      firstError ??= error;
      infos.push(...state.lastSeen);
    }
    if (!answered && infos.length === 0 && firstError !== null) throw firstError;
    return infos;
  }

  async inspect(ref: string): Promise<ContainerInfo | null> {
    const [state, bare] = this.route(ref);
    const info = await this.call(state, `inspect "${shortRef(bare)}"`, () =>
      state.member.runtime.inspect(bare),
    );
    return info === null ? null : this.qualified(state, info);
  }

  async start(ref: string): Promise<void> {
    const [state, bare] = this.route(ref);
    await this.call(state, `start "${shortRef(bare)}"`, () => state.member.runtime.start(bare));
  }

  async stop(ref: string, graceMs: number): Promise<void> {
    const [state, bare] = this.route(ref);
    await this.call(state, `stop "${shortRef(bare)}"`, () =>
      state.member.runtime.stop(bare, graceMs),
    );
  }

  async logTail(ref: string, count: number): Promise<readonly string[]> {
    const [state, bare] = this.route(ref);
    return this.call(state, `read the log of "${bare}"`, () =>
      state.member.runtime.logTail(bare, count),
    );
  }

  async pids(ref: string): Promise<readonly number[]> {
    const [state, bare] = this.route(ref);
    // PIDs of another machine mean nothing to this machine's GPU probe: a remote model's VRAM comes from its exporter.
    if (state.member.remote) return [];
    return state.member.runtime.pids(bare);
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    const watcher: Watcher = { listener, stops: new Map() };
    for (const state of this.states) watcher.stops.set(state, this.watchMember(state, listener));
    this.watchers.add(watcher);
    return () => {
      for (const stop of watcher.stops.values()) stop();
      this.watchers.delete(watcher);
    };
  }

  private watchMember(state: MemberState, listener: (event: RuntimeEvent) => void): () => void {
    return state.member.runtime.watch((event) => {
      switch (event.kind) {
        case 'container':
          this.setStatus(state, null, event.at);
          listener({
            ...event,
            id: this.qualify(state, event.id),
            name: event.name === '' ? '' : this.qualify(state, event.name),
          });
          return;
        case 'disconnected':
          this.setStatus(state, event.reason, event.at);
          // Only the first engine's outage is the daemon's ("the Docker Engine does not answer"); another engine's
          // is its own, shown by `statuses()`.
          if (state === this.states[0]) listener(event);
          return;
        case 'reconnected':
          this.setStatus(state, null, event.at);
          listener(event);
          return;
      }
    });
  }

  private route(ref: string): [MemberState, string] {
    const clean = ref.replace(/^\//, '');
    const slash = clean.indexOf('/');
    if (slash > 0) {
      const engine = clean.slice(0, slash);
      const state = this.states.slice(1).find((s) => s.member.name === engine);
      if (!state)
        throw new Error(
          `"${clean}" names engine "${engine}", which is not in siesta.yaml's engines: (${this.states.map((s) => s.member.name).join(', ')})`,
        );
      return [state, clean.slice(slash + 1)];
    }
    const first = this.states[0];
    if (!first) throw new Error('internal: an engine set needs at least one engine');
    return [first, clean];
  }

  private qualify(state: MemberState, ref: string): string {
    return state === this.states[0] ? ref : `${state.member.name}/${ref.replace(/^\//, '')}`;
  }

  private qualified(state: MemberState, info: ContainerInfo): ContainerInfo {
    return {
      ...info,
      id: this.qualify(state, info.id),
      name: this.qualify(state, info.name),
      engine: state.member.name,
      gpuIndexes: info.gpuIndexes.map((index) => index + state.gpuIndexBase),
      ...(state.member.upstreamHost === undefined
        ? {}
        : { upstreamHost: state.member.upstreamHost }),
    };
  }

  /** One call to a member: a remote one is bounded in time and fails at once while its engine is away. */
  private async call<T>(
    state: MemberState,
    doing: string,
    run: () => Promise<T>,
    failFast = true,
  ): Promise<T> {
    const { member } = state;
    if (!member.remote) return run();
    if (failFast && !state.status.reachable) throw this.awayError(state, doing);
    let timer: ReturnType<Clock['setTimeout']> | null = null;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = this.options.clock.setTimeout(() => {
          reject(
            Object.assign(new Error(`no answer within ${this.callTimeoutMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          );
        }, this.callTimeoutMs);
      });
      const result = await Promise.race([run(), timeout]);
      this.setStatus(state, null, this.options.clock.now());
      return result;
    } catch (error: unknown) {
      if (!isEngineUnreachable(error)) throw error;
      this.setStatus(
        state,
        error instanceof Error ? error.message : String(error),
        this.options.clock.now(),
      );
      throw this.awayError(state, doing);
    } finally {
      if (timer !== null) this.options.clock.clearTimeout(timer);
    }
  }

  private awayError(state: MemberState, doing: string): EngineAwayError {
    const { status } = state;
    const since = status.since === null ? '' : ` since ${new Date(status.since).toISOString()}`;
    return new EngineAwayError(
      state.member.name,
      `engine "${status.name}" (${status.address}) does not answer${since}${status.detail === null ? '' : ` (${status.detail})`}: cannot ${doing}`,
    );
  }

  private setStatus(state: MemberState, awayDetail: string | null, at: number): void {
    // A late event of an engine removed from the set changes nothing.
    if (!this.states.includes(state)) return;
    const reachable = awayDetail === null;
    // While away, the first reason stays: it says why the engine went, later failures only that it is still gone.
    if (state.status.reachable === reachable) return;
    state.status = {
      ...state.status,
      reachable,
      detail: awayDetail,
      since: reachable ? null : (state.status.since ?? at),
    };
    this.options.onStatus?.(state.status);
  }
}

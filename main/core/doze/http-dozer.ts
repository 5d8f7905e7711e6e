// The lifecycle's Dozer over the servers' own sleep APIs (vLLM, SGLang, custom http; Ollama's client given): it says which models may doze,
// dozes and wakes them, and checks with the server's status route, where it has one, that it really did.
import type { ModelSpec } from '../config/model-spec';
import { BUILT_DOZE_KINDS } from '../config/doze-spec';
import type { Dozer } from '../lifecycle/lifecycle-api';
import type { Upstream } from '../lifecycle/model-state';
import type { DozeKind } from '../config/doze-spec';
import type { DozeClient } from './doze-client';
import { dozeClient } from './doze-client';

/** What an HTTP dozer is built with. */
export interface HttpDozerOptions {
  /** How long one call may take. Default the client's (120 s: a level-1 wake moves the weights back). */
  readonly timeoutMs?: number;
  /** A further reason not to doze now (the host-RAM check), or null; default none. */
  readonly extraRefusal?: (model: ModelSpec) => string | null;
  /** Clients for further kinds (Ollama's, from a layer above), by kind. */
  readonly clients?: Partial<
    Record<DozeKind, (model: string, upstream: Upstream, timeoutMs?: number) => DozeClient>
  >;
}

/** A Dozer that speaks to each model's server over loopback. */
export function httpDozer(options: HttpDozerOptions = {}): Dozer {
  const clientOf = (model: ModelSpec, upstream: Upstream) => {
    if (!model.doze) throw new Error(`${model.name}: it has no doze (label siesta.doze)`);
    const own = options.clients?.[model.doze.kind];
    if (own) return own(model.name, upstream, options.timeoutMs);
    return dozeClient(model.name, model.doze, upstream, options.timeoutMs);
  };
  return {
    refusal(model) {
      const doze = model.doze;
      if (!doze) return 'it has no doze (label siesta.doze)';
      if (!BUILT_DOZE_KINDS.includes(doze.kind) && !options.clients?.[doze.kind])
        return `doze "${doze.kind}" is not supported yet (use vllm, sglang, ollama or http); it stops instead`;
      return options.extraRefusal?.(model) ?? null;
    },
    async doze(model, upstream) {
      const client = clientOf(model, upstream);
      await client.doze();
      if ((await client.isDozed()) === false)
        throw new Error(`${model.name}: its server answered the doze but says it is still awake`);
    },
    async isDozed(model, upstream) {
      const client = clientOf(model, upstream);
      return client.foundDozed ? client.foundDozed() : client.isDozed();
    },
    async wake(model, upstream) {
      const client = clientOf(model, upstream);
      await client.wake();
      if ((await client.isDozed()) === true)
        throw new Error(`${model.name}: its server answered the wake but says it still sleeps`);
    },
  };
}

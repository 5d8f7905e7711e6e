// Why a model woke or went to sleep, as data: one set of unions with their runtime schemas, used from the
// lifecycle through the ledger and the control API's events to the tray, the notifications and the CLI.
import { z } from 'zod';

/** Who asked for an action, for the ledger and notifications (header `X-Siesta-Via`; default `api`). */
export const ViaSchema = z.enum(['api', 'cli', 'dashboard', 'tray'], {
  error: 'expected one of api, cli, dashboard, tray',
});
export type Via = z.infer<typeof ViaSchema>;

/** How a request found its model (DESIGN.md, "The gateway"). */
export const RouteKindSchema = z.enum(['port', 'host', 'path', 'model-field']);
export type RouteKind = z.infer<typeof RouteKindSchema>;

/** Why a model was woken. */
export type WakeCause =
  | { readonly kind: 'request'; readonly route: RouteKind; readonly detail: string }
  | { readonly kind: 'user'; readonly via: Via }
  | { readonly kind: 'prewarm'; readonly detail: string }
  | { readonly kind: 'external' };

/** Why a model was put to sleep. */
export type SleepCause =
  | { readonly kind: 'idle'; readonly idleMs: number }
  | { readonly kind: 'user'; readonly via: Via }
  | { readonly kind: 'evicted'; readonly forModel: string }
  | { readonly kind: 'group'; readonly forModel: string; readonly group: string }
  | { readonly kind: 'external' };

/** A `WakeCause` on the wire. */
export const WakeCauseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), route: RouteKindSchema, detail: z.string() }),
  z.object({ kind: z.literal('user'), via: ViaSchema }),
  z.object({ kind: z.literal('prewarm'), detail: z.string() }),
  z.object({ kind: z.literal('external') }),
]) satisfies z.ZodType<WakeCause>;

/** A `SleepCause` on the wire. */
export const SleepCauseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle'), idleMs: z.number() }),
  z.object({ kind: z.literal('user'), via: ViaSchema }),
  z.object({ kind: z.literal('evicted'), forModel: z.string() }),
  z.object({ kind: z.literal('group'), forModel: z.string(), group: z.string() }),
  z.object({ kind: z.literal('external') }),
]) satisfies z.ZodType<SleepCause>;

/** Why a wake failed or a ready model went down (its text is `Failure.reason`, written by lifecycle/failure-text.ts). */
export type FailureCause =
  /** Not ready within the spec's wake timeout; `lastCheck` is what the last readiness attempt saw. */
  | { readonly kind: 'timeout'; readonly afterMs: number; readonly lastCheck: string | null }
  /** No container of that name when the wake began. */
  | { readonly kind: 'no-container'; readonly container: string }
  | { readonly kind: 'removed'; readonly container: string; readonly whileWaking: boolean }
  | {
      readonly kind: 'exited';
      readonly exitCode: number | null;
      readonly oomKilled: boolean;
      readonly whileWaking: boolean;
    }
  | { readonly kind: 'unhealthy'; readonly whileWaking: boolean }
  /** Running, but with no address to dial (no published port, a network it cannot reach). */
  | { readonly kind: 'unreachable'; readonly detail: string }
  /** The readiness check gave up for good (a fatal answer). */
  | { readonly kind: 'not-ready'; readonly detail: string }
  /** Anything else that broke the wake (never fits on its GPU, the engine refused), with its message. */
  | { readonly kind: 'error'; readonly detail: string };

/** A `FailureCause` on the wire. */
export const FailureCauseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('timeout'), afterMs: z.number(), lastCheck: z.string().nullable() }),
  z.object({ kind: z.literal('no-container'), container: z.string() }),
  z.object({ kind: z.literal('removed'), container: z.string(), whileWaking: z.boolean() }),
  z.object({
    kind: z.literal('exited'),
    exitCode: z.number().nullable(),
    oomKilled: z.boolean(),
    whileWaking: z.boolean(),
  }),
  z.object({ kind: z.literal('unhealthy'), whileWaking: z.boolean() }),
  z.object({ kind: z.literal('unreachable'), detail: z.string() }),
  z.object({ kind: z.literal('not-ready'), detail: z.string() }),
  z.object({ kind: z.literal('error'), detail: z.string() }),
]) satisfies z.ZodType<FailureCause>;

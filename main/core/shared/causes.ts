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

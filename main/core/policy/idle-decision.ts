// What a keep-alive policy answers: an idle time and the sentence that explains it.

/** An idle time before sleep (0 = never) and why, in words a user reads in the API and dashboard. */
export interface IdleDecision {
  readonly idleMs: number;
  readonly reason: string;
  /** For a model with a doze (issue 15): doze once idle this long, then stop at `idleMs`; absent: no doze. */
  readonly dozeAfterMs?: number;
}

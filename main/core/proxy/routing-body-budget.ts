// The budget for routing bodies held in memory (read to find their `model` field, then replayed), all requests
// together: a request that would pass it is answered 503 with Retry-After instead of growing the daemon without bound.

/** Bytes held by one request, given back once its response is over. */
export interface BudgetHold {
  /** Takes `bytes` more; false (and nothing taken) when the budget cannot give them. */
  grow(bytes: number): boolean;
  /** Gives everything back (idempotent). */
  release(): void;
}

/** The shared budget. */
export class RoutingBodyBudget {
  private heldBytes = 0;

  constructor(private readonly limitBytes: () => number) {}

  /** Bytes held now, for the `/metrics` gauge. */
  bufferedBytes(): number {
    return this.heldBytes;
  }

  /** Opens a hold of 0 bytes. */
  hold(): BudgetHold {
    let mine = 0;
    let released = false;
    return {
      grow: (bytes) => {
        if (released) return false;
        if (this.heldBytes + bytes > this.limitBytes()) return false;
        this.heldBytes += bytes;
        mine += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.heldBytes -= mine;
        mine = 0;
      },
    };
  }
}

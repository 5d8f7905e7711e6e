// The optional idle watch of a relayed WebSocket (setting `releaseIdleWebSockets`): with no frame either way for the
// model's idle time, the socket stops holding its model awake; its next frame holds it again while the model is still up.
// The socket itself stays open; if the model sleeps meanwhile, its side closes and so does the client's.
import type { Duplex } from 'node:stream';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';
import type { WakeCause } from '../lifecycle/model-state';
import type { Use } from './wake-gate';
import { acquireUse } from './wake-gate';

/** The use a relayed WebSocket holds, given up while it is idle and taken again when it is not. */
export class WebSocketUse {
  private current: Use | null;
  private over = false;
  private readonly gone = new AbortController();

  constructor(
    first: Use,
    private readonly lifecycle: LifecycleApi,
    private readonly model: string,
    private readonly cause: WakeCause,
  ) {
    this.current = first;
  }

  /** Whether a use is held now. */
  held(): boolean {
    return this.current !== null;
  }

  /** The socket is silent: let the model's idle time run. */
  idle(): void {
    this.current?.release();
    this.current = null;
  }

  /** A frame crossed a silent socket: hold the model again, but only while it is up (never a wake for this). */
  active(): void {
    if (this.over || this.current !== null || this.lifecycle.get(this.model)?.state !== 'ready')
      return;
    acquireUse(this.lifecycle, this.model, this.cause, this.gone.signal).then(
      (use) => {
        if (use === null) return;
        if (this.over || this.current !== null) use.release();
        else this.current = use;
      },
      () => undefined,
    );
  }

  /** The socket closed: everything is released, and nothing is taken again. */
  end(): void {
    this.over = true;
    this.gone.abort();
    this.idle();
  }
}

/** Calls `use.idle()` once nothing crossed `client` or `upstream` for `idleMs`, `use.active()` on the next frame (never when `idleMs` is 0: the model never sleeps). */
export function watchIdleWebSocket(
  client: Duplex,
  upstream: Duplex,
  idleMs: number,
  use: Pick<WebSocketUse, 'idle' | 'active'>,
): void {
  if (idleMs <= 0) return;
  let silent = false;
  const timer = setTimeout(() => {
    silent = true;
    use.idle();
  }, idleMs);
  timer.unref();
  // `refresh` re-arms the same timer: no allocation per frame.
  const activity = (): void => {
    if (silent) {
      silent = false;
      use.active();
    }
    timer.refresh();
  };
  client.on('data', activity);
  upstream.on('data', activity);
  const stop = (): void => {
    clearTimeout(timer);
    client.off('data', activity);
    upstream.off('data', activity);
  };
  client.once('close', stop);
  upstream.once('close', stop);
}

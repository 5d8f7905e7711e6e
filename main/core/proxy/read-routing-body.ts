// Reads a request body into memory, up to a limit, so its `model` field can route it; the buffer is then replayed upstream.
import type { IncomingMessage } from 'node:http';
import type { BudgetHold } from './routing-body-budget';

/** The outcome of reading a routing body. */
export type RoutingBody =
  | { readonly kind: 'body'; readonly body: Buffer }
  /** Larger than the limit (known from Content-Length, or found while reading). */
  | { readonly kind: 'too-large'; readonly limitBytes: number }
  /** The memory budget for routing bodies, all requests together, cannot hold this one now. */
  | { readonly kind: 'over-budget' }
  /** The client went away or sent a broken body. */
  | { readonly kind: 'aborted' };

/**
 * Reads the whole body of `req` if it is at most `maxBytes`; stops reading as soon as it is known to be larger, or
 * when `hold` cannot grow by it (a declared length is taken at once, a chunked body chunk by chunk).
 */
export function readRoutingBody(
  req: IncomingMessage,
  maxBytes: number,
  hold: BudgetHold,
): Promise<RoutingBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes)
    return Promise.resolve({ kind: 'too-large', limitBytes: maxBytes });
  const declaredBytes = declared === undefined ? null : Number(declared);
  if (declaredBytes !== null && !hold.grow(declaredBytes)) return drainThenRefuse(req);
  return new Promise((resolve) => {
    // A declared length is read straight into one buffer: no chunk list, no second copy when it is joined.
    const whole =
      declaredBytes !== null && declaredBytes > 0 ? Buffer.allocUnsafe(declaredBytes) : null;
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (result: RoutingBody): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        req.pause();
        finish({ kind: 'too-large', limitBytes: maxBytes });
        return;
      }
      if (declaredBytes === null && !hold.grow(chunk.length)) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        req.off('close', onClose);
        settled = true;
        void drainThenRefuse(req).then(resolve);
        return;
      }
      if (whole !== null) chunk.copy(whole, total - chunk.length);
      else chunks.push(chunk);
    };
    const onEnd = (): void =>
      finish({
        kind: 'body',
        body:
          whole !== null
            ? whole.subarray(0, total)
            : chunks.length === 1
              ? chunks[0]!
              : Buffer.concat(chunks, total),
      });
    const onAbort = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) finish({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/**
 * Reads the rest of a body it will not hold and drops it, then answers `over-budget`: the 503 goes out once the client
 * has finished sending, so it reads its answer instead of a broken pipe on a connection Node would otherwise start to
 * time out (keep-alive) while the upload still runs.
 */
function drainThenRefuse(req: IncomingMessage): Promise<RoutingBody> {
  return new Promise((resolve) => {
    if (req.complete) {
      resolve({ kind: 'over-budget' });
      return;
    }
    req.once('end', () => resolve({ kind: 'over-budget' }));
    req.once('error', () => resolve({ kind: 'aborted' }));
    req.once('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
    req.resume();
  });
}

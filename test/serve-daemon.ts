// `siesta serve` for the multi-engine tests: the shared child-process helper, and its control API's state.
import { StateResponseSchema, type StateResponse } from '../main/core/api/contract';
import type { SiestaDaemon } from './siesta-daemon';

export {
  CLI,
  TSX,
  startSiestaDaemon as startDaemon,
  type SiestaDaemon as Daemon,
} from './siesta-daemon';

/** A running daemon's `/api/state` (`dataDir` is unused: the daemon knows its token). */
export async function stateOf(daemon: SiestaDaemon, _dataDir?: string): Promise<StateResponse> {
  const response = await fetch(`${daemon.controlUrl}/api/state`, {
    headers: { authorization: `Bearer ${daemon.token}` },
    signal: AbortSignal.timeout(5_000),
  });
  return StateResponseSchema.parse(await response.json());
}

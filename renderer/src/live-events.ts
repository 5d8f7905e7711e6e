// The live event stream: EventSource with the cookie in a browser; the shared client's stream with the token in
// Electron (main/core/client). Both reconnect.
import type { ApiEvent } from '../../main/core/api/contract';
import { parseApiEvent } from '../../main/core/client/control-client';
import { apiClient } from './api-client';
import { apiBaseUrl, siestaBridge } from './siesta-bridge';

/** Whether the stream is up. */
export type LinkStatus = 'connecting' | 'live' | 'reconnecting';

const RETRY_MS = 2_000;

/** Opens the stream; returns a function that closes it. */
export function openLiveEvents(
  onEvent: (event: ApiEvent) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  return siestaBridge() ? openClientStream(onEvent, onStatus) : openEventSource(onEvent, onStatus);
}

function openEventSource(
  onEvent: (event: ApiEvent) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  onStatus('connecting');
  const source = new EventSource(`${apiBaseUrl()}/api/events`, { withCredentials: true });
  source.onopen = () => onStatus('live');
  source.onmessage = (message: MessageEvent<string>) => {
    const event = parseApiEvent(message.data);
    if (event !== null) onEvent(event);
  };
  // EventSource reconnects by itself (the server's `retry:`); a fresh snapshot follows.
  source.onerror = () => onStatus('reconnecting');
  return () => source.close();
}

function openClientStream(
  onEvent: (event: ApiEvent) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  let stopped = false;
  let close = (): void => {};
  const run = async (): Promise<void> => {
    onStatus('connecting');
    while (!stopped) {
      try {
        const stream = await apiClient().events();
        close = () => stream.close();
        if (stopped) stream.close();
        onStatus('live');
        for (let event = await stream.next(); event !== null; event = await stream.next())
          onEvent(event);
      } catch {
        // not answering or refused: retry below unless stopped
      }
      if (stopped) return;
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  void run();
  return () => {
    stopped = true;
    close();
  };
}

// The live event stream: EventSource with the cookie in a browser; a fetch stream with the token in Electron. Both reconnect.
import type { ApiEvent } from '../../main/core/api/contract';
import { ApiEventSchema } from '../../main/core/api/contract';
import { sseMessages } from '../../main/core/client/sse-parser';
import { apiHeaders } from './api-client';
import { apiBaseUrl, siestaBridge } from './siesta-bridge';

/** Whether the stream is up. */
export type LinkStatus = 'connecting' | 'live' | 'reconnecting';

const RETRY_MS = 2_000;

/** Opens the stream; returns a function that closes it. */
export function openLiveEvents(
  onEvent: (event: ApiEvent) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  const handle = (data: string): void => {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ApiEventSchema.safeParse(json);
    if (parsed.success) onEvent(parsed.data);
  };
  return siestaBridge() ? openFetchStream(handle, onStatus) : openEventSource(handle, onStatus);
}

function openEventSource(
  handle: (data: string) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  onStatus('connecting');
  const source = new EventSource(`${apiBaseUrl()}/api/events`, { withCredentials: true });
  source.onopen = () => onStatus('live');
  source.onmessage = (message: MessageEvent<string>) => handle(message.data);
  // EventSource reconnects by itself (the server's `retry:`); a fresh snapshot follows.
  source.onerror = () => onStatus('reconnecting');
  return () => source.close();
}

function openFetchStream(
  handle: (data: string) => void,
  onStatus: (status: LinkStatus) => void,
): () => void {
  const controller = new AbortController();
  let stopped = false;
  const run = async (): Promise<void> => {
    onStatus('connecting');
    while (!stopped) {
      try {
        const res = await fetch(`${apiBaseUrl()}/api/events`, {
          headers: apiHeaders(),
          signal: controller.signal,
        });
        if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`);
        onStatus('live');
        const messages = sseMessages(res.body);
        for (let message = await messages.next(); message; message = await messages.next())
          handle(message.data);
      } catch {
        // network error or abort: retry below unless stopped
      }
      if (stopped) return;
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}

// The soak bench's traffic: short requests, streams and WebSockets that outlast the model's idle time, each loop counting
// what it sent, what failed and what was cut, until told to stop.
import WebSocket from 'ws';

/** What every loop of one kind counted. */
export interface TrafficCounts {
  requests: number;
  errors: number;
  streams: number;
  cutStreams: number;
  webSockets: number;
  cutWebSockets: number;
  /** The first few failures, for the report. */
  readonly failures: string[];
}

/** Shared by the loops: where to send, whether to go on, the counts. */
export interface TrafficContext {
  readonly gatewayUrl: string;
  readonly model: string;
  /** Streams and WebSockets last this long (longer than the model's idle time). */
  readonly longMs: number;
  running(): boolean;
  /** Quiet periods (all loops pause so the model can sleep) end when this resolves. */
  quiet(): Promise<void>;
  readonly counts: TrafficCounts;
}

function fail(ctx: TrafficContext, what: string): void {
  if (ctx.counts.failures.length < 10) ctx.counts.failures.push(what);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Short requests: chat completions routed by their model field, and a small GET through the path prefix. */
export async function requestLoop(ctx: TrafficContext, paceMs: number): Promise<void> {
  let turn = 0;
  while (ctx.running()) {
    await ctx.quiet();
    turn++;
    try {
      const chat = turn % 2 === 0;
      const response = chat
        ? await fetch(`${ctx.gatewayUrl}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              model: ctx.model,
              messages: [{ role: 'user', content: 'soak' }],
              max_tokens: 4,
            }),
            signal: AbortSignal.timeout(60_000),
          })
        : await fetch(`${ctx.gatewayUrl}/${ctx.model}/whoami`, {
            signal: AbortSignal.timeout(60_000),
          });
      const text = await response.text();
      ctx.counts.requests++;
      const ok =
        response.status === 200 &&
        (chat ? text.includes('tok0 tok1 tok2 tok3') : text.includes(`"model":"${ctx.model}"`));
      if (!ok) {
        ctx.counts.errors++;
        fail(ctx, `${chat ? 'chat' : 'whoami'}: ${response.status} ${text.slice(0, 120)}`);
      }
    } catch (error: unknown) {
      ctx.counts.requests++;
      ctx.counts.errors++;
      fail(ctx, `request: ${error instanceof Error ? error.message : String(error)}`);
    }
    await pause(paceMs);
  }
}

/** Streams lasting `longMs`, one chunk every 500 ms: each must arrive whole, ending with its `end` line. */
export async function streamLoop(ctx: TrafficContext): Promise<void> {
  while (ctx.running()) {
    await ctx.quiet();
    ctx.counts.streams++;
    try {
      const response = await fetch(
        `${ctx.gatewayUrl}/${ctx.model}/slow-stream?ms=${ctx.longMs}&every=500`,
        {
          signal: AbortSignal.timeout(ctx.longMs + 60_000),
        },
      );
      const text = await response.text();
      if (response.status !== 200 || !text.endsWith('end\n')) {
        ctx.counts.cutStreams++;
        fail(ctx, `stream: ${response.status}, ended with ${JSON.stringify(text.slice(-30))}`);
      }
    } catch (error: unknown) {
      ctx.counts.cutStreams++;
      fail(ctx, `stream: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** WebSockets open for `longMs`, a message each second, each echoed; then closed by the client. */
export async function webSocketLoop(ctx: TrafficContext): Promise<void> {
  const url = `${ctx.gatewayUrl.replace(/^http/, 'ws')}/${ctx.model}/soak`;
  while (ctx.running()) {
    await ctx.quiet();
    ctx.counts.webSockets++;
    const outcome = await new Promise<string | null>((resolve) => {
      const ws = new WebSocket(url);
      let sent = 0;
      let echoed = 0;
      let timer: NodeJS.Timeout | null = null;
      const started = Date.now();
      ws.on('open', () => {
        timer = setInterval(() => {
          if (Date.now() - started >= ctx.longMs) {
            if (timer) clearInterval(timer);
            ws.close(1000);
            return;
          }
          ws.send(`m${sent++}`);
        }, 1_000);
      });
      ws.on('message', (data: Buffer) => {
        if (data.toString() === `echo:m${echoed}`) echoed++;
      });
      ws.on('error', (error) => resolve(`websocket: ${error.message}`));
      ws.on('close', (code) => {
        if (timer) clearInterval(timer);
        if (Date.now() - started < ctx.longMs)
          resolve(`websocket closed early (${code}) after ${Date.now() - started} ms`);
        else resolve(echoed >= sent - 1 ? null : `websocket: ${echoed} of ${sent} messages echoed`);
      });
    });
    if (outcome !== null) {
      ctx.counts.cutWebSockets++;
      fail(ctx, outcome);
    }
  }
}

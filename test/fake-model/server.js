// A stand-in model server for Siesta's tests: runs inside a test container on the host's Node binary.
// It speaks enough OpenAI (models, chat completions with SSE streaming), serves a web page, echoes
// request bodies and WebSocket frames, and can be told to start slowly or to crash while starting.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const port = Number(process.env.PORT || 8000);
const startDelayMs = Number(process.env.START_DELAY_MS || 0);
const crashAfterMs =
  process.env.CRASH_AFTER_MS === undefined ? null : Number(process.env.CRASH_AFTER_MS);
const modelName = process.env.MODEL_NAME || 'fake-model';
const tokenDelayMs = Number(process.env.TOKEN_DELAY_MS || 5);
// JSON_MS_PER_TOKEN: a non-streamed answer takes this long per completion token (default 0: at once), as a model computes.
const jsonMsPerToken = Number(process.env.JSON_MS_PER_TOKEN || 0);
const healthPath = process.env.HEALTH_PATH || '/health';
// REQUEST_LOG=1: one stdout line per request the server parsed ("request GET /path"), so a test can see exactly what arrived.
const requestLog = process.env.REQUEST_LOG === '1';

function log(msg) {
  process.stdout.write(`[fake-model ${modelName}] ${msg}\n`);
}

log(`starting (delay ${startDelayMs} ms)`);
if (crashAfterMs !== null) {
  setTimeout(() => {
    log('loading weights failed: CUDA error: out of memory');
    process.stderr.write('fatal: could not load model\n');
    process.exit(3);
  }, crashAfterMs);
}

function json(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// The prompt's tokens: one per whitespace-separated word of the messages' text (1 when there is none), so tests can
// predict the count a client's prompt gives.
function promptTokensOf(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let words = 0;
  for (const m of messages) {
    if (m && typeof m.content === 'string') words += m.content.split(/\s+/).filter(Boolean).length;
  }
  return Math.max(1, words);
}

async function chat(req, res) {
  const raw = await readBody(req);
  let body = {};
  try {
    body = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    return json(res, 400, {
      error: { message: 'bad json', type: 'invalid_request_error', code: null },
    });
  }
  const count = Math.min(Number(body.max_tokens || 8), 10000);
  const id = 'chatcmpl-' + crypto.randomUUID();
  const created = Math.floor(Date.now() / 1000);
  const model = body.model || modelName;
  const promptTokens = promptTokensOf(body);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: count,
    total_tokens: promptTokens + count,
  };
  if (!body.stream) {
    const text = Array.from({ length: count }, (_, i) => `tok${i}`).join(' ');
    if (jsonMsPerToken > 0) await new Promise((r) => setTimeout(r, jsonMsPerToken * count));
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage,
      served_by: modelName,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let i = 0;
  let stopped = false;
  req.on('close', () => {
    stopped = true;
  });
  res.on('close', () => {
    stopped = true;
  });
  const send = () => {
    if (stopped) return;
    if (i >= count) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      );
      // As vLLM and OpenAI do: with stream_options.include_usage, one more chunk with no choices and the usage.
      if (body.stream_options && body.stream_options.include_usage === true)
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
        );
      res.end('data: [DONE]\n\n');
      return;
    }
    const content = (i === 0 ? '' : ' ') + `tok${i}`;
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`,
    );
    i++;
    setTimeout(send, tokenDelayMs);
  };
  send();
}

function slowStream(req, res, url) {
  const totalMs = Number(url.searchParams.get('ms') || 1000);
  const everyMs = Number(url.searchParams.get('every') || 100);
  res.writeHead(200, { 'content-type': 'text/plain' });
  const started = Date.now();
  let n = 0;
  const timer = setInterval(() => {
    res.write(`chunk ${n++}\n`);
    if (Date.now() - started >= totalMs) {
      clearInterval(timer);
      res.end('end\n');
    }
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

const server = http.createServer((req, res) => {
  if (requestLog) log(`request ${req.method} ${req.url}`);
  const url = new URL(req.url || '/', 'http://x');
  if (url.pathname === healthPath) return json(res, 200, { status: 'ok' });
  if (url.pathname === '/v1/models') {
    return json(res, 200, {
      object: 'list',
      data: [{ id: modelName, object: 'model', created: 0, owned_by: 'fake' }],
    });
  }
  if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return void chat(req, res);
  if (req.method === 'POST' && url.pathname === '/echo') {
    res.writeHead(200, {
      'content-type': req.headers['content-type'] || 'application/octet-stream',
    });
    req.pipe(res);
    return;
  }
  if (url.pathname === '/slow-stream') return slowStream(req, res, url);
  if (url.pathname === '/whoami')
    return json(res, 200, {
      model: modelName,
      path: url.pathname,
      search: url.search,
      host: req.headers.host || null,
    });
  if (url.pathname === '/' || url.pathname === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(`<!doctype html><title>${modelName}</title><h1>${modelName} web UI</h1>`);
  }
  return json(res, 404, {
    error: { message: `no route ${url.pathname}`, type: 'not_found', code: null },
    path: url.pathname,
    model: modelName,
  });
});

// WebSocket echo on any path: enough of RFC 6455 for text and binary frames from a client.
server.on('upgrade', (req, socket) => {
  if (requestLog) log(`upgrade ${req.method} ${req.url}`);
  const key = req.headers['sec-websocket-key'];
  if (!key) return socket.destroy();
  const accept = crypto
    .createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let len = buffer[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buffer.length < 10) return;
        len = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (buffer.length < offset + maskLen + len) return;
      const mask = masked ? buffer.subarray(offset, offset + 4) : null;
      const payload = Buffer.from(buffer.subarray(offset + maskLen, offset + maskLen + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      buffer = buffer.subarray(offset + maskLen + len);
      if (opcode === 0x8) {
        socket.end(Buffer.from([0x88, 0x00]));
        return;
      }
      if (opcode === 0x9) {
        socket.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0x1 || opcode === 0x2)
        socket.write(
          frame(opcode, opcode === 0x1 ? Buffer.from(`echo:${payload.toString('utf8')}`) : payload),
        );
    }
  });
  socket.on('error', () => {});
});

function frame(opcode, payload) {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : null;
  if (head) return Buffer.concat([head, payload]);
  const big = Buffer.alloc(10);
  big[0] = 0x80 | opcode;
  big[1] = 127;
  big.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([big, payload]);
}

setTimeout(() => {
  server.listen(port, '0.0.0.0', () => log(`listening on ${port}`));
}, startDelayMs);

process.on('SIGTERM', () => {
  log('SIGTERM: shutting down');
  server.close();
  setTimeout(() => process.exit(0), 50).unref();
  server.closeAllConnections?.();
});

// A stand-in model server with a sleep API, for Siesta's doze tests (issue 15): vLLM's (POST /sleep?level=N, POST
// /wake_up, GET /is_sleeping), SGLang's (POST /release_memory_occupation, /resume_memory_occupation) and custom paths
// (POST /custom/doze, POST /custom/wake, GET /custom/state). While dozed it answers model requests with 503.
// GET /fake/state tells the GPU stand-in what it holds: `weightsBytes` awake, `leftoverBytes` dozed.
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT || 8000);
const modelName = process.env.MODEL_NAME || 'fake-doze';
const wakeDelayMs = Number(process.env.WAKE_DELAY_MS || 300);
const sleepDelayMs = Number(process.env.SLEEP_DELAY_MS || 100);
const weightsBytes = Number(process.env.WEIGHTS_BYTES || 14 * 1024 ** 3);
// What a doze leaves allocated (some vLLM versions keep 1-16 GB after sleep).
const leftoverBytes = Number(process.env.LEFTOVER_BYTES || 0);
// WAKE_FAILS=1: every wake call answers 500 and the server stays asleep (Siesta must restart it).
const wakeFails = process.env.WAKE_FAILS === '1';

let dozed = false;
let level = 0;
let wakes = 0;

function log(msg) {
  process.stdout.write(`[fake-doze ${modelName}] ${msg}\n`);
}

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function later(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function doze(res, requestedLevel) {
  await later(sleepDelayMs);
  dozed = true;
  level = requestedLevel;
  log(`dozed (level ${requestedLevel})`);
  res.writeHead(200);
  res.end();
}

async function wake(res) {
  if (wakeFails) return json(res, 500, { error: `${modelName} cannot wake (WAKE_FAILS=1)` });
  if (dozed) {
    await later(wakeDelayMs);
    dozed = false;
    level = 0;
    wakes++;
    log('awake');
  }
  res.writeHead(200);
  res.end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://x');
  const route = `${req.method} ${url.pathname}`;
  req.resume();
  switch (route) {
    case 'GET /health':
      return json(res, 200, { ok: true });
    case 'GET /fake/state':
      return json(res, 200, {
        dozed,
        level,
        wakes,
        usedBytes: dozed ? leftoverBytes : weightsBytes,
      });
    case 'POST /sleep':
      return void doze(res, Number(url.searchParams.get('level') || 1));
    case 'POST /wake_up':
      return void wake(res);
    case 'GET /is_sleeping':
      return json(res, 200, { is_sleeping: dozed });
    case 'POST /release_memory_occupation':
      return void doze(res, 1);
    case 'POST /resume_memory_occupation':
      return void wake(res);
    case 'POST /custom/doze':
      return void doze(res, 1);
    case 'POST /custom/wake':
      return void wake(res);
    case 'GET /custom/state':
      return json(res, 200, { state: dozed ? 'sleeping' : 'awake' });
    case 'GET /whoami':
    case 'POST /v1/chat/completions': {
      if (dozed) return json(res, 503, { error: `${modelName} is asleep` });
      const ms = Number(url.searchParams.get('ms') || 0);
      return void later(ms).then(() => json(res, 200, { model: modelName, wakes }));
    }
    default:
      return json(res, 404, { error: `no route ${route}` });
  }
});

server.listen(port, '0.0.0.0', () => log(`listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// A stand-in Ollama server for Siesta's tests: runs inside a test container on the host's Node binary, no dependencies.
// It holds several models and speaks enough of Ollama's API (tags, ps, show, version, chat and generate streamed as
// NDJSON, embed, embeddings, keep_alive unloads, 404 for a model it does not have) and of its OpenAI side (/v1/).
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT || 11434);
const startDelayMs = Number(process.env.START_DELAY_MS || 0);
const tokenDelayMs = Number(process.env.TOKEN_DELAY_MS || 5);
const version = process.env.OLLAMA_VERSION || '0.12.6';
/** `name=bytes` pairs, comma separated: each model this server has and the VRAM it holds while loaded. */
const models = new Map(
  (
    process.env.MODELS ||
    'llama3.2:1b=1073741824,qwen2.5:0.5b=536870912,nomic-embed-text:latest=268435456'
  )
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name, bytes] = pair.split('=');
      return [name, Number(bytes || 1073741824)];
    }),
);
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
/** Loaded models: name -> when it unloads (epoch ms, Infinity for keep_alive < 0). */
const loaded = new Map();
/** Requests by `METHOD path`, for the tests (GET /__fake/stats). */
const seen = {};

function log(msg) {
  process.stdout.write(`[fake-ollama] ${msg}\n`);
}

function json(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
}

function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve(null);
      }
    });
  });
}

/** Ollama's names: `llama3.2` is `llama3.2:latest`. */
function fullName(name) {
  return typeof name === 'string' && name !== '' && !name.includes(':') ? `${name}:latest` : name;
}

function known(name) {
  return models.has(name) ? name : models.has(fullName(name)) ? fullName(name) : null;
}

/** keep_alive as Ollama reads it: a number of seconds or a duration string; negative keeps it loaded. */
function keepAliveMs(value) {
  if (value === undefined || value === null) return DEFAULT_KEEP_ALIVE_MS;
  if (typeof value === 'number') return value * 1000;
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(value).trim());
  if (!match) return DEFAULT_KEEP_ALIVE_MS;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] || 's'];
  return Number(match[1]) * unit;
}

function expireOld() {
  const now = Date.now();
  for (const [name, until] of loaded) if (until <= now) loaded.delete(name);
}

function touch(name, keepAlive) {
  const ms = keepAliveMs(keepAlive);
  if (ms === 0) loaded.delete(name);
  else loaded.set(name, ms < 0 ? Infinity : Date.now() + ms);
}

function details(name) {
  const family = name.split(/[.:\d-]/)[0] || 'llama';
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: '1B',
    quantization_level: 'Q4_K_M',
  };
}

function digest(name) {
  return require('node:crypto').createHash('sha256').update(name).digest('hex');
}

function tagOf(name) {
  return {
    name,
    model: name,
    modified_at: '2026-11-30T10:00:00Z',
    size: models.get(name),
    digest: digest(name),
    details: details(name),
  };
}

function notFound(res, name) {
  json(res, 404, { error: `model '${name}' not found` });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams `words` as NDJSON lines built by `line(word)`, then `last`; or one JSON object when not streaming. */
async function answer(res, stream, words, line, last, whole) {
  if (stream === false) return json(res, 200, whole);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const word of words) {
    res.write(`${JSON.stringify(line(word))}\n`);
    await sleep(tokenDelayMs);
  }
  res.end(`${JSON.stringify(last)}\n`);
}

function wordsFor(model, text) {
  return `${model} says: ${text}`.split(/(?<= )/);
}

async function chat(req, res) {
  const body = await readJson(req);
  if (body === null) return json(res, 400, { error: 'invalid character in request body' });
  const name = known(body.model);
  if (name === null) return notFound(res, body.model);
  const created_at = new Date().toISOString();
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0) {
    touch(name, body.keep_alive);
    const reason = keepAliveMs(body.keep_alive) === 0 ? 'unload' : 'load';
    return json(res, 200, {
      model: name,
      created_at,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: reason,
    });
  }
  touch(name, body.keep_alive);
  const prompt = String(messages[messages.length - 1].content || '');
  const words = wordsFor(name, prompt);
  const done = {
    model: name,
    created_at,
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 1000,
    eval_count: words.length,
  };
  await answer(
    res,
    body.stream,
    words,
    (w) => ({ model: name, created_at, message: { role: 'assistant', content: w }, done: false }),
    done,
    {
      ...done,
      message: { role: 'assistant', content: words.join('') },
    },
  );
  if (keepAliveMs(body.keep_alive) === 0) loaded.delete(name);
}

async function generate(req, res) {
  const body = await readJson(req);
  if (body === null) return json(res, 400, { error: 'invalid character in request body' });
  const name = known(body.model);
  if (name === null) return notFound(res, body.model);
  const created_at = new Date().toISOString();
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  touch(name, body.keep_alive);
  if (prompt === '') {
    const reason = keepAliveMs(body.keep_alive) === 0 ? 'unload' : 'load';
    if (reason === 'unload') log(`unloaded ${name}`);
    return json(res, 200, {
      model: name,
      created_at,
      response: '',
      done: true,
      done_reason: reason,
    });
  }
  const words = wordsFor(name, prompt);
  const done = {
    model: name,
    created_at,
    response: '',
    done: true,
    done_reason: 'stop',
    eval_count: words.length,
  };
  await answer(
    res,
    body.stream,
    words,
    (w) => ({ model: name, created_at, response: w, done: false }),
    done,
    { ...done, response: words.join('') },
  );
  if (keepAliveMs(body.keep_alive) === 0) loaded.delete(name);
}

function vectorOf(text) {
  let h = 7;
  for (const c of String(text)) h = (h * 31 + c.charCodeAt(0)) % 1000;
  return [h / 1000, 1 - h / 1000, 0.5];
}

async function embed(req, res, legacy) {
  const body = await readJson(req);
  if (body === null) return json(res, 400, { error: 'invalid character in request body' });
  const name = known(body.model);
  if (name === null) return notFound(res, body.model);
  touch(name, body.keep_alive);
  if (legacy) return json(res, 200, { embedding: vectorOf(body.prompt) });
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  return json(res, 200, {
    model: name,
    embeddings: inputs.map(vectorOf),
    total_duration: 1000,
    prompt_eval_count: inputs.length,
  });
}

async function show(req, res) {
  const body = await readJson(req);
  const asked = body === null ? undefined : (body.model ?? body.name);
  const name = known(asked);
  if (name === null) return notFound(res, asked);
  return json(res, 200, {
    modelfile: `FROM ${name}`,
    parameters: 'stop "<|eot_id|>"',
    template: '{{ .Prompt }}',
    details: details(name),
    model_info: { 'general.architecture': details(name).family },
    capabilities: name.includes('embed') ? ['embedding'] : ['completion'],
    modified_at: '2026-11-30T10:00:00Z',
  });
}

function ps(res) {
  expireOld();
  json(res, 200, {
    models: [...loaded].map(([name, until]) => ({
      ...tagOf(name),
      expires_at: new Date(Number.isFinite(until) ? until : Date.UTC(2318, 0, 1)).toISOString(),
      size_vram: models.get(name),
      context_length: 4096,
    })),
  });
}

async function openAiChat(req, res) {
  const body = await readJson(req);
  const name = body === null ? null : known(body.model);
  if (name === null)
    return json(res, 404, {
      error: {
        message: `model "${body && body.model}" not found, try pulling it first`,
        type: 'api_error',
      },
    });
  touch(name, undefined);
  const text = wordsFor(name, String((body.messages || []).slice(-1)[0]?.content || '')).join('');
  return json(res, 200, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: name,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function route(req, res) {
  const path = (req.url || '/').split('?')[0];
  const key = `${req.method} ${path}`;
  seen[key] = (seen[key] || 0) + 1;
  if (req.method === 'GET' && path === '/__fake/stats')
    return json(res, 200, { requests: seen, loaded: [...loaded.keys()] });
  if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return res.end('Ollama is running');
  }
  if (req.method === 'GET' && path === '/api/version') return json(res, 200, { version });
  if (req.method === 'GET' && path === '/api/tags')
    return json(res, 200, { models: [...models.keys()].map(tagOf) });
  if (req.method === 'GET' && path === '/api/ps') return ps(res);
  if (req.method === 'GET' && path === '/v1/models')
    return json(res, 200, {
      object: 'list',
      data: [...models.keys()].map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'library',
      })),
    });
  if (req.method === 'POST') {
    if (path === '/api/chat') return chat(req, res);
    if (path === '/api/generate') return generate(req, res);
    if (path === '/api/embed') return embed(req, res, false);
    if (path === '/api/embeddings') return embed(req, res, true);
    if (path === '/api/show') return show(req, res);
    if (path === '/v1/chat/completions') return openAiChat(req, res);
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found');
}

log(`starting (delay ${startDelayMs} ms) with ${[...models.keys()].join(', ')}`);
setTimeout(() => {
  http
    .createServer((req, res) => {
      Promise.resolve()
        .then(() => route(req, res))
        .catch((error) => {
          log(`error: ${error.message}`);
          res.destroy();
        });
    })
    .listen(port, '0.0.0.0', () => log(`listening on ${port}`));
}, startDelayMs);
process.on('SIGTERM', () => process.exit(0));

// The page a browser gets when it opens a sleeping web UI: self-contained (no external assets), it shows the model, the
// time the wake has taken and the usual time, and reloads itself when the model is ready.
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { SIESTA_PREFIX } from './route-request';
import type { WakeProgress } from './wake-progress';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// Static, so the CSP can allow exactly this script by its hash.
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('siesta-data').textContent);
  var started = Date.now() - (data.progress.elapsedMs || 0);
  var estimate = data.progress.estimateMs;
  var asleepPolls = 0;
  var stopped = false;
  var $ = function (id) { return document.getElementById(id); };
  function secs(ms) { return Math.round(ms / 1000) + ' s'; }
  function tick() {
    if (stopped) return;
    var elapsed = Date.now() - started;
    $('elapsed').textContent = secs(elapsed);
    if (estimate) {
      $('bar').value = Math.min(0.97, elapsed / estimate);
      $('eta').textContent = elapsed < estimate ? 'about ' + secs(estimate - elapsed) + ' left' : 'taking longer than usual';
    }
  }
  function show(p) {
    if (p.state === 'ready') { stopped = true; $('state').textContent = 'Ready. Loading...'; location.reload(); return; }
    if (p.state === 'failed') {
      stopped = true;
      $('state').textContent = 'The model failed to wake: ' + (p.failure ? p.failure.reason : 'unknown reason');
      $('log').textContent = p.failure && p.failure.lastLogLine ? p.failure.lastLogLine : '';
      $('retry').hidden = false;
      $('bar').removeAttribute('value');
      $('bar').hidden = true;
      return;
    }
    if (p.elapsedMs !== null) started = Date.now() - p.elapsedMs;
    if (p.estimateMs) estimate = p.estimateMs;
    $('state').textContent = p.state === 'waking' ? (p.wakeFrom === 'dozed' ? 'Waking from its doze (its server kept running)...' : 'Starting...') : p.state === 'stopping' ? 'Finishing a sleep, then starting...' : p.state === 'dozed' || p.state === 'dozing' ? 'Dozed, waking it...' : 'Asleep, waking it...';
    // Asleep for a while: the wake did not start (or it went back to sleep); a reload asks again.
    if (p.state === 'asleep' && ++asleepPolls >= 5) location.reload();
  }
  function poll() {
    if (stopped) return;
    fetch(data.statusUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) { if (p) show(p); })
      .catch(function () {})
      .then(function () { if (!stopped) setTimeout(poll, 1000); });
  }
  $('retry').addEventListener('click', function () { location.reload(); });
  setInterval(tick, 250);
  tick();
  setTimeout(poll, 500);
})();
`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The CSP of the waiting page: nothing external, only its own script and style. */
export const WAITING_PAGE_CSP = `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/** The waiting page's HTML for one model. */
export function waitingPageHtml(progress: WakeProgress): string {
  const name = escapeHtml(progress.model);
  const elapsed = progress.elapsedMs ?? 0;
  const estimate = progress.estimateMs;
  const data = {
    progress,
    statusUrl: `${SIESTA_PREFIX}status/${encodeURIComponent(progress.model)}`,
  };
  const value =
    estimate !== null && estimate > 0
      ? ` value="${Math.min(0.97, elapsed / estimate).toFixed(3)}"`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Waking ${name} - Siesta</title>
<noscript><meta http-equiv="refresh" content="5"></noscript>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; }
  main { max-width: 32rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.4rem; font-weight: 600; margin: 0 0 .5rem; overflow-wrap: anywhere; }
  p { margin: .4rem 0; opacity: .85; }
  progress { width: 100%; height: .6rem; margin: 1rem 0 .5rem; }
  #log { font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; text-align: left; }
  button { font: inherit; padding: .4rem 1rem; margin-top: 1rem; }
</style>
</head>
<body>
<main>
  <h1>Waking <span id="model">${name}</span></h1>
  <p id="state">${progress.state === 'failed' ? 'Trying again...' : 'Starting...'}</p>
  <progress id="bar" max="1"${value}></progress>
  <p><span id="elapsed">${seconds(elapsed)}</span> so far<span id="usual">${estimate !== null ? `; it usually takes about ${seconds(estimate)}` : ''}</span>. <span id="eta"></span></p>
  <p id="log"></p>
  <button id="retry" hidden>Try again</button>
  <p><small>This page reloads itself when the model is ready.</small></p>
</main>
<script type="application/json" id="siesta-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The waiting page's headers: 503 with Retry-After (what is left of the usual time, at least 1 s), never cached. */
export function waitingPageHeaders(progress: WakeProgress, body: string): OutgoingHttpHeaders {
  const left =
    progress.estimateMs !== null
      ? Math.max(1, Math.ceil((progress.estimateMs - (progress.elapsedMs ?? 0)) / 1000))
      : 5;
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'retry-after': String(left),
    'content-security-policy': WAITING_PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

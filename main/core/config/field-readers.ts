// Readers for one spec field's value, shared by siesta.yaml (numbers, booleans, lists) and labels (always strings).
import { DURATION_EXPECTED, parseDuration } from './duration';
import type { HealthCheck, KeepAlivePolicyName, ModelServerKind, SpecUpstream } from './model-spec';
import { parseSize, SIZE_EXPECTED } from './size';

/** A field's value, or what the field expected instead (for the error message). */
export type FieldResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const POLICIES: readonly KeepAlivePolicyName[] = ['fixed', 'break-even', 'adaptive'];

function ok<T>(value: T): FieldResult<T> {
  return { ok: true, value };
}

function expected<T>(text: string): FieldResult<T> {
  return { ok: false, expected: text };
}

/** A model name: it appears in host names (`NAME.localhost`) and paths (`/NAME/`), so letters, digits, `.`, `_`, `-`. */
export function readName(raw: unknown): FieldResult<string> {
  return typeof raw === 'string' && NAME_PATTERN.test(raw.trim())
    ? ok(raw.trim())
    : expected('a name of letters, digits, ".", "_" or "-", starting with a letter or digit');
}

/** A container name (a leading `/`, as Docker's API reports names, is dropped) or id. */
export function readContainer(raw: unknown): FieldResult<string> {
  const name = typeof raw === 'string' ? raw.trim().replace(/^\//, '') : '';
  // ENGINE/NAME: a container on one of siesta.yaml's `engines:` other than the first.
  const parts = name.split('/');
  return parts.length <= 2 && parts.every((part) => NAME_PATTERN.test(part))
    ? ok(name)
    : expected('a container name or id, or ENGINE/NAME for a container on another engine');
}

/** An upstream `host` or `host:port` (`[v6]:port` for IPv6): where the gateway dials the model. */
export function readUpstream(raw: unknown): FieldResult<SpecUpstream> {
  const want = 'a host or host:port, e.g. 10.0.0.12 or gpu2.lan:8000';
  const text = typeof raw === 'string' ? raw.trim() : '';
  const match = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d+))?$/i.exec(text);
  const host = match?.[1];
  if (!host) return expected(want);
  if (match[2] === undefined) return ok({ host: host.replace(/^\[|\]$/g, ''), port: null });
  const port = readPort(match[2]);
  return port.ok ? ok({ host: host.replace(/^\[|\]$/g, ''), port: port.value }) : expected(want);
}

/** A TCP port, 1 to 65535, as a number or a string of digits. */
export function readPort(raw: unknown): FieldResult<number> {
  const port =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+$/.test(raw.trim())
        ? Number(raw)
        : NaN;
  return Number.isInteger(port) && port >= 1 && port <= 65_535
    ? ok(port)
    : expected('a port number from 1 to 65535');
}

/** OpenAI model names: a list, or one comma-separated string; blanks dropped, duplicates kept once, at least one. */
export function readModels(raw: unknown): FieldResult<readonly string[]> {
  const want = 'model names, as a list or comma separated';
  let items: unknown[];
  if (typeof raw === 'string') items = raw.split(',');
  else if (Array.isArray(raw)) items = raw as unknown[];
  else return expected(want);
  const names: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return expected(want);
    const name = item.trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names.length > 0 ? ok(names) : expected(want);
}

/** A readiness check: `docker`, `tcp`, or an HTTP path such as `/health`. */
export function readHealth(raw: unknown): FieldResult<HealthCheck> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text.toLowerCase() === 'docker') return ok({ kind: 'docker' });
  if (text.toLowerCase() === 'tcp') return ok({ kind: 'tcp' });
  if (/^\/\S*$/.test(text)) return ok({ kind: 'http', path: text });
  return expected('docker, tcp or an HTTP path such as /health');
}

/** A duration in ms (`90s`, `10m`, `1h`); `0` only where `allowZero` (idle 0 means never sleep). */
export function readDuration(raw: unknown, allowZero: boolean): FieldResult<number> {
  const ms = typeof raw === 'string' ? parseDuration(raw) : raw === 0 ? 0 : null;
  if (ms === null) return expected(DURATION_EXPECTED);
  if (ms === 0 && !allowZero) return expected(`${DURATION_EXPECTED}, more than 0`);
  return ok(ms);
}

/** A size in bytes (`20GiB`, `512MiB`, or a number of bytes), more than 0. */
export function readSize(raw: unknown): FieldResult<number> {
  const bytes =
    typeof raw === 'string'
      ? parseSize(raw)
      : typeof raw === 'number' && Number.isSafeInteger(raw)
        ? raw
        : null;
  return bytes !== null && bytes > 0 ? ok(bytes) : expected(SIZE_EXPECTED);
}

/** A non-empty name such as a group's (YAML numbers are taken as text). */
export function readText(raw: unknown): FieldResult<string> {
  const text =
    typeof raw === 'number' && Number.isFinite(raw)
      ? String(raw)
      : typeof raw === 'string'
        ? raw.trim()
        : '';
  return text !== '' ? ok(text) : expected('a group name');
}

/** `true` or `false` (labels are strings; any letter case). */
export function readBoolean(raw: unknown): FieldResult<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return text === 'true' ? ok(true) : text === 'false' ? ok(false) : expected('true or false');
}

/** A power in watts, 0 or more: `20`, `20W`, `12.5`. */
export function readWatts(raw: unknown): FieldResult<number> {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const match = /^(\d+(?:\.\d+)?)\s*w?$/i.exec(text);
  const watts = match ? Number(match[1]) : NaN;
  return Number.isFinite(watts) ? ok(watts) : expected('a power in watts like 20 or 20W');
}

/** A keep-alive policy name. */
export function readPolicy(raw: unknown): FieldResult<KeepAlivePolicyName> {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const policy = POLICIES.find((p) => p === text);
  return policy !== undefined ? ok(policy) : expected('fixed, break-even or adaptive');
}

/** The kind of model server: `ollama` (the only kind with many models so far). */
export function readServer(raw: unknown): FieldResult<ModelServerKind> {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return text === 'ollama'
    ? ok('ollama')
    : expected("ollama (a server of many models behind Ollama's API)");
}

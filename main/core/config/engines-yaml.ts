// Reads siesta.yaml's `engines:`: the Docker engines and Swarm managers Siesta drives at once, each named, with its
// address, TLS folder, the host its models are dialled on and its GPU metrics endpoint. Problems name FILE:LINE.
import { isMap, isScalar } from 'yaml';
import { closeSpelling } from './close-spelling';
import { readName } from './field-readers';
import type { SpecProblem } from './model-spec';
import { shownValue } from './spec-problem';
import type { YamlSource } from './yaml-entry';

/** How Siesta drives an engine: containers (`docker`) or services of a Swarm manager (`swarm`). */
export type EngineKind = 'docker' | 'swarm';

/** One engine of `engines:`, as written. */
export interface EngineConfig {
  /** Its name: models on it are shown under it, and siesta.yaml names its containers NAME/container. */
  readonly name: string;
  readonly kind: EngineKind;
  /** `unix:///path`, `tcp://host:port` or `ssh://user@host[:port]`; null: as the docker CLI finds it (DOCKER_HOST, context). */
  readonly host: string | null;
  /** For `tcp://`: the folder holding ca.pem, cert.pem and key.pem (TLS with a client certificate); null: plain TCP. */
  readonly tlsDir: string | null;
  /** For `ssh://`: a private key file; null: the ssh agent (SSH_AUTH_SOCK). */
  readonly identityFile: string | null;
  /** The address its models' published ports are dialled on; null: the host of `tcp://`/`ssh://`, 127.0.0.1 otherwise. */
  readonly upstreamHost: string | null;
  /** A Prometheus endpoint with DCGM exporter metric names (http://gpu2:9400/metrics); null: no readings. */
  readonly gpuMetricsUrl: string | null;
  /** The line of its entry, for messages. */
  readonly line: number;
}

const KEYS = ['kind', 'host', 'tls', 'identity', 'upstream', 'gpuMetrics'] as const;
const HOST_EXPECTED = 'unix:///path/docker.sock, tcp://host:port or ssh://user@host';

/** Reads the value of `engines:` (a mapping of name to settings). Bad engines are skipped with a problem each. */
export function readEngines(
  node: unknown,
  source: YamlSource,
): { engines: EngineConfig[]; problems: SpecProblem[] } {
  const engines: EngineConfig[] = [];
  const problems: SpecProblem[] = [];
  const problem = (at: unknown, field: string, message: string): void => {
    problems.push({ where: `${source.file}:${source.lineOf(at)}`, field, message });
  };
  if (!isMap(node)) {
    problem(
      node,
      'engines',
      `engines=${shownValue(source.valueOf(node))}: expected a mapping of engine names to their settings`,
    );
    return { engines, problems };
  }
  for (const pair of node.items) {
    const nameText = String(source.valueOf(pair.key));
    const name = readName(nameText);
    if (!name.ok) {
      problem(pair.key, 'engines', `engine "${nameText}": expected ${name.expected}`);
      continue;
    }
    const before = problems.length;
    const where = (key: string): string => `engines.${name.value}.${key}`;
    const settings =
      pair.value === null || (isScalar(pair.value) && pair.value.value === null)
        ? null
        : pair.value;
    const values = new Map<string, { node: unknown; text: string }>();
    if (settings !== null && !isMap(settings)) {
      problem(
        settings,
        `engines.${name.value}`,
        `expected a mapping with host:, kind:, tls:, upstream: or gpuMetrics:, got ${shownValue(source.valueOf(settings))}`,
      );
      continue;
    }
    for (const item of settings?.items ?? []) {
      const key = String(source.valueOf(item.key));
      const raw = source.valueOf(item.value);
      if (!(KEYS as readonly string[]).includes(key)) {
        const hint = closeSpelling(key, KEYS);
        problem(
          item.key,
          where(key),
          `unknown key "${key}"${hint === null ? '' : ` (did you mean "${hint}"?)`}; known keys: ${KEYS.join(', ')}`,
        );
        continue;
      }
      if (typeof raw !== 'string' || raw.trim() === '') {
        problem(item.value ?? item.key, where(key), `${key}=${shownValue(raw)}: expected text`);
        continue;
      }
      values.set(key, { node: item.value, text: raw.trim() });
    }
    const kindText = values.get('kind')?.text ?? 'docker';
    if (kindText !== 'docker' && kindText !== 'swarm')
      problem(
        values.get('kind')?.node,
        where('kind'),
        `kind=${shownValue(kindText)}: expected docker or swarm`,
      );
    const host = values.get('host')?.text ?? null;
    const scheme = host === null ? null : /^([a-z]+):\/\//i.exec(host)?.[1]?.toLowerCase();
    if (
      host !== null &&
      (scheme === undefined || !['unix', 'tcp', 'ssh', 'npipe'].includes(scheme ?? ''))
    )
      problem(
        values.get('host')?.node,
        where('host'),
        `host=${shownValue(host)}: expected ${HOST_EXPECTED}`,
      );
    const tlsDir = values.get('tls')?.text ?? null;
    if (tlsDir !== null && scheme !== 'tcp')
      problem(
        values.get('tls')?.node,
        where('tls'),
        'tls is for a tcp:// host: a folder with ca.pem, cert.pem and key.pem',
      );
    const identityFile = values.get('identity')?.text ?? null;
    if (identityFile !== null && scheme !== 'ssh')
      problem(
        values.get('identity')?.node,
        where('identity'),
        'identity is for an ssh:// host: its private key file',
      );
    const upstreamHost = values.get('upstream')?.text ?? null;
    if (
      upstreamHost !== null &&
      !/^(\[[0-9a-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)$/i.test(upstreamHost)
    )
      problem(
        values.get('upstream')?.node,
        where('upstream'),
        `upstream=${shownValue(upstreamHost)}: expected a host name or address, e.g. 10.0.0.12`,
      );
    const gpuMetricsUrl = values.get('gpuMetrics')?.text ?? null;
    if (gpuMetricsUrl !== null && !/^https?:\/\/[^/\s]+/.test(gpuMetricsUrl))
      problem(
        values.get('gpuMetrics')?.node,
        where('gpuMetrics'),
        `gpuMetrics=${shownValue(gpuMetricsUrl)}: expected an http:// URL of a Prometheus endpoint, e.g. http://gpu2:9400/metrics`,
      );
    if (engines.some((e) => e.name.toLowerCase() === name.value.toLowerCase()))
      problem(pair.key, 'engines', `engine "${name.value}" is named twice`);
    if (problems.length > before) continue;
    engines.push({
      name: name.value,
      kind: kindText === 'swarm' ? 'swarm' : 'docker',
      host,
      tlsDir,
      identityFile,
      upstreamHost: upstreamHost?.replace(/^\[|\]$/g, '') ?? null,
      gpuMetricsUrl,
      line: source.lineOf(pair.key),
    });
  }
  return { engines, problems };
}

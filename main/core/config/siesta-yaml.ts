// Reads siesta.yaml: the `models:` entries (the label schema, for containers you cannot relabel) and the daemon's
// optional `gateway:`, `control:` and `dataDir:`. Every problem names FILE:LINE; a bad entry is skipped, the rest load.
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import { closeSpelling } from './close-spelling';
import { readEngines, type EngineConfig } from './engines-yaml';
import type { ModelSpec, SpecProblem } from './model-spec';
import { shownValue } from './spec-problem';
import type { YamlSource } from './yaml-entry';
import { readYamlEntry } from './yaml-entry';

/** The daemon settings siesta.yaml may carry, as written (the CLI's flags override them); null where absent. */
export interface SiestaDaemonConfig {
  /** The gateway's `HOST:PORT`. */
  readonly gateway: string | null;
  /** The control API's `HOST:PORT`. */
  readonly control: string | null;
  /** Where Siesta keeps its ledger, token and settings. */
  readonly dataDir: string | null;
}

/** What one siesta.yaml gave: the good entries (unique names), the daemon settings, and every problem found. */
export interface ParsedSiestaYaml {
  readonly file: string;
  readonly entries: readonly ModelSpec[];
  readonly daemon: SiestaDaemonConfig;
  readonly problems: readonly SpecProblem[];
  /**
   * Every container an entry names, good entry or bad, with the entry's line: siesta.yaml owns these, so their
   * labels are not read (a typo in an entry must not silently hand its container to the labels).
   */
  readonly containerClaims: readonly ContainerClaim[];
  /** The engines of `engines:` in order (the first is the one whose containers need no `ENGINE/` prefix); absent or empty: one engine, found as the docker CLI finds it. */
  readonly engines?: readonly EngineConfig[];
}

/** A container named by a siesta.yaml entry. */
export interface ContainerClaim {
  readonly container: string;
  readonly line: number;
}

const TOP_LEVEL_KEYS = ['models', 'engines', 'gateway', 'control', 'dataDir'] as const;
const NOT_YAML = 'not valid YAML';
const UNREADABLE = 'cannot read the file';

/** The problem that made the whole file unusable (unreadable, or not YAML), or null when its entries could be read. */
export function unusableYaml(parsed: ParsedSiestaYaml): SpecProblem | null {
  return (
    parsed.problems.find(
      (p) =>
        p.field === null && (p.message.startsWith(NOT_YAML) || p.message.startsWith(UNREADABLE)),
    ) ?? null
  );
}
const HOST_PORT_EXPECTED = 'HOST:PORT such as 127.0.0.1:11400';

/** Parses siesta.yaml's text; `file` is how problems name it. Never throws. */
export function parseSiestaYaml(text: string, file: string): ParsedSiestaYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: SpecProblem[] = [];
  const daemon: { gateway: string | null; control: string | null; dataDir: string | null } = {
    gateway: null,
    control: null,
    dataDir: null,
  };
  const entries: ModelSpec[] = [];
  const containerClaims: ContainerClaim[] = [];
  const engines: EngineConfig[] = [];
  const result = (): ParsedSiestaYaml => ({
    file,
    entries,
    daemon,
    problems,
    containerClaims,
    ...(engines.length > 0 ? { engines } : {}),
  });

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const line = lineCounter.linePos(error.pos[0]).line;
      problems.push({
        where: `${file}:${line}`,
        field: null,
        message: `${NOT_YAML} (${error.message}); no model of this file was loaded`,
      });
    }
    return result();
  }
  const source: YamlSource = {
    file,
    lineOf: (node) => (isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : 1),
    valueOf: (node): unknown => (isNode(node) ? node.toJS(doc) : node),
  };
  const problem = (node: unknown, field: string | null, message: string): void => {
    problems.push({ where: `${file}:${source.lineOf(node)}`, field, message });
  };

  const root = doc.contents;
  if (root === null || (isNode(root) && source.valueOf(root) === null)) return result();
  if (!isMap(root)) {
    problem(
      root,
      null,
      `expected a mapping with "models:" at the top, got ${shownValue(source.valueOf(root))}`,
    );
    return result();
  }
  for (const pair of root.items) {
    const key = String(source.valueOf(pair.key));
    const value = source.valueOf(pair.value);
    switch (key) {
      case 'models':
        if (value === null) break;
        if (!isSeq(pair.value)) {
          problem(
            pair.value ?? pair.key,
            'models',
            `models=${shownValue(value)}: expected a list of model entries`,
          );
          break;
        }
        pair.value.items.forEach((item, index) => {
          const entry = readYamlEntry(item, index, source);
          if (entry.container !== null)
            containerClaims.push({ container: entry.container, line: source.lineOf(item) });
          problems.push(...entry.problems);
          if (entry.spec === null) return;
          const earlier = entries.find(
            (e) => e.name.toLowerCase() === entry.spec?.name.toLowerCase(),
          );
          if (earlier === undefined) entries.push(entry.spec);
          else
            problem(
              item,
              'name',
              `model "${entry.spec.name}": name already used at ${file}:${lineOfSpec(earlier)}; this entry is skipped`,
            );
        });
        break;
      case 'engines': {
        if (value === null) break;
        const read = readEngines(pair.value, source);
        engines.push(...read.engines);
        problems.push(...read.problems);
        break;
      }
      case 'gateway':
      case 'control':
        if (
          typeof value === 'string' &&
          /^\S+:\d{1,5}$/.test(value.trim()) &&
          Number(value.trim().split(':').pop()) <= 65_535
        ) {
          daemon[key] = value.trim();
        } else
          problem(
            pair.value ?? pair.key,
            key,
            `${key}=${shownValue(value)}: expected ${HOST_PORT_EXPECTED}`,
          );
        break;
      case 'dataDir':
        if (typeof value === 'string' && value.trim() !== '') daemon.dataDir = value.trim();
        else
          problem(
            pair.value ?? pair.key,
            key,
            `dataDir=${shownValue(value)}: expected a folder path`,
          );
        break;
      default: {
        const hint = closeSpelling(key, TOP_LEVEL_KEYS);
        problem(
          pair.key,
          key,
          `unknown top-level key "${key}"${hint === null ? '' : ` (did you mean "${hint}"?)`}; known keys: ${TOP_LEVEL_KEYS.join(', ')}`,
        );
      }
    }
  }
  return result();
}

function lineOfSpec(spec: ModelSpec): number {
  return spec.source.kind === 'yaml' ? spec.source.line : 0;
}

/** Reads and parses a siesta.yaml file; a missing or unreadable file is a problem naming it, never a throw. */
export async function readSiestaYaml(path: string): Promise<ParsedSiestaYaml> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    const empty: SiestaDaemonConfig = { gateway: null, control: null, dataDir: null };
    return {
      file: path,
      entries: [],
      containerClaims: [],
      daemon: empty,
      problems: [{ where: path, field: null, message: `${UNREADABLE}: ${readError(error)}` }],
    };
  }
  return parseSiestaYaml(text, path);
}

function readError(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

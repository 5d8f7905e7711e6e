// Reads one entry of siesta.yaml's `models:` list into a spec, or into problems that name FILE:LINE, the field and
// what was expected. Any problem skips the entry: a half-read spec would run a model unlike the one written.
import { isMap, isScalar } from 'yaml';
import { closeSpelling } from './close-spelling';
import type { ModelSpec, SpecProblem } from './model-spec';
import { completeSpec, dozeProblemOf } from './spec-draft';
import type { SpecDraft } from './spec-fields';
import { SPEC_FIELDS } from './spec-fields';
import { shownValue } from './spec-problem';

/** What an entry reader needs from the document: the file's name, lines of offsets, and plain values of nodes. */
export interface YamlSource {
  readonly file: string;
  /** The 1-based line of a node (of the document's start when the node has no position). */
  lineOf(node: unknown): number;
  /** The plain JavaScript value of a node (aliases resolved). */
  valueOf(node: unknown): unknown;
}

/** A read entry: its spec, or null with the problems that skipped it. */
export interface YamlEntryResult {
  readonly spec: ModelSpec | null;
  readonly problems: readonly SpecProblem[];
  /** The container the entry names, even when the entry is bad (siesta.yaml owns it); null when unreadable. */
  readonly container: string | null;
}

const KEYS = SPEC_FIELDS.map((f) => f.key);

/** Reads the entry at `index` (0-based) of the `models:` list. */
export function readYamlEntry(node: unknown, index: number, source: YamlSource): YamlEntryResult {
  const entryLine = source.lineOf(node);
  const problems: SpecProblem[] = [];
  const problem = (line: number, field: string | null, message: string): void => {
    problems.push({ where: `${source.file}:${line}`, field, message });
  };
  if (!isMap(node)) {
    problem(
      entryLine,
      null,
      `models[${index}]: expected a model entry such as "name: qwen", got ${shownValue(source.valueOf(node))}`,
    );
    return { spec: null, problems, container: null };
  }
  const nameNode = node.items.find((pair) => isScalar(pair.key) && pair.key.value === 'name');
  const nameValue = nameNode ? source.valueOf(nameNode.value) : undefined;
  const label =
    typeof nameValue === 'string' && nameValue.trim() !== ''
      ? `model "${nameValue.trim()}"`
      : `models[${index}]`;

  let draft: SpecDraft = {};
  for (const pair of node.items) {
    const keyValue = source.valueOf(pair.key);
    const key = typeof keyValue === 'string' ? keyValue : String(keyValue);
    const field = SPEC_FIELDS.find((f) => f.key === key);
    if (field === undefined) {
      const hint = closeSpelling(key, KEYS);
      problem(
        source.lineOf(pair.key),
        key,
        `${label}: unknown field "${key}"${hint === null ? '' : ` (did you mean "${hint}"?)`}; known fields: ${KEYS.join(', ')}`,
      );
      continue;
    }
    const raw = source.valueOf(pair.value);
    const result = field.read(raw);
    if (result.ok) draft = { ...draft, ...result.value };
    else
      problem(
        source.lineOf(pair.value ?? pair.key),
        key,
        `${label}: ${key}=${shownValue(raw)}: expected ${result.expected}`,
      );
  }

  const doze = dozeProblemOf(draft);
  if (doze !== null)
    problem(
      entryLine,
      doze.missing === 'sleep' ? 'dozeSleep' : 'dozeWake',
      `${label}: ${doze.message}`,
    );
  // A container on another engine is ENGINE/NAME: its model is named for the container alone.
  const name = draft.name ?? draft.container?.replace(/^[^/]*\//, '');
  const containerGiven = node.items.some((pair) => source.valueOf(pair.key) === 'container');
  const container = containerGiven ? draft.container : draft.name;
  if (problems.length === 0 && (name === undefined || container === undefined)) {
    problem(
      entryLine,
      'name',
      `${label}: no name: expected "name: MODEL" (and "container: CONTAINER" when it differs)`,
    );
  }
  if (problems.length > 0 || name === undefined || container === undefined)
    return { spec: null, problems, container: container ?? null };
  return {
    spec: completeSpec(
      draft,
      { name, container },
      { kind: 'yaml', file: source.file, line: entryLine },
    ),
    problems,
    container,
  };
}

// Reads a model's spec from a container's `siesta.*` labels (DESIGN.md's table); problems name the container, the
// label and what was expected. A container with any bad label is skipped whole, like a bad siesta.yaml entry.
import { closeSpelling } from './close-spelling';
import { readBoolean, readName } from './field-readers';
import type { ModelSpec, SpecProblem } from './model-spec';
import { completeSpec, dozeProblemOf } from './spec-draft';
import type { SpecDraft } from './spec-fields';
import { SPEC_FIELDS } from './spec-fields';
import { shownValue } from './spec-problem';

/** The label that hands a container to Siesta. */
export const ENABLE_LABEL = 'siesta.enable';

/** A container's spec, or null when it is not enabled for Siesta or a label is wrong (then `problems` says why). */
export interface LabelSpecResult {
  readonly spec: ModelSpec | null;
  readonly problems: readonly SpecProblem[];
}

const LABELS = [ENABLE_LABEL, ...SPEC_FIELDS.flatMap((f) => (f.label === null ? [] : [f.label]))];

/**
 * Reads the `siesta.*` labels of container `containerName`. Without `siesta.enable=true` there is no spec; where
 * other `siesta.*` labels are present anyway, a problem says they are ignored, since that is almost always a slip.
 */
export function specFromLabels(
  containerName: string,
  labels: Readonly<Record<string, string>>,
): LabelSpecResult {
  const where = `container "${containerName}"`;
  const problems: SpecProblem[] = [];
  const problem = (label: string, message: string): void => {
    problems.push({ where, field: label, message });
  };
  const siestaLabels = Object.keys(labels)
    .filter((key) => key.startsWith('siesta.'))
    .sort();
  const enableText = labels[ENABLE_LABEL];
  if (enableText === undefined) {
    if (siestaLabels.length > 0) {
      problem(
        ENABLE_LABEL,
        `has ${siestaLabels.join(', ')} but no label ${ENABLE_LABEL}=true: expected ${ENABLE_LABEL}=true for Siesta to manage it; its labels are ignored`,
      );
    }
    return { spec: null, problems };
  }
  const enable = readBoolean(enableText);
  if (!enable.ok) {
    problem(
      ENABLE_LABEL,
      `label ${ENABLE_LABEL}=${shownValue(enableText)}: expected ${enable.expected}`,
    );
    return { spec: null, problems };
  }
  if (!enable.value) return { spec: null, problems };

  let draft: SpecDraft = {};
  for (const label of siestaLabels) {
    if (label === ENABLE_LABEL) continue;
    const text = labels[label] ?? '';
    const field = SPEC_FIELDS.find((f) => f.label === label);
    if (field === undefined) {
      const hint = closeSpelling(
        label.slice('siesta.'.length),
        LABELS.map((l) => l.slice('siesta.'.length)),
      );
      problem(
        label,
        `unknown label ${label}${hint === null ? '' : ` (did you mean siesta.${hint}?)`}; known labels: ${LABELS.join(', ')}`,
      );
      continue;
    }
    const result = field.read(text);
    if (result.ok) draft = { ...draft, ...result.value };
    else problem(label, `label ${label}=${shownValue(text)}: expected ${result.expected}`);
  }
  const doze = dozeProblemOf(draft);
  if (doze !== null) problem(`siesta.doze.${doze.missing}`, doze.message);
  let name = draft.name;
  if (name === undefined) {
    // A container on another engine is ENGINE/NAME: its model is named for the container alone.
    const fromContainer = readName(containerName.replace(/^\//, '').replace(/^[^/]*\//, ''));
    if (fromContainer.ok) name = fromContainer.value;
    else
      problem(
        'siesta.name',
        `no label siesta.name and the container's name cannot be a model name: expected siesta.name=NAME (${fromContainer.expected})`,
      );
  }
  if (problems.length > 0 || name === undefined) return { spec: null, problems };
  const container = containerName.replace(/^\//, '');
  return { spec: completeSpec(draft, { name, container }, { kind: 'label', container }), problems };
}

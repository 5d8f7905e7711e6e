// Merges siesta.yaml's entries and the labelled containers into one list of specs, reporting every conflict.
//
// The merge rule: one spec per container, and siesta.yaml wins. A container that siesta.yaml names is read only
// from its entry (even a bad entry, which then gives no model); if it also carries siesta.enable=true, a problem
// says its labels are ignored, so editing a label that has no effect is never silent. Then sources are taken in
// order (siesta.yaml's entries, then containers in the order given) and the first wins: a later spec whose name
// (any letter case: names are host names), container, `listen` port or OpenAI model alias is taken is reported and
// skipped whole, as a bad entry is. A siesta.yaml entry whose container does not exist yet still gives a spec: it
// may be created later, and the lifecycle shows it as missing.
import type { ModelSpec, SpecProblem } from './model-spec';
import type { ParsedSiestaYaml } from './siesta-yaml';
import { ENABLE_LABEL, specFromLabels } from './spec-from-labels';
import { sourceWhere } from './spec-problem';

export { formatSpecProblem } from './spec-problem';

/** A container as the spec loader needs it: its name (no leading slash) and its labels. */
export interface LabelledContainer {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Everything Siesta will manage, and every problem found on the way (siesta.yaml's own problems included). */
export interface LoadedSpecs {
  readonly specs: readonly ModelSpec[];
  readonly problems: readonly SpecProblem[];
}

/** The container names siesta.yaml hands to Siesta (managed without the label), for the Docker runtime's check. */
export function yamlContainerNames(yaml: ParsedSiestaYaml | null): readonly string[] {
  return [...new Set((yaml?.entries ?? []).map((spec) => spec.container))];
}

/** The specs of siesta.yaml (null when there is none) and of the labelled containers, merged by the rule above. */
export function loadModelSpecs(input: {
  readonly yaml: ParsedSiestaYaml | null;
  readonly containers: readonly LabelledContainer[];
}): LoadedSpecs {
  const problems: SpecProblem[] = [...(input.yaml?.problems ?? [])];
  const yamlEntries = input.yaml?.entries ?? [];
  const candidates: ModelSpec[] = [...yamlEntries];
  for (const container of input.containers) {
    const name = container.name.replace(/^\//, '');
    const claim = input.yaml?.containerClaims.find((c) => c.container === name);
    if (claim !== undefined) {
      if (container.labels[ENABLE_LABEL]?.trim().toLowerCase() === 'true') {
        problems.push({
          where: `container "${name}"`,
          field: ENABLE_LABEL,
          message: `is labelled ${ENABLE_LABEL}=true and also named at ${input.yaml?.file ?? 'siesta.yaml'}:${claim.line}: the siesta.yaml entry wins and its siesta.* labels are ignored`,
        });
      }
      continue;
    }
    const read = specFromLabels(name, container.labels);
    problems.push(...read.problems);
    if (read.spec !== null) candidates.push(read.spec);
  }

  const specs: ModelSpec[] = [];
  for (const spec of candidates) {
    const clashes = clashesWith(spec, specs);
    if (clashes.length === 0) specs.push(spec);
    else
      for (const clash of clashes) {
        // Name the field as the source spells it: `listen` in siesta.yaml, `siesta.listen` on a container.
        const field = spec.source.kind === 'label' ? `siesta.${clash.field}` : clash.field;
        problems.push({ where: sourceWhere(spec.source), field, message: clash.message });
      }
  }
  return { specs, problems };
}

function clashesWith(
  spec: ModelSpec,
  taken: readonly ModelSpec[],
): { readonly field: string; readonly message: string }[] {
  const clashes: { field: string; message: string }[] = [];
  const model = `model "${spec.name}"`;
  const skipped = 'this model is skipped';
  const byName = taken.find((other) => other.name.toLowerCase() === spec.name.toLowerCase());
  if (byName)
    clashes.push({
      field: 'name',
      message: `${model}: name already used by the model at ${sourceWhere(byName.source)}; ${skipped}`,
    });
  const byContainer = taken.find((other) => other.container === spec.container);
  if (byContainer) {
    clashes.push({
      field: 'container',
      message: `${model}: container "${spec.container}" already serves model "${byContainer.name}" (${sourceWhere(byContainer.source)}); ${skipped}`,
    });
  }
  const byListen =
    spec.listenPort === null
      ? undefined
      : taken.find((other) => other.listenPort === spec.listenPort);
  if (byListen) {
    clashes.push({
      field: 'listen',
      message: `${model}: listen port ${spec.listenPort} already belongs to model "${byListen.name}" (${sourceWhere(byListen.source)}); ${skipped}`,
    });
  }
  for (const alias of spec.models) {
    const byAlias = taken.find((other) => other.models.includes(alias));
    if (byAlias) {
      clashes.push({
        field: 'models',
        message: `${model}: OpenAI model name "${alias}" is already answered by model "${byAlias.name}" (${sourceWhere(byAlias.source)}); ${skipped}`,
      });
    }
  }
  return clashes;
}

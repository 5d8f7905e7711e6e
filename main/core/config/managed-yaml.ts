// Edits the siesta.yaml that Siesta manages with the `yaml` library's Document API, so the user's comments, order and
// spelling survive: set a model's fields (adding its entry when it has none), or remove its entry. Pure: text in, text out.
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import type { SpecProblem } from './model-spec';
import { parseSiestaYaml } from './siesta-yaml';
import { SPEC_FIELDS } from './spec-fields';

/** A field that cannot be written, named with what it expected. */
export class ManagedYamlError extends Error {
  constructor(
    readonly field: string | null,
    message: string,
  ) {
    super(field === null ? message : `${field}: ${message}`);
    this.name = 'ManagedYamlError';
  }
}

/** Values to write per yaml key (`idle`, `pin`, `vram`…); null removes the key (its default applies). */
export type EntryFields = Readonly<
  Record<string, string | number | boolean | readonly string[] | null>
>;

/** The settings a user edits from the dashboard and `siesta edit`; the doze (issue 15) with its `http` paths. */
export const EDITABLE_FIELDS = [
  'idle',
  'policy',
  'pin',
  'vram',
  'group',
  'doze',
  'dozeSleep',
  'dozeWake',
  'dozeStatus',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** Checks each value with the field's own reader (the one siesta.yaml is read with); throws naming the field. */
export function checkEntryFields(fields: EntryFields): void {
  for (const [key, value] of Object.entries(fields)) {
    const field = SPEC_FIELDS.find((f) => f.key === key);
    if (field === undefined)
      throw new ManagedYamlError(
        key,
        `not a field of a model; the fields are ${SPEC_FIELDS.map((f) => f.key).join(', ')}`,
      );
    if (value === null) continue;
    const result = field.read(value);
    if (!result.ok)
      throw new ManagedYamlError(key, `expected ${result.expected}, got ${JSON.stringify(value)}`);
  }
}

function documentOf(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new ManagedYamlError(
      null,
      `${file} is not valid YAML (${doc.errors[0]?.message ?? ''}); fix it first`,
    );
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents))
    throw new ManagedYamlError(null, `${file} does not hold a mapping with "models:"`);
  const models = doc.get('models', true);
  if (models === undefined || models === null || (isScalar(models) && models.value === null))
    doc.set('models', doc.createNode([]));
  else if (!isSeq(models))
    throw new ManagedYamlError('models', `${file}: expected a list of model entries`);
  return doc;
}

function entryOf(doc: Document, name: string): YAMLMap | null {
  const models = doc.get('models');
  if (!isSeq(models)) return null;
  for (const item of models.items) {
    if (!isMap(item)) continue;
    const entryName = item.get('name') ?? item.get('container');
    if (entryName === name) return item;
  }
  return null;
}

/** Whether the text has an entry for `name` (by `name`, else by `container`). */
export function hasModelEntry(text: string, name: string, file = 'siesta.yaml'): boolean {
  return entryOf(documentOf(text, file), name) !== null;
}

/**
 * Sets fields of the entry named `name`; when there is none, appends one made of `base` and the fields. Keys already
 * there keep their place; new ones go at the end of the entry. Returns the new text.
 */
export function setModelEntry(
  text: string,
  name: string,
  fields: EntryFields,
  base: EntryFields | null,
  file = 'siesta.yaml',
): string {
  checkEntryFields(fields);
  const doc = documentOf(text, file);
  let entry = entryOf(doc, name);
  if (entry === null) {
    if (base === null) throw new ManagedYamlError('name', `${file} has no entry for "${name}"`);
    checkEntryFields(base);
    const created = doc.createNode(
      Object.fromEntries(Object.entries({ ...base }).filter(([, v]) => v !== null)),
    );
    if (!isMap(created)) throw new ManagedYamlError(null, 'an entry could not be made');
    (doc.get('models') as { add(item: unknown): void }).add(created);
    entry = created;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) entry.delete(key);
    else entry.set(key, doc.createNode(value));
  }
  return doc.toString();
}

/** Removes the entry named `name`; `removed` is false when there was none. */
export function removeModelEntry(
  text: string,
  name: string,
  file = 'siesta.yaml',
): { text: string; removed: boolean } {
  const doc = documentOf(text, file);
  const models = doc.get('models');
  if (!isSeq(models)) return { text, removed: false };
  const index = models.items.findIndex(
    (item) => isMap(item) && (item.get('name') ?? item.get('container')) === name,
  );
  if (index < 0) return { text, removed: false };
  models.items.splice(index, 1);
  return { text: doc.toString(), removed: true };
}

/** The yaml fields that a container's `siesta.*` labels spell (the same schema), for moving a model into siesta.yaml. */
export function entryFieldsOfLabels(
  container: string,
  labels: Readonly<Record<string, string>>,
): Record<string, string | number | boolean> {
  const fields: Record<string, string | number | boolean> = { container };
  for (const field of SPEC_FIELDS) {
    if (field.label === null) continue;
    const value = labels[field.label];
    if (value === undefined) continue;
    fields[field.key] =
      /^\d+$/.test(value) && (field.key === 'port' || field.key === 'listen')
        ? Number(value)
        : value === 'true'
          ? true
          : value === 'false'
            ? false
            : value;
  }
  if (fields.name === undefined) fields.name = container;
  // `name` first, as people write entries.
  const { name, ...rest } = fields;
  return { name: name, ...rest };
}

/**
 * The first problem that an edit adds to the file, as siesta.yaml is read on load (fields that must go together, such
 * as `doze: http` with its sleep and wake paths), thrown naming its field; nothing when the edit adds none. A file is
 * checked before it is written, so a bad edit leaves it as it was.
 */
export function checkEditedYaml(before: string, after: string, file: string): void {
  const key = (p: SpecProblem): string => `${p.field ?? ''} ${p.message}`;
  const known = new Set(parseSiestaYaml(before, file).problems.map(key));
  const added = parseSiestaYaml(after, file).problems.find((p) => !known.has(key(p)));
  if (added) throw new ManagedYamlError(added.field, `${added.where}: ${added.message}`);
}

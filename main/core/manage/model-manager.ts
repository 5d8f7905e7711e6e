// Adds, edits, adopts and removes models for the control API and the CLI: containers through the Engine, settings in
// the siesta.yaml that Siesta manages (comments kept), each change applied at once by reloading that file.
import { existsSync, readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import {
  checkEditedYaml,
  EDITABLE_FIELDS,
  entryFieldsOfLabels,
  hasModelEntry,
  ManagedYamlError,
  removeModelEntry,
  setModelEntry,
  type EntryFields,
} from '../config/managed-yaml';
import { MANAGED_YAML_HEADER } from './managed-yaml-file';
import type { ModelSpec } from '../config/model-spec';
import { ContainerCreateError } from '../docker/container-create';
import { recreateWithLabels } from '../docker/container-recreate';
import { ENABLE_LABEL, labelledForSiesta } from '../docker/container-runtime';
import { engineMessage } from '../docker/image-pull';
import { writeFileAtomic } from '../settings/atomic-write';
import type { GpuCapacity } from '../sizing/vram-estimate';
import { addModel, type AddModelProgress, type AddModelResult, type PullPolicy } from './add-model';
import { AddModelError } from './add-model-error';
import { TEMPLATE_LABELS, type AddModelRequest } from './add-plan';

/** What the manager works with. */
export interface ModelManagerDeps {
  readonly docker: Dockerode;
  /** The siesta.yaml Siesta manages (made on first write), or null when it runs without one. */
  readonly yamlPath: string | null;
  readonly specs: () => readonly ModelSpec[];
  readonly gpus: () => readonly GpuCapacity[];
  /** Re-reads siesta.yaml and applies it. */
  readonly reloadConfig: () => Promise<string>;
  /** Labels every container this Siesta manages carries (`--only-label`), added to the containers it makes. */
  readonly scopeLabels?: Readonly<Record<string, string>>;
}

/** How to adopt a container: re-create it with Siesta's labels, or write a siesta.yaml entry naming it. */
export type AdoptMode = 'recreate' | 'yaml';

/** What a change did, in one sentence for the user. */
export interface ManageOutcome {
  readonly model: string;
  readonly done: string;
}

/** The manager. */
export class ModelManager {
  constructor(private readonly deps: ModelManagerDeps) {}

  /** The GPUs as the daemon sees them now. */
  gpus(): readonly GpuCapacity[] {
    return this.deps.gpus();
  }

  /** Adds a model from a template (see `addModel`); the daemon picks the container up from the Engine's events. */
  async add(
    request: AddModelRequest,
    pull: PullPolicy,
    onProgress?: (p: AddModelProgress) => void,
  ): Promise<AddModelResult> {
    const labels = { ...(this.deps.scopeLabels ?? {}), ...(request.labels ?? {}) };
    return addModel(
      this.deps.docker,
      { ...request, labels },
      {
        gpus: this.deps.gpus(),
        modelNames: this.deps.specs().map((s) => s.name),
        pull,
        ...(onProgress ? { onProgress } : {}),
      },
    );
  }

  /** The VRAM estimate its container was made with (`siesta-template.vram-estimate`), or null. */
  async estimateOf(name: string): Promise<number | null> {
    const spec = this.spec(name);
    const info = await this.deps.docker
      .getContainer(spec.container)
      .inspect()
      .catch(() => null);
    const text = info?.Config.Labels?.[TEMPLATE_LABELS.vramEstimate];
    return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
  }

  /** Changes a model's settings in siesta.yaml (adding an entry from its labels when it has none) and applies them. */
  async edit(name: string, changes: EntryFields): Promise<ManageOutcome> {
    for (const key of Object.keys(changes)) {
      if (!(EDITABLE_FIELDS as readonly string[]).includes(key))
        throw new ManagedYamlError(
          key,
          `cannot be edited here; the editable settings are ${EDITABLE_FIELDS.join(', ')}`,
        );
    }
    const spec = this.spec(name);
    const path = this.yamlPath();
    const text = this.readYaml(path);
    let base: EntryFields | null = null;
    if (!hasModelEntry(text, name, path)) {
      const info = await this.deps.docker
        .getContainer(spec.container)
        .inspect()
        .catch((error: unknown) => {
          throw new ManagedYamlError(
            'name',
            `its container "${spec.container}" cannot be read: ${engineMessage(error)}`,
          );
        });
      base = entryFieldsOfLabels(spec.container, info.Config.Labels ?? {});
    }
    const next = setModelEntry(text, name, changes, base, path);
    checkEditedYaml(text, next, path);
    writeFileAtomic(path, next, 0o644);
    await this.deps.reloadConfig();
    return {
      model: name,
      done:
        base === null
          ? `${name}: ${Object.keys(changes).join(', ')} written to ${path} and applied`
          : `${name}: now set in ${path} (its labels are no longer read) and applied`,
    };
  }

  /** Puts an existing container under Siesta: re-created with its labels, or named by a siesta.yaml entry. */
  async adopt(
    container: string,
    mode: AdoptMode,
    fields: EntryFields & { readonly name?: string },
  ): Promise<ManageOutcome> {
    const info = await this.deps.docker
      .getContainer(container)
      .inspect()
      .catch((error: unknown) => {
        throw new AddModelError(
          'invalid',
          'container',
          `no container "${container}" (${engineMessage(error)})`,
        );
      });
    const containerName = info.Name.replace(/^\//, '');
    const name = typeof fields.name === 'string' ? fields.name : containerName;
    if (
      labelledForSiesta(info.Config.Labels ?? {}) ||
      this.deps.specs().some((s) => s.container === containerName)
    )
      throw new AddModelError(
        'name-taken',
        'container',
        `Siesta already manages "${containerName}"`,
      );
    if (this.deps.specs().some((s) => s.name === name))
      throw new AddModelError(
        'name-taken',
        'name',
        `Siesta already has a model named "${name}"; choose another name`,
      );
    const entry: EntryFields = { ...fields, name };
    if (mode === 'yaml') {
      const path = this.yamlPath();
      writeFileAtomic(
        path,
        setModelEntry(this.readYaml(path), name, {}, { ...entry, container: containerName }, path),
        0o644,
      );
      await this.deps.reloadConfig();
      return {
        model: name,
        done: `${name}: an entry naming container "${containerName}" was written to ${path}; the container itself is unchanged`,
      };
    }
    const labels: Record<string, string> = {
      ...(this.deps.scopeLabels ?? {}),
      [ENABLE_LABEL]: 'true',
    };
    for (const [key, value] of Object.entries(entry)) {
      if (value === null) continue;
      const label =
        key === 'name'
          ? 'siesta.name'
          : `siesta.${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      labels[label] = Array.isArray(value) ? value.join(',') : String(value);
    }
    try {
      await recreateWithLabels(this.deps.docker, containerName, (old) => ({ ...old, ...labels }));
    } catch (error: unknown) {
      if (error instanceof ContainerCreateError)
        throw new AddModelError('engine', 'container', error.message);
      throw error;
    }
    return {
      model: name,
      done: `${name}: container "${containerName}" was re-created with Siesta's labels (same image, command, volumes and ports)`,
    };
  }

  /** Stops managing a model: drops its siesta.yaml entry or its labels; with `removeContainer`, removes the container too. */
  async remove(name: string, removeContainer: boolean): Promise<ManageOutcome> {
    const spec = this.spec(name);
    if (removeContainer) {
      await this.deps.docker
        .getContainer(spec.container)
        .remove({ force: true, v: false })
        .catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 404)
            throw new AddModelError('engine', null, engineMessage(error));
        });
    }
    let fromYaml = false;
    if (this.deps.yamlPath !== null && existsSync(this.deps.yamlPath)) {
      const result = removeModelEntry(this.readYaml(this.deps.yamlPath), name, this.deps.yamlPath);
      if (result.removed) {
        writeFileAtomic(this.deps.yamlPath, result.text, 0o644);
        fromYaml = true;
      }
    }
    if (!removeContainer) {
      // Labels would hand the container back to Siesta, so they go too (by re-creating it without them).
      const info = await this.deps.docker
        .getContainer(spec.container)
        .inspect()
        .catch(() => null);
      if (info !== null && labelledForSiesta(info.Config.Labels ?? {}))
        await recreateWithLabels(this.deps.docker, spec.container, (old) =>
          Object.fromEntries(
            Object.entries(old).filter(
              ([key]) => key !== ENABLE_LABEL && !key.startsWith('siesta.'),
            ),
          ),
        );
    }
    await this.deps.reloadConfig();
    const what = removeContainer
      ? `its container "${spec.container}" was removed`
      : `its container "${spec.container}" is left as it is`;
    return {
      model: name,
      done: `${name}: Siesta no longer manages it${fromYaml ? ' (its siesta.yaml entry was removed)' : ''}; ${what}`,
    };
  }

  private spec(name: string): ModelSpec {
    const spec = this.deps.specs().find((s) => s.name === name);
    if (!spec) throw new ManagedYamlError('name', `no model named "${name}"`);
    return spec;
  }

  private yamlPath(): string {
    if (this.deps.yamlPath === null)
      throw new ManagedYamlError(
        null,
        'this Siesta runs without a siesta.yaml (start it with --config FILE) so settings cannot be saved',
      );
    return this.deps.yamlPath;
  }

  private readYaml(path: string): string {
    return existsSync(path) ? readFileSync(path, 'utf8') : MANAGED_YAML_HEADER;
  }
}

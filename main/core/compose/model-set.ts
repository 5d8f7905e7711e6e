// Applies each new set of model specs (from labels and siesta.yaml) to the lifecycle, the ledger and the gateway's
// ports, with the settings' default idle time, and says which models came and went once Siesta runs.
import { modelSetChange } from '../config/model-set-change';
import type { ModelSpec } from '../config/model-spec';
import type { Ledger } from '../ledger/ledger';
import type { Lifecycle } from '../lifecycle/lifecycle';
import type { Gateway } from '../proxy/gateway';
import type { SettingsStore } from '../settings/settings-store';
import { messageOf } from './teardown';

/** The parts a model set reaches. */
export interface ModelSetParts {
  readonly lifecycle: Lifecycle;
  readonly ledger: Ledger;
  readonly gateway: Gateway;
  readonly settings: SettingsStore;
  readonly log: (line: string) => void;
  /** Why a model's doze cannot work on this host (cuda-checkpoint without the binary), said once when it appears. */
  readonly dozeProblem?: (spec: ModelSpec) => string | null;
}

/** The models in force. */
export class ModelSet {
  private specs: readonly ModelSpec[] = [];
  private announcing = false;
  /** Models whose doze problem was said already (said again after the model went and came back). */
  private readonly toldDoze = new Set<string>();

  constructor(private readonly parts: ModelSetParts) {}

  /** The specs last applied. */
  current(): readonly ModelSpec[] {
    return this.specs;
  }

  /** From now on, say which models came and went (a container labelled, removed, or siesta.yaml edited). */
  announceChanges(): void {
    this.announcing = true;
  }

  /** Applies a new set (or the same set again, after the default idle time changed). */
  apply(specs: readonly ModelSpec[]): void {
    const { lifecycle, ledger, gateway, settings, log } = this.parts;
    if (this.announcing) {
      const change = modelSetChange(this.specs, specs);
      if (change !== null) log(change);
    }
    this.specs = specs;
    this.tellDozeProblems(specs);
    const defaultIdleMs = settings.get().defaultIdleMs;
    lifecycle.setSpecs(
      specs.map((spec) => (spec.idleFromDefault ? { ...spec, idleMs: defaultIdleMs } : spec)),
    );
    for (const spec of specs) ledger.setModelInfo(spec.name, { idleWatts: spec.idleWatts });
    gateway
      .updateListenPorts()
      .catch((error: unknown) => log(`gateway ports: ${messageOf(error)}`));
  }

  private tellDozeProblems(specs: readonly ModelSpec[]): void {
    const names = new Set(specs.map((s) => s.name));
    for (const name of this.toldDoze) if (!names.has(name)) this.toldDoze.delete(name);
    for (const spec of specs) {
      if (this.toldDoze.has(spec.name)) continue;
      const problem = this.parts.dozeProblem?.(spec) ?? null;
      if (problem === null) continue;
      this.toldDoze.add(spec.name);
      this.parts.log(problem);
    }
  }
}

/** The start-up log line naming the models found, or why there are none yet. */
export function modelsLogLine(specs: readonly ModelSpec[], engineAway: boolean): string {
  const none = engineAway
    ? '(none yet: waiting for the Docker Engine)'
    : '(none yet: label a container siesta.enable=true)';
  const names = specs.map((s) => s.name).join(', ') || none;
  return `${specs.length} model${specs.length === 1 ? '' : 's'}: ${names}`;
}

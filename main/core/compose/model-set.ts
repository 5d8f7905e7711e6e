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
}

/** The models in force. */
export class ModelSet {
  private specs: readonly ModelSpec[] = [];
  private announcing = false;

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
    const defaultIdleMs = settings.get().defaultIdleMs;
    lifecycle.setSpecs(
      specs.map((spec) => (spec.idleFromDefault ? { ...spec, idleMs: defaultIdleMs } : spec)),
    );
    for (const spec of specs) ledger.setModelInfo(spec.name, { idleWatts: spec.idleWatts });
    gateway
      .updateListenPorts()
      .catch((error: unknown) => log(`gateway ports: ${messageOf(error)}`));
  }
}

// Reads siesta.yaml again on demand (SIGHUP, the dashboard) and when the file changes, and applies its models through
// the spec sync; a file that cannot be read or is not usable leaves the running models as they were.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { formatSpecProblem } from '../config/load-specs';
import { readSiestaYaml, unusableYaml, type ParsedSiestaYaml } from '../config/siesta-yaml';
import type { SpecSync } from '../lifecycle/spec-sync';
import { messageOf } from './teardown';

/** The siesta.yaml in force: read by the runtime (which containers it names) and replaced by each reload. */
export class ConfigInForce {
  constructor(private yaml: ParsedSiestaYaml | null) {}

  get(): ParsedSiestaYaml | null {
    return this.yaml;
  }

  set(yaml: ParsedSiestaYaml): void {
    this.yaml = yaml;
  }
}

/** What a reloader needs. */
export interface ConfigReloaderOptions {
  /** siesta.yaml, or null when Siesta runs on labels alone. */
  readonly configPath: string | null;
  /** The file in force, replaced by each reload. */
  readonly inForce: ConfigInForce;
  readonly specSync: SpecSync;
  readonly log: (line: string) => void;
  /** A problem for the operator (logged and kept). */
  readonly report: (line: string) => void;
  /** Applies a changed `engines:` before the models are (so a model on an added engine is found at once). */
  readonly applyEngines?: (next: ParsedSiestaYaml) => Promise<void>;
}

/** Reloads siesta.yaml, one reload at a time. */
export class ConfigReloader {
  private reloading: Promise<string> = Promise.resolve('');

  constructor(private readonly options: ConfigReloaderOptions) {}

  /** Reads the file again and applies its models; resolves with what it did, in one line. */
  reload(): Promise<string> {
    const configPath = this.options.configPath;
    if (!configPath)
      return Promise.resolve('no siesta.yaml to reload: Siesta runs on container labels alone');
    this.reloading = this.reloading.then(async () => {
      try {
        return await this.reloadFrom(configPath);
      } catch (error: unknown) {
        // The engine may be away: say so and keep what runs; the next change or SIGHUP tries again.
        const line = `reloading ${configPath} failed: ${messageOf(error)}`;
        this.options.report(line);
        return line;
      }
    });
    return this.reloading;
  }

  /** Reloads when the file changes, checking every `pollMs`; returns the function that stops watching. */
  watch(pollMs: number): () => void {
    const configPath = this.options.configPath;
    if (!configPath || !(pollMs > 0)) return () => undefined;
    const onChange = (now: Stats, before: Stats): void => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino)
        return;
      void this.reload();
    };
    watchFile(configPath, { interval: pollMs, persistent: false }, onChange);
    return () => unwatchFile(configPath, onChange);
  }

  private async reloadFrom(configPath: string): Promise<string> {
    const next = await readSiestaYaml(configPath);
    const unusable = unusableYaml(next);
    if (unusable) {
      const line = `${formatSpecProblem(unusable)}; keeping the models loaded before`;
      this.options.report(line);
      return line;
    }
    const before = this.options.inForce.get();
    const daemonChanged = JSON.stringify(next.daemon) !== JSON.stringify(before?.daemon ?? null);
    await this.options.applyEngines?.(next);
    this.options.inForce.set(next);
    const specs = await this.options.specSync.setYaml(next);
    const line =
      `reloaded ${configPath}: ${specs.length} model${specs.length === 1 ? '' : 's'}` +
      (daemonChanged
        ? ' (gateway, control and dataDir changes take effect at the next start)'
        : '');
    this.options.log(line);
    return line;
  }
}

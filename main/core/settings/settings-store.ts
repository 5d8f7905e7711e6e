// The user's settings in memory and in `settings.json` in the data dir: validated updates, atomic saves, change listeners.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { Settings } from './settings-schema';
import { SETTINGS_DEFAULTS, SettingsPatchSchema, mergeSettings } from './settings-schema';
import { REPORT_INPUT, firstValidationProblem } from './validation-problem';

/** The settings file's name in the data dir. */
export const SETTINGS_FILE_NAME = 'settings.json';

/** The settings file of a data dir. */
export function settingsPathIn(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE_NAME);
}

/** A setting that could not be read or changed: `field` names it (dotted path; empty for the file as a whole). */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** The settings file, when the problem is in it. */
    readonly path: string | null = null,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Called after a change with the new and the previous settings. */
export type SettingsListener = (settings: Settings, previous: Settings) => void;

/** What a settings store needs. */
export interface SettingsStoreOptions {
  /** The JSON file, normally `settingsPathIn(dataDir)`; it need not exist (defaults apply until the first update). */
  readonly path: string;
  /** Where a listener's exception goes (default: console.error); it never undoes the saved change. */
  readonly onListenerError?: (error: unknown) => void;
  /** The values of every field the file does not set (default `SETTINGS_DEFAULTS`; the composition root adds the gateway's). */
  readonly defaults?: Settings;
}

/** The settings. Reads the file at construction and throws a `SettingsError` naming the file and field when it is invalid. */
export class SettingsStore {
  readonly path: string;
  private current: Settings;
  private readonly listeners = new Set<SettingsListener>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(options: SettingsStoreOptions) {
    this.path = options.path;
    this.onListenerError =
      options.onListenerError ??
      ((error) => console.error('[siesta] a settings listener failed:', error));
    this.current = readSettingsFile(options.path, options.defaults);
  }

  /** Opens the settings of a data dir. */
  static open(dataDir: string, defaults: Settings = SETTINGS_DEFAULTS): SettingsStore {
    return new SettingsStore({ path: settingsPathIn(dataDir), defaults });
  }

  /** The settings now (defaults filled in). */
  get(): Settings {
    return this.current;
  }

  /**
   * Validates a partial update (nested objects may be partial), saves the merged settings
   * atomically and tells the listeners. Throws a `SettingsError` naming the field: an unknown key,
   * or a bad value with what was expected. Nothing is saved when it throws.
   */
  update(patch: unknown): Settings {
    const parsed = SettingsPatchSchema.safeParse(patch, REPORT_INPUT);
    if (!parsed.success) {
      const problem = firstValidationProblem(parsed.error, (key) => `unknown setting "${key}"`);
      throw new SettingsError(problem.field, problem.message);
    }
    const previous = this.current;
    const next = mergeSettings(previous, parsed.data);
    try {
      writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
    } catch (error: unknown) {
      throw new SettingsError(
        '',
        `could not save the settings to ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
        this.path,
      );
    }
    this.current = next;
    if (JSON.stringify(next) !== JSON.stringify(previous)) {
      for (const listener of [...this.listeners]) {
        try {
          listener(next, previous);
        } catch (error: unknown) {
          this.onListenerError(error);
        }
      }
    }
    return next;
  }

  /** Calls `listener` after every change. Returns an unsubscribe function. */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/** Reads a settings file: defaults when it does not exist; an error naming the file and field when it is invalid. */
export function readSettingsFile(path: string, defaults: Settings = SETTINGS_DEFAULTS): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaults;
    throw new SettingsError(
      '',
      `could not read the settings file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      path,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw new SettingsError(
      '',
      `the settings file ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix or delete it`,
      path,
    );
  }
  const parsed = SettingsPatchSchema.safeParse(json, REPORT_INPUT);
  if (!parsed.success) {
    const problem = firstValidationProblem(parsed.error, (key) => `unknown setting "${key}"`);
    throw new SettingsError(problem.field, `the settings file ${path}: ${problem.message}`, path);
  }
  return mergeSettings(defaults, parsed.data);
}

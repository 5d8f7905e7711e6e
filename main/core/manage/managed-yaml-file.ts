// Where the siesta.yaml that Siesta manages lives when none is given: in the data folder, shared by the desktop app and
// the CLI, created with a short header the first time, so `serve` and the app always have one file to load and watch.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../settings/atomic-write';

/** The header of a new managed siesta.yaml. */
export const MANAGED_YAML_HEADER =
  '# Models Siesta manages. Siesta edits this file when you add, edit or remove a model from the\n' +
  '# dashboard or the CLI; your comments and order are kept. Container labels work too.\nmodels:\n';

/** The managed siesta.yaml in a data folder. */
export function managedYamlPath(dataDir: string): string {
  return join(dataDir, 'siesta.yaml');
}

/** The managed siesta.yaml of a data folder, created with its header when missing. */
export function ensureManagedYaml(dataDir: string): string {
  const path = managedYamlPath(dataDir);
  if (!existsSync(path)) writeFileAtomic(path, MANAGED_YAML_HEADER, 0o644);
  return path;
}

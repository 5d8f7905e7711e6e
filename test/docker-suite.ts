// How a Docker integration suite declares itself: it runs when an engine answers, and is skipped by name otherwise.
import { describe } from 'vitest';
import { execFileSync } from 'node:child_process';

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
}

const hasEngine = engineAnswers();

/** `describe` for a suite that needs the Docker engine. In CI a missing engine fails in global setup, never silently. */
export function describeDocker(name: string, body: () => void): void {
  if (hasEngine) describe(name, body);
  else describe.skip(`${name} (skipped: no Docker engine at DOCKER_HOST)`, body);
}

/** `describe` for a suite that needs a second host: it creates a network namespace, so it needs root (CI runs as root). */
export function describeAsRoot(name: string, body: () => void): void {
  if (process.getuid?.() === 0) describeDocker(name, body);
  else describe.skip(`${name} (skipped: creating a network namespace needs root)`, body);
}

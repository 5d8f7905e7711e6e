// Test helpers: where the shared GPU fixtures and the stand-in tools live, and a poll-with-deadline.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** `../shared/fixtures/gpu` beside the repository root. */
export const FIXTURE_DIR = path.resolve(__dirname, '../../../..', '../shared/fixtures/gpu');

/** The stand-in `nvidia-smi` (an executable Node script). */
export const FAKE_NVIDIA_SMI = path.join(__dirname, 'fake-nvidia-smi');

/** The C source of the stand-in NVML library. */
export const FAKE_NVML_SOURCE = path.join(__dirname, 'fake-nvml.c');

/** The full path of a fixture file. */
export function fixturePath(name: string): string {
  return path.join(FIXTURE_DIR, name);
}

/** A fixture file's text. */
export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Polls `check` every 10 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The four nvidia_gpu_exporter captures, by a short name. */
export const CAPTURES = {
  h100: 'nvidia-smi-capture__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt',
  rtx4080: 'nvidia-smi-capture__linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt',
  rtx2080Linux: 'nvidia-smi-capture__linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04.txt',
  rtx2080Windows: 'nvidia-smi-capture__windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt',
} as const;

// The contract's one shared sentence: what the CLI, the dashboard and the tray say when no GPU is shown.
import { describe, expect, it } from 'vitest';
import type { ProbeView } from './contract';
import { engineAwayText, noGpuText } from './contract';

function probe(overrides: Partial<ProbeView>): ProbeView {
  return {
    backend: 'none',
    gpuCount: 0,
    lastError: null,
    lastSampleAt: null,
    staleMs: null,
    ...overrides,
  };
}

describe('the no-GPU sentence', () => {
  it("gives the probe's account of what it tried, once, as a sentence", () => {
    expect(
      noGpuText(
        probe({
          lastError:
            'no GPU found: tried nvidia-smi: nvidia-smi was not found; the OS lists no graphics controller',
        }),
      ),
    ).toBe(
      'No GPU found: tried nvidia-smi: nvidia-smi was not found; the OS lists no graphics controller',
    );
    expect(noGpuText(probe({}))).toBe('No GPU found');
  });

  it('names the backend that has not sampled yet, and its error', () => {
    expect(noGpuText(probe({ backend: 'nvidia-smi', gpuCount: 1 }))).toBe(
      'No GPU readings yet from nvidia-smi',
    );
    expect(
      noGpuText(
        probe({ backend: 'nvidia-smi', gpuCount: 1, lastError: 'nvidia-smi exited with code 9' }),
      ),
    ).toBe('No GPU readings yet from nvidia-smi: nvidia-smi exited with code 9');
  });
});

describe('the engine sentence', () => {
  it('is null while the engine answers, and names the error while it does not', () => {
    expect(engineAwayText({ reachable: true, detail: null, since: null })).toBeNull();
    expect(
      engineAwayText({ reachable: false, detail: 'connect ECONNREFUSED 10.0.0.2:2375', since: 0 }),
    ).toBe(
      'The Docker Engine does not answer (connect ECONNREFUSED 10.0.0.2:2375); Siesta keeps trying, and wakes wait for it',
    );
  });
});

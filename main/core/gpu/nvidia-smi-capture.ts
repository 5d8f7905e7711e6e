// Splits an nvidia_gpu_exporter capture file (one section per nvidia-smi command) into its sections.
import type { GpuProcess, GpuSample } from './gpu-sample';
import { parseComputeAppsCsv, parseQueryGpuCsv } from './nvidia-smi-csv';

/** One command's output in a capture: `# <state> :: <title>`, `# $ <command>`, then the body. */
export interface CaptureSection {
  /** `capabilities`, `idle` or `load`. */
  readonly state: string;
  readonly title: string;
  readonly command: string;
  readonly body: string;
}

const RULE = /^#{80}\s*$/;

/**
 * The sections of a capture. A section starts with a row of 80 `#`, then `# <state> :: <title>`,
 * then `# $ <command>`, then another row of `#`; its body runs to the next such header.
 * Accepts LF or CRLF.
 */
export function parseCaptureSections(text: string): CaptureSection[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const sections: CaptureSection[] = [];
  let current: { state: string; title: string; command: string; body: string[] } | null = null;
  const close = (): void => {
    if (current)
      sections.push({ ...current, body: current.body.join('\n').replace(/\n+$/, '') + '\n' });
    current = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const heading = /^# (\w[\w-]*) :: (.*)$/.exec(lines[i + 1] ?? '');
    const command = /^# \$ (.*)$/.exec(lines[i + 2] ?? '');
    if (RULE.test(lines[i] ?? '') && heading && command && RULE.test(lines[i + 3] ?? '')) {
      close();
      current = {
        state: heading[1] ?? '',
        title: (heading[2] ?? '').trim(),
        command: (command[1] ?? '').trim(),
        body: [],
      };
      i += 3;
      continue;
    }
    if (current && !RULE.test(lines[i] ?? '')) current.body.push(lines[i] ?? '');
  }
  close();
  return sections;
}

/** The first section whose state matches and whose command contains `commandPart`; throws when there is none. */
export function findCaptureSection(
  sections: readonly CaptureSection[],
  state: string,
  commandPart: string,
): CaptureSection {
  const found = sections.find((s) => s.state === state && s.command.includes(commandPart));
  if (!found) throw new Error(`capture has no "${state}" section running "${commandPart}"`);
  return found;
}

/** The GPU samples of a capture's `<state> :: query-gpu` CSV section (for replays and tests). */
export function capturedSamples(text: string, state: string, at: number): GpuSample[] {
  return parseQueryGpuCsv(
    findCaptureSection(parseCaptureSections(text), state, '--query-gpu=').body,
    at,
  );
}

/** The processes of a capture's `<state> :: query-compute-apps` CSV section; GPU indexes from that state's samples. */
export function capturedProcesses(text: string, state: string): GpuProcess[] {
  const sections = parseCaptureSections(text);
  const samples = parseQueryGpuCsv(findCaptureSection(sections, state, '--query-gpu=').body, 0);
  return parseComputeAppsCsv(
    findCaptureSection(sections, state, '--query-compute-apps=').body,
    new Map(samples.map((s) => [s.uuid, s.index])),
  );
}

// Test helpers for the fake Ollama server (test/fake-ollama/server.js) in a real container, and a GPU stand-in whose
// VRAM follows what that server has loaded and which other test containers run, with a log of what it reported.
import type Docker from 'dockerode';
import type { Clock } from '../main/core/clock/clock';
import { ReplayProbe } from '../main/core/gpu/replay-probe';
import { ensureFakeOllamaImage, removeContainer, TEST_LABEL } from './docker-harness';

/** Options of a fake Ollama container. */
export interface FakeOllamaOptions {
  readonly name: string;
  /** `name=bytes` pairs (test/fake-ollama/server.js's MODELS). */
  readonly models: string;
  readonly labels?: Record<string, string>;
  readonly env?: Record<string, string>;
}

/** Creates (not starts) a fake Ollama container publishing 11434 on 127.0.0.1 (a random host port). */
export async function createFakeOllama(
  docker: Docker,
  options: FakeOllamaOptions,
): Promise<Docker.Container> {
  const image = ensureFakeOllamaImage();
  await removeContainer(docker, options.name);
  const env = Object.entries({ MODELS: options.models, ...(options.env ?? {}) }).map(
    ([k, v]) => `${k}=${v}`,
  );
  return docker.createContainer({
    name: options.name,
    Image: image,
    Cmd: ['/bin/node', '/app/server.js'],
    Env: env,
    Labels: { [TEST_LABEL]: String(process.pid), ...(options.labels ?? {}) },
    ExposedPorts: { '11434/tcp': {} },
    StopTimeout: 2,
    HostConfig: { PortBindings: { '11434/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
}

/** What the stand-in reported at one tick. */
export interface StandInReading {
  readonly at: number;
  readonly usedBytes: number;
  /** The fake Ollama's loaded models then. */
  readonly ollamaLoaded: readonly string[];
  /** The other containers running then. */
  readonly running: readonly string[];
}

/**
 * One GPU of `totalBytes`: used VRAM is the sum of the fake Ollama's loaded models (its own `/__fake/stats`, each at
 * the size the test gave it) plus the VRAM of each listed container while it runs. Read every `pollMs`.
 */
export class OllamaGpuStandIn {
  readonly log: StandInReading[] = [];
  readonly probe: ReplayProbe;
  private usedBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly options: {
      readonly clock: Clock;
      readonly totalBytes: number;
      readonly ollama: {
        readonly container: string;
        readonly modelBytes: Readonly<Record<string, number>>;
      };
      readonly containers: Readonly<Record<string, number>>;
      readonly pollMs?: number;
    },
  ) {
    this.probe = new ReplayProbe({
      clock: options.clock,
      intervalMs: 100,
      script: () => [
        {
          index: 0,
          vramTotalBytes: options.totalBytes,
          vramUsedBytes: this.usedBytes,
          powerWatts: 60,
        },
      ],
    });
  }

  /** Starts polling; the first reading is taken before this resolves. */
  async start(): Promise<void> {
    await this.read();
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.read().finally(() => {
          if (this.timer !== null) tick();
        });
      }, this.options.pollMs ?? 100);
    };
    tick();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The latest reading. */
  latest(): StandInReading | undefined {
    return this.log[this.log.length - 1];
  }

  private async read(): Promise<void> {
    const running: string[] = [];
    let used = 0;
    for (const [name, bytes] of Object.entries(this.options.containers)) {
      const info = await this.docker
        .getContainer(name)
        .inspect()
        .catch(() => null);
      if (info?.State.Running === true) {
        running.push(name);
        used += bytes;
      }
    }
    const loaded = await this.ollamaLoaded();
    for (const model of loaded) used += this.options.ollama.modelBytes[model] ?? 0;
    this.usedBytes = used;
    this.log.push({ at: Date.now(), usedBytes: used, ollamaLoaded: loaded, running });
    if (this.log.length > 5000) this.log.splice(0, 1000);
  }

  private async ollamaLoaded(): Promise<string[]> {
    const info = await this.docker
      .getContainer(this.options.ollama.container)
      .inspect()
      .catch(() => null);
    if (info?.State.Running !== true) return [];
    const port = info.NetworkSettings.Ports['11434/tcp']?.[0]?.HostPort;
    if (port === undefined) return [];
    try {
      const response = await fetch(`http://127.0.0.1:${port}/__fake/stats`, {
        signal: AbortSignal.timeout(1000),
      });
      const stats = (await response.json()) as { loaded: string[] };
      return stats.loaded;
    } catch {
      return [];
    }
  }
}

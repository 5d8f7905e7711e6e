// What a first run without a Docker Engine or without a GPU still does, and what to do about it: one text for the
// CLI (`siesta serve`, `siesta status`), the dashboard and the tray. Part of the control API's contract.
import type { EngineView, ProbeView } from './contract';

/** One thing missing from the machine: what it is, what works without it, and what to do. */
export interface SetupAdvice {
  readonly topic: 'engine' | 'gpu';
  /** A short heading: `Docker is not answering`, `No GPU found`. */
  readonly title: string;
  /** What it was told (the connection error, what the GPU probes tried), to follow the title. */
  readonly detail: string;
  /** What works meanwhile, in a sentence. */
  readonly works: string;
  /** What to do, in a sentence. */
  readonly todo: string;
}

/** What to do for a Docker Engine that does not answer, by the kind of failure its error names. */
function engineTodo(detail: string | null): string {
  const why = detail ?? '';
  if (/EACCES|permission denied/i.test(why))
    return 'Siesta may not use the Docker socket: add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or point DOCKER_HOST at a socket you may use';
  if (/ECONNREFUSED|ENOENT|no such file/i.test(why))
    return 'Start Docker (sudo systemctl start docker, or open Docker Desktop), or install it (Debian and Ubuntu: sudo apt install docker.io); if it runs elsewhere, set DOCKER_HOST where Siesta runs (unix:///var/run/docker.sock, tcp://HOST:2376, ssh://USER@HOST)';
  return "Check that Docker runs and that DOCKER_HOST (or siesta.yaml's engines:) names it; install it if it is missing (Debian and Ubuntu: sudo apt install docker.io)";
}

/** The advice for the engine, or null while it answers. */
export function engineAdvice(engine: EngineView): SetupAdvice | null {
  if (engine.reachable) return null;
  return {
    topic: 'engine',
    title: 'Docker is not answering',
    detail: engine.detail ?? 'it gives no answer',
    works:
      'The gateway, the dashboard and the energy ledger run; Siesta keeps trying, finds the models when Docker answers, and wakes wait for it',
    todo: engineTodo(engine.detail),
  };
}

/** The advice for the GPU readings, or null when a GPU is read. */
export function gpuAdvice(probe: ProbeView): SetupAdvice | null {
  if (probe.backend !== 'none' || probe.gpuCount > 0) return null;
  // The probe's account opens with "No GPU found: " itself; the title says that already.
  const tried = (probe.lastError ?? '').replace(/^no GPU found:?\s*/i, '');
  return {
    topic: 'gpu',
    title: 'No GPU found',
    detail: tried === '' ? 'no GPU probe found one' : tried,
    works:
      "Models still wake, serve and sleep; without GPU readings their VRAM is not measured and energy figures are estimates (marked so, from each model's idle-watts setting, none without one)",
    todo: 'For an NVIDIA card install its driver (nvidia-smi must run where Siesta runs); for AMD the amdgpu driver; for a remote host set a DCGM exporter on its engine in siesta.yaml',
  };
}

/** Everything missing, engine first; empty when Docker answers and a GPU is read. */
export function setupAdvice(state: {
  readonly engine: EngineView;
  readonly probe: ProbeView;
}): readonly SetupAdvice[] {
  return [engineAdvice(state.engine), gpuAdvice(state.probe)].filter(
    (a): a is SetupAdvice => a !== null,
  );
}

/** One piece of advice as lines of text (CLI, log): the heading, then what was seen, what works and what to do. */
export function setupAdviceLines(advice: SetupAdvice): readonly string[] {
  return [
    `${advice.title}: ${advice.detail}.`,
    `  What works: ${advice.works}.`,
    `  What to do: ${advice.todo}.`,
  ];
}

// Swaps between models that cannot share the card (issue 15), before (a 30 s minimum residency, the old default) and
// after (none: an idle model gives way at once, batches keep swaps rare), side by side: two clients on the scheduler
// over a virtual clock; then one switch away from an idle model on the real engine against the same stop and start
// done directly (target: at most 100 ms more).
import { dockerFromEnv } from '../main/core/docker/docker-client';
import { SETTINGS_DEFAULTS } from '../main/core/settings/settings-schema';
import { runSwapScenario, type SwapOutcome } from '../main/core/scheduler/testdata/swap-scenario';
import { dockerAvailable } from '../test/docker-harness';
import { median, quantile } from './gateway/stats';
import { measureSwitches } from './swap/real-switch';

const SECOND = 1000;
const OLD_MIN_RESIDENCY_MS = 30 * SECOND;
const TARGET_SWITCH_OVERHEAD_MS = 100;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  const value = at === -1 ? undefined : Number(args[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function row(label: string, o: SwapOutcome): string {
  const sorted = [...o.waitsMs].sort((a, b) => a - b);
  return [
    label.padEnd(28),
    String(o.served).padStart(7),
    String(o.swaps).padStart(6),
    `${(o.meanWaitMs / SECOND).toFixed(2)} s`.padStart(10),
    `${(quantile(sorted, 0.95) / SECOND).toFixed(2)} s`.padStart(10),
    `${(o.maxWaitMs / SECOND).toFixed(2)} s`.padStart(10),
  ].join(' ');
}

async function scenarios(): Promise<void> {
  const cases = [
    {
      name: 'two clients, each alternating llama/sdxl',
      clients: [
        ['llama', 'sdxl'],
        ['llama', 'sdxl'],
      ],
    },
    { name: 'one client per model (llama | sdxl)', clients: [['llama'], ['sdxl']] },
  ];
  console.log(
    'Clients on a 24 GiB card with llama (14 GiB) and sdxl (20 GiB): requests of 1 s, 0.5 s apart, 10 min;',
  );
  console.log(
    'a stop takes 1 s, the memory shows free 1.5 s later, a start takes 2 s (virtual clock).\n',
  );
  for (const c of cases) {
    const scenario = {
      clients: c.clients,
      serviceMs: 1 * SECOND,
      thinkMs: 500,
      durationMs: 10 * 60 * SECOND,
    };
    const margin = SETTINGS_DEFAULTS.vramMarginBytes;
    const before = await runSwapScenario({
      ...scenario,
      settings: { vramMarginBytes: margin, minResidencyMs: OLD_MIN_RESIDENCY_MS },
    });
    const after = await runSwapScenario({
      ...scenario,
      settings: { vramMarginBytes: margin, minResidencyMs: SETTINGS_DEFAULTS.minResidencyMs },
    });
    console.log(`## ${c.name}`);
    console.log(
      `${'policy'.padEnd(28)} ${'served'.padStart(7)} ${'swaps'.padStart(6)} ${'mean wait'.padStart(10)} ${'p95 wait'.padStart(10)} ${'max wait'.padStart(10)}`,
    );
    console.log(row('before: 30 s min residency', before));
    console.log(row(`after: ${SETTINGS_DEFAULTS.minResidencyMs} ms (batches)`, after));
    console.log(
      `mean wait after/before: ${(after.meanWaitMs / before.meanWaitMs).toFixed(2)}x; served after/before: ${(after.served / before.served).toFixed(2)}x\n`,
    );
  }
}

export async function run(args: readonly string[]): Promise<void> {
  await scenarios();
  const docker = dockerFromEnv();
  if (!(await dockerAvailable(docker))) {
    console.log('No Docker engine answers: the real-engine switch is not measured.');
    return;
  }
  const switches = option(args, '--switches', 6);
  for (const sampleIntervalMs of [option(args, '--sample-ms', 1000), 100]) {
    const pairs = await measureSwitches(docker, switches, sampleIntervalMs, () => undefined);
    const overheads = pairs.map((p) => p.siestaMs - p.directMs).sort((a, b) => a - b);
    const siesta = median(pairs.map((p) => p.siestaMs));
    const direct = median(pairs.map((p) => p.directMs));
    const over = median(overheads);
    console.log(
      `## A switch away from an idle model, real engine, GPU sampled every ${sampleIntervalMs} ms (${pairs.length} pairs)`,
    );
    console.log(
      `Siesta (request → first byte): median ${siesta.toFixed(0)} ms; direct stop + start + first 200: median ${direct.toFixed(0)} ms`,
    );
    console.log(
      `overhead: median ${over.toFixed(0)} ms, max ${(overheads.at(-1) ?? 0).toFixed(0)} ms (target ≤ ${TARGET_SWITCH_OVERHEAD_MS} ms): ${over <= TARGET_SWITCH_OVERHEAD_MS ? 'met' : 'NOT met'}\n`,
    );
  }
}

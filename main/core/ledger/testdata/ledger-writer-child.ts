// A process that writes to the ledger as fast as it can and says what it committed, for the SIGKILL durability test.
// Run: node --import tsx ledger-writer-child.ts <ledger path> <run number>. Prints `E <at>` after each committed
// event and `S <fromAt> <toAt>` after each committed batch of samples (GPUs 0 and 1, 1 s apart).
import { VirtualClock } from '../../clock/virtual-clock';
import type { GpuSample } from '../../gpu/gpu-sample';
import { Ledger } from '../ledger';

const [path, runText] = process.argv.slice(2);
if (!path || runText === undefined)
  throw new Error('usage: ledger-writer-child.ts <ledger path> <run number>');
const run = Number(runText);
// Each run writes its own hour of time, so no two runs share a sample key and none falls out of raw retention.
const baseAt = Date.UTC(2026, 0, 1) + run * 3_600_000;
const clock = new VirtualClock(baseAt);
const ledger = new Ledger({ path, clock, flushIntervalMs: 1000 });

function sample(at: number, index: number): GpuSample {
  return {
    at,
    index,
    uuid: `GPU-${index}`,
    name: 'Child GPU',
    vendor: 'nvidia',
    vramUsedBytes: 1 << 30,
    vramTotalBytes: 1 << 34,
    powerWatts: 60 + (at % 7000) / 100,
    powerKind: 'average',
    energyJoules: null,
    powerLimitWatts: 300,
    pstate: 'P0',
    utilizationPercent: 0,
    temperatureC: 40,
  };
}

let nextAt = baseAt;
let step = 0;

async function loop(): Promise<void> {
  for (;;) {
    step += 1;
    const model = `model-${step % 3}`;
    const kind = step % 2 === 0 ? 'sleep' : 'wake-requested';
    const eventAt = nextAt;
    if (kind === 'sleep')
      ledger.recordEvent({ kind, at: eventAt, model, cause: { kind: 'idle', idleMs: 1000 } });
    else
      ledger.recordEvent({
        kind,
        at: eventAt,
        model,
        cause: { kind: 'request', route: 'port', detail: `run ${run}` },
      });
    process.stdout.write(`E ${eventAt}\n`);

    const fromAt = nextAt;
    for (let i = 0; i < 10; i++) {
      ledger.recordSamples([sample(nextAt, 0), sample(nextAt, 1)]);
      nextAt += 1000;
    }
    await clock.advanceTo(nextAt);
    if (step % 4 !== 0) {
      ledger.flush();
      process.stdout.write(`S ${fromAt} ${nextAt - 1000}\n`);
    }
    // Some batches stay buffered (uncommitted, never reported): a kill may take them, as documented.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

process.stdout.write('READY\n');
void loop();

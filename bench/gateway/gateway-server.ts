// The gateway under load, in its own process as in Siesta's daemon: a real Lifecycle and Gateway with one model that is
// always awake, whose "container" (a MemoryRuntime entry) publishes the port of the benchmark's fake model server.
// Run: `node --import tsx bench/gateway/gateway-server.ts` with BENCH_UPSTREAM_PORT and BENCH_MODEL set; with
// BENCH_LEDGER_DIR, each request is also accounted (issue 16) into a real ledger there, a 1 Hz GPU reading feeding it.
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock/clock';
import type { Clock } from '../../main/core/clock/clock';
import { RequestMetering } from '../../main/core/compose/request-metering';
import { ReplayProbe } from '../../main/core/gpu/replay-probe';
import { Ledger } from '../../main/core/ledger/ledger';
import type { RequestAccounting } from '../../main/core/proxy/request-accounting';
import { MemoryRuntime } from '../../main/core/docker/testdata/memory-runtime';
import { Lifecycle } from '../../main/core/lifecycle/lifecycle';
import { Gateway } from '../../main/core/proxy/gateway';
import { gatewaySettings } from '../../main/core/proxy/gateway-settings';
import { benchModelSpec } from './bench-model-spec';

/** Request accounting as `siesta serve` runs it, into a ledger in `dir`, or undefined without one. */
async function accountingIn(
  dir: string | undefined,
  clock: Clock,
): Promise<RequestAccounting | undefined> {
  if (dir === undefined || dir === '') return undefined;
  const ledger = new Ledger({ path: join(dir, 'ledger.sqlite'), clock });
  const metering = new RequestMetering({ clock, ledger, gpuIndexesOf: () => [0] });
  const probe = new ReplayProbe({
    clock,
    intervalMs: 1_000,
    gpus: [{ index: 0, powerWatts: 180, powerKind: 'average' }],
  });
  await probe.start((samples) => {
    ledger.recordSamples(samples);
    metering.samples(samples);
  });
  return metering;
}

async function main(): Promise<void> {
  const upstreamPort = Number(process.env.BENCH_UPSTREAM_PORT);
  const model = process.env.BENCH_MODEL ?? 'bench';
  if (!Number.isInteger(upstreamPort) || upstreamPort <= 0)
    throw new Error(
      `BENCH_UPSTREAM_PORT must be the fake model server's port, got "${process.env.BENCH_UPSTREAM_PORT ?? ''}"`,
    );
  const clock = systemClock();
  const runtime = new MemoryRuntime({ clock });
  runtime.add({ name: model, running: true, hostPort: upstreamPort });
  const lifecycle = new Lifecycle({ clock, runtime, log: (line) => console.error(line) });
  lifecycle.setSpecs([benchModelSpec(model)]);
  await lifecycle.start();
  const deadline = Date.now() + 10_000;
  while (lifecycle.get(model)?.state !== 'ready') {
    if (Date.now() > deadline)
      throw new Error(
        `the model "${model}" did not become ready: ${lifecycle.get(model)?.readinessDetail ?? 'no detail'}`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
  const accounting = await accountingIn(process.env.BENCH_LEDGER_DIR, clock);
  const gateway = new Gateway({
    accounting,
    lifecycle,
    clock,
    settings: gatewaySettings({ port: 0 }),
    log: (line) => console.error(line),
  });
  await gateway.start();
  console.log(`gateway listening on ${gateway.addresses()[0]?.port ?? 0}`);
  process.once('SIGTERM', () => {
    void gateway
      .stop()
      .then(() => lifecycle.stop())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(`gateway-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

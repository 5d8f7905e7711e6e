// A stand-in for NVIDIA's dcgm-exporter on loopback: serves the exporter's real metric names for one GPU whose watts
// and framebuffer follow a reading the test supplies (e.g. whether a container runs), and logs every reading it served.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One GPU reading the stand-in served. */
export interface ServedReading {
  readonly at: number;
  readonly powerWatts: number;
  readonly fbUsedMib: number;
}

/** A running stand-in. */
export interface DcgmExporterStandIn {
  /** `http://127.0.0.1:PORT/metrics`. */
  readonly url: string;
  readonly served: ServedReading[];
  close(): Promise<void>;
}

const FB_TOTAL_MIB = 81_559;

/**
 * Starts the stand-in; `reading()` is asked on every scrape. Its energy counter is the one the reading gives (a GPU
 * stand-in that integrates its true watts), else the served watts times the time since the last scrape.
 */
export async function startDcgmExporterStandIn(
  reading: () => Promise<{
    powerWatts: number;
    fbUsedMib: number;
    energyMillijoules?: number;
    /** GPU utilisation; default 35% above 100 W (a served request), else 0. */
    utilizationPercent?: number;
  }>,
): Promise<DcgmExporterStandIn> {
  const served: ServedReading[] = [];
  let energyMillijoules = 1_000_000_000;
  let lastAt = Date.now();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void reading().then(
      ({ powerWatts, fbUsedMib, energyMillijoules: counter, utilizationPercent }) => {
        const at = Date.now();
        energyMillijoules = counter ?? energyMillijoules + powerWatts * (at - lastAt);
        lastAt = at;
        served.push({ at, powerWatts, fbUsedMib });
        const labels =
          'gpu="0",UUID="GPU-5d8a1c7e-0000-4000-8000-000000000002",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="gpu2"';
        const metric = (name: string, type: string, help: string, value: number): string =>
          `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name}{${labels}} ${value}\n`;
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(
          metric('DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).', 41) +
            metric('DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).', powerWatts) +
            metric(
              'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
              'counter',
              'Total energy consumption since boot (in mJ).',
              Math.round(energyMillijoules),
            ) +
            metric(
              'DCGM_FI_DEV_GPU_UTIL',
              'gauge',
              'GPU utilization (in %).',
              utilizationPercent ?? (powerWatts > 100 ? 35 : 0),
            ) +
            metric(
              'DCGM_FI_DEV_FB_FREE',
              'gauge',
              'Framebuffer memory free (in MiB).',
              FB_TOTAL_MIB - fbUsedMib,
            ) +
            metric('DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).', fbUsedMib),
        );
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// One GPU on the dashboard: VRAM bar, watts now and a 10-minute power sparkline.
import type { ReactElement } from 'react';
import type { GpuView } from '../../../main/core/api/contract';
import { formatBytes, formatWatts } from '../../../main/core/client/format';
import type { PowerPoint } from '../live-state';
import { MeterBar } from './meter-bar';
import { Sparkline } from './sparkline';

/** The card of one GPU. */
export function GpuCard({
  gpu,
  power,
  now,
}: {
  readonly gpu: GpuView;
  readonly power: readonly PowerPoint[];
  readonly now: number;
}): ReactElement {
  const fraction =
    gpu.vramUsedBytes !== null && gpu.vramTotalBytes
      ? gpu.vramUsedBytes / gpu.vramTotalBytes
      : null;
  const title = `GPU ${gpu.index}: ${gpu.name}`;
  return (
    <section className="card gpu-card" aria-label={title}>
      <h3>{title}</h3>
      <div className="row">
        <span className="muted">VRAM</span>
        <span>
          {formatBytes(gpu.vramUsedBytes)} / {formatBytes(gpu.vramTotalBytes)}
        </span>
      </div>
      <MeterBar
        role="meter"
        label={`VRAM used on GPU ${gpu.index}`}
        fraction={fraction}
        valueText={`${formatBytes(gpu.vramUsedBytes)} of ${formatBytes(gpu.vramTotalBytes)}`}
        tone={fraction !== null && fraction > 0.9 ? 'warn' : 'normal'}
      />
      <div className="row">
        <span className="muted">Power</span>
        <span className="big" aria-label={`Power now on GPU ${gpu.index}`}>
          {formatWatts(gpu.powerWatts)}
        </span>
      </div>
      <Sparkline
        points={power}
        endAt={Math.max(now, gpu.at)}
        label={`Power of GPU ${gpu.index} over the last 10 minutes`}
      />
      <div className="row small muted">
        {gpu.pstate ? <span>{gpu.pstate}</span> : null}
        {gpu.utilizationPercent !== null ? (
          <span>{Math.round(gpu.utilizationPercent)}% busy</span>
        ) : null}
        {gpu.temperatureC !== null ? <span>{Math.round(gpu.temperatureC)} °C</span> : null}
      </div>
    </section>
  );
}

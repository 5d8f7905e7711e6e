// The right-sizing table of the add form: each precision's VRAM (weights + KV cache + server), where it fits, the
// recommendation and what it costs in quality.
import type { ReactElement } from 'react';
import type { SizingResponse } from '../../../main/core/api/contract';
import { formatBytes } from '../../../main/core/client/format';

type Sizing = NonNullable<SizingResponse['sizing']>;

function fitText(option: Sizing['options'][number], gpuCount: number): string {
  if (gpuCount === 0) return 'no GPU seen';
  if (option.fitsNowOn.length > 0) return `fits now on GPU ${option.fitsNowOn.join(', ')}`;
  if (option.fitsOn.length > 0)
    return `fits on GPU ${option.fitsOn.join(', ')} once other models sleep`;
  return 'does not fit';
}

/** The table; the chosen precision's row is marked. */
export function SizingTable(props: {
  readonly sizing: Sizing;
  readonly gpuCount: number;
  readonly chosen: string;
}): ReactElement {
  const { sizing, gpuCount, chosen } = props;
  return (
    <section aria-label="VRAM estimate">
      <p>
        {sizing.title} ({(sizing.paramCount / 1e9).toFixed(2)}B parameters), {sizing.contextTokens}{' '}
        tokens of context:
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Precision</th>
            <th>VRAM</th>
            <th>Weights</th>
            <th>KV cache</th>
            <th>Server</th>
            <th>Where</th>
          </tr>
        </thead>
        <tbody>
          {sizing.options.map((o) => (
            <tr
              key={o.precision}
              aria-current={o.precision === chosen ? 'true' : undefined}
              aria-label={`${o.label} estimate`}
            >
              <td>
                {o.label}
                {o.precision === sizing.recommended ? ' (recommended)' : ''}
              </td>
              <td>{formatBytes(o.totalBytes)}</td>
              <td>{formatBytes(o.weightsBytes)}</td>
              <td>
                {formatBytes(o.kvCacheBytes)}
                {o.kvApproximate ? ' (rough)' : ''}
              </td>
              <td>{formatBytes(o.overheadBytes)}</td>
              <td>{fitText(o, gpuCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sizing.qualityNote ? (
        <p aria-label="Quality of the recommended precision">{sizing.qualityNote}</p>
      ) : null}
    </section>
  );
}

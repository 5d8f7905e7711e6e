// The history's energy used: what each model cost to keep (awake and waking, kWh and money; asleep it draws nothing),
// and each GPU's measured energy split into its models' parts and its own idle baseline.
import type { ReactElement } from 'react';
import type { HistoryResponse } from '../../../main/core/api/contract';
import {
  formatEnergyKwh,
  formatEnergyKwhRange,
  formatMoney,
} from '../../../main/core/client/format';

/** `1.200 kWh ± 0.025 / 0.36 EUR`; the energy alone without a price. */
export function usedText(
  joules: number,
  uncertaintyJoules: number | undefined,
  money: number | null | undefined,
  currency: string | null | undefined,
): string {
  const energy = formatEnergyKwhRange(joules, uncertaintyJoules);
  return money === null || money === undefined
    ? energy
    : `${energy} / ${formatMoney(money, currency ?? null)}`;
}

/** Readings must cover this share of the range for a GPU's baseline (measured less its models) to be shown. */
const COVERED_ENOUGH = 0.98;

interface ModelUsed {
  readonly model: string;
  readonly usedJoules: number;
  readonly awakeJoules: number;
  readonly wakingJoules: number;
  readonly money: number | null;
  readonly uncertaintyJoules: number;
}

/** Each model's used energy over the range (bucket sums; uncertainties add linearly, as the daemon adds them). */
function usedByModel(history: HistoryResponse): ModelUsed[] {
  const byModel = new Map<string, ModelUsed>();
  for (const bucket of history.buckets)
    for (const r of bucket.models) {
      const s = byModel.get(r.model);
      const money = r.usedMoney ?? null;
      byModel.set(r.model, {
        model: r.model,
        usedJoules: (s?.usedJoules ?? 0) + (r.usedJoules ?? 0),
        awakeJoules: (s?.awakeJoules ?? 0) + (r.awakeUsedJoules ?? 0),
        wakingJoules: (s?.wakingJoules ?? 0) + (r.wakingUsedJoules ?? 0),
        money: money === null ? (s?.money ?? null) : (s?.money ?? 0) + money,
        uncertaintyJoules: (s?.uncertaintyJoules ?? 0) + (r.usedUncertaintyJoules ?? 0),
      });
    }
  return [...byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
}

/** The "Energy used" section of the history page; nothing from a daemon that does not report it. */
export function EnergyUsed({ history }: { history: HistoryResponse }): ReactElement | null {
  const t = history.totals;
  if (t.usedJoules === undefined) return null;
  const models = usedByModel(history);
  const rangeHours = (history.to - history.from) / 3_600_000;
  return (
    <section aria-label="Energy used">
      <h3>Energy used</h3>
      <p>
        <strong aria-label="Total energy used">
          {usedText(t.usedJoules, t.usedUncertaintyJoules, t.usedMoney, history.currency)}
        </strong>{' '}
        <span className="muted small">
          by the models awake and waking; asleep, a stopped model draws nothing.
        </span>
      </p>
      <FiguresTable
        caption="Used by model"
        headers={['Model', 'Used', 'Awake', 'Waking']}
        rows={models.map((m) => ({
          label: `Used by ${m.model}`,
          head: m.model,
          cells: [
            usedText(m.usedJoules, m.uncertaintyJoules, m.money, history.currency),
            formatEnergyKwh(m.awakeJoules),
            formatEnergyKwh(m.wakingJoules),
          ],
        }))}
      />
      <FiguresTable
        caption="Each GPU: measured = its models + its own baseline"
        headers={['GPU', 'Measured', 'Models', 'Baseline', 'Readings cover']}
        rows={(history.gpus ?? []).map((g) => ({
          label: `GPU ${g.gpuIndex} energy`,
          head: `GPU ${g.gpuIndex}`,
          cells: [
            usedText(g.measuredJoules, undefined, g.measuredMoney, history.currency),
            formatEnergyKwh(g.modelsUsedJoules),
            // Measured less the models means something only where readings cover the range.
            g.coveredHours >= COVERED_ENOUGH * rangeHours ? formatEnergyKwh(g.baselineJoules) : '–',
            `${g.coveredHours.toFixed(1)} of ${rangeHours.toFixed(0)} h`,
          ],
        }))}
      />
    </section>
  );
}

/** A table of rows named by `label` (their accessible name), a row header and text cells; nothing without rows. */
function FiguresTable({
  caption,
  headers,
  rows,
}: {
  caption: string;
  headers: readonly string[];
  rows: readonly { label: string; head: string; cells: readonly string[] }[];
}): ReactElement | null {
  if (rows.length === 0) return null;
  return (
    <table className="table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} aria-label={r.label}>
            <th scope="row">{r.head}</th>
            {r.cells.map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Right-sizing as the CLI prints it: one row per precision (total = weights + KV cache + server), where it fits, and the
// chosen precision with its one sentence on quality.
import { precisionInfo } from '../core/templates/precision';
import type { SizingReport, SizingOption } from '../core/sizing/vram-estimate';
import type { AddModelPlan } from '../core/manage/add-plan';
import { formatBytes } from '../core/client/format';
import { formatTable } from './cli-format';

function fitText(option: SizingOption, gpuCount: number): string {
  if (gpuCount === 0) return 'no GPU seen';
  if (option.fitsNowOn.length > 0) return `fits now on GPU ${option.fitsNowOn.join(', ')}`;
  if (option.fitsOn.length > 0)
    return `fits on GPU ${option.fitsOn.join(', ')} once other models sleep`;
  return 'does not fit';
}

/** The sizing table and the choice, as lines. */
export function sizingLines(report: SizingReport, plan: AddModelPlan, gpuCount: number): string[] {
  const rows = report.options.map((o) => [
    precisionInfo(o.estimate.precision).label,
    formatBytes(o.estimate.totalBytes),
    formatBytes(o.estimate.weightsBytes),
    `${formatBytes(o.estimate.kvCacheBytes)}${o.estimate.kvApproximate ? ' (rough)' : ''}`,
    formatBytes(o.estimate.overheadBytes),
    fitText(o, gpuCount),
  ]);
  const context = plan.template.takesContext ? `, ${report.contextTokens} tokens of context` : '';
  return [
    `${report.facts.title} (${(report.facts.paramCount / 1e9).toFixed(2)}B parameters, from the ${report.facts.source})${context}, on ${plan.template.title}:`,
    ...formatTable(['precision', 'VRAM', 'weights', 'KV cache', 'server', 'where'], rows)
      .split('\n')
      .map((line) => `  ${line}`),
    `Chosen: ${precisionInfo(plan.precision).label}. ${precisionInfo(plan.precision).qualityNote}`,
  ];
}

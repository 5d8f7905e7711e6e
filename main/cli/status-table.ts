// `siesta status` as text: the GPUs and the models in two tables, then the auto-sleep state and today's savings.
import type { ModelView, StateResponse } from '../core/api/contract';
import {
  engineAdvice,
  engineGroups,
  gpuAdvice,
  noGpuText,
  setupAdviceLines,
} from '../core/api/contract';
import { assertNever } from '../core/shared/assert-never';
import {
  STATE_WORDS,
  formatAgo,
  expectedWakeMs,
  nextLevelText,
  formatBytes,
  formatDuration,
  formatEnergyKwh,
  formatWatts,
} from '../core/client/format';
import { formatTable } from './cli-format';

/** The status of a running Siesta as the CLI prints it. */
export function statusText(state: StateResponse): string {
  const parts: string[] = [];
  const engineAway = engineAdvice(state.engine);
  if (engineAway !== null) parts.push(setupAdviceLines(engineAway).join('\n'));
  const groups = engineGroups(state);
  for (const group of groups) if (group.awayText !== null) parts.push(`${group.awayText}.`);
  // With several engines, each model's engine is a column and the rows follow siesta.yaml's order of engines.
  const byEngine = groups.some((g) => g.engine !== null);
  const rows = groups.flatMap((g) =>
    g.models.map((m) => ({
      m,
      engine:
        g.engine === null ? '' : g.engine.reachable ? g.engine.name : `${g.engine.name} (away)`,
    })),
  );
  const noGpu = gpuAdvice(state.probe);
  if (state.gpus.length === 0) {
    parts.push(noGpu === null ? `${noGpuText(state.probe)}.` : setupAdviceLines(noGpu).join('\n'));
  } else {
    parts.push(
      formatTable(
        ['GPU', 'NAME', 'VRAM USED', 'POWER'],
        state.gpus.map((g) => [
          String(g.index),
          g.name,
          `${formatBytes(g.vramUsedBytes)} / ${formatBytes(g.vramTotalBytes)}`,
          formatWatts(g.powerWatts),
        ]),
      ),
    );
    if (state.probe.lastError) parts.push(`GPU probe: ${state.probe.lastError}`);
  }
  parts.push(
    state.models.length === 0
      ? engineAway !== null
        ? 'Models: none yet (they are found when the Docker Engine answers)'
        : 'Models: none registered (label a container siesta.enable=true or list it in siesta.yaml)'
      : formatTable(
          [
            ...(byEngine ? ['ENGINE'] : []),
            'MODEL',
            'STATE',
            'VRAM',
            'IN FLIGHT',
            'LAST USED',
            'SLEEPS IN',
            '',
          ],
          rows.flatMap(({ m, engine }) => [
            [
              ...(byEngine ? [engine] : []),
              m.name,
              stateText(m, state.at),
              formatBytes(m.vramBytes),
              String(m.inFlight),
              formatAgo(m.lastUsedAt, state.at),
              sleepsIn(m, state),
              m.pinned ? 'pinned' : '',
            ],
            // An Ollama server's models, indented under it: loaded ones with their VRAM from its /api/ps.
            ...(m.serves ?? []).map((s) => [
              ...(byEngine ? [''] : []),
              `  ${s.name}`,
              s.loaded ? 'loaded' : '-',
              s.loaded ? formatBytes(s.vramBytes) : '-',
              '',
              s.lastUsedAt === null ? '' : formatAgo(s.lastUsedAt, state.at),
              '',
              '',
            ]),
          ]),
        ),
  );
  const footer = [
    `Saved today: ${formatEnergyKwh(state.savedTodayJoules)}`,
    ...(state.usedTodayJoules === undefined
      ? []
      : [`Used today: ${formatEnergyKwh(state.usedTodayJoules)}`]),
    `Gateway: ${state.gatewayUrl}`,
  ];
  if (state.autoSleepPaused) footer.unshift('Auto-sleep is paused');
  parts.push(footer.join('. '));
  const failed = state.models.filter((m) => m.state === 'failed' && m.failure);
  for (const m of failed) parts.push(`${m.name} failed: ${m.failure?.reason ?? ''}`);
  return `${parts.join('\n\n')}\n`;
}

/** `ready`, `ready (busy)`, `waking 3.1 s`, `asleep`, `dozed (wakes ~1.2 s)`... */
export function stateText(model: ModelView, nowAt: number): string {
  switch (model.state) {
    case 'ready':
      return model.inFlight > 0 ? 'ready (busy)' : 'ready';
    case 'waking':
      return model.wakeStartedAt === null
        ? 'waking'
        : `waking ${formatDuration(nowAt - model.wakeStartedAt)}`;
    case 'dozed': {
      // The level it is at, and what waking it from there usually takes.
      const wakeMs = expectedWakeMs(model);
      return wakeMs === null ? 'dozed' : `dozed (wakes ~${formatDuration(wakeMs)})`;
    }
    case 'asleep':
    case 'stopping':
    case 'failed':
    case 'dozing':
      return STATE_WORDS[model.state];
    default:
      return assertNever(model.state);
  }
}

function sleepsIn(model: ModelView, state: StateResponse): string {
  if (model.state === 'dozed' && model.sleepAt !== null && !state.autoSleepPaused)
    return `stops in ${formatDuration(model.sleepAt - state.at)}`;
  if (model.state !== 'ready') return '-';
  if (model.pinned) return 'never';
  if (state.autoSleepPaused) return 'paused';
  if (model.inFlight > 0) return 'when idle';
  if (model.doze?.dozeAt != null) return nextLevelText(model, state.at) ?? 'never';
  if (model.sleepAt === null) return 'never';
  return formatDuration(model.sleepAt - state.at);
}

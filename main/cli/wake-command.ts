// `siesta wake NAME`: asks the daemon to wake a model and shows progress until it is ready, then how long it took.
import type { ModelView } from '../core/api/contract';
import { ModelActionResponseSchema } from '../core/api/contract';
import { systemClock } from '../core/clock/clock';
import { CliError } from './cli-error';
import { formatDuration } from '../core/client/format';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';
import { followModel } from './follow-model';
import { OutputLine } from './output-line';
import { openFollow } from './open-follow';

/** What a wake ended with. */
export interface WakeOutcome {
  readonly model: string;
  /** Wake request to ready, ms (0 when it was ready already). */
  readonly tookMs: number;
  readonly alreadyReady: boolean;
}

/** Wakes `name` and waits until it is ready; throws a `CliError` with the reason (and log lines) when the wake fails. */
export async function runWake(name: string, options: CliCommandOptions): Promise<WakeOutcome> {
  const clock = options.clock ?? systemClock();
  const client = cliClient(options);
  const out = new OutputLine(options.out);
  const { stream, model: before } = await openFollow(client, name);
  try {
    if (before.state === 'ready') {
      out.line(`${name} is already ready`);
      return { model: name, tookMs: 0, alreadyReady: true };
    }
    const startedAt = clock.now();
    let seenWaking = false;
    const answer = await client.json(
      'POST',
      `/api/models/${encodeURIComponent(name)}/wake`,
      ModelActionResponseSchema,
    );
    const ready = await followModel<ModelView>({
      client,
      stream,
      clock,
      name,
      initial: answer.model,
      ticking: out.tty,
      step: (m) => {
        if (m.state === 'ready') return { result: m };
        if (m.state === 'failed') throw new CliError(failureText(m));
        if (m.state === 'waking') seenWaking = true;
        if (m.state === 'asleep' && seenWaking)
          throw new CliError(`${name} went back to sleep before it was ready`);
        return null;
      },
      onEvent: (event) => {
        if (event.type === 'wake-failed' && event.model === name) {
          throw new CliError(
            failureText({
              ...before,
              failure: {
                reason: event.reason,
                cause: event.failureCause,
                logLines: event.logLines,
                at: event.at,
              },
            }),
          );
        }
      },
      draw: (m) => {
        const elapsedMs = clock.now() - (m.wakeStartedAt ?? startedAt);
        const estimate =
          m.wakeEstimateMs === null ? '' : ` (usually ${formatDuration(m.wakeEstimateMs)})`;
        out.progress(
          `waking ${name} ${progressBar(elapsedMs, m.wakeEstimateMs)} ${formatDuration(elapsedMs)}${estimate}${
            m.wakeDetail ? ` · ${m.wakeDetail}` : ''
          }`,
          `waking ${name}${estimate}...`,
        );
      },
    });
    const tookMs =
      ready.readyAt !== null && ready.wakeStartedAt !== null
        ? ready.readyAt - ready.wakeStartedAt
        : clock.now() - startedAt;
    out.line(`${name} is ready after ${formatDuration(tookMs)}`);
    return { model: name, tookMs, alreadyReady: false };
  } finally {
    stream.close();
  }
}

/** `[#######.......]` by elapsed over the estimate (never full before ready). */
export function progressBar(elapsedMs: number, estimateMs: number | null, width = 20): string {
  if (estimateMs === null || estimateMs <= 0) return '';
  const filled = Math.min(width - 1, Math.floor((elapsedMs / estimateMs) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function failureText(model: ModelView): string {
  const reason = model.failure?.reason ?? 'no reason given';
  const logs = model.failure?.logLines.slice(-10) ?? [];
  return [
    `${model.name} failed to wake: ${reason}`,
    ...(logs.length > 0 ? ['last log lines:', ...logs.map((l) => `  ${l}`)] : []),
  ].join('\n');
}

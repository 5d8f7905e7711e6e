// `siesta sleep NAME`: puts a model to sleep now and waits until it is asleep (open requests finish first).
import type { ModelView } from '../core/api/contract';
import { ModelActionResponseSchema } from '../core/api/contract';
import { systemClock } from '../core/clock/clock';
import { CliError } from './cli-error';
import { formatDuration } from '../core/client/format';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';
import { followModel } from './follow-model';
import { openFollow } from './open-follow';
import { OutputLine } from './output-line';

/** What a sleep ended with. */
export interface SleepOutcome {
  readonly model: string;
  readonly tookMs: number;
  readonly alreadyAsleep: boolean;
}

/** Puts `name` to sleep and waits until it is asleep. */
export async function runSleep(name: string, options: CliCommandOptions): Promise<SleepOutcome> {
  const clock = options.clock ?? systemClock();
  const client = cliClient(options);
  const out = new OutputLine(options.out);
  const { stream, model: before } = await openFollow(client, name);
  try {
    if (before.state === 'asleep') {
      out.line(`${name} is already asleep`);
      return { model: name, tookMs: 0, alreadyAsleep: true };
    }
    const startedAt = clock.now();
    const answer = await client.json(
      'POST',
      `/api/models/${encodeURIComponent(name)}/sleep`,
      ModelActionResponseSchema,
    );
    await followModel<ModelView>({
      client,
      stream,
      clock,
      name,
      initial: answer.model,
      ticking: out.tty,
      step: (m) => {
        if (m.state === 'asleep') return { result: m };
        if (m.state === 'failed')
          throw new CliError(
            `${name} failed while stopping: ${m.failure?.reason ?? 'no reason given'}`,
          );
        return null;
      },
      draw: (m) => {
        const waitingFor =
          m.inFlight > 0
            ? `, waiting for ${m.inFlight} open request${m.inFlight === 1 ? '' : 's'}`
            : '';
        out.progress(
          `putting ${name} to sleep${waitingFor} ${formatDuration(clock.now() - startedAt)}`,
          `putting ${name} to sleep${waitingFor}...`,
        );
      },
    });
    const tookMs = clock.now() - startedAt;
    out.line(`${name} is asleep (took ${formatDuration(tookMs)})`);
    return { model: name, tookMs, alreadyAsleep: false };
  } finally {
    stream.close();
  }
}

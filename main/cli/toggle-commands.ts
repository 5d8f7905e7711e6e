// `siesta pin NAME`, `siesta unpin NAME`, `siesta pause` and `siesta resume`: the dashboard's and the tray's switches,
// for a headless box (keep a model loaded through a demo; hold every model awake during maintenance).
import { AutoSleepResponseSchema, ModelActionResponseSchema } from '../core/api/contract';
import type { CliCommandOptions } from './cli-options';
import { ControlClient } from './control-client';
import { formatDuration } from './cli-format';
import { OutputLine } from './output-line';

/** Pins or unpins `name` and says what that means for it now. */
export async function runPin(
  name: string,
  pinned: boolean,
  options: CliCommandOptions,
): Promise<void> {
  const client = new ControlClient(options);
  const out = new OutputLine(options.out);
  const answer = await client.json(
    'POST',
    `/api/models/${encodeURIComponent(name)}/${pinned ? 'pin' : 'unpin'}`,
    ModelActionResponseSchema,
  );
  const model = answer.model;
  if (pinned) {
    out.line(
      `${name} is pinned: it is not put to sleep when idle or to make room for another model until you unpin it`,
    );
    return;
  }
  const idle = formatDuration(model.idle.idleMs);
  out.line(
    `${name} is unpinned: it goes to sleep after ${idle} without requests${model.state === 'ready' ? '' : ' once awake'}`,
  );
}

/** Pauses or resumes auto-sleep for every model. */
export async function runAutoSleep(paused: boolean, options: CliCommandOptions): Promise<void> {
  const client = new ControlClient(options);
  const out = new OutputLine(options.out);
  const answer = await client.json(
    'POST',
    `/api/auto-sleep/${paused ? 'pause' : 'resume'}`,
    AutoSleepResponseSchema,
  );
  out.line(
    answer.autoSleepPaused
      ? 'auto-sleep is paused: no model is put to sleep when idle until you run `siesta resume`'
      : 'auto-sleep is on again: idle models go to sleep after their idle time',
  );
}

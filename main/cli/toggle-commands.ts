// `siesta pin NAME`, `siesta unpin NAME`, `siesta pause`, `siesta resume` and `siesta unload SERVER MODEL`: the
// dashboard's and the tray's switches, for a headless box (keep a model loaded through a demo; hold every model awake
// during maintenance; free one model of an Ollama server).
import type { ModelView } from '../core/api/contract';
import { AutoSleepResponseSchema, ModelActionResponseSchema } from '../core/api/contract';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';
import { formatDuration } from '../core/client/format';
import { OutputLine } from './output-line';

/** Pins or unpins `name` and says what that means for it now. */
export async function runPin(
  name: string,
  pinned: boolean,
  options: CliCommandOptions,
): Promise<void> {
  const out = new OutputLine(options.out);
  const model = await modelAction(options, name, pinned ? 'pin' : 'unpin');
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
  const client = cliClient(options);
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

/** Unloads one model inside an awake Ollama server and says what the server holds now. */
export async function runUnload(
  server: string,
  model: string,
  options: CliCommandOptions,
): Promise<void> {
  const out = new OutputLine(options.out);
  const view = await modelAction(options, server, 'unload', { model });
  const loaded = (view.serves ?? []).filter((m) => m.loaded).map((m) => m.name);
  const holds = loaded.length === 0 ? 'no model loaded' : `${loaded.join(', ')} loaded`;
  out.line(`${model} is unloaded from ${server}, which stays awake with ${holds}`);
}

/** `POST /api/models/NAME/ACTION`: the model as it is after the action. */
async function modelAction(
  options: CliCommandOptions,
  name: string,
  action: string,
  body?: unknown,
): Promise<ModelView> {
  const client = cliClient(options);
  const answer = await client.json(
    'POST',
    `/api/models/${encodeURIComponent(name)}/${action}`,
    ModelActionResponseSchema,
    body,
  );
  return answer.model;
}

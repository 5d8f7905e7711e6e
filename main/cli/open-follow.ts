// Opens the event stream and finds a model in its first snapshot, so no change between looking and acting is missed.
import type { ModelView } from '../core/api/contract';
import { CliError } from './cli-error';
import type { ControlClient, EventStream } from '../core/client/control-client';

/** The open stream and the model as the snapshot shows it; a `CliError` listing the models when there is no such model. */
export async function openFollow(
  client: ControlClient,
  name: string,
): Promise<{ stream: EventStream; model: ModelView }> {
  const stream = await client.events();
  const first = await stream.next();
  if (first === null || first.type !== 'snapshot') {
    stream.close();
    throw new CliError(
      `the daemon at ${client.baseUrl} did not start its event stream with a snapshot (a different Siesta version?)`,
    );
  }
  const model = first.state.models.find((m) => m.name === name);
  if (!model) {
    stream.close();
    const names = first.state.models.map((m) => m.name);
    throw new CliError(
      `no model named "${name}"; ${names.length > 0 ? `models: ${names.join(', ')}` : 'no models are registered'}`,
    );
  }
  return { stream, model };
}

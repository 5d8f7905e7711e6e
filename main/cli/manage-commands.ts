// `siesta edit NAME`, `siesta remove NAME` and `siesta adopt CONTAINER`: ask the running daemon, which writes its
// siesta.yaml (comments kept) or re-creates the container, and applies the change at once; prints what was done.
import { parseArgs } from 'node:util';
import {
  AdoptBodySchema,
  EditSettingsBodySchema,
  ManageResponseSchema,
  type ManageResponse,
} from '../core/api/manage-contract';
import { CliError } from './cli-error';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';
import type { ClientFlags } from './add-args';

const CLIENT = {
  control: { type: 'string' },
  'data-dir': { type: 'string' },
  token: { type: 'string' },
} as const;

/** The usage lines of these commands. */
export const MANAGE_USAGE = `  edit NAME             change a model's settings, saved in the managed siesta.yaml and applied at once
    --idle 10m  --policy fixed|break-even|adaptive  --pin / --no-pin  --vram 20GiB|none  --group NAME|none
    --doze vllm|sglang|http|none  (http: --doze-sleep /PATH --doze-wake /PATH [--doze-status /PATH])
  adopt CONTAINER --recreate | --yaml   manage an existing container: re-create it with Siesta's labels,
                        or write a siesta.yaml entry naming it   [--name NAME --port PORT --health PATH --idle 10m]
  remove NAME [--remove-container --yes]   stop managing a model; optionally remove its container too`;

function one(command: string, positionals: readonly string[], what: string): string {
  const [first, ...extra] = positionals;
  if (first === undefined || extra.length > 0)
    throw new CliError(`siesta ${command}: expected one ${what}`, 2);
  return first;
}

/** Runs `siesta edit|adopt|remove`; `clientOptions` turns the --control/--data-dir/--token flags into options. */
export async function runManageCommand(
  command: 'edit' | 'adopt' | 'remove',
  args: readonly string[],
  clientOptions: (flags: ClientFlags) => CliCommandOptions,
): Promise<ManageResponse> {
  const say = (options: CliCommandOptions, answer: ManageResponse): ManageResponse => {
    options.out.write(`${answer.done}\n`);
    return answer;
  };
  if (command === 'edit') {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...CLIENT,
        idle: { type: 'string' },
        policy: { type: 'string' },
        pin: { type: 'boolean' },
        'no-pin': { type: 'boolean' },
        vram: { type: 'string' },
        group: { type: 'string' },
        doze: { type: 'string' },
        'doze-sleep': { type: 'string' },
        'doze-wake': { type: 'string' },
        'doze-status': { type: 'string' },
      },
      allowPositionals: true,
    });
    const name = one('edit', positionals, 'model name');
    const none = (text: string | undefined): string | null | undefined =>
      text === undefined ? undefined : text === 'none' ? null : text;
    const body = Object.fromEntries(
      Object.entries({
        idle: values.idle,
        policy: values.policy,
        pin: values.pin === true ? true : values['no-pin'] === true ? false : undefined,
        vram: none(values.vram),
        group: none(values.group),
        doze: none(values.doze),
        dozeSleep: none(values['doze-sleep']),
        dozeWake: none(values['doze-wake']),
        dozeStatus: none(values['doze-status']),
      }).filter(([, v]) => v !== undefined),
    );
    if (Object.keys(body).length === 0)
      throw new CliError(
        'siesta edit: nothing to change; give --idle, --policy, --pin/--no-pin, --vram, --group or --doze (with --doze-sleep, --doze-wake, --doze-status for http)',
        2,
      );
    const checked = EditSettingsBodySchema.safeParse(body);
    if (!checked.success)
      throw new CliError(
        `siesta edit: --policy: expected fixed, break-even or adaptive, got "${values.policy ?? ''}"`,
        2,
      );
    const options = clientOptions(values);
    return say(
      options,
      await cliClient(options).json(
        'PUT',
        `/api/models/${encodeURIComponent(name)}/settings`,
        ManageResponseSchema,
        checked.data,
      ),
    );
  }
  if (command === 'adopt') {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...CLIENT,
        recreate: { type: 'boolean' },
        yaml: { type: 'boolean' },
        name: { type: 'string' },
        port: { type: 'string' },
        health: { type: 'string' },
        idle: { type: 'string' },
      },
      allowPositionals: true,
    });
    const container = one('adopt', positionals, 'container name');
    if (values.recreate === values.yaml)
      throw new CliError(
        "siesta adopt: choose --recreate (re-create the container with Siesta's labels) or --yaml (write a siesta.yaml entry naming it)",
        2,
      );
    if (values.port !== undefined && !/^\d+$/.test(values.port))
      throw new CliError(`siesta adopt: --port: expected a port number, got "${values.port}"`, 2);
    const body = AdoptBodySchema.parse({
      container,
      mode: values.recreate === true ? 'recreate' : 'yaml',
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.port === undefined ? {} : { port: Number(values.port) }),
      ...(values.health === undefined ? {} : { health: values.health }),
      ...(values.idle === undefined ? {} : { idle: values.idle }),
    });
    const options = clientOptions(values);
    return say(
      options,
      await cliClient(options).json('POST', '/api/adopt', ManageResponseSchema, body),
    );
  }
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...CLIENT, 'remove-container': { type: 'boolean' }, yes: { type: 'boolean' } },
    allowPositionals: true,
  });
  const name = one('remove', positionals, 'model name');
  // Removing a container is asked twice: the flag, and --yes to confirm it.
  if (values['remove-container'] === true && values.yes !== true)
    throw new CliError(
      `siesta remove: --remove-container deletes the container of "${name}"; add --yes to confirm`,
      2,
    );
  const options = clientOptions(values);
  return say(
    options,
    await cliClient(options).json(
      'POST',
      `/api/models/${encodeURIComponent(name)}/remove`,
      ManageResponseSchema,
      { removeContainer: values['remove-container'] === true },
    ),
  );
}

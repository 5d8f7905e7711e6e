// Reads `siesta add`'s and `siesta templates`' command lines into a request, with errors naming the flag.
import { parseArgs } from 'node:util';
import type { PullPolicy } from '../core/manage/add-model';
import type { AddModelRequest } from '../core/manage/add-plan';
import { precisionInfo } from '../core/templates/precision';
import { MODEL_TEMPLATES } from '../core/templates/model-templates';
import { CliError } from './cli-error';
import type { AddCommandInput } from './add-command';

/** `siesta add`'s usage lines. */
export const ADD_USAGE = `  add NAME --template T --model ID   create a model's container from a template (see \`siesta templates\`)
    --idle 10m  --context TOKENS  --precision P  --gpu INDEX|all|none  --params 8B
    --image IMAGE  --port HOSTPORT  --label KEY=VALUE  --pull missing|always|never
    --dry-run   show the sizing and the plan, create nothing
    --wake      wait for the running Siesta to pick it up and wake it
  templates             the model-server templates, their precisions and example model ids`;

/** What `siesta add` gives the daemon client: the usual --control, --data-dir, --token. */
export interface ClientFlags {
  readonly control?: string;
  readonly 'data-dir'?: string;
  readonly token?: string;
}

const PULL_POLICIES: readonly PullPolicy[] = ['missing', 'always', 'never'];

function positiveInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()))
    throw new CliError(`siesta add: ${flag}: expected a whole number, got "${text}"`, 2);
  return Number(text);
}

/** Parses `siesta add NAME …`. */
export function parseAddArgs(args: readonly string[]): {
  input: AddCommandInput;
  client: ClientFlags;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      template: { type: 'string' },
      model: { type: 'string' },
      idle: { type: 'string' },
      context: { type: 'string' },
      precision: { type: 'string' },
      gpu: { type: 'string' },
      params: { type: 'string' },
      image: { type: 'string' },
      port: { type: 'string' },
      label: { type: 'string', multiple: true },
      pull: { type: 'string' },
      'dry-run': { type: 'boolean' },
      wake: { type: 'boolean' },
      control: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new CliError(
      'siesta add: expected one model name, e.g. siesta add qwen --template vllm --model Qwen/Qwen2.5-7B-Instruct',
      2,
    );
  if (values.template === undefined)
    throw new CliError(
      `siesta add: --template is required; one of ${MODEL_TEMPLATES.map((t) => t.id).join(', ')}`,
      2,
    );
  const pull = (values.pull ?? 'missing') as PullPolicy;
  if (!PULL_POLICIES.includes(pull))
    throw new CliError(
      `siesta add: --pull: expected missing, always or never, got "${values.pull}"`,
      2,
    );
  const gpuText = values.gpu?.trim();
  let gpu: AddModelRequest['gpu'];
  if (gpuText === 'all' || gpuText === 'none') gpu = gpuText;
  else if (gpuText !== undefined) gpu = positiveInteger('--gpu', gpuText);
  const labels: Record<string, string> = {};
  for (const label of values.label ?? []) {
    const match = /^([^=\s]+)=(.*)$/.exec(label);
    if (!match?.[1]) throw new CliError(`siesta add: --label ${label}: expected KEY=VALUE`, 2);
    labels[match[1]] = match[2] ?? '';
  }
  const contextTokens = positiveInteger('--context', values.context);
  const hostPort = positiveInteger('--port', values.port);
  const request: AddModelRequest = {
    template: values.template,
    name,
    ...(values.model === undefined ? {} : { modelId: values.model }),
    ...(values.idle === undefined ? {} : { idle: values.idle }),
    ...(contextTokens === undefined ? {} : { contextTokens }),
    ...(values.precision === undefined ? {} : { precision: values.precision }),
    ...(gpu === undefined ? {} : { gpu }),
    ...(values.params === undefined ? {} : { params: values.params }),
    ...(values.image === undefined ? {} : { image: values.image }),
    ...(hostPort === undefined ? {} : { hostPort }),
    ...(Object.keys(labels).length === 0 ? {} : { labels }),
  };
  return {
    input: { request, pull, dryRun: values['dry-run'] === true, wake: values.wake === true },
    client: { control: values.control, 'data-dir': values['data-dir'], token: values.token },
  };
}

/** `siesta templates`: each template, its image, precisions and an example model id. */
export function templatesText(): string {
  return MODEL_TEMPLATES.map(
    (t) =>
      `${t.id.padEnd(10)} ${t.title}\n${' '.repeat(11)}image ${t.image}, precisions ${t.precisions.map((p) => precisionInfo(p).label).join(', ')}` +
      (t.needsModelId ? `, e.g. --model ${t.modelIdExample}` : ''),
  ).join('\n');
}

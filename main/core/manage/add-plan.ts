// Turns a request to add a model (template, model id, name, idle time, context, precision, GPU) into a checked plan:
// the image, command, labels and the VRAM estimate, or an AddModelError naming the field. Pure: no engine calls.
import { parseDuration } from '../config/duration';
import { readName } from '../config/field-readers';
import { formatBytes } from '../config/size';
import { ENABLE_LABEL } from '../docker/container-runtime';
import { PARAM_COUNT_EXPECTED, parseParamCount } from '../sizing/model-catalog';
import { PRECISION_IDS, precisionInfo, type Precision } from '../templates/precision';
import {
  estimateVram,
  modelFacts,
  rightSize,
  type GpuCapacity,
  type SizingReport,
  type VramEstimate,
} from '../sizing/vram-estimate';
import type { LaunchSpec, ModelTemplate } from '../templates/model-template';
import { findTemplate, MODEL_TEMPLATES } from '../templates/model-templates';
import { AddModelError } from './add-model-error';

/** What a user asks for. Only `template` and `name` are required (and `modelId` for templates that need one). */
export interface AddModelRequest {
  readonly template: string;
  readonly name: string;
  readonly modelId?: string;
  /** Idle time before sleep (`10m`, `0` never sleeps); the settings' default when absent. */
  readonly idle?: string;
  readonly contextTokens?: number;
  /** Default: the largest precision that fits. */
  readonly precision?: string;
  /** A GPU index, `all`, or `none` (CPU only). Default: the GPU the recommendation fits on, or none without GPUs. */
  readonly gpu?: number | 'all' | 'none';
  /** Another image for the template (a mirror, a pinned digest, a local build). */
  readonly image?: string;
  /** The loopback host port to publish; default: one the Engine picks. */
  readonly hostPort?: number;
  /** The parameter count (`8B`), for a model Siesta does not know and whose id does not say. */
  readonly params?: string;
  /** More labels (`team=vision`, for a Siesta started with `--only-label`); `siesta.*` ones are refused. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Which GPUs the container gets. */
export type GpuChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'index'; readonly index: number };

/** A checked request, ready to create. */
export interface AddModelPlan {
  readonly name: string;
  readonly template: ModelTemplate;
  readonly image: string;
  readonly modelId: string;
  readonly contextTokens: number;
  readonly precision: Precision;
  readonly gpu: GpuChoice;
  readonly hostPort: number | null;
  /** Sizing of every precision, or null when the model's size is unknown. */
  readonly sizing: SizingReport | null;
  /** The chosen precision's estimate, or null. */
  readonly estimate: VramEstimate | null;
  readonly launch: LaunchSpec;
  readonly labels: Readonly<Record<string, string>>;
  /** The named volume that keeps the template's downloads across re-creates (shared by its models). */
  readonly cacheVolume: string;
}

/** Labels that record how a container was made (not `siesta.*`: those are the spec). */
export const TEMPLATE_LABELS = {
  template: 'siesta-template.id',
  modelId: 'siesta-template.model-id',
  precision: 'siesta-template.precision',
  vramEstimate: 'siesta-template.vram-estimate',
} as const;

/** LLM servers' context length when the request does not say. */
export const DEFAULT_CONTEXT_TOKENS = 8192;

function templateOf(id: string): ModelTemplate {
  const template = findTemplate(id);
  if (template) return template;
  throw new AddModelError(
    'unknown-template',
    'template',
    `no template "${id}"; the templates are ${MODEL_TEMPLATES.map((t) => t.id).join(', ')}`,
  );
}

function gpuChoice(
  request: AddModelRequest,
  sizing: SizingReport | null,
  gpus: readonly GpuCapacity[],
): GpuChoice {
  const gpu = request.gpu;
  if (gpu === 'none' || gpu === 'all') return { kind: gpu };
  if (typeof gpu === 'number') {
    if (gpus.length > 0 && !gpus.some((g) => g.index === gpu))
      throw new AddModelError(
        'invalid',
        'gpu',
        `no GPU ${gpu}; this machine has ${gpus.map((g) => `${g.index} (${g.name})`).join(', ')}`,
      );
    return { kind: 'index', index: gpu };
  }
  if (gpus.length === 0) return { kind: 'none' };
  const option = sizing?.options.find((o) => o.estimate.precision === sizing.recommended);
  const index = option?.fitsNowOn[0] ?? option?.fitsOn[0] ?? gpus[0]?.index ?? 0;
  return { kind: 'index', index };
}

/** The GPUs a choice gives the container, as capacities (empty for none). */
function chosenGpus(choice: GpuChoice, gpus: readonly GpuCapacity[]): readonly GpuCapacity[] {
  if (choice.kind === 'none') return [];
  if (choice.kind === 'all') return gpus;
  return gpus.filter((g) => g.index === choice.index);
}

/** Checks a request against the templates and the GPUs; throws `AddModelError` naming the field at fault. */
export function planAddModel(request: AddModelRequest, gpus: readonly GpuCapacity[]): AddModelPlan {
  const template = templateOf(request.template);
  const name = readName(request.name);
  if (!name.ok)
    throw new AddModelError('invalid', 'name', `expected ${name.expected}, got "${request.name}"`);
  const modelId = (request.modelId ?? '').trim();
  if (template.needsModelId && modelId === '')
    throw new AddModelError(
      'invalid',
      'modelId',
      `the ${template.title} template needs a model id, e.g. ${template.modelIdExample}`,
    );
  if (request.idle !== undefined && parseDuration(request.idle) === null)
    throw new AddModelError(
      'invalid',
      'idle',
      `expected a duration like 10m, 90s or 0 (never sleep), got "${request.idle}"`,
    );
  const contextTokens = request.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  if (!Number.isInteger(contextTokens) || contextTokens < 256 || contextTokens > 10_000_000)
    throw new AddModelError(
      'invalid',
      'contextTokens',
      `expected a whole number of tokens from 256, got ${contextTokens}`,
    );
  if (
    request.hostPort !== undefined &&
    !(Number.isInteger(request.hostPort) && request.hostPort >= 1 && request.hostPort <= 65_535)
  )
    throw new AddModelError(
      'invalid',
      'hostPort',
      `expected a TCP port from 1 to 65535, got ${request.hostPort}`,
    );
  let paramCount: number | null = null;
  if (request.params !== undefined) {
    paramCount = parseParamCount(request.params);
    if (paramCount === null)
      throw new AddModelError(
        'invalid',
        'params',
        `expected ${PARAM_COUNT_EXPECTED}, got "${request.params}"`,
      );
  }
  if (
    request.precision !== undefined &&
    !template.precisions.includes(request.precision as Precision)
  ) {
    const known = PRECISION_IDS.includes(request.precision as Precision);
    throw new AddModelError(
      'invalid',
      'precision',
      `${known ? `the ${template.title} template cannot load "${request.precision}"` : `no precision "${request.precision}"`}; it offers ${template.precisions.join(', ')}`,
    );
  }

  const facts = modelFacts(modelId, paramCount);
  const sizing = facts === null ? null : rightSize(facts, template, contextTokens, gpus);
  const precision =
    (request.precision as Precision | undefined) ??
    sizing?.recommended ??
    template.precisions[0] ??
    'fp16';
  const estimate = facts === null ? null : estimateVram(facts, template, precision, contextTokens);
  const gpu = gpuChoice(request, sizing, gpus);
  const given = chosenGpus(gpu, gpus);
  if (
    estimate !== null &&
    given.length > 0 &&
    !given.some((g) => estimate.totalBytes <= g.totalBytes)
  ) {
    const smaller = sizing?.options.find((o) =>
      o.fitsOn.some((i) => given.some((g) => g.index === i)),
    );
    throw new AddModelError(
      'cannot-fit',
      request.precision !== undefined ? 'precision' : 'modelId',
      `${facts?.title ?? modelId} at ${precisionInfo(precision).label} with ${contextTokens} tokens of context needs about ${formatBytes(estimate.totalBytes)}, ` +
        `more than ${given.map((g) => `GPU ${g.index} (${g.name}, ${formatBytes(g.totalBytes)})`).join(' or ')} holds; ` +
        (smaller
          ? `${precisionInfo(smaller.estimate.precision).label} (${formatBytes(smaller.estimate.totalBytes)}) fits`
          : 'choose a smaller model or a shorter context'),
    );
  }
  const single = gpu.kind === 'index' ? given[0] : undefined;
  const gpuMemoryFraction =
    estimate !== null && single !== undefined
      ? Math.min(0.95, Math.ceil((estimate.totalBytes / single.totalBytes) * 100) / 100)
      : null;
  const launch = template.launch({
    modelId,
    name: name.value,
    contextTokens,
    precision,
    gpuMemoryFraction,
  });
  for (const key of Object.keys(request.labels ?? {})) {
    if (
      key.startsWith('siesta.') ||
      key.startsWith('siesta-template.') ||
      !/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(key)
    )
      throw new AddModelError(
        'invalid',
        'labels',
        `"${key}" cannot be added: Siesta sets its own siesta.* labels, and a key is letters, digits, ".", "_", "/" or "-"`,
      );
  }
  const labels: Record<string, string> = {
    ...(request.labels ?? {}),
    [ENABLE_LABEL]: 'true',
    'siesta.name': name.value,
    'siesta.port': String(template.containerPort),
    'siesta.health': launch.healthcheck ? 'docker' : template.healthPath,
    'siesta.models': (launch.servedModels ?? [name.value]).join(','),
    ...(request.idle === undefined ? {} : { 'siesta.idle': request.idle.trim() }),
    [TEMPLATE_LABELS.template]: template.id,
    [TEMPLATE_LABELS.modelId]: modelId,
    [TEMPLATE_LABELS.precision]: precision,
    ...(estimate === null ? {} : { [TEMPLATE_LABELS.vramEstimate]: String(estimate.totalBytes) }),
  };
  return {
    name: name.value,
    template,
    image: request.image?.trim() || template.image,
    modelId,
    contextTokens,
    precision,
    gpu,
    hostPort: request.hostPort ?? null,
    sizing,
    estimate,
    launch,
    labels,
    cacheVolume: `siesta-cache-${template.id}`,
  };
}

// What a model-server template is: the image, its port, health path and model cache, the precisions it can load, its
// own memory overhead, and how to turn a model id, name and context length into the container's command and env.
import type { Precision } from './precision';

/** The kinds of model a template serves (for the dashboard's picker). */
export type TemplateKind = 'chat' | 'embeddings' | 'speech-to-text' | 'image';

/** What a user chose, as a template needs it to launch the server. */
export interface LaunchInput {
  /** The model to serve: a Hugging Face repo, a GGUF repo or an Ollama tag (empty for ComfyUI). */
  readonly modelId: string;
  /** The model's name in Siesta, also the name clients send as `model`. */
  readonly name: string;
  /** Context length in tokens, for templates that take one. */
  readonly contextTokens: number;
  readonly precision: Precision;
  /**
   * The share of the GPU's memory the server may take (0..1], for servers that otherwise take 90% of the card
   * (vLLM, SGLang); null when the card's size is unknown.
   */
  readonly gpuMemoryFraction: number | null;
}

/** The container's command (appended to the image's entrypoint) and environment. */
export interface LaunchSpec {
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Replaces the image's entrypoint; absent keeps it. */
  readonly entrypoint?: readonly string[];
  /**
   * A Docker healthcheck command (`CMD` form) for servers whose HTTP health answers before the model is there;
   * Siesta then waits for Docker's `healthy` instead of `healthPath`.
   */
  readonly healthcheck?: readonly string[];
  /** The names clients send as `model` (siesta.models); default: the model's name. */
  readonly servedModels?: readonly string[];
}

/** A model-server template: plain data plus one pure function. */
export interface ModelTemplate {
  readonly id: string;
  readonly title: string;
  readonly kind: TemplateKind;
  /** The image, pinned to a tag the template's flags were written for. */
  readonly image: string;
  /** The port the server listens on inside the container. */
  readonly containerPort: number;
  /** The HTTP path that answers 200 once the model is loaded. */
  readonly healthPath: string;
  /** Where the server keeps downloaded weights; a named volume is mounted here so a re-created container keeps them. */
  readonly cacheMountPath: string;
  /** The precisions it can load, best quality first; the first is the default. */
  readonly precisions: readonly Precision[];
  /** Whether the template needs a model id (ComfyUI loads models from its own folder). */
  readonly needsModelId: boolean;
  /** An example model id, for help texts and the dashboard's placeholder. */
  readonly modelIdExample: string;
  /** Whether a context length applies (LLM servers); others ignore it. */
  readonly takesContext: boolean;
  /** The server's own memory besides weights and KV cache: CUDA context, activations, graphs. */
  readonly overheadBytes: number;
  /** Shared memory the server needs (/dev/shm), in bytes; null for Docker's default. */
  readonly shmBytes: number | null;
  /** The command and env for a choice. */
  launch(input: LaunchInput): LaunchSpec;
}

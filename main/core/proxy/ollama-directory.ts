// What the gateway needs of the Ollama catalog (main/core/ollama/ollama-catalog.ts): the servers' models, what the awake
// ones have loaded, and word of each use.
import type { OllamaLoadedModel, OllamaTag, ServerModel } from '../ollama/ollama-types';

/** The Ollama servers' models as the gateway reads them. */
export interface OllamaDirectory {
  /** Every model of every registered server, asleep ones too. */
  models(): ServerModel[];
  modelsOf(server: string): readonly OllamaTag[];
  /** The server that has the model a client named (`llama3.2` finds `llama3.2:latest`). */
  serverFor(asked: string): ServerModel | undefined;
  /** What an awake server has loaded now. */
  loaded(server: string): readonly OllamaLoadedModel[];
  /** Reads an awake server's models and loaded models again. */
  refresh(server: string): Promise<void>;
  /** The version the servers report, or null before one was seen. */
  version(): string | null;
  /** A request for `model` ended. */
  noteUse(server: string, model: string): void;
}

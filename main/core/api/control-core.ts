// What the control API server needs from the rest of Siesta; the composition root (siesta.ts) implements it.
import type { SettingsStore } from '../settings/settings-store';
import type { ApiEvent, HistoryQuery, HistoryResponse, StateResponse, Via } from './contract';
import type { CostsResponse } from './costs-contract';

/**
 * The core as the control API sees it. Errors: `wake` rejects with a `WakeError`
 * (lifecycle-api.ts) whose `code` the server maps to an HTTP status; any other rejection
 * is a 500 with its message (never a stack).
 */
export interface ControlCore {
  /** Everything the dashboard shows, now. */
  state(): StateResponse;
  /** Wakes a model (no use held: its idle timer starts once ready). Resolves when it is ready. */
  wake(name: string, via: Via): Promise<void>;
  /** Puts a model to sleep now. Resolves when it is asleep. */
  sleep(name: string, via: Via): Promise<void>;
  /** Pins (never put to sleep or evicted) or unpins a model. */
  pin(name: string, pinned: boolean): void;
  /** Unloads one model inside an awake Ollama server (`keep_alive: 0`); the server stays up. Resolves once it is unloaded. */
  unload(server: string, model: string): Promise<void>;
  /** Pauses or resumes every idle timer. */
  setAutoSleepPaused(paused: boolean): void;
  /** Saved energy, money, CO2, wakes and hours per bucket and model (see `historyResponseFromLedger`). */
  history(query: HistoryQuery): HistoryResponse;
  /** The daily figures per model as CSV with a header row (the ledger's `dailyCsv`). */
  historyCsv(query: HistoryQuery): string;
  /** This month's requests and what they cost, beside the cloud and APIs (issue 16); absent where nothing counts them. */
  costs?(): CostsResponse;
  readonly settings: SettingsStore;
  /**
   * Every live event. The core must send: `model` on every change of a ModelView (state,
   * in-flight, pin, timers), `samples` on every GPU tick, `auto-sleep` when paused or resumed,
   * the lifecycle's events through `apiEventOfLifecycle`, and `error` for background failures.
   * The server adds `snapshot` (per connection) and `settings` (from the store) itself.
   * Returns an unsubscribe function.
   */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

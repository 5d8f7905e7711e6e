// Tells the ledger which models the lifecycle found at start (the lifecycle adopts running containers without events):
// once now, and again once the adoptions settled, so a server found dozed or awake is counted as it really is.
import type { Ledger } from '../ledger/ledger';
import type { LifecycleApi } from '../lifecycle/lifecycle-api';

/** Observes the models now and once no model is waking any more; returns a function that stops waiting. */
export function observeModelsOnceSettled(
  lifecycle: Pick<LifecycleApi, 'list' | 'onChange'>,
  ledger: Pick<Ledger, 'observeModels'>,
): () => void {
  const observe = (): void =>
    ledger.observeModels(
      lifecycle
        .list()
        .map((s) => ({ name: s.spec.name, state: s.state, gpuIndexes: s.gpuIndexes })),
    );
  const waking = (): boolean => lifecycle.list().some((s) => s.state === 'waking');
  observe();
  if (!waking()) return () => undefined;
  const off = lifecycle.onChange(() => {
    if (waking()) return;
    off();
    observe();
  });
  return off;
}

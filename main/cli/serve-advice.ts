// `siesta serve`'s first words when something is missing: what works without a Docker Engine or a GPU, and what to do.
import { setupAdvice, setupAdviceLines } from '../core/api/contract';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';

/**
 * Asks the daemon just started for its state (as `siesta status` would) and writes the advice for what it lacks,
 * if anything, after the startup block. A failure to ask is not fatal: the daemon runs and `siesta status` says it.
 */
export async function writeServeAdvice(options: CliCommandOptions): Promise<void> {
  let state;
  try {
    state = await cliClient(options).state();
  } catch {
    return;
  }
  const advice = setupAdvice(state);
  if (advice.length === 0) return;
  options.out.write(`${advice.flatMap((a) => setupAdviceLines(a)).join('\n')}\n`);
}

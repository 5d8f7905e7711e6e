// `siesta status`: the GPUs and the models of the running Siesta as tables.
import type { StateResponse } from '../core/api/contract';
import { StateResponseSchema } from '../core/api/contract';
import type { CliCommandOptions } from './cli-options';
import { cliClient } from './control-client';
import { statusText } from './status-table';

/** Prints the status; returns the state it printed. */
export async function runStatus(options: CliCommandOptions): Promise<StateResponse> {
  const state = await cliClient(options).json('GET', '/api/state', StateResponseSchema);
  options.out.write(statusText(state));
  return state;
}

// The CLI's door to the control API: the shared client (core/client/control-client.ts) with the address and token
// from the command line or the data dir, saying it is the CLI, and the CLI's words for a call that failed.
import type { ControlCallError } from '../core/client/control-client';
import { ControlClient } from '../core/client/control-client';
import { CliError } from './cli-error';
import type { CliCommandOptions } from './cli-options';
import { controlUrlOf, tokenOf } from './cli-options';

/** A client of the daemon the options point at; its failed calls throw `CliError`s. */
export function cliClient(options: CliCommandOptions): ControlClient {
  return new ControlClient(
    { controlUrl: controlUrlOf(options), token: tokenOf(options) },
    { via: 'cli', errorOf: cliErrorOf },
  );
}

/** What the CLI says when a call failed: how to start the daemon, which token to use, or what the API said. */
export function cliErrorOf(error: ControlCallError): CliError {
  const url = error.controlUrl;
  switch (error.kind) {
    case 'unreachable':
      return new CliError(
        `no Siesta daemon answers at ${url} — start it with \`siesta serve\` (${networkCause(error.cause)})`,
      );
    case 'refused':
      return error.status === 401
        ? new CliError(
            `the daemon at ${url} refused this token; is it using another data dir? Pass --data-dir or --token. (${error.detail})`,
          )
        : new CliError(error.detail);
    case 'bad-answer':
      return new CliError(
        `the daemon at ${url} answered ${error.call} with something this CLI does not understand (a different Siesta version?)`,
      );
  }
}

function networkCause(error: unknown): string {
  const cause =
    error instanceof Error
      ? (error.cause as { code?: string; message?: string } | undefined)
      : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

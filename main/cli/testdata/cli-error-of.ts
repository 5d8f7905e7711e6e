// For CLI tests: the CliError a command rejects with (anything else fails the test).
import { CliError } from '../cli-error';

/** Awaits `run` and returns the CliError it rejected with. */
export async function cliErrorOf(run: Promise<unknown>): Promise<CliError> {
  try {
    await run;
  } catch (error: unknown) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

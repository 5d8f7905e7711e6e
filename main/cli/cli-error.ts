// The error a CLI command throws for the user: a message to print (no stack) and the exit code.

/** A failure the user can act on; `main/cli.ts` prints `message` to stderr and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

// Exhaustiveness check for switches over unions: the compiler proves the default branch unreachable.

/** Throws if reached; a `never` argument makes a missed union member a type error. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

// Parses HOST:PORT arguments such as `127.0.0.1:11400`, `[::1]:11400` or `:11400`.

/** A listening address. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Parses `HOST:PORT`; throws an error naming the flag and what was expected. */
export function parseAddress(flag: string, value: string, defaultHost = '127.0.0.1'): Address {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${flag}: expected HOST:PORT such as 127.0.0.1:11400, got "${value}"`);
  }
  const host = match[1] ?? (match[2] || defaultHost);
  return { host, port };
}

// `siesta service install|uninstall`: the headless daemon as a systemd user service. The unit runs this very `siesta`
// (the Node binary and the CLI script that are running now) with `serve` and the flags given, restarts it on failure,
// and starts it at login; `install` writes and enables it, `uninstall` disables and removes it.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './cli-error';

/** The unit's file name. */
export const SERVICE_NAME = 'siesta.service';

/** Runs a command, resolving with its exit code and output (systemctl, here). */
export type RunCommand = (
  command: string,
  args: readonly string[],
) => { status: number | null; output: string };

/** Where and with what the service is installed. */
export interface ServiceOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** The Node binary and the CLI script the unit runs. */
  readonly nodePath: string;
  readonly cliPath: string;
  /** Flags for `siesta serve` (--config, --data-dir, --gateway, --control, --only-label). */
  readonly serveArgs: readonly string[];
  readonly run: RunCommand;
}

/** systemd's user unit folder: $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user. */
export function userUnitPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME?.trim() || homedir(), '.config');
  return join(base, 'systemd', 'user', SERVICE_NAME);
}

/** Quotes one argument for an ExecStart line (systemd's rules: double quotes, backslash escapes). */
function quoted(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** The unit file's text. DOCKER_HOST is carried over when set, so the service talks to the same engine. */
export function serviceUnitText(
  options: Pick<ServiceOptions, 'env' | 'nodePath' | 'cliPath' | 'serveArgs'>,
): string {
  const exec = [options.nodePath, options.cliPath, 'serve', ...options.serveArgs]
    .map(quoted)
    .join(' ');
  const dockerHost = options.env.DOCKER_HOST?.trim();
  return [
    '# Written by `siesta service install`; `siesta service uninstall` removes it.',
    '[Unit]',
    'Description=Siesta: puts local GPU model servers to sleep when idle and wakes them on request',
    'After=network.target docker.service',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    ...(dockerHost ? [`Environment=${quoted(`DOCKER_HOST=${dockerHost}`)}`] : []),
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

function systemctl(options: ServiceOptions, args: readonly string[]): void {
  const result = options.run('systemctl', ['--user', ...args]);
  if (result.status !== 0)
    throw new CliError(
      `systemctl --user ${args.join(' ')} failed (${result.status === null ? 'not found' : `exit ${result.status}`}): ${result.output.trim()}`,
    );
}

/** Writes the unit, reloads systemd and enables and starts the service. Returns what it did. */
export function installService(options: ServiceOptions): string {
  if (options.platform !== 'linux')
    throw new CliError(
      `siesta service install writes a systemd user unit, which exists only on Linux (this is ${options.platform})`,
    );
  const path = userUnitPath(options.env);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serviceUnitText(options), { mode: 0o644 });
  try {
    systemctl(options, ['daemon-reload']);
    systemctl(options, ['enable', '--now', SERVICE_NAME]);
  } catch (error: unknown) {
    throw new CliError(
      `${path} was written, but ${error instanceof Error ? error.message : String(error)}; with no user systemd (a container, WSL without systemd) run \`siesta serve\` instead`,
    );
  }
  return `installed ${path} and started it (systemctl --user status siesta; to keep it running after logout: loginctl enable-linger)`;
}

/** Stops and disables the service and removes the unit. Returns what it did. */
export function uninstallService(options: ServiceOptions): string {
  const path = userUnitPath(options.env);
  if (!existsSync(path)) return `nothing to remove: ${path} does not exist`;
  // A service that is not loaded cannot be disabled; the file goes either way.
  options.run('systemctl', ['--user', 'disable', '--now', SERVICE_NAME]);
  rmSync(path);
  options.run('systemctl', ['--user', 'daemon-reload']);
  return `stopped the service and removed ${path}`;
}

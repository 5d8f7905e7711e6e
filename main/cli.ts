#!/usr/bin/env node
// The `siesta` command: `serve` runs the headless daemon; `status`, `wake`, `sleep` and `ledger export` talk to a running one.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ADD_USAGE, parseAddArgs, templatesText } from './cli/add-args';
import { runAdd } from './cli/add-command';
import { CliError } from './cli/cli-error';
import { installService, uninstallService } from './cli/service-unit';
import { MANAGE_USAGE, runManageCommand } from './cli/manage-commands';
import { runCosts } from './cli/costs-command';
import { runLedgerExport } from './cli/ledger-export-command';
import { parseAddress, type Address } from './cli/parse-address';
import { writeServeAdvice } from './cli/serve-advice';
import { runSleep } from './cli/sleep-command';
import { runAutoSleep, runPin, runUnload } from './cli/toggle-commands';
import { runStatus } from './cli/status-command';
import { runWake } from './cli/wake-command';
import { formatSpecProblem } from './core/config/load-specs';
import { ensureManagedYaml } from './core/manage/managed-yaml-file';
import { readSiestaYaml } from './core/config/siesta-yaml';
import { defaultDataDir } from './core/settings/data-dir';
import { startSiesta } from './core/siesta';

const USAGE = `Usage: siesta <command> [options]

Commands:
  serve                 run the daemon: the gateway, the control API and the dashboard
    --config FILE         siesta.yaml (default: siesta.yaml in the data folder, made when missing;
                        container labels alone are enough)
    --data-dir DIR        token, settings and the energy ledger (default: per-user data folder)
    --gateway HOST:PORT   the proxy clients talk to (default 127.0.0.1:11400)
    --control HOST:PORT   the control API and dashboard (default 127.0.0.1:11401)
    --only-label KEY=VALUE  manage only labelled containers that also carry this label
                        (repeatable; for several Siestas on one engine)
  status                GPUs and models of a running Siesta
  wake NAME             wake a model and wait until it is ready
  sleep NAME            put a model to sleep
  pin NAME / unpin NAME keep a model awake (never put to sleep or evicted) / let it sleep again
  pause / resume        pause auto-sleep for every model / turn it back on
  unload SERVER MODEL   unload one model inside an awake Ollama server (the server stays up)
  costs                 this month's requests, tokens, kWh and money per model, beside a cloud GPU and APIs
  ledger export --csv FILE [--from DATE] [--to DATE] [--model NAME]
                        daily energy savings per model as CSV (FILE '-' for stdout)
  check FILE            read a siesta.yaml and report its problems; starts nothing
${ADD_USAGE}
${MANAGE_USAGE}
  service install [serve flags] / service uninstall
                        run siesta serve as a systemd user service (written, enabled, started) / remove it

Options of status, wake, sleep, pin, unpin, pause, resume, unload, costs, add, edit, adopt, remove and ledger export:
  --control URL|HOST:PORT   where the daemon's control API listens (default http://127.0.0.1:11401)
  --data-dir DIR            where to read its token (default: per-user data folder)
  --token TOKEN             the token itself

The Docker Engine is found as the docker CLI finds it: DOCKER_HOST (unix://, tcp://, npipe://), else the
current docker context (DOCKER_CONTEXT or ~/.docker/config.json), else the platform default.`;

function fail(message: string, exitCode = 2): never {
  throw new CliError(message, exitCode);
}

function controlUrlArg(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^https?:\/\//.test(value)) return value;
  const address = parseAddress('--control', value);
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

function rendererDir(): string | null {
  // main/cli.ts run by tsx -> dist/renderer; dist/main/cli.js -> dist/renderer. In that order: from main/, ../renderer
  // is the dashboard's source, whose index.html loads ./src/main.tsx, which no browser can run.
  for (const dir of [
    join(__dirname, '..', 'dist', 'renderer'),
    join(__dirname, '..', 'renderer'),
  ]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

function addressOf(
  flag: string,
  value: string | undefined,
  fromYaml: string | undefined,
  fallback: Address,
): Address {
  if (value !== undefined) return parseAddress(flag, value);
  if (fromYaml !== undefined)
    return parseAddress(`siesta.yaml ${flag.replace(/^--/, '')}`, fromYaml);
  return fallback;
}

async function serve(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      gateway: { type: 'string' },
      control: { type: 'string' },
      'only-label': { type: 'string', multiple: true },
    },
    allowPositionals: false,
  });
  const containerScope = values['only-label'] ?? [];
  for (const label of containerScope) {
    if (!/^[^=\s]+=/.test(label))
      fail(`--only-label ${label}: expected KEY=VALUE, e.g. --only-label team=vision`);
  }
  const configPath = values.config ?? null;
  if (configPath !== null && !existsSync(configPath)) fail(`--config: no such file: ${configPath}`);
  const daemon = configPath !== null ? (await readSiestaYaml(configPath)).daemon : null;
  const dataDir = values['data-dir'] ?? daemon?.dataDir ?? defaultDataDir();
  // Without --config, the siesta.yaml in the data folder (the desktop app's too) is loaded, watched and edited.
  const managedConfig = configPath ?? ensureManagedYaml(dataDir);
  const gateway = addressOf('--gateway', values.gateway, daemon?.gateway ?? undefined, {
    host: '127.0.0.1',
    port: 11400,
  });
  const control = addressOf('--control', values.control, daemon?.control ?? undefined, {
    host: '127.0.0.1',
    port: 11401,
  });
  const dashboard = rendererDir();

  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const running = await startSiesta({
    dataDir,
    configPath: managedConfig,
    gateway,
    control,
    containerScope,
    rendererDir: dashboard,
    log,
  });
  process.stdout.write(
    [
      `Siesta is running.`,
      `  gateway:   ${running.gatewayUrl}  (point your clients here)`,
      `  dashboard: ${running.loginUrl}`,
      `             (this link carries the control token; it is also in ${join(dataDir, 'token')})`,
      dashboard === null
        ? '  (the dashboard is not built: run `npm run build`; the API works without it)'
        : null,
      `  docker:    ${running.engine}`,
      `  data:      ${dataDir}`,
      `  models:    ${managedConfig}  (and container labels)`,
      'Press Ctrl+C to stop; containers are left as they are.',
      '',
    ]
      .filter((line) => line !== null)
      .join('\n'),
  );
  await writeServeAdvice({
    controlUrl: running.controlUrl,
    token: running.token,
    out: process.stdout,
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log(`${signal} again: leaving now`);
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: stopping (containers are left as they are)`);
      running.stop().then(resolve, (error: unknown) => {
        log(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // SIGHUP re-reads siesta.yaml (it is also re-read when the file changes); Windows has no SIGHUP.
    if (process.platform !== 'win32') process.on('SIGHUP', () => void running.reloadConfig());
  });
}

function clientOptions(values: { control?: string; 'data-dir'?: string; token?: string }) {
  return {
    controlUrl: controlUrlArg(values.control),
    dataDir: values['data-dir'],
    token: values.token ?? process.env.SIESTA_TOKEN,
    out: process.stdout,
  };
}

const CLIENT_OPTIONS = {
  control: { type: 'string' },
  'data-dir': { type: 'string' },
  token: { type: 'string' },
} as const;

async function client(command: string, args: readonly string[]): Promise<void> {
  if (command === 'ledger') {
    const [sub, ...rest] = args;
    if (sub !== 'export')
      fail(`siesta ledger: expected "export", got ${sub === undefined ? 'nothing' : `"${sub}"`}`);
    const { values } = parseArgs({
      args: rest,
      options: {
        ...CLIENT_OPTIONS,
        csv: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        model: { type: 'string' },
      },
    });
    if (values.csv === undefined)
      fail('siesta ledger export: --csv FILE is required (use - for stdout)');
    const { rows } = await runLedgerExport({
      ...clientOptions(values),
      csvPath: values.csv,
      from: values.from,
      to: values.to,
      model: values.model,
    });
    if (values.csv !== '-')
      process.stderr.write(`wrote ${rows} row${rows === 1 ? '' : 's'} to ${values.csv}\n`);
    return;
  }
  const { values, positionals } = parseArgs({
    args: [...args],
    options: CLIENT_OPTIONS,
    allowPositionals: true,
  });
  const options = clientOptions(values);
  if (command === 'status' || command === 'pause' || command === 'resume' || command === 'costs') {
    if (positionals.length > 0)
      fail(`siesta ${command} takes no arguments, got "${positionals.join(' ')}"`);
    if (command === 'status') await runStatus(options);
    else if (command === 'costs') await runCosts(options);
    else await runAutoSleep(command === 'pause', options);
    return;
  }
  if (command === 'unload') {
    const [server, model, ...more] = positionals;
    if (server === undefined || model === undefined || more.length > 0)
      fail(
        'siesta unload: expected an Ollama server and one of its models, e.g. `siesta unload ollama llama3.2:1b`',
      );
    await runUnload(server, model, options);
    return;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) fail(`siesta ${command}: expected one model name`);
  if (command === 'wake') await runWake(name, options);
  else if (command === 'pin' || command === 'unpin') await runPin(name, command === 'pin', options);
  else await runSleep(name, options);
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      case 'serve':
        await serve(args);
        return 0;
      case 'check': {
        // Reads siesta.yaml and reports its problems without starting anything.
        const [file] = args;
        if (file === undefined) fail('siesta check: expected a siesta.yaml path');
        const parsed = await readSiestaYaml(file);
        for (const problem of parsed.problems)
          process.stderr.write(`${formatSpecProblem(problem)}\n`);
        process.stdout.write(
          `${parsed.entries.length} model${parsed.entries.length === 1 ? '' : 's'} read from ${file}\n`,
        );
        return parsed.problems.length > 0 ? 1 : 0;
      }
      case 'templates':
        process.stdout.write(`${templatesText()}\n`);
        return 0;
      case 'add': {
        const { input, client } = parseAddArgs(args);
        await runAdd(input, clientOptions(client));
        return 0;
      }
      case 'service': {
        const [action, ...serveArgs] = args;
        const options = {
          env: process.env,
          platform: process.platform,
          nodePath: process.execPath,
          cliPath: realpathSync(process.argv[1] ?? __filename),
          serveArgs,
          run: (command: string, commandArgs: readonly string[]) => {
            const result = spawnSync(command, [...commandArgs], { encoding: 'utf8' });
            return {
              status: result.status,
              output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
            };
          },
        };
        if (action === 'install') process.stdout.write(`${installService(options)}\n`);
        else if (action === 'uninstall') process.stdout.write(`${uninstallService(options)}\n`);
        else
          fail(
            `siesta service: expected "install" or "uninstall", got ${action === undefined ? 'nothing' : `"${action}"`}`,
          );
        return 0;
      }
      case 'edit':
      case 'adopt':
      case 'remove':
        await runManageCommand(command, args, clientOptions);
        return 0;
      case 'status':
      case 'wake':
      case 'sleep':
      case 'pin':
      case 'unpin':
      case 'pause':
      case 'resume':
      case 'unload':
      case 'ledger':
      case 'costs':
        await client(command, args);
        return 0;
      default:
        fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error: unknown) {
    if (error instanceof CliError) {
      process.stderr.write(`siesta: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs and startSiesta errors already say what was wrong and where; no stack for the user.
    process.stderr.write(`siesta: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    if (process.argv[2] !== 'serve' || code !== 0) return;
    // A stopped daemon exits even if a library left a handle open.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}

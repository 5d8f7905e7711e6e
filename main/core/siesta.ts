// The composition root: builds settings, ledger, engine, GPU probe, policies, scheduler, lifecycle, gateway and control API,
// wires them together, and stops them in order. `siesta serve` and the Electron shell both start Siesta here.
import { mkdirSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type Dockerode from 'dockerode';
import { loadOrCreateToken } from './api/api-token';
import { ControlApiServer, DEFAULT_CONTROL_HOST, DEFAULT_CONTROL_PORT } from './api/api-server';
import type { EngineView } from './api/contract';
import { SiestaControlCore } from './api/siesta-control-core';
import type { Clock } from './clock/clock';
import { systemClock } from './clock/clock';
import type { ModelSpec } from './config/model-spec';
import { readSiestaYaml, unusableYaml, type ParsedSiestaYaml } from './config/siesta-yaml';
import { modelSetChange } from './config/model-set-change';
import { formatSpecProblem, yamlContainerNames } from './config/load-specs';
import { SpecSync } from './lifecycle/spec-sync';
import { dockerFor, resolveDockerEndpoint } from './docker/docker-client';
import { DockerRuntime } from './docker/docker-runtime';
import type { GpuProbe, GpuSample } from './gpu/gpu-sample';
import { createGpuProbe } from './gpu/select-probe';
import { VramTracker } from './gpu/vram-tracker';
import { Ledger } from './ledger/ledger';
import { ledgerPathIn } from './ledger/ledger-database';
import { Lifecycle } from './lifecycle/lifecycle';
import { ledgerModelStore } from './ollama/ledger-model-store';
import { OllamaCatalog } from './ollama/ollama-catalog';
import { ollamaInnerModels } from './ollama/ollama-inner-models';
import { KeepAlivePolicies } from './policy/keep-alive-policies';
import { ledgerEnergyStats } from './policy/ledger-energy-stats';
import { Gateway } from './proxy/gateway';
import { gatewaySettings } from './proxy/gateway-settings';
import { VramScheduler } from './scheduler/vram-scheduler';
import { eventLogLine } from './lifecycle/event-log-line';
import type { Settings } from './settings/settings-schema';
import { SettingsStore } from './settings/settings-store';
import { SIESTA_SETTINGS_DEFAULTS } from './compose/settings-defaults';
import { TOKEN_COOKIE } from './api/request-guards';

/** A host and port to listen on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** How to start Siesta. Everything but `dataDir` has a default. */
export interface SiestaOptions {
  /** Token, settings and ledger live here (created when missing). */
  readonly dataDir: string;
  /** siesta.yaml, or null/absent to run on container labels alone. */
  readonly configPath?: string | null;
  /** Default 127.0.0.1:11400. */
  readonly gateway?: ListenAddress;
  /** Default 127.0.0.1:11401. */
  readonly control?: ListenAddress;
  /** The built dashboard served at `/` (dist/renderer), or null for the API alone. */
  readonly rendererDir?: string | null;
  /** better-sqlite3's Electron-ABI build (the desktop app), or null for Node's. */
  readonly nativeBinding?: string | null;
  /** Default: from DOCKER_HOST, else the platform's default socket. */
  readonly docker?: Dockerode;
  /** Manage only containers that also carry these labels (`key=value`). Default: every labelled container. */
  readonly containerScope?: readonly string[];
  /** Default: the best probe this machine has (NVML, nvidia-smi, AMD sysfs, or none). */
  readonly gpuProbe?: GpuProbe;
  readonly clock?: Clock;
  /** How often siesta.yaml is checked for changes (ms); 0 turns the watch off. Default 2000. */
  readonly configPollMs?: number;
  /** One line per thing worth telling the operator. Default: stderr. */
  readonly log?: (line: string) => void;
}

/** A running Siesta. */
export interface RunningSiesta {
  /** The control API and dashboard, e.g. `http://127.0.0.1:11401`. */
  readonly controlUrl: string;
  /** The gateway's main port, e.g. `http://127.0.0.1:11400`. */
  readonly gatewayUrl: string;
  readonly token: string;
  /** Opens the dashboard with the token (print it once; it carries the secret). */
  readonly loginUrl: string;
  /** The Docker Engine it talks to and why that one: `unix:///var/run/docker.sock, the platform default`. */
  readonly engine: string;
  /** Problems with siesta.yaml or labels found at start and at each reload (also logged). */
  readonly problems: readonly string[];
  readonly lifecycle: Lifecycle;
  readonly gateway: Gateway;
  readonly ledger: Ledger;
  readonly settings: SettingsStore;
  /**
   * Reads siesta.yaml again and applies its models (`siesta serve` does this on SIGHUP and when the file
   * changes). A file that cannot be read or is not YAML leaves the running configuration as it was.
   * Resolves with what it did, in one line.
   */
  reloadConfig(): Promise<string>;
  /** Stops everything; containers are left as they are. */
  stop(): Promise<void>;
}

/** Thrown when Siesta cannot start, with a message that says what to fix. */
export class SiestaStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiestaStartError';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}


function gatewaySettingsOf(settings: Settings, address: ListenAddress) {
  return gatewaySettings({
    host: address.host,
    port: address.port,
    allowedHosts: settings.gateway.allowedHosts,
    corsOrigins: settings.gateway.corsOrigins,
    noWakeUserAgents: settings.gateway.noWakeUserAgents,
    maxRoutingBodyBytes: settings.gateway.maxRoutingBodyBytes,
    maxBufferedRoutingBytes: settings.gateway.maxBufferedRoutingBytes,
    headersTimeoutMs: settings.gateway.headersTimeoutMs,
    requestBodyTimeoutMs: settings.gateway.requestBodyTimeoutMs,
    keepAliveTimeoutMs: settings.gateway.keepAliveTimeoutMs,
    maxConnections: settings.gateway.maxConnections,
    maxConnectionsPerClient: settings.gateway.maxConnectionsPerClient,
    releaseIdleWebSockets: settings.gateway.releaseIdleWebSockets,
    privateCookieNames: [TOKEN_COOKIE],
  });
}

/**
 * Starts Siesta. Rejects with a `SiestaStartError` when the data dir, the Docker Engine or a
 * port cannot be had; anything already started is stopped again first.
 */
export async function startSiesta(options: SiestaOptions): Promise<RunningSiesta> {
  const clock = options.clock ?? systemClock();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cleanup: Array<() => Promise<void> | void> = [];
  const stopAll = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await step();
      } catch (error: unknown) {
        log(`while stopping: ${messageOf(error)}`);
      }
    }
  };

  try {
    try {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    } catch (error: unknown) {
      throw new SiestaStartError(`cannot create the data dir ${options.dataDir}: ${messageOf(error)}`);
    }
    const settings = SettingsStore.open(options.dataDir, SIESTA_SETTINGS_DEFAULTS);
    const token = loadOrCreateToken(options.dataDir);

    const problems: string[] = [];
    const report = (line: string): void => {
      problems.push(line);
      log(line);
    };
    let yaml: ParsedSiestaYaml | null = options.configPath ? await readSiestaYaml(options.configPath) : null;

    let lifecycleRef: Lifecycle | null = null;
    let ollamaRef: OllamaCatalog | null = null;
    let controlCore: SiestaControlCore | null = null;
    const statusOf = (model: string) => lifecycleRef?.get(model);

    const ledger = new Ledger({
      path: ledgerPathIn(options.dataDir),
      clock,
      nativeBinding: options.nativeBinding ?? null,
      onError: (error) => {
        log(`ledger: ${error.message}`);
        controlCore?.publishError('ledger', error.message);
      },
      gpuIndexesOf: (model) => statusOf(model)?.gpuIndexes ?? null,
      idleWattsOf: (model) => statusOf(model)?.spec.idleWatts ?? null,
      inFlightOf: (model) => statusOf(model)?.inFlight ?? 0,
    });
    cleanup.push(() => ledger.close());
    const pricing = (s: Settings) => ({ pricePerKwh: s.pricePerKwh, currency: s.currency, gridCo2GramsPerKwh: s.gridGramsCo2PerKwh });
    ledger.setPricing(pricing(settings.get()));

    // The engine as the docker CLI finds it (DOCKER_HOST, its current context, the platform default), named in messages.
    let docker: Dockerode;
    let engineAddress: string;
    if (options.docker) {
      docker = options.docker;
      engineAddress = 'the engine Siesta was given';
    } else {
      const endpoint = resolveDockerEndpoint();
      docker = dockerFor(endpoint);
      engineAddress = `${endpoint.address}, ${endpoint.source}`;
    }
    const runtime = new DockerRuntime({
      docker,
      managedNames: () => (yaml ? yamlContainerNames(yaml) : []),
      scope: options.containerScope,
      clock,
    });

    const probe = options.gpuProbe ?? (await createGpuProbe({ clock }));
    let latestSamples: readonly GpuSample[] = [];
    const sampleOf = (gpuIndex: number) => latestSamples.find((s) => s.index === gpuIndex);

    const policies = new KeepAlivePolicies({
      clock,
      energyStats: ledgerEnergyStats(ledger),
      settings: { coldStartCostJoules: settings.get().coldStartCostJoules },
    });
    cleanup.push(() => policies.dispose());

    const scheduler = new VramScheduler({
      clock,
      lifecycle: () => {
        if (!lifecycleRef) throw new Error('internal: the scheduler ran before the lifecycle was built');
        return lifecycleRef;
      },
      freeVramBytes: (gpu) => {
        const s = sampleOf(gpu);
        return s && s.vramUsedBytes !== null && s.vramTotalBytes !== null ? s.vramTotalBytes - s.vramUsedBytes : null;
      },
      totalVramBytes: (gpu) => sampleOf(gpu)?.vramTotalBytes ?? null,
      // An awake Ollama server holds what its /api/ps says; asleep, what it held before.
      learnedVramBytes: (model) => ollamaRef?.loadedVramBytes(model) ?? ledger.learnedVramBytes(model),
      innerModels: ollamaInnerModels(() => ollamaRef, log),
      settings: () => {
        const s = settings.get();
        return { vramMarginBytes: s.vramMarginBytes, minResidencyMs: s.minResidencyMs };
      },
    });

    const lifecycle = new Lifecycle({
      clock,
      runtime,
      admission: scheduler,
      idlePolicy: policies,
      log: (line) => {
        log(line);
        controlCore?.publishError('lifecycle', line);
      },
    });
    lifecycleRef = lifecycle;
    cleanup.push(() => lifecycle.stop());
    const ollama = new OllamaCatalog({ lifecycle, clock, store: ledgerModelStore(ledger), log });
    ollamaRef = ollama;
    cleanup.push(policies.attach(lifecycle));
    cleanup.push(
      policies.onPrewarm((decision) => {
        ledger.recordEvent({ kind: 'prewarm', at: decision.at, model: decision.model, detail: decision.detail });
        lifecycle.wake(decision.model, { kind: 'prewarm', detail: decision.detail }).catch((error: unknown) => {
          log(`pre-warming "${decision.model}" failed: ${messageOf(error)}`);
        });
      }),
    );
    cleanup.push(
      lifecycle.onEvent((event) => {
        ledger.recordEvent(event, { gpuIndexes: statusOf(event.model)?.gpuIndexes ?? [] });
        log(eventLogLine(event));
      }),
    );

    const gatewayAddress = options.gateway ?? { host: '127.0.0.1', port: 11400 };
    const gateway = new Gateway({
      lifecycle,
      clock,
      settings: gatewaySettingsOf(settings.get(), gatewayAddress),
      wakeEstimateMs: (model) => ledger.wakeEstimateMs(model),
      log,
      ollama,
    });

    let lastSpecs: readonly ModelSpec[] = [];
    let started = false;
    const applySpecs = (specs: readonly ModelSpec[]): void => {
      // After start-up, say which models came and went (a container labelled, removed, or siesta.yaml edited).
      if (started) {
        const change = modelSetChange(lastSpecs, specs);
        if (change !== null) log(change);
      }
      lastSpecs = specs;
      const defaultIdleMs = settings.get().defaultIdleMs;
      lifecycle.setSpecs(specs.map((spec) => (spec.idleFromDefault ? { ...spec, idleMs: defaultIdleMs } : spec)));
      for (const spec of specs) ledger.setModelInfo(spec.name, { idleWatts: spec.idleWatts });
      gateway.updateListenPorts().catch((error: unknown) => log(`gateway ports: ${messageOf(error)}`));
    };
    // Whether the engine answers, for the API, the dashboard and the tray: its outages and returns as they happen.
    let engine: EngineView = { reachable: true, detail: null, since: null };
    const onEngine = (next: EngineView): void => {
      engine = next;
      controlCore?.publishState();
    };
    const specSync = new SpecSync({ clock, runtime, yaml, onSpecs: applySpecs, onProblem: report, onEngine });
    let engineAway: string | null;
    try {
      engineAway = (await specSync.start()).engineAway;
    } catch (error: unknown) {
      throw new SiestaStartError(`the Docker Engine (${engineAddress}) answered with an error: ${messageOf(error)}.`);
    }
    cleanup.push(() => specSync.stop());
    if (engineAway !== null) {
      // Docker Desktop may still be starting (both start at login), or docker.service after this daemon.
      report(
        `the Docker Engine (${engineAddress}) does not answer yet: ${engineAway}. Siesta waits for it and finds the models ` +
          'when it answers. If it never does, start Docker or set DOCKER_HOST to its socket (unix:///var/run/docker.sock or tcp://host:2375).',
      );
    }

    let reloading: Promise<string> = Promise.resolve('');
    const reloadConfig = (): Promise<string> => {
      const configPath = options.configPath;
      if (!configPath) return Promise.resolve('no siesta.yaml to reload: Siesta runs on container labels alone');
      reloading = reloading.then(async () => {
        try {
          return await reloadFrom(configPath);
        } catch (error: unknown) {
          // The engine may be away: say so and keep what runs; the next change or SIGHUP tries again.
          const line = `reloading ${configPath} failed: ${messageOf(error)}`;
          report(line);
          return line;
        }
      });
      return reloading;
    };
    const reloadFrom = async (configPath: string): Promise<string> => {
      const next = await readSiestaYaml(configPath);
      const unusable = unusableYaml(next);
      if (unusable) {
        const line = `${formatSpecProblem(unusable)}; keeping the models loaded before`;
        report(line);
        return line;
      }
      const daemonChanged = JSON.stringify(next.daemon) !== JSON.stringify(yaml?.daemon ?? null);
      yaml = next;
      const specs = await specSync.setYaml(next);
      const line =
        `reloaded ${configPath}: ${specs.length} model${specs.length === 1 ? '' : 's'}` +
        (daemonChanged ? ' (gateway, control and dataDir changes take effect at the next start)' : '');
      log(line);
      return line;
    };
    const pollMs = options.configPollMs ?? 2000;
    if (options.configPath && pollMs > 0) {
      const configPath = options.configPath;
      const onChange = (now: Stats, before: Stats): void => {
        if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
        void reloadConfig();
      };
      watchFile(configPath, { interval: pollMs, persistent: false }, onChange);
      cleanup.push(() => unwatchFile(configPath, onChange));
    }
    await lifecycle.start();
    ollama.start();
    cleanup.push(() => ollama.stop());
    ledger.observeModels(lifecycle.list().map((s) => ({ name: s.spec.name, state: s.state, gpuIndexes: s.gpuIndexes })));
    const none = engineAway === null ? '(none yet: label a container siesta.enable=true)' : '(none yet: waiting for the Docker Engine)';
    log(`${lastSpecs.length} model${lastSpecs.length === 1 ? '' : 's'}: ${lastSpecs.map((s) => s.name).join(', ') || none}`);
    started = true;

    try {
      await gateway.start();
    } catch (error: unknown) {
      throw new SiestaStartError(messageOf(error));
    }
    cleanup.push(() => gateway.stop());

    const core = new SiestaControlCore({
      clock,
      lifecycle,
      ledger,
      settings,
      probeStatus: () => probe.status(),
      gatewayUrl: () => gateway.url(),
      engine: () => engine,
      ollama,
    });
    controlCore = core;
    cleanup.push(() => core.close());

    cleanup.push(
      settings.onChange((next, previous) => {
        ledger.setPricing(pricing(next));
        if (JSON.stringify(next.gateway) !== JSON.stringify(previous.gateway)) {
          gateway
            .updateSettings(gatewaySettingsOf(next, gatewayAddress))
            .catch((error: unknown) => core.publishError('gateway', messageOf(error)));
        }
        if (next.defaultIdleMs !== previous.defaultIdleMs) applySpecs(lastSpecs);
        if (next.coldStartCostJoules !== previous.coldStartCostJoules) {
          policies.updateSettings({ coldStartCostJoules: next.coldStartCostJoules });
        }
      }),
    );

    await probe.start((samples) => {
      latestSamples = samples;
      ledger.recordSamples(samples);
      core.publishSamples(samples);
    });
    cleanup.push(() => probe.stop());

    const vramTracker = new VramTracker({
      clock,
      probe,
      running: () =>
        lifecycle
          .list()
          .filter((s) => s.state === 'ready' && s.containerId !== null)
          .map((s) => ({ model: s.spec.name, containerId: s.containerId ?? '' })),
      pidsOf: (id) => runtime.pids(id),
      onMeasured: (model, vramBytes) => ledger.recordVram(model, vramBytes),
      onError: (message) => {
        log(message);
        core.publishError('gpu', message);
      },
    });
    vramTracker.start();
    cleanup.push(() => vramTracker.stop());

    const controlAddress = options.control ?? { host: DEFAULT_CONTROL_HOST, port: DEFAULT_CONTROL_PORT };
    const api = new ControlApiServer({
      core,
      token,
      host: controlAddress.host,
      port: controlAddress.port,
      rendererDir: options.rendererDir ?? null,
      clock,
      onError: (error) => log(`control API: ${messageOf(error)}`),
      log,
    });
    api.metrics.addReading('siesta_gateway_buffered_body_bytes', 'Bytes of request bodies the gateway holds in memory to route them by their model field', () =>
      gateway.bufferedBodyBytes(),
    );
    api.metrics.addReading('siesta_gateway_open_connections', 'Client connections open on the gateway, all ports together', () =>
      gateway.openConnections(),
    );
    try {
      await api.listen();
    } catch (error: unknown) {
      throw new SiestaStartError(messageOf(error));
    }
    cleanup.push(() => api.close());

    let stopping: Promise<void> | null = null;
    return {
      controlUrl: api.url,
      gatewayUrl: gateway.url(),
      token,
      loginUrl: api.loginUrl(),
      engine: engineAddress,
      problems,
      lifecycle,
      gateway,
      ledger,
      settings,
      reloadConfig,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error: unknown) {
    await stopAll();
    if (error instanceof SiestaStartError) throw error;
    throw new SiestaStartError(messageOf(error));
  }
}

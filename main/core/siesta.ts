// The composition root: builds settings, ledger, engine, GPU probe, policies, scheduler, lifecycle, gateway and control
// API with named builders, each taking what was built before it, and stops them in reverse order. `siesta serve` and
// the Electron shell both start Siesta here. Parts built before the control core reach it through subscriptions
// (compose/core-feeds.ts), never through a reference filled in later.
import { mkdirSync } from 'node:fs';
import { loadOrCreateToken } from './api/api-token';
import { SiestaControlCore } from './api/siesta-control-core';
import type { Clock } from './clock/clock';
import { systemClock } from './clock/clock';
import { buildModelManager } from './compose/build-model-manager';
import { buildRuntime } from './compose/build-runtime';
import { startApi } from './compose/start-api';
import { ConfigInForce, ConfigReloader } from './compose/config-reloader';
import { enginesReloader, remoteHostsProbe } from './compose/engines-reload';
import { EngineFeed, ProblemFeed } from './compose/core-feeds';
import { ModelSet, modelsLogLine } from './compose/model-set';
import { SIESTA_SETTINGS_DEFAULTS } from './compose/settings-defaults';
import type {
  LatestSamples,
  ListenAddress,
  RunningSiesta,
  SiestaOptions,
} from './compose/siesta-types';
import { SiestaStartError } from './compose/siesta-types';
import { Teardown, messageOf } from './compose/teardown';
import { readSiestaYaml } from './config/siesta-yaml';
import type { ContainerRuntime } from './docker/container-runtime';
import type { EngineSetRuntime } from './providers/engine-set';
import { readingsAtEdges } from './ledger/edge-readings';
import { latestPerGpu } from './gpu/hosts-probe';
import type { GpuProbe } from './gpu/gpu-sample';
import { createGpuProbe } from './gpu/select-probe';
import { VramTracker } from './gpu/vram-tracker';
import type { EventHint } from './ledger/ledger';
import { Ledger } from './ledger/ledger';
import { ledgerPathIn } from './ledger/ledger-database';
import { eventLogLine } from './lifecycle/event-log-line';
import { Lifecycle } from './lifecycle/lifecycle';
import { ledgerModelStore } from './ollama/ledger-model-store';
import { OllamaCatalog } from './ollama/ollama-catalog';
import { ollamaInnerModels } from './ollama/ollama-inner-models';
import { SpecSync } from './lifecycle/spec-sync';
import type { ModelSpec } from './config/model-spec';
import { cudaCheckpointLoadProblem } from './doze/cuda-checkpoint-dozer';
import { dozeViews, gpuDozeMeter, hostDozer, wakeEstimateByLevel } from './compose/doze-parts';
import { observeModelsOnceSettled } from './compose/observe-models';
import { gatewaySettingsOf, pricingOf } from './compose/settings-defaults';
import type { DozeMeter } from './doze/doze-meter';
import { KeepAlivePolicies } from './policy/keep-alive-policies';
import { ledgerEnergyStats } from './policy/ledger-energy-stats';
import type { RequestMetering } from './compose/request-metering';
import { lifecycleMetering } from './compose/request-metering';
import { Gateway } from './proxy/gateway';
import { VramScheduler } from './scheduler/vram-scheduler';
import { SettingsStore } from './settings/settings-store';

export type { ListenAddress, RunningSiesta, SiestaOptions } from './compose/siesta-types';
export { SiestaStartError } from './compose/siesta-types';

/** What every builder may use. */
interface Root {
  readonly options: SiestaOptions;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly teardown: Teardown;
  readonly settings: SettingsStore;
  readonly feed: ProblemFeed;
}

/** The facts the ledger stores with a model's event: its GPUs and how busy the others are now. */
function eventHint(lifecycle: Lifecycle, model: string): EventHint {
  return {
    gpuIndexes: lifecycle.get(model)?.gpuIndexes ?? [],
    inFlightOf: (other) => lifecycle.get(other)?.inFlight ?? 0,
  };
}

function buildLedger(root: Root): Ledger {
  const ledger = new Ledger({
    path: ledgerPathIn(root.options.dataDir),
    clock: root.clock,
    nativeBinding: root.options.nativeBinding ?? null,
    onError: (error) => root.feed.report('ledger', error.message, `ledger: ${error.message}`),
  });
  root.teardown.add(() => ledger.close());
  ledger.setPricing(pricingOf(root.settings.get()));
  return ledger;
}

/**
 * The lifecycle with its admission (the VRAM scheduler) and idle policy (keep-alive), its events recorded, and the
 * catalog of the models inside Ollama servers.
 */
function buildLifecycle(
  root: Root,
  parts: { ledger: Ledger; runtime: ContainerRuntime; latest: LatestSamples; probe: GpuProbe },
): {
  lifecycle: Lifecycle;
  policies: KeepAlivePolicies;
  ollama: OllamaCatalog;
  dozeMeter: DozeMeter;
  dozeWakeMs: (model: string) => number | null;
} {
  const { clock, settings, teardown, log } = root;
  const { ledger, latest, probe } = parts;
  const sampleOf = (gpu: number) => latest.samples.find((s) => s.index === gpu);
  const energyStats = ledgerEnergyStats(ledger, { history: ledger, clock });
  const policies = new KeepAlivePolicies({
    clock,
    energyStats,
    settings: { coldStartCostJoules: settings.get().coldStartCostJoules },
  });
  teardown.add(() => policies.dispose());
  const report = (line: string): void => root.feed.report('lifecycle', line);
  const needOf = (spec: ModelSpec): number | null =>
    spec.vramBytes ?? ledger.learnedVramBytes(spec.name);
  // Measures each doze with the GPU probe: the scheduler counts a dozed model's VRAM as free once measured.
  const store = { load: () => ledger.dozeMeasures(), save: ledger.recordDozeMeasure.bind(ledger) };
  const dozeMeter = gpuDozeMeter({ clock, latest, probe, needOf, report, store });
  // The scheduler and the lifecycle ask each other: the scheduler reads the models' states (and an Ollama server's
  // inner models) during a wake, which the lifecycle (built next, in this scope) runs only after all of them exist.
  const scheduler = new VramScheduler({
    clock,
    lifecycle: () => lifecycle,
    freeVramBytes: (gpu) => {
      const s = sampleOf(gpu);
      return s && s.vramUsedBytes !== null && s.vramTotalBytes !== null
        ? s.vramTotalBytes - s.vramUsedBytes
        : null;
    },
    totalVramBytes: (gpu) => sampleOf(gpu)?.vramTotalBytes ?? null,
    // An awake Ollama server holds what its /api/ps says; asleep, it needs room for its largest model.
    learnedVramBytes: (model) =>
      ollama.loadedVramBytes(model) ??
      ollama.wakeVramBytes(model) ??
      ledger.learnedVramBytes(model),
    innerModels: ollamaInnerModels(() => ollama, log),
    // After an eviction, a fresh reading where the backend can take one (not the nvidia-smi stream).
    readNow: probe.readNow ? () => probe.readNow?.() ?? Promise.resolve() : undefined,
    settings: () => {
      const s = settings.get();
      return { vramMarginBytes: s.vramMarginBytes, minResidencyMs: s.minResidencyMs };
    },
    dozeKeptBytes: (model) => dozeMeter.keptBytes(model),
    mayDozeForRoom: (model) => dozeMeter.mayDozeForRoom(model),
  });
  const lifecycle: Lifecycle = new Lifecycle({
    clock,
    runtime: parts.runtime,
    admission: scheduler,
    idlePolicy: policies,
    dozer: dozeMeter.wrap(hostDozer(needOf, parts.runtime.mainPid?.bind(parts.runtime) ?? null)),
    log: report,
  });
  teardown.add(() => lifecycle.stop());
  teardown.add(dozeMeter.attach(lifecycle));
  const ollama: OllamaCatalog = new OllamaCatalog({
    lifecycle,
    clock,
    store: ledgerModelStore(ledger),
    log,
  });
  teardown.add(policies.attach(lifecycle));
  teardown.add(
    policies.onPrewarm((decision) => {
      const event = {
        kind: 'prewarm',
        at: decision.at,
        model: decision.model,
        detail: decision.detail,
      } as const;
      ledger.recordEvent(event, eventHint(lifecycle, decision.model));
      lifecycle
        .wake(decision.model, { kind: 'prewarm', detail: decision.detail })
        .catch((error: unknown) => {
          log(`pre-warming "${decision.model}" failed: ${messageOf(error)}`);
        });
    }),
  );
  // The ledger hears each event before anyone else: the API and the tray then read figures that include it.
  teardown.add(
    lifecycle.onEvent((event) => {
      ledger.recordEvent(event, eventHint(lifecycle, event.model));
      log(eventLogLine(event));
    }),
  );
  teardown.add(lifecycle.onEvent(readingsAtEdges(probe, log)));
  const dozeWakeMs = (model: string): number | null =>
    energyStats.dozeStatsFor?.(model)?.wakeMs ?? null;
  return { lifecycle, policies, ollama, dozeMeter, dozeWakeMs };
}

/** Follows labels and siesta.yaml; says when the engine does not answer yet. */
async function startSpecSync(
  root: Root,
  parts: {
    runtime: ContainerRuntime;
    config: ConfigInForce;
    models: ModelSet;
    engine: EngineFeed;
    engineAddress: string;
  },
  report: (line: string) => void,
): Promise<{ specSync: SpecSync; engineAway: string | null }> {
  const specSync = new SpecSync({
    clock: root.clock,
    runtime: parts.runtime,
    yaml: parts.config.get(),
    onSpecs: (specs) => parts.models.apply(specs),
    onProblem: report,
    onEngine: (next) => parts.engine.set(next),
  });
  let engineAway: string | null;
  try {
    engineAway = (await specSync.start()).engineAway;
  } catch (error: unknown) {
    throw new SiestaStartError(
      `the Docker Engine (${parts.engineAddress}) answered with an error: ${messageOf(error)}.`,
    );
  }
  root.teardown.add(() => specSync.stop());
  if (engineAway !== null) {
    // Docker Desktop may still be starting (both start at login), or docker.service after this daemon.
    report(
      `the Docker Engine (${parts.engineAddress}) does not answer yet: ${engineAway}. Siesta waits for it and finds the models ` +
        'when it answers. If it never does, start Docker or set DOCKER_HOST to its socket (unix:///var/run/docker.sock or tcp://host:2375).',
    );
  }
  return { specSync, engineAway };
}

/** The control core, told of background problems and the engine's state from now on. */
function buildControlCore(
  root: Root,
  parts: {
    lifecycle: Lifecycle;
    ledger: Ledger;
    gateway: Gateway;
    probe: GpuProbe;
    engine: EngineFeed;
    ollama: OllamaCatalog;
    engineSet: EngineSetRuntime | null;
    dozeMeter: DozeMeter;
    dozeWakeMs: (model: string) => number | null;
    latest: LatestSamples;
  },
): SiestaControlCore {
  const core = new SiestaControlCore({
    clock: root.clock,
    lifecycle: parts.lifecycle,
    ledger: parts.ledger,
    settings: root.settings,
    probeStatus: () => parts.probe.status(),
    gatewayUrl: () => parts.gateway.url(),
    engine: () => parts.engine.get(),
    ollama: parts.ollama,
    doze: dozeViews(parts.dozeMeter, parts.dozeWakeMs),
    ...(parts.engineSet ? { engines: () => parts.engineSet?.statuses() ?? [] } : {}),
  });
  root.teardown.add(() => core.close());
  root.teardown.add(root.feed.onProblem((source, message) => core.publishError(source, message)));
  // With several engines an engine may go from siesta.yaml, and its GPUs from the latest samples.
  root.teardown.add(
    parts.engine.onChange(() => {
      if (parts.engineSet) core.publishSamples(parts.latest.samples);
      core.publishState();
    }),
  );
  return core;
}

/** Settings changes reach the ledger's prices, the gateway, the default idle time and the keep-alive policies. */
function followSettings(
  root: Root,
  parts: {
    ledger: Ledger;
    gateway: Gateway;
    gatewayAddress: ListenAddress;
    models: ModelSet;
    policies: KeepAlivePolicies;
    core: SiestaControlCore;
  },
): void {
  root.teardown.add(
    root.settings.onChange((next, previous) => {
      parts.ledger.setPricing(pricingOf(next));
      if (JSON.stringify(next.gateway) !== JSON.stringify(previous.gateway)) {
        parts.gateway
          .updateSettings(gatewaySettingsOf(next, parts.gatewayAddress))
          .catch((error: unknown) => parts.core.publishError('gateway', messageOf(error)));
      }
      if (next.defaultIdleMs !== previous.defaultIdleMs) parts.models.apply(parts.models.current());
      if (next.coldStartCostJoules !== previous.coldStartCostJoules) {
        parts.policies.updateSettings({ coldStartCostJoules: next.coldStartCostJoules });
      }
    }),
  );
}

/** GPU samples to the ledger, the scheduler and the clients; each running model's VRAM measured. */
async function startGpu(
  root: Root,
  parts: {
    probe: GpuProbe;
    latest: LatestSamples;
    ledger: Ledger;
    core: SiestaControlCore;
    lifecycle: Lifecycle;
    runtime: ContainerRuntime;
    merged: boolean;
    metering: RequestMetering;
  },
): Promise<void> {
  const { probe, ledger, core, lifecycle } = parts;
  await probe.start((samples) => {
    // Remote hosts' readings come at their own pace: keep each GPU's latest.
    parts.latest.samples = parts.merged ? latestPerGpu(parts.latest.samples, samples) : samples;
    ledger.recordSamples(samples);
    parts.metering.samples(samples);
    core.publishSamples(parts.latest.samples);
  });
  root.teardown.add(() => probe.stop());
  const vramTracker = new VramTracker({
    clock: root.clock,
    probe,
    running: () =>
      lifecycle
        .list()
        .filter((s) => s.state === 'ready' && s.containerId !== null)
        .map((s) => ({ model: s.spec.name, containerId: s.containerId ?? '' })),
    pidsOf: (id) => parts.runtime.pids(id),
    onMeasured: (model, vramBytes) => ledger.recordVram(model, vramBytes),
    onError: (message) => root.feed.report('gpu', message),
  });
  vramTracker.start();
  root.teardown.add(() => vramTracker.stop());
}

/**
 * Starts Siesta. Rejects with a `SiestaStartError` when the data dir, the Docker Engine or a
 * port cannot be had; anything already started is stopped again first.
 */
export async function startSiesta(options: SiestaOptions): Promise<RunningSiesta> {
  const clock = options.clock ?? systemClock();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const teardown = new Teardown(log);
  try {
    try {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    } catch (error: unknown) {
      throw new SiestaStartError(
        `cannot create the data dir ${options.dataDir}: ${messageOf(error)}`,
      );
    }
    const settings = SettingsStore.open(options.dataDir, SIESTA_SETTINGS_DEFAULTS);
    const token = loadOrCreateToken(options.dataDir);
    const root: Root = { options, clock, log, teardown, settings, feed: new ProblemFeed(log) };
    const problems: string[] = [];
    const report = (line: string): void => {
      problems.push(line);
      log(line);
    };
    const config = new ConfigInForce(
      options.configPath ? await readSiestaYaml(options.configPath) : null,
    );

    const ledger = buildLedger(root);
    const engine = new EngineFeed();
    const { runtime, engineAddress, engineSet, setParts, docker } = buildRuntime(
      root,
      config,
      engine,
    );
    const localProbe = options.gpuProbe ?? (await createGpuProbe({ clock }));
    const { hostsProbe, remoteProbes } = remoteHostsProbe(localProbe, engineSet, config, clock);
    const probe = hostsProbe ?? localProbe;
    const latest: LatestSamples = { samples: [] };
    const { lifecycle, policies, ollama, dozeMeter, dozeWakeMs } = buildLifecycle(root, {
      ledger,
      runtime,
      latest,
      probe,
    });
    const gatewayAddress = options.gateway ?? { host: '127.0.0.1', port: 11400 };
    const metering = lifecycleMetering(clock, ledger, lifecycle);
    const gateway = new Gateway({
      accounting: metering,
      lifecycle,
      clock,
      settings: gatewaySettingsOf(settings.get(), gatewayAddress),
      wakeEstimateMs: wakeEstimateByLevel(lifecycle, (m) => ledger.wakeEstimateMs(m), dozeWakeMs),
      log,
      ollama,
    });
    const models = new ModelSet({
      lifecycle,
      ledger,
      gateway,
      settings,
      log,
      dozeProblem: cudaCheckpointLoadProblem,
    });
    const { specSync, engineAway } = await startSpecSync(
      root,
      { runtime, config, models, engine, engineAddress },
      report,
    );
    const reloader = new ConfigReloader({
      configPath: options.configPath ?? null,
      inForce: config,
      specSync,
      log,
      report,
      applyEngines: enginesReloader({
        engineSet,
        engines: config.get()?.engines ?? [],
        setParts,
        hostsProbe,
        remoteProbes,
        clock,
        latest,
        republish: () => engine.republish(),
        log,
        report,
      }),
    });
    teardown.add(reloader.watch(options.configPollMs ?? 2000));

    await lifecycle.start();
    ollama.start();
    teardown.add(() => ollama.stop());
    teardown.add(observeModelsOnceSettled(lifecycle, ledger));
    log(modelsLogLine(models.current(), engineAway !== null));
    models.announceChanges();

    try {
      await gateway.start();
    } catch (error: unknown) {
      throw new SiestaStartError(messageOf(error));
    }
    teardown.add(() => gateway.stop());

    const core = buildControlCore(root, {
      lifecycle,
      ledger,
      gateway,
      probe,
      engine,
      ollama,
      engineSet,
      dozeMeter,
      dozeWakeMs,
      latest,
    });
    followSettings(root, { ledger, gateway, gatewayAddress, models, policies, core });
    await startGpu(root, {
      probe,
      latest,
      ledger,
      core,
      lifecycle,
      runtime,
      merged: hostsProbe !== null,
      metering,
    });
    const manager = buildModelManager({
      docker,
      yamlPath: options.configPath ?? null,
      specs: () => models.current(),
      latestSamples: () => latest.samples,
      reloadConfig: () => reloader.reload(),
      containerScope: options.containerScope ?? [],
    });
    const api = await startApi(root, core, gateway, token, manager, metering);

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
      reloadConfig: () => reloader.reload(),
      stop: () => (stopping ??= teardown.stopAll()),
    };
  } catch (error: unknown) {
    await teardown.stopAll();
    if (error instanceof SiestaStartError) throw error;
    throw new SiestaStartError(messageOf(error));
  }
}

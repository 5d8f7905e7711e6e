// What starting Siesta takes and gives: the options, the running Siesta, and the error that says what to fix.
import type Dockerode from 'dockerode';
import type { Clock } from '../clock/clock';
import type { GpuProbe, GpuSample } from '../gpu/gpu-sample';
import type { Ledger } from '../ledger/ledger';
import type { Lifecycle } from '../lifecycle/lifecycle';
import type { Gateway } from '../proxy/gateway';
import type { SettingsStore } from '../settings/settings-store';

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

/** The newest GPU samples, for the scheduler's free-VRAM questions. */
export interface LatestSamples {
  samples: readonly GpuSample[];
}

// Clients and paths that never wake a model: uptime monitors, probes, crawlers, and the favicon a browser fetches by itself.
import type { GatewaySettings } from './gateway-settings';

/** Why a request may not wake its model. */
export type NoWakeReason =
  | { readonly kind: 'user-agent'; readonly pattern: string }
  | { readonly kind: 'path'; readonly path: string };

/** The compiled `noWakeUserAgents` and `noWakePaths` of one settings version. */
export class NoWakeRules {
  private readonly agents: ReadonlyArray<{ readonly source: string; readonly lower: string }>;
  private readonly exactPaths: ReadonlySet<string>;
  private readonly prefixes: readonly string[];

  constructor(settings: Pick<GatewaySettings, 'noWakeUserAgents' | 'noWakePaths'>) {
    // Plain case-insensitive substrings, as documented: matching takes time linear in the User-Agent, whatever the pattern.
    this.agents = settings.noWakeUserAgents.map((source) => ({
      source,
      lower: source.toLowerCase(),
    }));
    this.exactPaths = new Set(settings.noWakePaths.filter((p) => !p.endsWith('*')));
    this.prefixes = settings.noWakePaths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  }

  /** The reason this request must not wake a model, or null. `paths` are the request's path and the path forwarded. */
  match(userAgent: string | undefined, paths: readonly string[]): NoWakeReason | null {
    for (const raw of paths) {
      const q = raw.indexOf('?');
      const path = q < 0 ? raw : raw.slice(0, q);
      const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
      if (this.exactPaths.has(path) || this.exactPaths.has(trimmed))
        return { kind: 'path', path: trimmed };
      for (const prefix of this.prefixes)
        if (path.startsWith(prefix)) return { kind: 'path', path: trimmed };
    }
    if (userAgent !== undefined && userAgent !== '') {
      const lower = userAgent.toLowerCase();
      for (const agent of this.agents)
        if (lower.includes(agent.lower)) return { kind: 'user-agent', pattern: agent.source };
    }
    return null;
  }
}

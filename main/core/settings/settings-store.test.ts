// The settings file: defaults, validated updates that name the field, atomic saves, change listeners, a broken file named.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIESTA_SETTINGS_DEFAULTS } from '../compose/settings-defaults';
import { SETTINGS_DEFAULTS } from './settings-schema';
import { SettingsError, SettingsStore, settingsPathIn } from './settings-store';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siesta-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(run: () => unknown): SettingsError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('settings', () => {
  it('starts with the documented defaults when there is no file', () => {
    const settings = SettingsStore.open(dir, SIESTA_SETTINGS_DEFAULTS).get();
    expect(settings.pricePerKwh).toBe(0.3);
    expect(settings.currency).toBe('EUR');
    expect(settings.gridGramsCo2PerKwh).toBe(400);
    expect(settings.defaultIdleMs).toBe(600_000);
    expect(settings.notifications).toEqual({
      wake: true,
      ready: true,
      failed: true,
      evicted: true,
    });
    expect(settings.minResidencyMs).toBe(0);
    expect(settings.vramMarginBytes).toBe(512 * 1024 ** 2);
    expect(settings.gateway.allowedHosts).toEqual([]);
    expect(settings.gateway.corsOrigins).toEqual([]);
    expect(settings.gateway.noWakeUserAgents.length).toBeGreaterThan(0);
    expect(settings.autoStart).toBe(false);
  });

  it('saves an update and reads it back after a restart, merging nested objects', () => {
    const store = SettingsStore.open(dir);
    store.update({
      pricePerKwh: 0.25,
      notifications: { evicted: false },
      gateway: { allowedHosts: ['gpu-box.lan'] },
    });
    const reopened = SettingsStore.open(dir).get();
    expect(reopened.pricePerKwh).toBe(0.25);
    expect(reopened.notifications).toEqual({
      wake: true,
      ready: true,
      failed: true,
      evicted: false,
    });
    expect(reopened.gateway.allowedHosts).toEqual(['gpu-box.lan']);
    expect(reopened.gateway.maxRoutingBodyBytes).toBe(
      SETTINGS_DEFAULTS.gateway.maxRoutingBodyBytes,
    );
  });

  it('writes the file atomically with owner-only permissions and leaves no temp file', () => {
    SettingsStore.open(dir).update({ currency: 'SEK' });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(JSON.parse(readFileSync(settingsPathIn(dir), 'utf8'))).toMatchObject({
      currency: 'SEK',
      pricePerKwh: 0.3,
    });
    if (process.platform !== 'win32')
      expect(statSync(settingsPathIn(dir)).mode & 0o777).toBe(0o600);
  });

  it('rejects an unknown key naming it, and saves nothing', () => {
    const store = SettingsStore.open(dir);
    const error = errorOf(() => store.update({ pricePerKwh: 0.5, colour: 'blue' }));
    expect(error.field).toBe('colour');
    expect(error.message).toContain('unknown setting "colour"');
    const nested = errorOf(() => store.update({ notifications: { sound: true } }));
    expect(nested.field).toBe('notifications.sound');
    expect(store.get().pricePerKwh).toBe(0.3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a bad value naming the field, what was expected and what it got', () => {
    const store = SettingsStore.open(dir);
    const price = errorOf(() => store.update({ pricePerKwh: 'cheap' }));
    expect(price.field).toBe('pricePerKwh');
    expect(price.message).toBe(
      'pricePerKwh: expected a price per kWh >= 0, such as 0.30, got "cheap"',
    );
    const idle = errorOf(() => store.update({ defaultIdleMs: 1.5 }));
    expect(idle.field).toBe('defaultIdleMs');
    expect(idle.message).toContain('whole number of milliseconds');
    const origin = errorOf(() => store.update({ gateway: { corsOrigins: ['localhost:3000'] } }));
    expect(origin.field).toBe('gateway.corsOrigins.0');
    expect(origin.message).toContain('http://localhost:3000');
    const notAnObject = errorOf(() => store.update(null));
    expect(notAnObject.message).toContain('expected object');
  });

  it('tells listeners about a change with the previous settings, and not about an update that changes nothing', () => {
    const store = SettingsStore.open(dir);
    const seen: Array<[number, number]> = [];
    const off = store.onChange((next, previous) =>
      seen.push([previous.gridGramsCo2PerKwh, next.gridGramsCo2PerKwh]),
    );
    store.update({ gridGramsCo2PerKwh: 250 });
    store.update({ gridGramsCo2PerKwh: 250 });
    off();
    store.update({ gridGramsCo2PerKwh: 100 });
    expect(seen).toEqual([[400, 250]]);
  });

  it('names the file and the field when the file on disk is invalid', () => {
    writeFileSync(settingsPathIn(dir), JSON.stringify({ currency: 'EUR', gridGramsCo2PerKwh: -5 }));
    const error = errorOf(() => SettingsStore.open(dir));
    expect(error.path).toBe(settingsPathIn(dir));
    expect(error.field).toBe('gridGramsCo2PerKwh');
    expect(error.message).toContain(settingsPathIn(dir));
    writeFileSync(settingsPathIn(dir), '{ "currency": ');
    expect(errorOf(() => SettingsStore.open(dir)).message).toMatch(
      /not valid JSON.*fix or delete it/,
    );
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { GatewayFixture } from './testdata/gateway-fixture';
import { startGateway } from './testdata/gateway-fixture';
import { until } from './testdata/http-call';
import { WakeError } from '../lifecycle/lifecycle-api';

let browser: Browser;
let fx: GatewayFixture | null = null;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser.close();
});
afterEach(async () => {
  await fx?.close();
  fx = null;
});

describe('the waiting page in a real browser', () => {
  it('opens on a sleeping web UI at NAME.localhost, counts the wake, and reloads into the UI when it is ready', async () => {
    fx = await startGateway([{ name: 'comfy', wake: 'manual' }], {}, () => 30_000);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('503'))
        errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Chromium resolves *.localhost to loopback itself.
    const response = await page.goto(`http://comfy.localhost:${fx.port}/`);
    expect(response?.status()).toBe(503);
    expect(await page.locator('h1').textContent()).toBe('Waking comfy');
    expect(await page.locator('#usual').textContent()).toContain('about 30 s');
    await page.waitForFunction(
      () => document.getElementById('elapsed')?.textContent !== '0 s',
      null,
      { timeout: 5_000 },
    );
    expect(fx.lifecycle.wakes).toHaveLength(1);
    await until(() => fx!.lifecycle.isWaking('comfy'), 5_000, 'the wake');
    await fx.lifecycle.finishWake('comfy');
    await page.waitForSelector('text=comfy web UI', { timeout: 10_000 });
    expect(await page.title()).toBe('comfy');
    // The script ran under the page's CSP (no violation), and nothing else failed.
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows why a wake failed, with the last log line and a button to try again', async () => {
    fx = await startGateway([{ name: 'llm', wake: 'manual' }]);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${fx.port}/llm/`);
    await until(() => fx!.lifecycle.isWaking('llm'), 5_000, 'the wake');
    fx.lifecycle.failWake(
      'llm',
      new WakeError('failed', 'the container exited with code 3', 'llm', [
        'CUDA error: out of memory',
      ]),
    );
    await page.waitForSelector('#retry:not([hidden])', { timeout: 10_000 });
    expect(await page.locator('#state').textContent()).toContain(
      'the container exited with code 3',
    );
    expect(await page.locator('#log').textContent()).toBe('CUDA error: out of memory');
    await page.close();
  });
});

// The history and settings pages in Chromium against the control API over a real ledger file holding a week of use.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../test/docker-suite';
import { HistoryPage } from './pages/history-page';
import { SettingsPage } from './pages/settings-page';
import {
  launchChromium,
  loggedInContext,
  saveScreenshot,
  watchPageErrors,
} from './support/browser';
import type { E2eServer } from './support/e2e-server';
import { startE2eServer } from './support/e2e-server';
import { waitForText } from './support/wait-for-text';

describeDocker('history and settings pages', () => {
  let app: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startE2eServer({ seedWeek: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws energy saved per day stacked by model from the ledger, with totals and the cumulative line', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const history = new HistoryPage(page);
    await history.open();

    // A week of wakes of both models: one segment per model per day (today too, while they still sleep).
    expect(await history.segments('qwen').count()).toBeGreaterThanOrEqual(7);
    expect(await history.segments('flux').count()).toBeGreaterThanOrEqual(7);
    const heights = await history
      .segments('flux')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(Math.max(...heights)).toBeGreaterThan(10);
    expect(await history.segments('qwen').first().locator('title').textContent()).toMatch(
      /^qwen, .+: \d+\.\d{3} kWh$/,
    );

    // Seeded from GPU readings: the saving carries its range (one standard uncertainty).
    const saved = await waitForText(history.total('Total energy saved'), /kWh ± \d+\.\d+$/);
    expect(Number.parseFloat(saved)).toBeGreaterThan(0);
    expect(Number.parseFloat(saved.split('±')[1] ?? '')).toBeGreaterThan(0);
    expect(await history.total('Money saved').textContent()).toMatch(/^\d+\.\d\d EUR$/);
    expect(await history.total('CO2 avoided').textContent()).toMatch(/^\d+ g|kg$/);
    expect(await history.total('Wakes').textContent()).toBe('14');
    expect(await history.total('Wake time').textContent()).toBe('6.0 s typical, 12 s p95');
    expect(await history.cumulative().getAttribute('aria-label')).toMatch(
      // The seed's week: qwen 38 W and flux 55 W, each asleep ~23 h a day, about 15 kWh; each model's sleep keeps
      // its own watts while the other is awake (they add, no context step), as the GPU really saved.
      /^Cumulative energy saved: 1[45]\.\d kWh$/,
    );
    expect(await history.legend().getByRole('listitem').allTextContents()).toEqual([
      'flux',
      'qwen',
    ]);
    await history.modelRow('qwen').waitFor();
    // flux dozes before each stop (issue 15): its saving says the part its dozes made; qwen never dozes.
    expect(await history.modelRow('flux').textContent()).toMatch(/kWh of it by dozes/);
    expect(await history.modelRow('qwen').textContent()).not.toMatch(/by dozes/);
    expect(await history.total('Saved by dozes').textContent()).toMatch(
      /^\d+\.\d+ kWh of it by dozes$/,
    );
    // Energy used: each model awake and waking, with money, and the GPU's measured energy split into models and baseline.
    expect(await history.usedTotal().textContent()).toMatch(
      /^\d+\.\d+ kWh( ± \d+\.\d+)? \/ \d+\.\d\d EUR$/,
    );
    const qwenUsed = await history.usedRow('qwen').getByRole('cell').allTextContents();
    expect(qwenUsed[0]).toMatch(/^\d+\.\d+ kWh/);
    expect(Number.parseFloat(qwenUsed[1] ?? '')).toBeGreaterThan(0);
    // The seed's GPU readings cover only the minutes around each change: measured over those, no baseline shown.
    const gpu = await history.gpuRow(0).getByRole('cell').allTextContents();
    expect(Number.parseFloat(gpu[0] ?? '')).toBeGreaterThan(0);
    expect(gpu[2]).toBe('–');
    expect(gpu[3]).toMatch(/^\d+\.\d of \d+ h$/);
    await saveScreenshot(page, 'history-light');
    expect(errors).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      history.csvLink().click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe(
      'date,model,saved_kwh,saved_joules,money,currency,co2_grams,wakes,failed_wakes,wake_p50_ms,wake_p95_ms,hours_awake,hours_asleep,estimated,requests,prompt_tokens,completion_tokens,request_marginal_kwh,estimated_token_requests,saved_uncertainty_kwh,saved_uncertainty_joules,doze_saved_kwh,doze_saved_joules,used_kwh,used_joules,used_money,awake_used_joules,waking_used_joules,used_uncertainty_joules',
    );
    expect(csv.split(/\r?\n/).filter((l) => l.includes(',qwen,')).length).toBeGreaterThanOrEqual(7);
    await context.close();
  });

  it('draws the history in the dark theme', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl(), 'dark');
    const page = await context.newPage();
    const history = new HistoryPage(page);
    await history.open();
    await history.segments('qwen').first().waitFor();
    await saveScreenshot(page, 'history-dark');
    await context.close();
  });

  it('saves settings, shows a field error naming the field, and the history follows the new price', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const settings = new SettingsPage(page);
    await settings.open();
    expect(await settings.price().inputValue()).toBe('0.3');
    expect(await settings.currency().inputValue()).toBe('EUR');
    expect(await settings.defaultIdleMinutes().inputValue()).toBe('10');
    await saveScreenshot(page, 'settings-light');

    await settings.price().fill('-1');
    await settings.save().click();
    const error = await waitForText(page.locator('#pricePerKwh-error'), 'pricePerKwh');
    expect(error).toContain('expected a price per kWh >= 0');
    expect(await settings.price().getAttribute('aria-invalid')).toBe('true');
    expect(app.settings.get().pricePerKwh).toBe(0.3);

    await settings.price().fill('0.42');
    await settings.currency().fill('SEK');
    await settings.notification('A model was put to sleep to make room').uncheck();
    await settings.save().click();
    await settings.saved().waitFor();
    expect(await settings.errorOf(settings.price())).toBeNull();
    expect(app.settings.get()).toMatchObject({
      pricePerKwh: 0.42,
      currency: 'SEK',
      notifications: { evicted: false, wake: true },
    });

    const history = new HistoryPage(page);
    await history.open();
    const kwh = Number.parseFloat(
      await waitForText(history.total('Total energy saved'), /kWh( ± [\d.]+)?$/),
    );
    const money = await waitForText(history.total('Money saved'), /SEK$/);
    expect(Number.parseFloat(money)).toBeCloseTo(kwh * 0.42, 1);
    await context.close();
  });

  it('shows a settings error in the dark theme', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl(), 'dark');
    const page = await context.newPage();
    const settings = new SettingsPage(page);
    await settings.open();
    await settings.gridIntensity().fill('lots');
    await settings.save().click();
    await waitForText(
      page.locator('#gridGramsCo2PerKwh-error'),
      'gridGramsCo2PerKwh: expected grams of CO2 per kWh',
    );
    await saveScreenshot(page, 'settings-dark');
    await context.close();
  });

  it('asks a browser without the cookie to open the login link', async () => {
    const context = await browser.newContext({ baseURL: app.server.url });
    const page = await context.newPage();
    await page.goto('/');
    await waitForText(page.getByRole('alert'), 'Open the login link that siesta serve printed');
    await context.close();
  });
});

// The dashboard in Chromium against the control API with a real container in the real engine:
// a sleeping model, a click that wakes it (waking, then ready), a click that puts it to sleep; live GPU power; both themes.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFakeModel, removeTestContainers, testDocker } from '../test/docker-harness';
import { describeDocker } from '../test/docker-suite';
import { DashboardPage } from './pages/dashboard-page';
import {
  launchChromium,
  loggedInContext,
  saveScreenshot,
  watchPageErrors,
} from './support/browser';
import type { E2eServer } from './support/e2e-server';
import { startE2eServer } from './support/e2e-server';
import { waitForText } from './support/wait-for-text';

const docker = testDocker();
const CONTAINER = 'h5-e2e-qwen';

describeDocker('dashboard with a real container', () => {
  let app: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    await createFakeModel(docker, {
      name: CONTAINER,
      labels: { 'siesta.enable': 'true', 'siesta.name': 'qwen', 'siesta.health': '/health' },
      env: { START_DELAY_MS: '1500' },
    });
    app = await startE2eServer({ docker });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeTestContainers(docker);
  });

  const running = async (): Promise<boolean> =>
    (await docker.getContainer(CONTAINER).inspect()).State.Running;

  it('shows the model asleep, wakes it on a click (waking, then ready), and puts it to sleep on a click', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const dashboard = new DashboardPage(page);
    await dashboard.open();

    await waitForText(dashboard.modelState('qwen'), 'Asleep');
    expect(await running()).toBe(false);

    await dashboard.wakeButton('qwen').click();
    await waitForText(dashboard.modelState('qwen'), 'Waking');
    await dashboard.wakeProgress('qwen').waitFor();
    // What the wake is doing now: starting the container, then the readiness checks of /health.
    await waitForText(
      dashboard.modelCard('qwen').getByLabel('What qwen is doing'),
      /^(starting the container|GET \/health: .+|waiting for room on its GPU.*)$/,
    );
    await waitForText(dashboard.modelState('qwen'), 'Ready', 30_000);
    expect(await running()).toBe(true);
    expect(await dashboard.wakeProgress('qwen').count()).toBe(0);
    await waitForText(
      dashboard.modelCard('qwen').getByLabel('Time until qwen sleeps'),
      /^in \d+ min/,
    );
    // Its keep-alive policy, the idle time in force, and why (the reason opens on a click).
    await waitForText(
      dashboard.modelCard('qwen').getByLabel('Keep-alive of qwen'),
      'fixed, 10 min',
    );
    await dashboard.modelCard('qwen').getByText('Why this idle time').click();
    await waitForText(
      dashboard.modelCard('qwen').getByLabel('Why qwen keeps this idle time'),
      /^fixed: 10 min/,
    );
    // What keeping it costs: its energy used so far (awake and waking).
    await waitForText(
      dashboard.modelCard('qwen').getByLabel('Energy used by qwen'),
      /^\d+\.\d{3} kWh/,
    );
    await saveScreenshot(page, 'dashboard-light');

    await dashboard.sleepButton('qwen').click();
    await waitForText(dashboard.modelState('qwen'), 'Asleep', 30_000);
    expect(await running()).toBe(false);
    await dashboard.wakeButton('qwen').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the GPU power now, its VRAM, and a sparkline that grows with each sample', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const dashboard = new DashboardPage(page);
    await dashboard.open();
    await waitForText(dashboard.gpuPowerNow(0), /^\d+(\.\d)? W$/);
    expect(await dashboard.vramMeter(0).getAttribute('aria-valuetext')).toMatch(
      /^\d+(\.\d)? (MiB|GiB) of 24\.0 GiB$/,
    );
    const readings = async (): Promise<number> =>
      Number(
        /(\d+) readings/.exec(
          (await dashboard.gpuSparkline(0).getAttribute('aria-label')) ?? '',
        )?.[1] ?? 0,
      );
    const before = await readings();
    await page.waitForFunction((n) => {
      const label = document.querySelector('svg.sparkline')?.getAttribute('aria-label') ?? '';
      return Number(/(\d+) readings/.exec(label)?.[1] ?? 0) > n;
    }, before + 1);
    expect(await readings()).toBeGreaterThan(before + 1);
    await context.close();
  });

  it('is readable in the dark theme', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl(), 'dark');
    const page = await context.newPage();
    const dashboard = new DashboardPage(page);
    await dashboard.open();
    await waitForText(dashboard.modelState('qwen'), 'Asleep');
    const colours = await page.evaluate(() => {
      const body = getComputedStyle(document.body);
      const card = getComputedStyle(document.querySelector('.card') as Element);
      return {
        background: getComputedStyle(document.documentElement).backgroundColor,
        text: body.color,
        card: card.backgroundColor,
      };
    });
    expect(colours.background).toBe('rgb(17, 20, 24)');
    expect(colours.text).toBe('rgb(232, 235, 239)');
    await saveScreenshot(page, 'dashboard-dark');
    await context.close();
  });

  it('works with the token from the Electron preload instead of the cookie', async () => {
    const context = await browser.newContext({ baseURL: app.server.url });
    await context.addInitScript(
      ([apiBaseUrl, token]) =>
        Object.defineProperty(window, 'siesta', { value: Object.freeze({ apiBaseUrl, token }) }),
      [app.server.url, tokenOf(app.server.loginUrl())] as const,
    );
    const page = await context.newPage();
    const dashboard = new DashboardPage(page);
    await dashboard.open();
    await waitForText(dashboard.modelState('qwen'), 'Asleep');
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });
});

function tokenOf(loginUrl: string): string {
  return new URL(loginUrl).searchParams.get('token') ?? '';
}

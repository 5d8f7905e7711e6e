// The dashboard in Chromium with an Ollama server of three models in the real engine: its models listed under it while
// it sleeps (after it was once awake), which are loaded and their VRAM once a client used them through the gateway,
// and an Unload click that unloads one inside the server while the server stays up.
import { Ollama } from 'ollama';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTestContainers, testDocker } from '../test/docker-harness';
import { describeDocker } from '../test/docker-suite';
import { createFakeOllama } from '../test/fake-ollama-harness';
import { until } from '../test/until';
import { DashboardPage } from './pages/dashboard-page';
import { launchChromium, loggedInContext, watchPageErrors } from './support/browser';
import type { E2eServer } from './support/e2e-server';
import { startE2eServer } from './support/e2e-server';
import { waitForText } from './support/wait-for-text';

const docker = testDocker();
const CONTAINER = `h19-e2e-ollama-${process.pid}`;
const GIB = 1024 ** 3;

describeDocker('dashboard with an Ollama server of many models', () => {
  let app: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    await createFakeOllama(docker, {
      name: CONTAINER,
      models: `llama3.2:1b=${2 * GIB},qwen2.5:7b=${5 * GIB},nomic-embed-text:latest=${GIB / 2}`,
      labels: { 'siesta.enable': 'true', 'siesta.name': 'ollama', 'siesta.server': 'ollama' },
    });
    app = await startE2eServer({ docker });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeTestContainers(docker);
  });

  it('lists the server’s models under it, shows the loaded ones with their VRAM, and unloads one on a click', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const dashboard = new DashboardPage(page);
    await dashboard.open();
    const card = dashboard.modelCard('ollama');
    await waitForText(card.locator('.served-none'), /listed once it has been awake/);

    // Once awake, Siesta reads its /api/tags; a client then loads two models through the gateway.
    await dashboard.wakeButton('ollama').click();
    await waitForText(dashboard.modelState('ollama'), 'Ready', 30_000);
    const ollama = new Ollama({ host: app.siesta.gatewayUrl });
    await ollama.generate({ model: 'llama3.2:1b', prompt: 'hi' });
    await ollama.embed({ model: 'nomic-embed-text', input: 'hi' });

    const list = card.getByRole('list', { name: 'Models of ollama' });
    await waitForText(
      list.getByLabel('llama3.2:1b in ollama'),
      /llama3\.2:1b loaded · 2(\.0)? GiB VRAM/,
    );
    await waitForText(
      list.getByLabel('nomic-embed-text:latest in ollama'),
      /loaded · 512(\.0)? MiB VRAM/,
    );
    await waitForText(list.getByLabel('qwen2.5:7b in ollama'), /not loaded/);

    await page.getByRole('button', { name: 'Unload llama3.2:1b from ollama' }).click();
    await waitForText(list.getByLabel('llama3.2:1b in ollama'), /not loaded/);
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);
    expect((await docker.getContainer(CONTAINER).inspect()).State.Running).toBe(true);
    await waitForText(dashboard.modelState('ollama'), 'Ready');

    // Asleep, it still lists its models (from the ledger), none loaded, and offers nothing to unload.
    await dashboard.sleepButton('ollama').click();
    await waitForText(dashboard.modelState('ollama'), 'Asleep', 30_000);
    await until(
      'three models listed, none loaded',
      () => list.getByRole('listitem').allTextContents(),
      (items) => items.length === 3 && items.every((t) => t.includes('not loaded')),
    );
    expect(await page.getByRole('button', { name: /^Unload / }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

// The add flow and the edit form in Chromium against the real Siesta, the real Engine and a loopback registry: the
// estimate for the replayed 24 GiB GPU, the pull's per-layer progress, the first wake, a taken name refused at its
// field; then the settings saved to siesta.yaml and applied, a bad size named, and removal asked twice. Its screenshots
// (test-results/screenshots/add-model.png, edit-model.png) are the README's, copied to docs/screenshots/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTestContainers, testDocker } from '../test/docker-harness';
import { describeDocker } from '../test/docker-suite';
import { pushFakeServerImage, startRegistry, type TestRegistry } from '../test/registry-harness';
import { AddModelForm, EditModelForm } from './pages/model-forms';
import {
  launchChromium,
  loggedInContext,
  saveScreenshot,
  watchPageErrors,
} from './support/browser';
import { startE2eServer, type E2eServer } from './support/e2e-server';
import { waitForText } from './support/wait-for-text';

const docker = testDocker();
const NAME = 'e2e-added';

describeDocker('adding and editing a model in the dashboard', () => {
  let registry: TestRegistry;
  let image: string;
  let app: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    registry = await startRegistry();
    image = pushFakeServerImage(registry, `siesta-test/e2e-add:${process.pid}`, 5_000_000);
    app = await startE2eServer({ docker });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeTestContainers(docker);
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await registry?.stop();
  });

  it('sizes the model, pulls with per-layer progress, creates it, wakes it, and refuses the name a second time', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const form = new AddModelForm(page);
    await form.open();
    await form.field('Model id').fill('meta-llama/Llama-3.1-8B-Instruct');
    // 14.96 GiB weights + 1 GiB KV cache for 8192 tokens + 2 GiB vLLM; the replayed RTX 4090 has 23.6 GiB free.
    await waitForText(
      form.estimateRow('BF16'),
      /^BF16 \(recommended\)18\.0 GiB15\.0 GiB1\.0 GiB2\.0 GiBfits now on GPU 0$/,
    );
    await waitForText(form.qualityNote(), 'Full quality: the weights as the model was trained.');
    await form.field('Context length (tokens)').fill('131072');
    await waitForText(form.estimateRow('BF16'), /^BF1633\.0 GiB.*does not fit$/);
    await waitForText(form.estimateRow('FP8'), /^FP825\.5 GiB.*does not fit$/);
    // 4 GiB of INT4 weights + 16 GiB of KV cache + 2 GiB: the largest that fits at this context.
    await waitForText(
      form.estimateRow('INT4 (AWQ/GPTQ)'),
      /^INT4 \(AWQ\/GPTQ\) \(recommended\)22\.0 GiB.*fits now on GPU 0$/,
    );
    await form.field('Context length (tokens)').fill('8192');
    await form.field('Name in Siesta').fill(NAME);
    await form.field('Idle time before sleep').fill('5m');
    // The test engine has no GPU runtime, so the container runs without one.
    await form.field('GPU').selectOption('none');
    await form.field("Image (leave empty for the template's)").fill(image);
    await form.submit().click();

    await waitForText(form.steps(), /Image pulled/, 60_000);
    expect(await form.pullBar().getAttribute('aria-valuenow')).toBe('100');
    const layers = await page
      .getByRole('list', { name: 'Layers' })
      .getByRole('listitem')
      .allTextContents();
    expect(layers).toHaveLength(2);
    expect(layers.every((l) => /: (Pull complete|Already exists)$/.test(l))).toBe(true);
    await waitForText(form.steps(), new RegExp(`Created container "${NAME}" \\(asleep\\)`));
    await waitForText(form.modelState(NAME), `${NAME}: ready`, 60_000);
    expect((await docker.getContainer(NAME).inspect()).State.Running).toBe(true);
    await saveScreenshot(page, 'add-model');

    await form.submit().click();
    await waitForText(
      page.locator('#name-error'),
      `name: Siesta already has a model named "${NAME}"; choose another name`,
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('saves settings to siesta.yaml and applies them, names a bad size, and removes the container only when asked twice', async () => {
    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const form = new EditModelForm(page, NAME);
    await form.open();
    // The replayed GPU lists no processes, so the model's own VRAM is not measured here (see estimate-check.test.ts).
    await waitForText(
      page.getByLabel('VRAM estimate against use'),
      'Estimated 17.96GiB when added; not measured yet (it is measured while it runs).',
    );
    await form.field('Idle time before sleep').fill('7m');
    await form.field('Pinned: never put to sleep or evicted').check();
    await form.field('Group (models of a group never run together)').fill('big');
    await page.getByRole('button', { name: 'Save' }).click();
    const yamlPath = join(app.dataDir, 'siesta.yaml');
    await waitForText(
      form.saved(),
      `${NAME}: now set in ${yamlPath} (its labels are no longer read) and applied`,
    );
    const yaml = readFileSync(yamlPath, 'utf8');
    expect(yaml).toMatch(/^# Models Siesta manages\./);
    expect(yaml).toContain(`  - name: ${NAME}\n    container: ${NAME}\n`);
    expect(yaml).toContain('    idle: 7m\n');
    expect(yaml).toContain('    pin: true\n    group: big\n');
    expect(app.siesta.lifecycle.get(NAME)?.pinned).toBe(true);
    await saveScreenshot(page, 'edit-model');

    await form.field('VRAM it needs (empty: learned from use)').fill('lots');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitForText(page.locator('#vram-error'), /^vram: expected a size like 512MiB/);

    // The doze: an http one without its wake path is refused at that field, siesta.yaml left alone; then saved.
    await form.field('VRAM it needs (empty: learned from use)').fill('');
    await form.field('Doze').selectOption('http');
    await form.field('Doze: sleep path (POST)').fill('/sleep');
    const beforeDoze = readFileSync(yamlPath, 'utf8');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitForText(
      page.locator('#dozeWake-error'),
      /^dozeWake: .*doze http needs its wake path/,
    );
    expect(readFileSync(yamlPath, 'utf8')).toBe(beforeDoze);
    await form.field('Doze: wake path (POST)').fill('/wake_up');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitForText(form.saved(), /doze, dozeSleep, dozeWake written to .* and applied$/);
    expect(readFileSync(yamlPath, 'utf8')).toContain(
      '    doze: http\n    dozeSleep: /sleep\n    dozeWake: /wake_up\n',
    );
    expect(app.siesta.lifecycle.get(NAME)?.spec.doze).toEqual({
      kind: 'http',
      sleepPath: '/sleep',
      wakePath: '/wake_up',
      statusPath: null,
    });

    await form.field(`Also remove its container (${NAME})`).check();
    await page.getByRole('button', { name: `Stop managing ${NAME}` }).click();
    await waitForText(
      page.getByRole('alert').filter({ hasText: 'cannot be undone' }),
      `Remove container ${NAME}? This cannot be undone. Click again to confirm.`,
    );
    expect(
      await docker
        .getContainer(NAME)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(true);
    await page.getByRole('button', { name: `Yes, remove ${NAME}` }).click();
    await waitForText(
      page.getByRole('status').filter({ hasText: 'no longer manages' }),
      new RegExp(`was removed$`),
    );
    expect(
      await docker
        .getContainer(NAME)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
    expect(readFileSync(yamlPath, 'utf8')).not.toContain(NAME);
    // The two refused saves (the bad size, the http doze without its wake path) are the only console lines:
    // Chromium logs each 400 the page asked for.
    expect(errors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    await context.close();
  }, 120_000);
});

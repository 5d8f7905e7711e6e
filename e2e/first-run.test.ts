// The first run on a machine without a Docker Engine (and, here, without a GPU): the real `siesta serve`, `siesta status`
// and the dashboard in Chromium each say what works and what to do. No engine is needed: none must answer.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, TSX, startSiestaDaemon, stateOf } from '../test/siesta-daemon';
import type { SiestaDaemon } from '../test/siesta-daemon';
import { DashboardPage } from './pages/dashboard-page';
import { launchChromium, loggedInContext, watchPageErrors } from './support/browser';
import { ensureRendererBuilt } from './support/build-renderer';
import { waitForText } from './support/wait-for-text';

const dir = mkdtempSync(join(tmpdir(), 'siesta-first-run-'));
const dataDir = join(dir, 'data');
// A socket path where no engine ever answers: Docker not installed, or not started.
const noEngine = `unix://${join(dir, 'docker.sock')}`;

describe('first run without a Docker Engine', () => {
  let daemon: SiestaDaemon;
  let browser: Browser;

  beforeAll(async () => {
    ensureRendererBuilt();
    daemon = await startSiestaDaemon(dataDir, [], { DOCKER_HOST: noEngine });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('siesta serve starts, then says Docker does not answer, what works meanwhile and how to start or install it', async () => {
    const deadline = Date.now() + 20_000;
    while (!daemon.output().includes('What to do:') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const out = daemon.output();
    expect(out).toMatch(
      new RegExp(`^Docker is not answering: .*connect ENOENT ${join(dir, 'docker.sock')}\\.$`, 'm'),
    );
    expect(out).toContain(
      '  What works: The gateway, the dashboard and the energy ledger run; Siesta keeps trying, finds the models when Docker answers, and wakes wait for it.',
    );
    expect(out).toContain(
      '  What to do: Start Docker (sudo systemctl start docker, or open Docker Desktop), or install it',
    );
    const state = await stateOf(daemon);
    // The GPU advice follows what the machine has: this one's probe decides, and the output must agree with it.
    if (state.probe.backend === 'none') {
      expect(out).toMatch(/^No GPU found: .+\.$/m);
      expect(out).toContain('energy figures are estimates');
    } else {
      expect(out).not.toContain('No GPU found');
    }
  });

  it('siesta status says the same, with the models to come when Docker answers', () => {
    const status = spawnSync(
      TSX,
      [CLI, 'status', '--control', daemon.controlUrl, '--data-dir', dataDir],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^Docker is not answering: .*connect ENOENT ${join(dir, 'docker.sock')}\\.$`),
    );
    expect(lines[1]).toMatch(/^ {2}What works: The gateway, the dashboard/);
    expect(lines[2]).toMatch(/^ {2}What to do: Start Docker/);
    expect(status.stdout).toContain(
      'Models: none yet (they are found when the Docker Engine answers)',
    );
  });

  it('the dashboard shows the same notice: the error, what works and what to do', async () => {
    const context = await loggedInContext(
      browser,
      daemon.controlUrl,
      `${daemon.controlUrl}/login?token=${daemon.token}`,
    );
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await new DashboardPage(page).open();
    const notice = page.getByRole('alert').filter({ hasText: 'Docker is not answering' });
    await waitForText(
      notice.getByLabel('Docker is not answering: what Siesta was told'),
      new RegExp(`connect ENOENT ${join(dir, 'docker.sock')}\\.$`),
    );
    await waitForText(
      notice.getByLabel('Docker is not answering: what to do'),
      /^What to do: Start Docker \(sudo systemctl start docker, or open Docker Desktop\)/,
    );
    await waitForText(
      page.getByText('No models yet: they are found when Docker answers.'),
      'No models yet: they are found when Docker answers.',
    );
    const state = await stateOf(daemon);
    const gpuNotice = page.getByRole('status').filter({ hasText: 'No GPU found' });
    expect(await gpuNotice.count()).toBe(state.probe.backend === 'none' ? 1 : 0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

// The Costs page (issue 16) in Chromium against the real daemon over a ledger seeded with this month's requests of
// two models: the counts, tokens and kWh it shows are the seeded ones, the chart draws local and every API, the
// user's cloud price typed into the form adds a cloud line and the crossovers name it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker } from '../test/docker-suite';
import { CostsPage } from './pages/costs-page';
import {
  launchChromium,
  loggedInContext,
  saveScreenshot,
  watchPageErrors,
} from './support/browser';
import type { E2eServer } from './support/e2e-server';
import { startE2eServer } from './support/e2e-server';
import { SEEDED_TRAFFIC } from './support/seed-requests';
import { waitForText } from './support/wait-for-text';
import { until } from '../test/until';
import { CostsResponseSchema } from '../main/core/api/contract';

describeDocker('the Costs page', () => {
  let app: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    app = await startE2eServer({ seedWeek: true, seedMonthRequests: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows this month's requests, tokens and kWh per model, the seed's chart from them, and the user's cloud price", async () => {
    const counts = new Map(
      app.siesta.ledger.requests
        .summary(new Date(new Date().getFullYear(), new Date().getMonth(), 1).getTime(), Date.now())
        .models.map((m) => [m.model, m.requests]),
    );
    const qwen = SEEDED_TRAFFIC.find((t) => t.model === 'qwen')!;
    const qwenCount = counts.get('qwen') ?? 0;
    const fluxCount = counts.get('flux') ?? 0;
    expect(qwenCount).toBeGreaterThanOrEqual(qwen.perDay);

    const context = await loggedInContext(browser, app.server.url, app.server.loginUrl());
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const costs = new CostsPage(page);
    await costs.open();

    const fmt = (n: number): string => n.toLocaleString('en-US');
    expect(await costs.total('Requests this month').textContent()).toBe(fmt(qwenCount + fluxCount));
    const tokens = SEEDED_TRAFFIC.reduce(
      (n, t) => n + (counts.get(t.model) ?? 0) * (t.promptTokens + t.completionTokens),
      0,
    );
    expect(await costs.total('Tokens this month').textContent()).toBe(fmt(tokens));
    const cells = await costs.modelRow('qwen').locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([
      fmt(qwenCount),
      fmt(qwenCount * qwen.promptTokens),
      fmt(qwenCount * qwen.completionTokens),
      ((qwenCount * qwen.marginalJoules) / 3_600_000).toFixed(4),
    ]);

    // Local and the three shipped APIs are drawn; no cloud line until a price per minute is set.
    for (const name of [
      'local',
      'OpenAI gpt-4o-mini',
      'OpenAI gpt-4o',
      'Anthropic Claude 3.5 Sonnet',
    ])
      expect(await costs.line(name).count()).toBe(1);
    expect(await costs.line('cloud GPU').count()).toBe(0);
    expect(await costs.optionRow('OpenAI gpt-4o-mini').textContent()).toContain('2024-07-18');
    const marked = Number(await costs.nowMarker().getAttribute('data-requests'));
    expect(marked).toBeGreaterThanOrEqual(qwenCount + fluxCount);

    // The user's own costs, typed into the form: a bad value is named at its field, a good one adds the cloud line.
    await costs.field('Cloud GPU per minute').fill('ten cents');
    await costs.save().click();
    await waitForText(page.getByRole('alert').first(), /price per minute/);
    await costs.field('Cloud GPU per minute').fill('0.10');
    await costs.field('Cloud fixed per month').fill('2000');
    await costs.field('Hardware price').fill('45000');
    await costs.field('Written off over (months)').fill('36');
    await costs.field('Upkeep per month').fill('2500');
    await costs.save().click();
    await costs.line('cloud GPU').waitFor();
    expect(app.settings.get().costs).toMatchObject({
      cloudPricePerMinute: 0.1,
      cloudFixedPerMonth: 2000,
      hardwarePrice: 45000,
      hardwareLifetimeMonths: 36,
      upkeepPerMonth: 2500,
    });
    const crossovers = await costs.crossovers().textContent();
    expect(crossovers).toMatch(
      /cloud GPU is cheaper below [\d.]+[kM]? requests a month, local above/,
    );
    expect(crossovers).toMatch(/Cheapest at this month's pace: /);
    // Own hardware at this volume: (45,000 / 36 + 2,500) a month over a few thousand requests is far above an API.
    expect(await costs.optionRow('local').textContent()).toMatch(/3750 EUR/);
    // The README's picture: the shipped API prices beside the user's own costs.
    await saveScreenshot(page, 'costs');

    // The API price table is edited in place: a bad price is named, a good one is saved and priced.
    const miniBefore = await costs
      .optionRow('OpenAI gpt-4o-mini')
      .locator('td')
      .nth(1)
      .textContent();
    await costs.field('Input per 1M tokens, row 1').fill('lots');
    await costs.save().click();
    await waitForText(page.getByRole('alert').first(), /input tokens/);
    await costs.field('Input per 1M tokens, row 1').fill('1.5');
    await costs.save().click();
    await until(
      'the new price saved',
      () => app.settings.get().costs.apiPrices[0]?.inputPerMillion,
      (v) => v === 1.5,
    );
    const answer = CostsResponseSchema.parse(
      await (
        await fetch(`${app.siesta.controlUrl}/api/costs`, {
          headers: { authorization: `Bearer ${app.siesta.token}` },
        })
      ).json(),
    );
    const mini = answer.options.find((o) => o.name === 'OpenAI gpt-4o-mini')!;
    // 1.5 and 0.6 USD per million tokens of the mix, at the shipped 0.95 EUR a USD.
    expect(mini.perRequest).toBeCloseTo(
      ((answer.mix!.promptTokens * 1.5 + answer.mix!.completionTokens * 0.6) / 1e6) * 0.95,
      12,
    );
    const miniAfter = await waitForText(
      costs.optionRow('OpenAI gpt-4o-mini').locator('td').nth(1),
      `${mini.perRequestNow!.toFixed(5)} EUR`,
    );
    expect(miniAfter).not.toBe(miniBefore);
    expect(app.settings.get().costs.apiPrices[0]).toMatchObject({
      name: 'OpenAI gpt-4o-mini',
      inputPerMillion: 1.5,
      outputPerMillion: 0.6,
      asOf: '2024-07-18',
    });
    // The costs typed before are still in force: the form was never reset under the user.
    expect(app.settings.get().costs.cloudPricePerMinute).toBe(0.1);
    expect(await costs.field('Cloud GPU per minute').inputValue()).toBe('0.1');
    expect(await costs.field('Input per 1M tokens, row 1').inputValue()).toBe('1.5');
    await costs.line('cloud GPU').waitFor();
    // The two refused saves log their 400s in the console; nothing else went wrong.
    expect(errors).toEqual(
      Array(2).fill(
        'Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ),
    );
    await context.close();
  });
});

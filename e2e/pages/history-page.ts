// Page object of the history: the stacked chart, its bars, the totals and the CSV link.
import type { Locator, Page } from 'playwright-core';

/** The history page (`#/history`). */
export class HistoryPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/#/history');
    await this.chart().waitFor();
  }

  chart(): Locator {
    return this.page.getByRole('img', { name: /^Energy saved per day, stacked by model/ });
  }

  /** The bar segments of one model. */
  segments(model: string): Locator {
    return this.chart().locator(`rect.bar-segment[data-model="${model}"]`);
  }

  cumulative(): Locator {
    return this.page.getByRole('img', { name: /^Cumulative energy saved/ });
  }

  total(
    name:
      | 'Total energy saved'
      | 'Saved by dozes'
      | 'Money saved'
      | 'CO2 avoided'
      | 'Wakes'
      | 'Wake time',
  ): Locator {
    return this.page.getByLabel(name, { exact: true });
  }

  legend(): Locator {
    return this.page.getByRole('list', { name: 'Models' });
  }

  modelRow(model: string): Locator {
    return this.page.getByRole('row', { name: new RegExp(`^${model}\\b`) });
  }

  /** The "Energy used" section: its total, a model's row, a GPU's row. */
  usedTotal(): Locator {
    return this.page.getByLabel('Total energy used', { exact: true });
  }

  usedRow(model: string): Locator {
    return this.page.getByRole('row', { name: `Used by ${model}` });
  }

  gpuRow(gpuIndex: number): Locator {
    return this.page.getByRole('row', { name: `GPU ${gpuIndex} energy` });
  }

  csvLink(): Locator {
    return this.page.getByRole('link', { name: 'Download CSV' });
  }

  range(): Locator {
    return this.page.getByLabel('Range');
  }
}

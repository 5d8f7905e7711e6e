// Page object of the Costs page: this month's totals, the table by model, the chart and its lines, the crossovers,
// the per-request table and the cost form.
import type { Locator, Page } from 'playwright-core';

/** The Costs page (`#/costs`). */
export class CostsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/#/costs');
    await this.total('Requests this month').waitFor();
  }

  total(
    name:
      | 'Requests this month'
      | 'Tokens this month'
      | 'Energy this month'
      | 'Energy cost this month'
      | 'Sleeping saved',
  ): Locator {
    return this.page.getByLabel(name, { exact: true });
  }

  modelRow(model: string): Locator {
    return this.page
      .getByRole('table', { name: 'Requests by model' })
      .getByRole('row', { name: new RegExp(`^${model}\\b`) });
  }

  chart(): Locator {
    return this.page.getByRole('img', { name: /^Monthly cost in / });
  }

  line(option: string): Locator {
    return this.chart().locator(`path.cost-line[data-option="${option}"]`);
  }

  nowMarker(): Locator {
    return this.chart().locator('line.cost-now');
  }

  crossovers(): Locator {
    return this.page.getByRole('list', { name: 'Crossovers' });
  }

  optionRow(option: string): Locator {
    return this.page
      .getByRole('table', { name: 'Cost per request' })
      .getByRole('row', { name: new RegExp(`^${option}\\b`) });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  save(): Locator {
    return this.page.getByRole('button', { name: 'Save costs' });
  }
}

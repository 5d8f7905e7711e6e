// Page object of the settings form: fields by label, the save button, field errors and the saved notice.
import type { Locator, Page } from 'playwright-core';

/** The settings page (`#/settings`). */
export class SettingsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/#/settings');
    await this.price().waitFor();
  }

  price(): Locator {
    return this.page.getByLabel('Price per kWh');
  }

  currency(): Locator {
    return this.page.getByLabel('Currency');
  }

  gridIntensity(): Locator {
    return this.page.getByLabel(/^Grid intensity/);
  }

  defaultIdleMinutes(): Locator {
    return this.page.getByLabel(/^Default idle time/);
  }

  notification(label: string): Locator {
    return this.page.getByRole('checkbox', { name: label });
  }

  save(): Locator {
    return this.page.getByRole('button', { name: 'Save settings' });
  }

  saved(): Locator {
    return this.page.getByRole('status').filter({ hasText: 'Saved' });
  }

  /** The error shown under a field (tied to it with aria-describedby). */
  async errorOf(field: Locator): Promise<string | null> {
    const id = await field.getAttribute('aria-describedby');
    return id ? this.page.locator(`#${id}`).textContent() : null;
  }
}

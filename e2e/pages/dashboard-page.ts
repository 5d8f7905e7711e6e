// Page object of the dashboard: the GPU and model cards, found by role and accessible name as a screen reader would.
import type { Locator, Page } from 'playwright-core';

/** The dashboard (`#/`). */
export class DashboardPage {
  constructor(readonly page: Page) {}

  /** Opens the dashboard and waits for the live stream. */
  async open(): Promise<void> {
    await this.page.goto('/#/');
    await this.connection().filter({ hasText: 'Live' }).waitFor();
  }

  /** The connection indicator in the header. */
  connection(): Locator {
    return this.page.getByRole('status', { name: /^Connection:/ });
  }

  modelCard(name: string): Locator {
    return this.page.getByRole('region', { name: `Model ${name}` });
  }

  /** The state line of a model's card (`Asleep`, `Waking`, `Ready`...). */
  modelState(name: string): Locator {
    return this.modelCard(name).getByLabel(`State of ${name}`);
  }

  wakeButton(name: string): Locator {
    return this.page.getByRole('button', { name: `Wake ${name}`, exact: true });
  }

  sleepButton(name: string): Locator {
    return this.page.getByRole('button', { name: `Put ${name} to sleep`, exact: true });
  }

  wakeProgress(name: string): Locator {
    return this.page.getByRole('progressbar', { name: `Waking ${name}` });
  }

  gpuCard(index: number): Locator {
    return this.page.getByRole('region', { name: new RegExp(`^GPU ${index}:`) });
  }

  gpuPowerNow(index: number): Locator {
    return this.gpuCard(index).getByLabel(`Power now on GPU ${index}`);
  }

  gpuSparkline(index: number): Locator {
    return this.gpuCard(index).getByRole('img', {
      name: new RegExp(`^Power of GPU ${index} over the last 10 minutes`),
    });
  }

  vramMeter(index: number): Locator {
    return this.page.getByRole('meter', { name: `VRAM used on GPU ${index}` });
  }
}

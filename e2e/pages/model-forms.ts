// Page objects of the add-model page (`#/add`) and a model's settings page (`#/edit/NAME`), by label and role.
import type { Locator, Page } from 'playwright-core';

/** `#/add`. */
export class AddModelForm {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/#/add');
    await this.page.getByRole('form', { name: 'Add a model' }).waitFor();
    await this.page.locator('#template option[value="vllm"]').waitFor({ state: 'attached' });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  estimateRow(precision: string): Locator {
    return this.page.getByRole('row', { name: `${precision} estimate` });
  }

  qualityNote(): Locator {
    return this.page.getByLabel('Quality of the recommended precision');
  }

  submit(): Locator {
    return this.page.getByRole('button', { name: 'Add model' });
  }

  pullBar(): Locator {
    return this.page.getByRole('progressbar', { name: 'Pull progress' });
  }

  steps(): Locator {
    return this.page.getByRole('list', { name: 'What was done' });
  }

  modelState(name: string): Locator {
    return this.page.getByLabel(`State of ${name}`);
  }
}

/** `#/edit/NAME`. */
export class EditModelForm {
  constructor(
    readonly page: Page,
    readonly name: string,
  ) {}

  async open(): Promise<void> {
    await this.page.goto(`/#/edit/${encodeURIComponent(this.name)}`);
    await this.page.getByRole('form', { name: `Settings of ${this.name}` }).waitFor();
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  saved(): Locator {
    return this.page.getByRole('status').filter({ hasText: 'applied' });
  }
}

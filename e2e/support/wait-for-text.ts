// Waits for a locator to show a text (playwright-core has no `expect`): polls with a deadline, then fails naming what it saw.
import type { Locator } from 'playwright-core';

/** Resolves when `locator`'s text matches `text`; rejects after `timeoutMs` with the last text seen. */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  for (;;) {
    last = await locator
      .textContent({ timeout: Math.max(1, deadline - Date.now()) })
      .catch(() => null);
    if (last !== null && (typeof text === 'string' ? last.includes(text) : text.test(last)))
      return last;
    if (Date.now() > deadline)
      throw new Error(
        `expected ${String(locator)} to show ${String(text)} within ${timeoutMs} ms; it showed ${JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

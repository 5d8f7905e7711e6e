// Debian's Chromium through playwright-core, and where the browser tests keep their screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from './build-renderer';

/** Where the screenshots go. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/** Launches headless Chromium from /usr/bin/chromium (override with CHROMIUM_PATH). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A context logged in through the login link (the cookie), as a user of `siesta serve` would be. */
export async function loggedInContext(
  browser: Browser,
  baseUrl: string,
  loginUrl: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    colorScheme,
    viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  await page.goto(loginUrl);
  await page.close();
  return context;
}

/** Saves a full-page screenshot as test-results/screenshots/NAME.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects the page's console errors and CSP violations, so a test can assert there were none. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

// Renders the tray and app icons from the hand-written SVGs in assets/ with Chromium: `node build/make-icons.mjs`.
// No image library is needed: each SVG is screenshotted on a transparent page (playwright-core, Debian's chromium).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(root, 'assets');

/** Must match TRAY_ICON_STATES in main/core/tray/tray-icon-state.ts (a test checks every state has its files). */
const STATES = ['asleep', 'awake', 'waking', 'error'];

/**
 * Colours per variant. `template` is for macOS: black with alpha only, macOS tints it for the menu
 * bar. `dark` is drawn for a dark panel (a light glyph), `light` for a light one.
 */
/** @type {Record<string, { glyph: string, accent: Record<string, string> }>} */
const VARIANTS = {
  template: {
    glyph: '#000000',
    accent: { asleep: '#000000', awake: '#000000', waking: '#000000', error: '#000000' },
  },
  dark: {
    glyph: '#f4f4f5',
    accent: { asleep: '#a5b4fc', awake: '#fbbf24', waking: '#fb923c', error: '#f87171' },
  },
  light: {
    glyph: '#27272a',
    accent: { asleep: '#4f46e5', awake: '#d97706', waking: '#ea580c', error: '#dc2626' },
  },
};

/** Tray icons are 16 px (macOS and Windows menu bars), plus a double-size copy (`@2x` in its name) for high-density screens. */
const TRAY_SIZES = [
  { px: 16, suffix: '' },
  { px: 32, suffix: '@2x' },
];

/** Linux installs these sizes into the hicolor theme; electron-builder makes the macOS .icns and Windows .ico from icon.png. */
const LINUX_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];

/**
 * The file name of a tray icon (main/core/tray/tray-icon-file.ts reads the same names).
 * @param {string} state
 * @param {string} variant
 * @param {string} suffix
 */
function trayFileName(state, variant, suffix) {
  return variant === 'template'
    ? `${state}Template${suffix}.png`
    : `${state}-${variant}${suffix}.png`;
}

/**
 * Screenshots an SVG at `px` pixels on a transparent page.
 * @param {import('playwright-core').Page} page
 * @param {string} svg
 * @param {number} px
 * @param {{ glyph: string, accent: string }} colours
 * @returns {Promise<Buffer>}
 */
async function render(page, svg, px, colours) {
  const sized = svg.replace(
    /<svg\b([^>]*?)\swidth="\d+"\s+height="\d+"/,
    `<svg$1 width="${px}" height="${px}"`,
  );
  await page.setContent(
    `<!doctype html><html><body style="margin:0;background:transparent">` +
      `<div id="icon" style="width:${px}px;height:${px}px;color:${colours.glyph};--accent:${colours.accent}">${sized}</div>` +
      `</body></html>`,
  );
  return page.locator('#icon').screenshot({ omitBackground: true });
}

/**
 * @param {string} path
 * @param {Buffer} png
 */
function write(path, png) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, png);
  console.log(`wrote ${path.slice(root.length + 1)}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({
    deviceScaleFactor: 1,
    viewport: { width: 600, height: 600 },
  });
  for (const state of STATES) {
    const svg = readFileSync(join(assets, `tray-${state}.svg`), 'utf8');
    for (const [variant, colours] of Object.entries(VARIANTS)) {
      for (const { px, suffix } of TRAY_SIZES) {
        const png = await render(page, svg, px, {
          glyph: colours.glyph,
          accent: colours.accent[state] ?? colours.glyph,
        });
        write(join(assets, 'tray', trayFileName(state, variant, suffix)), png);
      }
    }
  }
  const appSvg = readFileSync(join(assets, 'app-icon.svg'), 'utf8');
  const noColours = { glyph: '#000000', accent: '#000000' };
  write(join(root, 'build', 'icon.png'), await render(page, appSvg, 512, noColours));
  for (const px of LINUX_ICON_SIZES)
    write(
      join(root, 'build', 'icons', `${px}x${px}.png`),
      await render(page, appSvg, px, noColours),
    );
  write(join(assets, 'app-icon.png'), await render(page, appSvg, 256, noColours));
} finally {
  await browser.close();
}

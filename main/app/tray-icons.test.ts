// The rendered icons are committed, complete and well-formed: every state in every variant, the right sizes, transparent, templates monochrome.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TRAY_ICON_STATES } from '../core/tray/tray-icon-state';
import { trayIconFile } from '../core/tray/tray-icon-file';

const root = join(__dirname, '..', '..');

/** Width, height and RGBA pixels of an 8-bit RGBA, non-interlaced PNG (what Chromium's screenshots are). */
function readPng(path: string): {
  width: number;
  height: number;
  pixel: (x: number, y: number) => [number, number, number, number];
} {
  const file = readFileSync(path);
  expect(file.subarray(0, 8).toString('hex'), `${path} is a PNG`).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('ascii', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[12]], `${path}: 8-bit RGBA, not interlaced`).toEqual([
        8, 6, 0,
      ]);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] ?? 0;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] ?? 0;
      const a = i >= 4 ? (pixels[y * stride + i - 4] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0;
      const c = i >= 4 && y > 0 ? (pixels[(y - 1) * stride + i - 4] ?? 0) : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      pixels[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => {
      const i = y * stride + x * 4;
      return [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0, pixels[i + 3] ?? 0];
    },
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function everyPixel(png: ReturnType<typeof readPng>): Array<[number, number, number, number]> {
  const all: Array<[number, number, number, number]> = [];
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) all.push(png.pixel(x, y));
  return all;
}

describe('tray icons', () => {
  const files = TRAY_ICON_STATES.flatMap((state) =>
    [
      trayIconFile(state, 'darwin', false),
      trayIconFile(state, 'linux', true),
      trayIconFile(state, 'win32', false),
    ].flatMap((name) => [
      { name, px: 16 },
      { name: name.replace(/\.png$/, '@2x.png'), px: 32 },
    ]),
  );

  it('exist for every state, variant and density, at 16 and 32 px', () => {
    expect(files).toHaveLength(TRAY_ICON_STATES.length * 6);
    for (const { name, px } of files) {
      const path = join(root, 'assets', 'tray', name);
      expect(existsSync(path), `${name} is rendered (node build/make-icons.mjs)`).toBe(true);
      const png = readPng(path);
      expect([png.width, png.height], name).toEqual([px, px]);
    }
  });

  it('have a transparent background and something drawn on it', () => {
    for (const { name } of files) {
      const png = readPng(join(root, 'assets', 'tray', name));
      expect(png.pixel(0, 0)[3], `${name} corner`).toBe(0);
      const opaque = everyPixel(png).filter((p) => p[3] > 128).length;
      expect(opaque / (png.width * png.height), `${name} coverage`).toBeGreaterThan(0.1);
    }
  });

  it('are pure black with alpha on macOS, so the menu bar can tint them', () => {
    for (const { name } of files.filter((f) => f.name.includes('Template'))) {
      const coloured = everyPixel(readPng(join(root, 'assets', 'tray', name))).filter(
        ([r, g, b, a]) => a > 0 && (r > 0 || g > 0 || b > 0),
      );
      expect(coloured, name).toEqual([]);
    }
  });

  it("carry their state's accent colour on Windows and Linux", () => {
    for (const { name } of files.filter((f) => !f.name.includes('Template'))) {
      const tinted = everyPixel(readPng(join(root, 'assets', 'tray', name))).filter(
        ([r, g, b, a]) => a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60,
      );
      expect(tinted.length, name).toBeGreaterThan(0);
    }
  });

  it('look different for each state', () => {
    const images = TRAY_ICON_STATES.map((state) =>
      readFileSync(join(root, 'assets', 'tray', trayIconFile(state, 'darwin', false))).toString(
        'base64',
      ),
    );
    expect(new Set(images).size).toBe(TRAY_ICON_STATES.length);
  });
});

describe('app icons', () => {
  it('has a 512 px icon for the installers and the hicolor sizes for Linux', () => {
    expect(readPng(join(root, 'build', 'icon.png'))).toMatchObject({ width: 512, height: 512 });
    for (const px of [16, 32, 48, 64, 128, 256, 512]) {
      expect(readPng(join(root, 'build', 'icons', `${px}x${px}.png`)), `${px}x${px}`).toMatchObject(
        { width: px, height: px },
      );
    }
    expect(readPng(join(root, 'assets', 'app-icon.png'))).toMatchObject({
      width: 256,
      height: 256,
    });
  });
});

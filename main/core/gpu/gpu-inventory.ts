// The one-off GPU inventory at start-up (names, vendors, PCI slots) through systeminformation; never a per-tick probe.
import type { Systeminformation } from 'systeminformation';

/** One graphics controller the OS lists. */
export interface InventoryGpu {
  readonly vendor: 'nvidia' | 'amd' | 'other';
  readonly name: string;
  /** Lower-case PCI slot such as `0000:0c:00.0`, when known. */
  readonly pciSlot: string | null;
  readonly vramBytes: number | null;
}

/** What `systeminformation.graphics()` returns, as far as the inventory needs it. */
export type GraphicsReader = () => Promise<Pick<Systeminformation.GraphicsData, 'controllers'>>;

/** The vendor of a controller from its vendor string or PCI vendor id. */
export function vendorOf(vendor: string, vendorId?: string): InventoryGpu['vendor'] {
  const name = vendor.toLowerCase();
  const id = (vendorId ?? '').toLowerCase().replace(/^0x/, '');
  if (/\bnvidia\b/.test(name) || id === '10de') return 'nvidia';
  // Word boundaries: "Intel Corporation" contains "ati".
  if (/\b(amd|ati)\b|advanced micro devices/.test(name) || id === '1002') return 'amd';
  return 'other';
}

/** A PCI address as systeminformation gives it (`0c:00.0`, `00000000:01:00.0`) in sysfs's form (`0000:0c:00.0`). */
export function normalisePciSlot(address: string | undefined): string | null {
  if (!address) return null;
  const match = /(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])/i.exec(address);
  if (!match) return null;
  const domain = (match[1] ?? '0000').slice(-4);
  return `${domain}:${match[2]}:${match[3]}.${match[4]}`.toLowerCase();
}

/**
 * Lists the machine's graphics controllers once. `read` defaults to `systeminformation.graphics`
 * (loaded only when called, since it is slow and spawns tools of its own: lspci, nvidia-smi).
 */
export async function readGpuInventory(read?: GraphicsReader): Promise<InventoryGpu[]> {
  const graphics = read ?? (await import('systeminformation')).graphics;
  const data = await graphics();
  return data.controllers.map((c) => ({
    vendor: vendorOf(c.vendor, c.vendorId),
    name: (c.name ?? c.model ?? '').trim() || c.vendor || 'GPU',
    pciSlot: normalisePciSlot(c.pciBus ?? c.busAddress),
    vramBytes: typeof c.vram === 'number' && c.vram > 0 ? c.vram * 1024 * 1024 : null,
  }));
}

// After a doze, what the GPU probe says it really freed (issue 15): some servers keep gigabytes allocated when asleep.
const GIB = 1024 ** 3;

/** GPU readings around one doze: used VRAM and power just before it and once it settled. */
export interface DozeReadings {
  readonly model: string;
  readonly gpuIndex: number;
  readonly usedBeforeBytes: number;
  readonly usedAfterBytes: number;
  readonly powerBeforeWatts: number | null;
  readonly powerAfterWatts: number | null;
}

/** What the doze freed, and whether that is enough to count its VRAM as free. */
export interface DozeVerdict {
  readonly freedBytes: number;
  /** Still held by the dozing model (what it held awake less what came back). */
  readonly keptBytes: number;
  readonly freedWatts: number | null;
  /** The doze state's idle watts as measured (the GPU's power once dozed), for the keep-alive policy. */
  readonly dozedWatts: number | null;
  /** True when it kept no more than the allowance: the scheduler may count its VRAM as free. */
  readonly enough: boolean;
  /** For the event log and notifications when it freed too little; null when enough. */
  readonly warning: string | null;
}

/** What a doze may keep and still count as freed: 512 MiB (CUDA context, allocator slack). */
export const DOZE_KEPT_ALLOWANCE_BYTES = 512 * 1024 ** 2;

/** Judges one doze; `heldBytes` is what the model held awake (learned or declared), or null to take the drop as all. */
export function judgeDoze(readings: DozeReadings, heldBytes: number | null): DozeVerdict {
  const freedBytes = Math.max(0, readings.usedBeforeBytes - readings.usedAfterBytes);
  const held = heldBytes ?? freedBytes;
  const keptBytes = Math.max(0, held - freedBytes);
  const freedWatts =
    readings.powerBeforeWatts === null || readings.powerAfterWatts === null
      ? null
      : readings.powerBeforeWatts - readings.powerAfterWatts;
  const enough = keptBytes <= DOZE_KEPT_ALLOWANCE_BYTES;
  return {
    freedBytes,
    keptBytes,
    freedWatts,
    dozedWatts: readings.powerAfterWatts,
    enough,
    warning: enough
      ? null
      : `${readings.model} dozed but still holds ${(keptBytes / GIB).toFixed(1)} GiB of its ${(held / GIB).toFixed(1)} GiB ` +
        `on GPU ${readings.gpuIndex} (its server kept them allocated); Siesta stops it instead when another model needs the room.`,
  };
}

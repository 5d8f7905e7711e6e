// The weight precisions Siesta offers when it sizes a model, what each costs per weight, and what it costs in quality.

/** A weight format a model server can load. GGUF quants (`q8_0`, `q5_k_m`, `q4_k_m`) are llama.cpp's and Ollama's. */
export type Precision = 'bf16' | 'fp16' | 'fp8' | 'int8' | 'q8_0' | 'q5_k_m' | 'q4_k_m' | 'int4';

/** One precision: its name for people, bits per weight as stored in VRAM, and the quality it gives up. */
export interface PrecisionInfo {
  readonly id: Precision;
  readonly label: string;
  /**
   * Average bits per weight in VRAM, block scales included: GGUF K-quants mix 4/5/6-bit tensors (Q4_K_M ≈ 4.9,
   * Q5_K_M ≈ 5.7, llama.cpp's `quantize --help` table), Q8_0 stores a 16-bit scale per 32 weights (8.5), AWQ/GPTQ
   * int4 with group size 128 adds a scale and zero point per group (≈ 4.25).
   */
  readonly bitsPerWeight: number;
  /** One plain sentence on what this precision costs in quality against 16-bit weights. */
  readonly qualityNote: string;
}

const PRECISIONS: Readonly<Record<Precision, PrecisionInfo>> = {
  bf16: {
    id: 'bf16',
    label: 'BF16',
    bitsPerWeight: 16,
    qualityNote: 'Full quality: the weights as the model was trained.',
  },
  fp16: {
    id: 'fp16',
    label: 'FP16',
    bitsPerWeight: 16,
    qualityNote: 'Full quality: the weights as the model was published.',
  },
  fp8: {
    id: 'fp8',
    label: 'FP8',
    bitsPerWeight: 8,
    qualityNote:
      'Half the memory of 16-bit; answers are practically the same (benchmarks move by well under 1%).',
  },
  int8: {
    id: 'int8',
    label: 'INT8',
    bitsPerWeight: 8,
    qualityNote:
      'Half the memory of 16-bit; transcripts are practically the same (word error rate moves by a few tenths of a point).',
  },
  q8_0: {
    id: 'q8_0',
    label: 'Q8_0',
    bitsPerWeight: 8.5,
    qualityNote: 'About half the memory of 16-bit and practically indistinguishable from it.',
  },
  q5_k_m: {
    id: 'q5_k_m',
    label: 'Q5_K_M',
    bitsPerWeight: 5.7,
    qualityNote:
      'About a third of the memory of 16-bit; a small loss that few people notice in chat.',
  },
  q4_k_m: {
    id: 'q4_k_m',
    label: 'Q4_K_M',
    bitsPerWeight: 4.9,
    qualityNote:
      'Under a third of the memory of 16-bit; a small but measurable loss, most visible in maths, code and long reasoning.',
  },
  int4: {
    id: 'int4',
    label: 'INT4 (AWQ/GPTQ)',
    bitsPerWeight: 4.25,
    qualityNote:
      'A quarter of the memory of 16-bit weights; a measurable loss, most visible in maths, code and long reasoning.',
  },
};

/** What Siesta knows of a precision. */
export function precisionInfo(precision: Precision): PrecisionInfo {
  return PRECISIONS[precision];
}

/** Every precision id, for validating input. */
export const PRECISION_IDS = Object.keys(PRECISIONS) as readonly Precision[];

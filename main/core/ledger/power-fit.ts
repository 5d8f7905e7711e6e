// A GPU's power explained by which models are resident or loading on it, learned online from every sample by ridge
// least squares (the maths and its limits: docs/energy.md). Pure: no clock, no database.

/** Which models hold the GPU at one moment. */
export interface GpuState {
  /** Models resident (ready) on the GPU. */
  readonly resident: readonly string[];
  /** Models whose containers are loading (waking) on the GPU. */
  readonly loading: readonly string[];
}

/** Samples needed before the fit answers at all. */
export const MIN_SUPPORT_SAMPLES = 3;

/**
 * Largest variance factor (variance of a figure over the noise variance) the fit answers with: about two samples'
 * worth of information on the figure. An unidentified figure has a factor near 1/ridge (100).
 */
export const MAX_VARIANCE_FACTOR = 0.5;

/** A figure the fit gives, with its standard error (null until the noise can be estimated). */
export interface Estimate {
  readonly watts: number;
  readonly standardErrorWatts: number | null;
}

const INTERCEPT = 'base';
const ANY_RESIDENT = 'any';
const residentFeature = (model: string): string => `r:${model}`;
const loadingFeature = (model: string): string => `l:${model}`;

/** Whether a model holds a CUDA context on the GPU (VRAM there): only those pay the context step. */
export type TakesContext = (model: string) => boolean;

/**
 * power ≈ base + step·[any context-holding model resident] + Σ residentWatts_m·[m resident] + Σ loadingWatts_m·[m loading],
 * fitted over every sample added so far. The normal equations are kept as sums, so adding a sample costs
 * O(features²) and refitting O(features³), with a handful of features per GPU.
 */
export class PowerFit {
  private readonly features: string[] = [INTERCEPT, ANY_RESIDENT];
  private readonly index = new Map<string, number>([
    [INTERCEPT, 0],
    [ANY_RESIDENT, 1],
  ]);
  /** XᵀX (rows grown as models appear) and Xᵀy. */
  private xtx: number[][] = [
    [0, 0],
    [0, 0],
  ];
  private xty: number[] = [0, 0];
  private yy = 0;
  private count = 0;
  private solved: number[] | null = null;

  /**
   * @param ridge  pull of each per-model coefficient toward zero, in samples' worth: it keeps a split the samples
   *   cannot tell apart finite without biasing what they do tell.
   * @param takesContext  which models pay the context step (a model with no VRAM on the GPU does not).
   */
  constructor(
    private readonly takesContext: TakesContext = () => true,
    private readonly ridge = 0.01,
  ) {}

  /** Samples added so far. */
  get samples(): number {
    return this.count;
  }

  /** Adds one sample: the measured watts with this state. */
  add(state: GpuState, powerWatts: number): void {
    this.weigh(state, powerWatts, 1);
  }

  /** Takes back a sample added before (it turned out to belong to another state). */
  remove(state: GpuState, powerWatts: number): void {
    this.weigh(state, powerWatts, -1);
  }

  private weigh(state: GpuState, powerWatts: number, weight: 1 | -1): void {
    const on = this.activeFeatures(state, true);
    for (const i of on) {
      this.xty[i] = at(this.xty, i) + weight * powerWatts;
      const row = this.xtx[i] ?? [];
      for (const j of on) row[j] = at(row, j) + weight;
    }
    this.yy += weight * powerWatts * powerWatts;
    this.count += weight;
    this.solved = null;
  }

  /** Predicted watts with this state, or null when the samples do not tell it (a model or combination never seen). */
  predict(state: GpuState): number | null {
    const on = this.activeFeatures(state, false);
    return on === null ? null : (this.estimate(new Map(on.map((i) => [i, 1])))?.watts ?? null);
  }

  /**
   * The fit's best figure for this state even where the samples do not pin it down (a combination seen only beside
   * others loading): the ridge's point estimate, which splits what the samples cannot tell apart evenly. Null for a
   * model never seen. For a split that must add up, not for a figure to show.
   */
  pointPredict(state: GpuState): number | null {
    const on = this.activeFeatures(state, false);
    if (on === null || this.count < MIN_SUPPORT_SAMPLES) return null;
    const beta = this.coefficients();
    return on.reduce((sum, i) => sum + at(beta, i), 0);
  }

  /**
   * What the GPU would draw more with `model` resident beside `others` (the others' residency unchanged), with its
   * standard error; null when the samples cannot tell it apart (e.g. a context step never seen without the model).
   */
  marginal(model: string, others: readonly string[]): Estimate | null {
    const rest = others.filter((o) => o !== model);
    return this.difference(
      { resident: [...rest, model], loading: [] },
      { resident: rest, loading: [] },
    );
  }

  /**
   * What the GPU draws more in state `from` than in state `to` (e.g. a model awake, then dozed), with its standard
   * error; null when the samples cannot tell it apart.
   */
  difference(from: GpuState, to: GpuState): Estimate | null {
    const a = this.activeFeatures(from, false);
    const b = this.activeFeatures(to, false);
    if (a === null || b === null) return null;
    const contrast = new Map<number, number>();
    for (const i of a) contrast.set(i, (contrast.get(i) ?? 0) + 1);
    for (const i of b) contrast.set(i, (contrast.get(i) ?? 0) - 1);
    return this.estimate(contrast);
  }

  /** The watts only, see `marginal`. */
  marginalWatts(model: string, others: readonly string[]): number | null {
    return this.marginal(model, others)?.watts ?? null;
  }

  /** The watts a model's loading adds, with its standard error, or null when the samples cannot tell it. */
  loading(model: string): Estimate | null {
    const i = this.index.get(loadingFeature(model));
    return i === undefined ? null : this.estimate(new Map([[i, 1]]));
  }

  /** The watts only, see `loading`. */
  loadingWatts(model: string): number | null {
    return this.loading(model)?.watts ?? null;
  }

  /** Root-mean-square residual of the fit, in watts (the noise the fit does not explain), or null with too few samples. */
  residualWatts(): number | null {
    const p = this.features.length;
    if (this.count <= p) return null;
    const beta = this.coefficients();
    // Σ(y - Xβ)² = yᵀy - 2βᵀXᵀy + βᵀXᵀXβ
    let sse = this.yy;
    for (let i = 0; i < p; i += 1) {
      sse -= 2 * at(beta, i) * at(this.xty, i);
      for (let j = 0; j < p; j += 1) sse += at(beta, i) * at(this.xtx[i] ?? [], j) * at(beta, j);
    }
    return Math.sqrt(Math.max(0, sse) / (this.count - p));
  }

  /**
   * c·β for a contrast c (feature index -> weight), identified when cᵀ(XᵀX + λI)⁻¹c, the contrast's variance in
   * units of the noise variance, is at most MAX_VARIANCE_FACTOR: a direction the samples do not span has a variance
   * near 1/λ there, one they span a variance near 1/samples.
   */
  private estimate(contrast: ReadonlyMap<number, number>): Estimate | null {
    if (this.count < MIN_SUPPORT_SAMPLES) return null;
    const p = this.features.length;
    const c = Array.from({ length: p }, (_, i) => contrast.get(i) ?? 0);
    const v = solve(this.penalized(), [...c]);
    const varianceFactor = c.reduce((sum, ci, i) => sum + ci * at(v, i), 0);
    if (!(varianceFactor <= MAX_VARIANCE_FACTOR)) return null;
    const beta = this.coefficients();
    const watts = c.reduce((sum, ci, i) => sum + ci * at(beta, i), 0);
    const noise = this.residualWatts();
    return { watts, standardErrorWatts: noise === null ? null : noise * Math.sqrt(varianceFactor) };
  }

  /** Indexes of the features on in this state; adds unseen models when `grow`, else null for an unseen one. */
  private activeFeatures(state: GpuState, grow: true): number[];
  private activeFeatures(state: GpuState, grow: false): number[] | null;
  private activeFeatures(state: GpuState, grow: boolean): number[] | null {
    const names = [INTERCEPT];
    if (state.resident.some((m) => this.takesContext(m))) names.push(ANY_RESIDENT);
    for (const m of new Set(state.resident)) names.push(residentFeature(m));
    for (const m of new Set(state.loading)) names.push(loadingFeature(m));
    const out: number[] = [];
    for (const name of names) {
      let i = this.index.get(name);
      if (i === undefined) {
        if (!grow) return null;
        i = this.addFeature(name);
      }
      out.push(i);
    }
    return out;
  }

  private addFeature(name: string): number {
    const i = this.features.length;
    this.features.push(name);
    this.index.set(name, i);
    for (const row of this.xtx) row.push(0);
    this.xtx.push(new Array<number>(i + 1).fill(0));
    // The intercept is on in every sample so far; the new feature was off in all of them.
    this.xty.push(0);
    return i;
  }

  private coefficients(): number[] {
    if (this.solved) return this.solved;
    this.solved = solve(this.penalized(), [...this.xty]);
    return this.solved;
  }

  /** A fresh copy of XᵀX + λI (no penalty on the base). */
  private penalized(): number[][] {
    return this.xtx.map((row, i) => row.map((v, j) => v + (i === j && i !== 0 ? this.ridge : 0)));
  }
}

/** `values[i]`, or 0 past the end. */
function at(values: readonly number[], i: number): number {
  return values[i] ?? 0;
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (A symmetric positive definite here); A and b are consumed. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const row = (r: number): number[] => a[r] ?? [];
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1)
      if (Math.abs(at(row(r), col)) > Math.abs(at(row(pivot), col))) pivot = r;
    [a[col], a[pivot]] = [row(pivot), row(col)];
    [b[col], b[pivot]] = [at(b, pivot), at(b, col)];
    const d = at(row(col), col);
    if (Math.abs(d) < 1e-12) continue;
    for (let r = col + 1; r < n; r += 1) {
      const f = at(row(r), col) / d;
      if (f === 0) continue;
      const target = row(r);
      for (let c = col; c < n; c += 1) target[c] = at(target, c) - f * at(row(col), c);
      b[r] = at(b, r) - f * at(b, col);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    let s = at(b, r);
    for (let c = r + 1; c < n; c += 1) s -= at(row(r), c) * at(x, c);
    const d = at(row(r), r);
    x[r] = Math.abs(d) < 1e-12 ? 0 : s / d;
  }
  return x;
}

// The GPU power fit: what it tells from samples, and what it refuses to tell when the samples cannot separate it.
import { describe, expect, it } from 'vitest';
import { PowerFit, solve } from './power-fit';

/** Adds `n` samples of a state with ±0.3 W of alternating noise. */
function feed(
  fit: PowerFit,
  resident: string[],
  loading: string[],
  watts: number,
  n: number,
): void {
  for (let i = 0; i < n; i += 1) fit.add({ resident, loading }, watts + (i % 2 === 0 ? 0.3 : -0.3));
}

describe('PowerFit', () => {
  it('solves a small linear system', () => {
    expect(
      solve(
        [
          [4, 1],
          [1, 3],
        ],
        [1, 2],
      ).map((x) => Math.round(x * 1e6) / 1e6),
    ).toEqual([0.090909, 0.636364]);
  });

  it('credits a zero-watt model ~0 and the other the whole drop, from staggered sleeps and a joint wake', () => {
    // 30 W card; big adds 60 W resident, 120 W loading; small adds nothing and holds no context.
    const fit = new PowerFit((m) => m !== 'small');
    for (let cycle = 0; cycle < 4; cycle += 1) {
      feed(fit, [], ['big', 'small'], 150, 1);
      feed(fit, ['small'], ['big'], 150, 1);
      feed(fit, ['big', 'small'], [], 90, 4);
      feed(fit, ['big'], [], 90, 6);
      feed(fit, [], [], 30, 70);
    }
    expect(fit.marginalWatts('small', ['big']) ?? NaN).toBeCloseTo(0, 0);
    expect(fit.marginalWatts('big', []) ?? NaN).toBeCloseTo(60, 0);
    expect(fit.marginalWatts('big', ['small']) ?? NaN).toBeCloseTo(60, 0);
    expect(fit.loadingWatts('big') ?? NaN).toBeCloseTo(120, 0);
    const marginal = fit.marginal('big', []);
    expect(marginal?.standardErrorWatts ?? NaN).toBeGreaterThan(0);
    expect(marginal?.standardErrorWatts ?? NaN).toBeLessThan(0.5);
  });

  it('puts the context step on the last model resident and each model’s own watts beside the others', () => {
    // 70 W card, +50 W context step, each model +4 W.
    const fit = new PowerFit();
    const p = (resident: string[]): number =>
      resident.length > 0 ? 120 + 4 * resident.length : 70;
    for (const resident of [['a', 'b', 'c'], ['b', 'c'], ['c'], [], ['a'], ['a', 'b'], ['b']])
      feed(fit, resident, [], p(resident), 10);
    expect(fit.marginalWatts('a', ['b', 'c']) ?? NaN).toBeCloseTo(4, 0);
    expect(fit.marginalWatts('c', []) ?? NaN).toBeCloseTo(54, 0);
    expect(fit.predict({ resident: ['a', 'c'], loading: [] }) ?? NaN).toBeCloseTo(128, 0);
  });

  it('refuses what the samples cannot separate: a step never seen without the model', () => {
    const fit = new PowerFit();
    // c is only ever seen alone or with both others: its own watts beside b cannot be told from the step.
    feed(fit, ['a', 'b', 'c'], [], 132, 10);
    feed(fit, ['b', 'c'], [], 128, 10);
    feed(fit, ['c'], [], 124, 10);
    feed(fit, [], [], 70, 10);
    expect(fit.marginalWatts('c', [])).toBeCloseTo(54, 0);
    expect(fit.marginalWatts('c', ['b'])).toBeNull();
    expect(fit.marginalWatts('unknown', [])).toBeNull();
    expect(fit.loadingWatts('c')).toBeNull();
    expect(new PowerFit().predict({ resident: [], loading: [] })).toBeNull();
  });
});

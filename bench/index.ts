// `npm run bench [-- NAME...]`: runs the named benchmarks (all when none is named) and prints their tables.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A benchmark module exports `run(args)` and prints its own table of side-by-side ratios. */
interface BenchModule {
  run(args: readonly string[]): Promise<void>;
}

async function main(): Promise<void> {
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('-bench.ts'))
    .map((f) => f.replace(/-bench\.ts$/, ''))
    .sort();
  const [first, ...rest] = process.argv.slice(2);
  const names = first ? [first] : available;
  for (const name of names) {
    if (!available.includes(name)) {
      console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n# bench: ${name}\n`);
    const mod = (await import(join(__dirname, `${name}-bench.ts`))) as BenchModule;
    await mod.run(rest);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

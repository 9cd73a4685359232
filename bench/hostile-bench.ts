/* Hostile inputs (test/hostile-cases.ts) at 100 kB and 1 MB: a linear scanner takes about ten times as long at ten times the size. */
import { HOSTILE_CASES } from '../test/hostile-cases';
import { median, timed } from './stats';
import type { Figures } from './scale-bench';

export async function hostileBench(): Promise<Figures> {
  const figures: Figures = {};
  let worst = { name: '', ratio: 0 };
  for (const c of HOSTILE_CASES) {
    const small = c.make(100_000);
    const large = c.make(1_000_000);
    c.run(small);
    const smallMs = median([0, 1, 2].map(() => timed(() => c.run(small))[1]));
    const largeMs = median([0, 1, 2].map(() => timed(() => c.run(large))[1]));
    const ratio = largeMs / Math.max(smallMs, 0.05);
    if (ratio > worst.ratio && largeMs > 5) worst = { name: c.name, ratio };
    figures[`${c.group}: ${c.name}`] = `${smallMs.toFixed(1)} → ${largeMs.toFixed(1)} ms (×${ratio.toFixed(1)})`;
  }
  figures['largest growth for 10× the input (over 5 ms)'] = `×${worst.ratio.toFixed(1)} (${worst.name})`;
  return figures;
}

/*
 * `npm run bench [-- section…]`: figures for every target the issues set, printed as tables.
 * Never pass/fail: misses are reported as figures. Sections: bundled, cite, scale, scale50k,
 * hostile, online, zotero, format (all by default).
 */
import * as path from 'path';
import Fuse from 'fuse.js';
import { buildBundledLibrary } from '../src/core/corpus';
import { buildLibraryView } from '../src/core/library-view';
import { displayName, type Paper } from '../src/core/types';
import { loadBundledLibrary, readSeedFolder } from '../src/node/seeds';
import { citeBench } from './cite-bench';
import { formatBench } from './format-bench';
import { hostileBench } from './hostile-bench';
import { onlineBench } from './online-bench';
import { BENCH_QUERIES } from './queries';
import { scaleBench, type Figures } from './scale-bench';
import { percentile, timed } from './stats';
import { zoteroBench } from './zotero-bench';

const SEEDS = path.join(process.cwd(), 'seeds');
const CACHE = path.join(process.cwd(), 'dist', 'seeds-cache.bin');

function fmt(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function row(label: string, value: string): void {
  console.log(`  ${label.padEnd(78)} ${value}`);
}

/** The bundled corpus: activation from the build-time parse, and query speed and quality against naive fuse.js. */
async function bundledBench(): Promise<Figures> {
  const figures: Figures = {};
  const ready = (): ReturnType<typeof buildLibraryView> => {
    const { papers, segment, fromCache } = loadBundledLibrary(SEEDS, { cacheFile: CACHE });
    if (!fromCache || !segment) throw new Error('dist/seeds-cache.bin is missing or stale: run the build');
    return buildLibraryView([{ id: 'bundled', kind: 'bundled', parts: [{ papers, segment }] }]);
  };
  const [view, first] = timed(ready);
  const warm = Array.from({ length: 20 }, () => timed(ready)[1]);
  const parsed = Array.from({ length: 10 }, () => timed(() => {
    const { listings, metadata } = readSeedFolder(SEEDS);
    return buildBundledLibrary(listings, metadata);
  })[1]);
  figures['ready at activation (build-time parse and index read back): first / median'] = `${fmt(first)} / ${fmt(percentile(warm, 50))} ms`;
  figures['ready when the seeds changed (parse at load), median'] = `${fmt(percentile(parsed, 50))} ms`;

  const naive = new Fuse(view.papers, { keys: ['title', { name: 'authors', getFn: (p: Paper) => p.author.map(displayName) }, 'abstract'], ignoreLocation: true });
  for (const [q] of BENCH_QUERIES) { view.index.search(q); naive.search(q); }
  const measure = (search: (q: string) => string[], rounds: number): { p50: number; p95: number; top3: number; top1: number } => {
    const times: number[] = [];
    let top3 = 0;
    let top1 = 0;
    for (let round = 0; round < rounds; round++) {
      for (const [q, expected] of BENCH_QUERIES) {
        const [keys, took] = timed(() => search(q));
        times.push(took);
        if (round === 0) {
          const rank = keys.indexOf(expected);
          if (rank >= 0 && rank < 3) top3++;
          if (rank === 0) top1++;
        }
      }
    }
    return { p50: percentile(times, 50), p95: percentile(times, 95), top3, top1 };
  };
  const ours = measure((q) => view.index.search(q, { limit: 10 }).map((h) => h.paper.id), 5);
  const base = measure((q) => naive.search(q, { limit: 10 }).map((r) => r.item.id), 2);
  const n = BENCH_QUERIES.length;
  figures[`LitCite: p50 / p95, top-3 / top-1 of ${n} queries`] = `${fmt(ours.p50)} / ${fmt(ours.p95)} ms, ${ours.top3} / ${ours.top1}`;
  figures['naive fuse.js: p50 / p95, top-3 / top-1'] = `${fmt(base.p50)} / ${fmt(base.p95)} ms, ${base.top3} / ${base.top1}`;
  figures['speed-up at p50 (naive / LitCite)'] = `${(base.p50 / ours.p50).toFixed(0)}×`;
  return figures;
}

const SECTIONS: Array<[id: string, title: string, run: () => Promise<Figures>]> = [
  ['bundled', 'Bundled library (62 papers)', bundledBench],
  ['cite', 'Citations in a 5,000-line document', citeBench],
  ['scale', 'A user library of 10,000 entries', () => scaleBench(10_000, { citationJs: true, naive: true, cli: true })],
  ['scale50k', 'A user library of 50,000 entries', () => scaleBench(50_000, { citationJs: false, naive: false, cli: true })],
  ['hostile', 'Hostile inputs: 100 kB → 1 MB', hostileBench],
  ['online', 'Online search: merging, cached answers', onlineBench],
  ['zotero', 'Zotero: a 10,000-work library', zoteroBench],
  ['format', 'Citation styles and the Markdown preview', formatBench],
];

async function main(): Promise<void> {
  const wanted = new Set(process.argv.slice(2));
  console.log(`LitCite bench — Node ${process.version}, ${new Date().toISOString()}`);
  for (const [id, title, run] of SECTIONS) {
    if (wanted.size && !wanted.has(id)) continue;
    console.log(`\n## ${title}`);
    try {
      const figures = await run();
      for (const [label, value] of Object.entries(figures)) row(label, typeof value === 'number' ? fmt(value) : value);
    } catch (err) {
      row('failed', (err as Error).message);
    }
  }
}

void main();

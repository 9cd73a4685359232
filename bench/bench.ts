/* `npm run bench`: figures for the core, printed as a table. Never pass/fail. */
import * as path from 'path';
import Fuse from 'fuse.js';
import { buildBundledLibrary } from '../src/core/corpus';
import { SearchIndex } from '../src/core/search';
import { displayName, Paper } from '../src/core/types';
import { loadBundledLibrary, readSeedFolder } from '../src/node/seeds';
import { citeBench } from './cite-bench';
import { libraryBench } from './library-bench';
import { BENCH_QUERIES } from './queries';
import { scaleBench } from './scale-bench';
import { percentile, timed as time } from './stats';

/** Further sections, each a titled function returning labelled figures. */
const SECTIONS: [string, () => Promise<Record<string, number>>][] = [
  ['Citations in a 5,000-line document', citeBench],
  ['Loading a 10,000-entry .bib', libraryBench],
  ['A user library of 10,000 papers: load off the main thread, search, memory', scaleBench],
];

const SEEDS = path.join(process.cwd(), 'seeds');

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

function row(label: string, ...cells: string[]): void {
  console.log(`${label.padEnd(52)} ${cells.map((c) => c.padStart(12)).join(' ')}`);
}

const CACHE = path.join(process.cwd(), 'dist', 'seeds-cache.json');

/** Reads the seed files, parses them and builds the index: the path when the seeds changed since the build. */
function parseAndIndex(): SearchIndex {
  const { listings, metadata } = readSeedFolder(SEEDS);
  return new SearchIndex(buildBundledLibrary(listings, metadata).papers);
}

/** What the extension does at activation: seeds checked against the build-time parse and index, restored. */
function loadAndIndex(): SearchIndex {
  const { papers, fromCache, index } = loadBundledLibrary(SEEDS, { cacheFile: CACHE });
  const restored = fromCache && index ? SearchIndex.fromSnapshot(papers, index) : undefined;
  if (!restored) throw new Error('dist/seeds-cache.json is missing or stale: run the build');
  return restored;
}

/** The naive setup the brief measured: one fuse.js index over whole records. */
function naiveIndex(papers: readonly Paper[]): Fuse<Paper> {
  return new Fuse(papers, {
    keys: ['title', { name: 'authors', getFn: (p: Paper) => p.author.map(displayName) }, 'abstract'],
    ignoreLocation: true,
  });
}

function measureQueries(search: (q: string) => string[], queries: [string, string][], rounds: number) {
  const times: number[] = [];
  let top3 = 0;
  let top1 = 0;
  const misses: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [query, expected] of queries) {
      const [keys, ms] = time(() => search(query));
      times.push(ms);
      if (round === 0) {
        const rank = keys.indexOf(expected);
        if (rank >= 0 && rank < 3) top3++;
        else misses.push(query);
        if (rank === 0) top1++;
      }
    }
  }
  return { median: percentile(times, 50), p95: percentile(times, 95), top3, top1, misses };
}

async function main(): Promise<void> {
  console.log(`LitCite bench — Node ${process.version}, ${new Date().toISOString()}\n`);
  console.log('## Bundled library (62 papers)');
  const [coldIndex, cold] = time(loadAndIndex);
  const [, coldFuzzy] = time(() => coldIndex.prepareFuzzy());
  const warm: number[] = [];
  const warmFuzzy: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [index, ms] = time(loadAndIndex);
    warm.push(ms);
    warmFuzzy.push(time(() => index.prepareFuzzy())[1]);
  }
  const parsed: number[] = [];
  for (let i = 0; i < 20; i++) parsed.push(time(parseAndIndex)[1]);
  row('ready (activation): read, check, restore build-time parse + index; first run', `${fmt(cold)} ms`);
  row('ready (activation), median of 20 runs', `${fmt(percentile(warm, 50))} ms`);
  row('ready when seeds changed: read + parse + join + keys + index, median', `${fmt(percentile(parsed, 50))} ms`);
  row('typo shortlist built after ready, first run / median', `${fmt(coldFuzzy)} ms`, `${fmt(percentile(warmFuzzy, 50))} ms`);
  row('vocabulary', `${coldIndex.vocabularySize} words`);

  const papers = coldIndex.papers;
  const naive = naiveIndex(papers);
  const queries = BENCH_QUERIES;
  // Warm both up so JIT compilation is not billed to the first queries.
  for (const [q] of queries) { coldIndex.search(q); naive.search(q); }
  const ours = measureQueries((q) => coldIndex.search(q, { limit: 10 }).map((h) => h.paper.id), queries, 5);
  const base = measureQueries((q) => naive.search(q, { limit: 10 }).map((r) => r.item.id), queries, 2);
  console.log(`\n## Query latency and quality (${queries.length} queries)`);
  row('', 'median', 'p95', 'top-3', 'top-1');
  row('LitCite index', `${fmt(ours.median)} ms`, `${fmt(ours.p95)} ms`, `${ours.top3}/${queries.length}`, `${ours.top1}/${queries.length}`);
  row('naive fuse.js (title+authors+abstract, ignoreLocation)', `${fmt(base.median)} ms`, `${fmt(base.p95)} ms`, `${base.top3}/${queries.length}`, `${base.top1}/${queries.length}`);
  row('speed-up (naive / LitCite)', `${(base.median / ours.median).toFixed(0)}×`, `${(base.p95 / ours.p95).toFixed(0)}×`);
  if (ours.misses.length) console.log(`LitCite misses: ${ours.misses.join(' | ')}`);
  if (base.misses.length) console.log(`naive misses:   ${base.misses.join(' | ')}`);

  for (const [title, run] of SECTIONS) {
    console.log(`\n## ${title}`);
    const figures = await run();
    for (const [label, value] of Object.entries(figures)) row(label, Number.isInteger(value) ? String(value) : fmt(value));
  }
}

void main();

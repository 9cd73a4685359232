/* A writer's own library at 10,000 papers: loading off the main thread, search, memory. */
import * as path from 'path';
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import Fuse from 'fuse.js';
import { toBibtexFile } from '../src/core/bibtex';
import { buildBundledLibrary } from '../src/core/corpus';
import { parseBibtexLibrary } from '../src/core/library';
import { mergeLibraries } from '../src/core/merge';
import { SearchIndex } from '../src/core/search';
import { CslName, Paper } from '../src/core/types';
import { loadLibrary } from '../src/node/library-loader';
import { readSeedFolder } from '../src/node/seeds';
import { BENCH_QUERIES } from './queries';
import { median, percentile, timed } from './stats';

const ENTRIES = 10_000;
const WORKER_RUNS = 3;
const QUERY_ROUNDS = 5;
/** The naive index takes seconds per query at this size; a few queries give its median. */
const NAIVE_QUERIES = 6;
// The typings mark every chain option as required; citation-js defaults the ones left out.
const CHAIN_OPTIONS = { generateGraph: false } as Parameters<typeof plugins.input.chain>[1];

/** Deterministic pseudo-random numbers (mulberry32), so every run benches the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'vex', 'zu', 'pha', 'qui', 'dra', 'sel', 'nov', 'bri', 'gat', 'hul', 'yo', 'cen', 'wix'];
const VENUES = ['NeurIPS', 'ICML', 'ICLR', 'ACL', 'EMNLP', 'NAACL', 'CVPR', 'AAAI', 'Journal of Machine Learning Research', 'Transactions on Machine Learning Research', 'IEEE Transactions on Pattern Analysis and Machine Intelligence', 'Nature Machine Intelligence'];

/**
 * A realistic 10,000-entry library built from the bundled papers: each entry's abstract mixes
 * sentences of three seed abstracts, its title recombines seed title words with a coined model
 * name, authors are drawn from every seed author (with some accented names), venues and years
 * vary; a third are arXiv preprints, a quarter have DOIs. Coined names give the vocabulary the
 * long tail a real library has rather than 62 abstracts repeated.
 */
export function realisticLibrary(count: number): Paper[] {
  const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
  const seeds = buildBundledLibrary(listings, metadata).papers.filter((p) => p.abstract);
  const rand = random(20240707);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const sentences = seeds.map((p) => (p.abstract ?? '').split(/(?<=\.)\s+/));
  const titleWords = seeds.flatMap((p) => p.title.split(/\s+/));
  const names: CslName[] = [...seeds.flatMap((p) => p.author), { family: 'Müller', given: 'Jörg' }, { family: 'Nguyễn', given: 'Thị Minh' }, { family: 'Østergaard', given: 'Søren' }, { family: 'García', given: 'María' }];
  const coin = (): string => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(SYLLABLES)).join('');

  const papers: Paper[] = [];
  for (let i = 0; i < count; i++) {
    const model = `${coin().replace(/^./, (c) => c.toUpperCase())}-${1 + Math.floor(rand() * 70)}B`;
    const words = Array.from({ length: 5 + Math.floor(rand() * 7) }, () => pick(titleWords));
    const abstract = [0, 1, 2].flatMap(() => {
      const from = pick(sentences);
      const start = Math.floor(rand() * from.length);
      return from.slice(start, start + 2 + Math.floor(rand() * 2));
    }).join(' ');
    const year = 2010 + Math.floor(rand() * 16);
    const author = Array.from({ length: 1 + Math.floor(rand() * 7) }, () => ({ ...pick(names) }));
    const family = (author[0].family ?? 'anon').toLowerCase().replace(/[^a-z]/g, '');
    const paper: Paper = {
      id: `${family}${year}${coin()}${i}`,
      type: 'article',
      title: `${model}: ${words.join(' ')}`,
      author,
      issued: { 'date-parts': [[year, 1 + Math.floor(rand() * 12)]] },
      abstract: `We introduce ${model}. ${abstract} Code for ${coin()} and ${coin()} is released.`,
    };
    const kind = rand();
    if (kind < 0.35) paper.arxiv = `${String(year % 100).padStart(2, '0')}${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}.${String(10000 + i).padStart(5, '0')}`;
    else {
      const venue = pick(VENUES);
      paper.type = /Journal|Transactions|Nature/.test(venue) ? 'article-journal' : 'paper-conference';
      paper['container-title'] = venue.includes(' ') ? venue : `Proceedings of ${venue} ${year}`;
      paper.page = `${1 + Math.floor(rand() * 900)}--${910 + Math.floor(rand() * 90)}`;
    }
    if (rand() < 0.25) paper.DOI = `10.5555/bench.${year}.${i}`;
    papers.push(paper);
  }
  return papers;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** Loads `bytes` in the worker while a 5 ms timer on this thread records its longest wait. */
async function workerLoad(workerFile: string, bytes: Uint8Array): Promise<{ papers: Paper[]; wallMs: number; stallMs: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 5);
    last = now;
  }, 5);
  const started = performance.now();
  const { papers } = await loadLibrary(workerFile, { kind: 'bibtex', sourceName: 'bench.bib', bytes: bytes.slice() }).result;
  const wallMs = performance.now() - started;
  clearInterval(timer);
  return { papers, wallMs, stallMs: stall };
}

/** Figures for a 10,000-entry user library: load, main-thread stall, index, search, memory, and the naive baselines. */
export async function scaleBench(): Promise<Record<string, number>> {
  const workerFile = path.join(process.cwd(), 'dist', 'load-worker.js');
  const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
  const bundled = buildBundledLibrary(listings, metadata).papers;
  const text = toBibtexFile(realisticLibrary(ENTRIES), { includeAbstract: true });
  const bytes = new TextEncoder().encode(text);

  const [, citationJsMs] = timed(() => plugins.input.chain(text, CHAIN_OPTIONS));
  const [, inThreadMs] = timed(() => parseBibtexLibrary(text, 'bench.bib'));

  const loads = [];
  for (let run = 0; run < WORKER_RUNS; run++) loads.push(await workerLoad(workerFile, bytes));
  const wall = median(loads.map((l) => l.wallMs));
  const stall = Math.max(...loads.map((l) => l.stallMs));

  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  const { papers: loaded } = await workerLoad(workerFile, bytes);
  const [merged, mergeMs] = timed(() => mergeLibraries([loaded, bundled]).papers);
  const [index, indexMs] = timed(() => new SearchIndex(merged));
  collect();
  // How the extension indexes a library this size: in slices, yielding between them.
  let longestSlice = 0;
  let sliceStart = performance.now();
  const slicedStart = performance.now();
  await SearchIndex.build(merged, async () => {
    longestSlice = Math.max(longestSlice, performance.now() - sliceStart);
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  });
  longestSlice = Math.max(longestSlice, performance.now() - sliceStart);
  const slicedMs = performance.now() - slicedStart;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;

  for (const [q] of BENCH_QUERIES) index.search(q, { limit: 50 });
  const times: number[] = [];
  for (let round = 0; round < QUERY_ROUNDS; round++) {
    for (const [q] of BENCH_QUERIES) times.push(timed(() => index.search(q, { limit: 50 }))[1]);
  }
  const found = BENCH_QUERIES.filter(([q, key]) => index.search(q, { limit: 3 }).some((h) => h.paper.id === key)).length;

  // The setup a first attempt would use: one fuse.js index over every field, default options.
  const naive = new Fuse(merged, { keys: ['id', 'title', 'author.family', 'author.given', 'abstract', 'container-title', 'event', 'arxiv', 'DOI', 'publisher', 'note'] });
  const naiveTimes = BENCH_QUERIES.slice(0, NAIVE_QUERIES).map(([q]) => timed(() => naive.search(q, { limit: 50 }))[1]);
  const ours = percentile(times, 50);

  return {
    'generated .bib (MB)': bytes.byteLength / 1e6,
    'entries loaded': loaded.length,
    'citation-js plugins.input.chain, one run (ms)': citationJsMs,
    'LitCite loader on the main thread, one run (ms)': inThreadMs,
    [`LitCite loader in a worker, wall, median of ${WORKER_RUNS} (ms)`]: wall,
    'speed-up (citation-js / worker load)': citationJsMs / wall,
    'longest main-thread stall during a worker load (ms)': stall,
    'merge with the bundled library, main thread (ms)': mergeMs,
    'SearchIndex build over the merged library, at once (ms)': indexMs,
    'SearchIndex build in slices as the extension does it, total (ms)': slicedMs,
    'longest slice of that build, main thread (ms)': longestSlice,
    'papers + index, heap after GC (MB)': heapMb,
    [`query p50 over ${merged.length} papers (ms)`]: ours,
    [`query p95 over ${merged.length} papers (ms)`]: percentile(times, 95),
    [`bundled papers found in the top 3 (of ${BENCH_QUERIES.length})`]: found,
    [`naive fuse.js (all fields, defaults) p50 over ${NAIVE_QUERIES} queries (ms)`]: median(naiveTimes),
    'speed-up at p50 (naive fuse.js / LitCite)': median(naiveTimes) / ours,
  };
}

/**
 * A writer's own library at 10,000 and 50,000 papers (bench/generate.ts): cold parse against
 * citation-js, the library worker cold and warm (persistent cache), the view and index built on
 * the main thread, the CLI's second run, an edited entry read incrementally, queries against
 * naive fuse.js, memory.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import Fuse from 'fuse.js';
import { updateBibState } from '../src/core/bibtex/incremental';
import { decodeBibBytes } from '../src/core/encoding';
import { applyBibDelta, buildLibraryView, libraryViewSteps, type ViewSource } from '../src/core/library-view';
import { runStepsSliced } from '../src/core/search';
import { displayName, type Paper } from '../src/core/types';
import { loadLibraryFile, parseText } from '../src/node/library-file';
import { LibraryWorkerClient, type LoadedSource } from '../src/node/library-worker-client';
import { loadBundledLibrary } from '../src/node/seeds';
import { generateBib } from './generate';
import { median, percentile, timed } from './stats';

// The typings mark every chain option as required; citation-js defaults the ones left out.
const CHAIN_OPTIONS = { generateGraph: false } as Parameters<typeof plugins.input.chain>[1];
const WORKER_FILE = path.join(process.cwd(), 'dist', 'library-worker.js');
const CLI_FILE = path.join(process.cwd(), 'dist', 'cli.js');

export type Figures = Record<string, number | string>;

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The bundled corpus as the extension holds it: its view source. */
function bundledSource(): ViewSource {
  const { papers, segment } = loadBundledLibrary(path.join(process.cwd(), 'seeds'), { cacheFile: path.join(process.cwd(), 'dist', 'seeds-cache.bin') });
  if (!segment) throw new Error('dist/seeds-cache.bin is missing or stale: run the build');
  return { id: 'bundled', kind: 'bundled', parts: [{ papers, segment }] };
}

function fileSource(file: string, loaded: Pick<LoadedSource, 'papers' | 'segment'>): ViewSource {
  return { id: file, kind: 'file', parts: [{ papers: loaded.papers, segment: loaded.segment }] };
}

/** A worker load as the extension does it: request, transfer, decode in slices on this thread. */
async function workerLoad(file: string, cacheDir: string): Promise<{ source: LoadedSource; wallMs: number }> {
  const client = new LibraryWorkerClient(WORKER_FILE);
  try {
    const started = performance.now();
    const source = await client.load(file, { cacheDir });
    return { source, wallMs: performance.now() - started };
  } finally {
    client.dispose();
  }
}

/** The longest stretch this thread went without yielding while `run` was in flight (a 1 ms probe timer). */
async function longestStall<T>(run: () => Promise<T>): Promise<[T, number]> {
  let longest = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    const value = await run();
    longest = Math.max(longest, performance.now() - last);
    return [value, longest];
  } finally {
    clearInterval(probe);
  }
}

function naiveIndex(papers: readonly Paper[]): Fuse<Paper> {
  return new Fuse(papers, {
    keys: ['title', { name: 'authors', getFn: (p: Paper) => p.author.map(displayName) }, 'abstract'],
    ignoreLocation: true,
  });
}

/** Figures for `count` generated entries. */
export async function scaleBench(count: number, options: { citationJs: boolean; naive: boolean; cli: boolean }): Promise<Figures> {
  const figures: Figures = {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-bench-'));
  const file = path.join(dir, `library-${count}.bib`);
  const queries = writeGenerated(file, count);
  figures['file'] = `${count.toLocaleString('en')} entries, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`;
  const bundled = bundledSource();
  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  Object.assign(figures, coldParse(file, options.citationJs));

  // Cold load through the worker: parse, cache write, transfer, decode here in slices.
  const cacheDir = path.join(dir, 'cache');
  gc();
  const [cold, coldStall] = await longestStall(() => workerLoad(file, cacheDir));
  figures['cold load in the worker, wall (target < 500 ms at 10k)'] = `${ms(cold.wallMs)} (parse ${ms(cold.source.parseMs)})`;

  // Warm start: a fresh worker reads the cache; the view and index are built here.
  const warmRuns: number[] = [];
  const viewBuilds: number[] = [];
  let warmStall = 0;
  const ownSlices = { longestSliceMs: cold.source.timing.longestSliceMs };
  for (let round = 0; round < 3; round++) {
    gc();
    const started = performance.now();
    const [viewMs, stall] = await longestStall(async () => {
      const warm = await workerLoad(file, cacheDir);
      if (!warm.source.fromCache) throw new Error('the warm load did not come from the cache');
      // As the extension does it: merged in slices (core/library-view.ts), the thread free between them.
      const viewStarted = performance.now();
      ownSlices.longestSliceMs = Math.max(ownSlices.longestSliceMs, warm.source.timing.longestSliceMs);
      await runStepsSliced(libraryViewSteps([fileSource(file, warm.source), bundled]), () => new Promise((resolve) => setImmediate(resolve)), 8, ownSlices);
      return performance.now() - viewStarted;
    });
    warmRuns.push(performance.now() - started);
    viewBuilds.push(viewMs);
    warmStall = Math.max(warmStall, stall);
  }
  figures['warm start from the cache, ready (target < 300 ms at 10k)'] = ms(median(warmRuns));
  figures['  of which the view and index merged on the main thread, in slices'] = ms(median(viewBuilds));
  figures['longest main-thread slice of the load\'s own work: decode, merge (target < 30 ms)'] = ms(ownSlices.longestSliceMs);
  figures['  longest gap a 1 ms timer saw meanwhile (adds GC, and waiting for a core)'] = ms(Math.max(coldStall, warmStall));

  // Queries over the library.
  const view = buildLibraryView([fileSource(file, cold.source), bundled]);
  for (const [q] of queries) view.index.search(q, { limit: 10 });
  const times: number[] = [];
  let top3 = 0;
  for (let round = 0; round < 5; round++) {
    for (const [q, expected] of queries) {
      const [hits, took] = timed(() => view.index.search(q, { limit: 10 }));
      times.push(took);
      if (round === 0 && hits.slice(0, 3).some((h) => h.paper.id === expected)) top3++;
    }
  }
  figures[`query p50 / p95 (target < 2 / < 8 ms at 10k, p95 < 16 ms at 50k)`] = `${ms(percentile(times, 50))} / ${ms(percentile(times, 95))} (top-3 ${top3}/${queries.length})`;
  if (options.naive) {
    const naive = naiveIndex(view.papers);
    const naiveTimes = queries.slice(0, 6).map(([q]) => timed(() => naive.search(q, { limit: 10 }))[1]);
    figures['  naive fuse.js, median of 6 queries'] = `${ms(median(naiveTimes))} (${(median(naiveTimes) / percentile(times, 50)).toFixed(0)}× LitCite's p50)`;
  }

  Object.assign(figures, editedEntry(file, bundled));

  // The CLI, twice: the second run finds the cache the first wrote.
  if (options.cli) {
    const env = { ...process.env, LITCITE_CACHE_DIR: path.join(dir, 'cli-cache') };
    const run = (): number => {
      const started = performance.now();
      const result = spawnSync(process.execPath, [CLI_FILE, 'search', queries[0]![0], '--library', file, '--limit', '5'], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`litcite search failed: ${result.stderr}`);
      return performance.now() - started;
    };
    const first = run();
    const second = [run(), run(), run()];
    figures['`litcite search`, first run / second run (target < 400 ms)'] = `${ms(first)} / ${ms(median(second))}`;
  }

  gc();
  const memory = process.memoryUsage();
  figures['heap of the loaded library on the main thread / process RSS (target < 400 MB at 50k)'] = `${((memory.heapUsed - baseHeap) / 1e6).toFixed(0)} MB / ${(memory.rss / 1e6).toFixed(0)} MB`;
  // Keeps the library alive until it was measured.
  if (!view.papers.length || !cold.source.papers.length) throw new Error('nothing loaded');
  fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

/** Writes the generated library; its queries with the key each should find. */
function writeGenerated(file: string, count: number): Array<[string, string]> {
  const generated = generateBib(count);
  fs.writeFileSync(file, generated.text);
  return generated.queries;
}

/** Cold parse on one thread (decode, read, crossrefs, index segment), against citation-js's BibTeX → CSL chain. */
function coldParse(file: string, citationJs: boolean): Figures {
  const figures: Figures = {};
  const bytes = fs.readFileSync(file);
  const text = decodeBibBytes(bytes);
  parseText(decodeBibBytes(bytes.subarray(0, Math.floor(bytes.length / 10))), file, 'bibtex'); // warm the code
  const parses: number[] = [];
  let papers = 0;
  for (let round = 0; round < 3; round++) {
    gc();
    const [parsed, took] = timed(() => parseText(text, file, 'bibtex'));
    papers = parsed.papers.length;
    parses.push(took);
  }
  const ours = median(parses);
  figures['papers read'] = papers;
  if (citationJs) {
    gc();
    plugins.input.chain(text.text.slice(0, text.text.indexOf('\n@', text.text.length >> 4)), CHAIN_OPTIONS); // warm
    gc();
    const [, theirs] = timed(() => plugins.input.chain(text.text, CHAIN_OPTIONS));
    figures['cold parse, one thread (target < 600 ms, ≥ 3.5× citation-js)'] = `${ms(ours)}; citation-js ${ms(theirs)} (${(theirs / ours).toFixed(1)}×)`;
  } else figures['cold parse, one thread'] = ms(ours);

  return figures;
}

/** An edited entry, saved: the worker reads the edit alone; the main thread moves the parts and rebuilds the view. */
function editedEntry(file: string, bundled: ViewSource): Figures {
  const figures: Figures = {};
  const loaded = loadLibraryFile(file);
  if (loaded.state) {
    // An ordinary entry half-way down (one without a crossref parent, which would need the whole file read).
    const target = loaded.papers.slice(loaded.papers.length >> 1).find((p) => p.type === 'article-journal')!;
    const span = target.sourceSpan!;
    const entry = loaded.state.text.slice(span.start, span.end);
    // Saved to disk and read back as the worker reads it (a flat string, as a file read gives).
    fs.writeFileSync(file, loaded.state.text.slice(0, span.start) + entry.replace('title = {', 'title = {Revised: ') + loaded.state.text.slice(span.end));
    // The main thread's own copies (they crossed from the worker); the worker's move in place.
    const parts = [{ papers: structuredClone(loaded.papers), segment: loaded.segment }];
    gc();
    const [text, decodeMs] = timed(() => decodeBibBytes(fs.readFileSync(file)).text);
    const [update, findMs] = timed(() => updateBibState(loaded.state!, text));
    const readMs = decodeMs + findMs;
    if (!update) throw new Error('the edit was not read incrementally');
    const [next, applyMs] = timed(() => applyBibDelta(parts, update.delta));
    const [after, viewMs] = timed(() => buildLibraryView([{ id: file, kind: 'file', parts: next }, bundled]));
    if (!after.index.byId(target.id)?.title.startsWith('Revised')) throw new Error('the edited entry did not reach the index');
    figures['one entry edited and saved: read + apply + view (target < 100 ms)'] = `${ms(readMs + applyMs + viewMs)} (file read ${ms(decodeMs)}, edit found and read ${ms(findMs)}, view ${ms(viewMs)})`;
  }

  return figures;
}

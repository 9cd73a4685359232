/* Library loading: citation-js's own BibTeX → CSL chain against LitCite's tolerant loader. */
import * as path from 'path';
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import { toBibtexFile } from '../src/core/bibtex';
import { buildBundledLibrary } from '../src/core/corpus';
import { parseBibtexLibrary } from '../src/core/library';
import { Paper } from '../src/core/types';
import { readSeedFolder } from '../src/node/seeds';
import { median } from './stats';

const ENTRIES = 10_000;
const ROUNDS = 5;
// The typings mark every chain option as required; citation-js defaults the ones left out.
const CHAIN_OPTIONS = { generateGraph: false } as Parameters<typeof plugins.input.chain>[1];

/** A .bib of `count` entries cycling through the bundled papers (with abstracts), keys made unique. */
function syntheticLibrary(count: number): string {
  const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
  const seeds = buildBundledLibrary(listings, metadata).papers;
  const papers: Paper[] = [];
  for (let i = 0; i < count; i++) {
    const seed = seeds[i % seeds.length];
    papers.push({ ...seed, id: `${seed.id}_${i}` });
  }
  return toBibtexFile(papers, { includeAbstract: true });
}

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Figures for a 10,000-entry .bib with abstracts: median and best ms of each loader, and their ratio. */
export async function libraryBench(): Promise<Record<string, number>> {
  const text = syntheticLibrary(ENTRIES);
  // Warm both paths up on a slice so JIT compilation is not billed to the first timed run.
  const slice = text.slice(0, text.indexOf('\n@', Math.floor(text.length / 10)));
  plugins.input.chain(slice, CHAIN_OPTIONS);
  parseBibtexLibrary(slice, 'bench.bib');

  const citationJs: number[] = [];
  const loader: number[] = [];
  let loaded = 0;
  for (let round = 0; round < ROUNDS; round++) {
    citationJs.push(timed(() => plugins.input.chain(text, CHAIN_OPTIONS)));
    loader.push(timed(() => { loaded = parseBibtexLibrary(text, 'bench.bib').papers.length; }));
  }
  const ours = median(loader);
  const theirs = median(citationJs);
  // Best-of figures too: on a shared machine the median carries other processes' load.
  return {
    'synthetic .bib size (MB)': text.length / 1e6,
    'entries loaded': loaded,
    'citation-js plugins.input.chain, median (ms)': theirs,
    'LitCite parseBibtexLibrary, median (ms)': ours,
    'citation-js plugins.input.chain, best (ms)': Math.min(...citationJs),
    'LitCite parseBibtexLibrary, best (ms)': Math.min(...loader),
    'speed-up (citation-js / LitCite, medians)': theirs / ours,
  };
}

/*
 * Online search without the network: merging four services' 25 results each, and answering a
 * repeated query from the disk cache (four sources read and merged). The services are a stub
 * `fetch` answering in each API's format with synthetic papers, so the figures are the engine's
 * own cost. Figures only, never pass/fail.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapArxivSearch } from '../src/core/online/arxiv-search';
import { mapCrossrefWorks } from '../src/core/online/crossref';
import { localLookup, mergeOutcomes, mergeWorks, type SourceList } from '../src/core/online/merge-works';
import { mapOpenAlexWorks } from '../src/core/online/openalex';
import { mapSemanticScholarPapers } from '../src/core/online/semantic-scholar';
import type { MapResult } from '../src/core/online/types';
import type { Paper } from '../src/core/types';
import { OnlineEngine } from '../src/node/online/engine';
import type { FetchLike } from '../src/node/online/http';
import { median, percentile } from './stats';

const PER_SOURCE = 25;
const ROUNDS = 200;
const WORDS = 'model learning training data language transformer attention network representation task results method approach performance evaluation'.split(' ');

interface Work {
  title: string;
  authors: [string, string][];
  year: number;
  doi: string;
  arxiv: string;
  venue: string;
  abstract: string;
}

/** 40 works; each service returns 25 of them in its own order, so most works are found by two or more. */
function works(): Work[] {
  return Array.from({ length: 40 }, (_, i) => ({
    title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} for ${WORDS[(i * 3) % WORDS.length]} ${i}`,
    authors: Array.from({ length: 6 }, (_, a) => [`Given${a}`, `Family${(i + a) % 17}`] as [string, string]),
    year: 2015 + (i % 10),
    doi: `10.1000/bench.${i}`,
    arxiv: `${1500 + (i % 12) + 1}.${String(10000 + i).padStart(5, '0')}`,
    venue: `Proceedings of Conference ${i % 5}`,
    abstract: Array.from({ length: 180 }, (_, w) => WORDS[(w * (i + 1)) % WORDS.length]).join(' ') + '.',
  }));
}

function pick(all: Work[], offset: number): Work[] {
  return Array.from({ length: PER_SOURCE }, (_, i) => all[(i * 3 + offset) % all.length]);
}

function inverted(text: string): Record<string, number[]> {
  const index: Record<string, number[]> = {};
  text.split(' ').forEach((word, i) => (index[word] ??= []).push(i));
  return index;
}

/** Each API's answer for its 25 works, in its own format. */
function bodies(all: Work[]): Record<'openalex' | 'crossref' | 's2' | 'arxiv', string> {
  const openalex = JSON.stringify({ meta: { count: 1000 }, results: pick(all, 0).map((w, i) => ({
    id: `https://openalex.org/W${1000 + i}`, doi: `https://doi.org/${w.doi}`, title: w.title, publication_date: `${w.year}-05-01`, type: 'article',
    authorships: w.authors.map(([g, f]) => ({ author: { display_name: `${g} ${f}` } })),
    primary_location: { landing_page_url: `https://doi.org/${w.doi}`, source: { display_name: w.venue, type: 'conference' } },
    locations: [{ landing_page_url: `https://arxiv.org/abs/${w.arxiv}`, source: { display_name: 'arXiv (Cornell University)', type: 'repository' } }],
    abstract_inverted_index: inverted(w.abstract), cited_by_count: 100 + i,
  })) });
  const crossref = JSON.stringify({ status: 'ok', message: { 'total-results': 1000, items: pick(all, 1).map((w) => ({
    DOI: w.doi, title: [w.title], type: 'proceedings-article', author: w.authors.map(([given, family]) => ({ given, family })),
    'container-title': [w.venue], published: { 'date-parts': [[w.year]] }, abstract: `<jats:title>Abstract</jats:title><jats:p>${w.abstract}</jats:p>`,
  })) } });
  const s2 = JSON.stringify({ total: 1000, data: pick(all, 2).map((w, i) => ({
    paperId: `s2${i}`, title: w.title, abstract: w.abstract, year: w.year, venue: w.venue, externalIds: { DOI: w.doi, ArXiv: w.arxiv },
    authors: w.authors.map(([g, f]) => ({ name: `${g} ${f}` })), citationCount: 50 + i, publicationTypes: ['Conference'],
  })) });
  const entries = pick(all, 3).map((w) => `<entry><id>http://arxiv.org/abs/${w.arxiv}v1</id><title>${w.title}</title><summary>${w.abstract}</summary>
<published>${w.year - 1}-11-01T00:00:00Z</published>${w.authors.map(([g, f]) => `<author><name>${g} ${f}</name></author>`).join('')}
<arxiv:primary_category term="cs.CL"/></entry>`);
  const arxiv = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"><opensearch:totalResults>1000</opensearch:totalResults>${entries.join('\n')}</feed>`;
  return { openalex, crossref, s2, arxiv };
}

function papersOf(result: MapResult): Paper[] {
  return result.ok ? result.papers : [];
}

/** Median and p95 ms of merging four 25-result lists (with and without a 10,000-paper library lookup), and of answering a cached query. */
export async function onlineBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const all = works();
  const body = bodies(all);

  const mapTimes: number[] = [];
  let lists: SourceList[] = [];
  for (let round = 0; round < 20; round++) {
    const start = performance.now();
    lists = [
      { source: 'openalex', papers: papersOf(mapOpenAlexWorks(body.openalex)) },
      { source: 'semanticscholar', papers: papersOf(mapSemanticScholarPapers(body.s2)) },
      { source: 'crossref', papers: papersOf(mapCrossrefWorks(body.crossref)) },
      { source: 'arxiv', papers: papersOf(mapArxivSearch(body.arxiv)) },
    ];
    mapTimes.push(performance.now() - start);
  }
  figures['map 4 answers × 25 results to papers, median (ms)'] = median(mapTimes);

  const mergeTimes: number[] = [];
  let merged = 0;
  // Warm-up rounds let the JIT compile the merge before it is timed, as it is after a few searches.
  for (let round = 0; round < 20; round++) mergeWorks(lists);
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    merged = mergeWorks(lists).length;
    mergeTimes.push(performance.now() - start);
  }
  figures['merge 4 × 25 results, median (ms)'] = median(mergeTimes);
  figures['merge 4 × 25 results, p95 (ms)'] = percentile(mergeTimes, 95);
  figures['distinct works after merging (of 100 results)'] = merged;

  const library: Paper[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `lib${i}`, type: 'article', title: `library paper ${i} ${WORDS[i % WORDS.length]}`, author: [{ family: `Author${i % 500}` }], DOI: `10.2000/lib.${i}`, issued: { 'date-parts': [[2000 + (i % 25)]] } }));
  const builds: number[] = [];
  let local = localLookup(library);
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    local = localLookup(library);
    builds.push(performance.now() - start);
  }
  figures['build the library lookup, 10,000 papers, median of 5 (ms)'] = median(builds);
  const withLocal: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    mergeWorks(lists, { local });
    withLocal.push(performance.now() - start);
  }
  figures['merge 4 × 25 results against that library, median (ms)'] = median(withLocal);

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-online-bench-'));
  try {
    let requests = 0;
    const stub: FetchLike = async (url) => {
      requests++;
      const service = url.includes('/arxiv') ? 'arxiv' : url.includes('/openalex') ? 'openalex' : url.includes('/crossref') ? 'crossref' : 's2';
      return new Response(body[service], { status: 200 });
    };
    const base = 'http://bench.invalid';
    const engine = new OnlineEngine({
      enabled: true,
      cacheDir,
      fetch: stub,
      urls: { arxiv: `${base}/arxiv`, openalex: `${base}/openalex`, crossref: `${base}/crossref`, semanticscholar: `${base}/s2` },
      pacing: { arxiv: { minIntervalMs: 0 } },
    });
    const first = performance.now();
    await engine.search('bench query');
    figures['first query: 4 stubbed services, map, merge, cache write started (ms)'] = performance.now() - first;
    await engine.idle();
    const sent = requests;
    // A fresh engine, as after a restart: nothing in memory, everything from the disk cache.
    const cold = new OnlineEngine({ enabled: true, cacheDir, fetch: stub, urls: { arxiv: `${base}/arxiv`, openalex: `${base}/openalex`, crossref: `${base}/crossref`, semanticscholar: `${base}/s2` } });
    const cached: number[] = [];
    for (let round = 0; round < 50; round++) {
      const start = performance.now();
      const outcomes = [];
      for await (const outcome of cold.searchOnline('Bench  query')) outcomes.push(outcome);
      mergeOutcomes(outcomes);
      cached.push(performance.now() - start);
    }
    figures['cached query answered: 4 sources from disk + merge, median (ms)'] = median(cached);
    figures['cached query answered, p95 (ms)'] = percentile(cached, 95);
    figures['requests sent for the 50 cached queries'] = requests - sent;
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  return figures;
}

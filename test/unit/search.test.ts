import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { buildBundledLibrary } from '../../src/core/corpus';
import { encodeCache, openCache, CACHE_FORMAT_VERSION } from '../../src/core/cache-format';
import { IndexSegment, SearchIndex, searchFieldText } from '../../src/core/search';
import { Paper } from '../../src/core/types';
import { readSeedFolder } from '../../src/node/seeds';
import { BENCH_QUERIES } from '../../bench/queries';

const seed = readSeedFolder(path.join(process.cwd(), 'seeds'));
const { papers } = buildBundledLibrary(seed.listings, seed.metadata);
const index = new SearchIndex(papers);
const top = (query: string, n = 3) => index.search(query, { limit: n }).map((h) => h.paper.id);

describe('search ranking', () => {
  it('tolerates typos', () => {
    assert.equal(top('tokenizaton arithmatic')[0], 'singh2024tokenization');
    assert.equal(top('multiplicaton transformers')[0], 'qiu2024dissecting');
  });

  it('finds authors, including accented names typed without accents', () => {
    assert.equal(top('Bubeck')[0], 'shen2023positional');
    assert.equal(top('richtarik')[0], 'richtarik2024error');
  });

  it('finds words that appear only deep in an abstract', () => {
    assert.equal(top('wordpieces')[0], 'wu2016google');
    assert.equal(top('degeneration of thought debate')[0], 'liang2023encouraging');
  });

  it('ranks a title or author hit above an abstract hit', () => {
    // "Arithmetic" is in many titles and abstracts; the paper whose title starts with it must beat abstract-only mentions.
    const hits = index.search('arithmetic', { limit: 62 });
    const titleHits = hits.filter((h) => h.matches.some((m) => m.field === 'title'));
    const abstractOnly = hits.filter((h) => !h.matches.some((m) => m.field === 'title' || m.field === 'authors'));
    assert.ok(titleHits.length > 3 && abstractOnly.length > 0);
    const lastTitle = Math.max(...titleHits.map((h) => hits.indexOf(h)));
    const firstAbstract = Math.min(...abstractOnly.map((h) => hits.indexOf(h)));
    assert.ok(lastTitle < firstAbstract, 'an abstract-only hit outranked a title hit');
  });

  it('ranks papers matching every word above papers matching one', () => {
    const hits = index.search('homomorphic encryption asic', { limit: 10 });
    assert.equal(hits[0].paper.id, 'tong2025leveraging');
    assert.equal(hits[0].matchedTerms, 3);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].matchedTerms >= hits[i].matchedTerms);
  });

  it('goes straight to the paper for an exact arXiv id, arXiv URL, DOI or key', () => {
    for (const q of ['2307.03381', 'arXiv:2307.03381v2', 'https://arxiv.org/abs/2307.03381', 'lee2023teaching', '@lee2023teaching']) {
      const [hit] = index.search(q, { limit: 1 });
      assert.equal(hit.paper.id, 'lee2023teaching', q);
      assert.ok(hit.exact, q);
    }
    const withDoi = papers.find((p) => p.DOI);
    assert.ok(withDoi?.DOI);
    assert.equal(index.search(`https://doi.org/${withDoi.DOI.toUpperCase()}`, { limit: 1 })[0].paper.id, withDoi.id);
  });

  it('gets the meant paper into the top 3 for every bench query', () => {
    const misses = BENCH_QUERIES.filter(([q, expected]) => !top(q).includes(expected));
    assert.deepEqual(misses, []);
  });

  it('returns match ranges that point at the matched words', () => {
    const [hit] = index.search('tokenizaton', { limit: 1 });
    const title = hit.matches.find((m) => m.field === 'title');
    assert.ok(title);
    const text = searchFieldText(hit.paper, 'title');
    assert.deepEqual(title.ranges.map((r) => text.slice(r.start, r.end)), ['Tokenization', 'tokenization']);
    const abstract = hit.matches.find((m) => m.field === 'abstract');
    assert.ok(abstract && abstract.ranges.every((r) => /^tokeniz/i.test(searchFieldText(hit.paper, 'abstract').slice(r.start, r.end))));
  });

  it('matches a word being typed by its prefix', () => {
    assert.equal(top('tokeniz')[0], 'singh2024tokenization');
    assert.equal(top('cheatsh')[0], 'suzgun2025dynamic');
  });

  it('tells keys apart that differ only in case', () => {
    const a: Paper = { id: 'Smith2020', type: 'article', title: 'Apples', author: [] };
    const b: Paper = { id: 'smith2020', type: 'article', title: 'Oranges', author: [] };
    const small = new SearchIndex([a, b]);
    assert.equal(small.byId('Smith2020')?.title, 'Apples');
    assert.equal(small.byId('smith2020')?.title, 'Oranges');
    assert.equal(small.byId('SMITH2020'), undefined);
    assert.equal(small.search('smith2020', { limit: 1 })[0].paper.title, 'Oranges');
  });

  it('returns nothing for an empty or stop-word-free nonsense query', () => {
    assert.deepEqual(index.search('   '), []);
    assert.deepEqual(index.search('qqqqzzzz'), []);
  });

  it('finds papers whose text is not ASCII and keeps ranges on the original text', () => {
    const p: Paper = { id: 'muller2020uber', type: 'article', title: 'Über die Größe von Modellen', author: [{ family: 'Müller', given: 'Jürgen' }] };
    const small = new SearchIndex([p]);
    const [hit] = small.search('grosse muller', { limit: 1 });
    assert.equal(hit.paper.id, 'muller2020uber');
    const title = hit.matches.find((m) => m.field === 'title');
    assert.deepEqual(title?.ranges.map((r) => p.title.slice(r.start, r.end)), ['Größe']);
  });
});

describe('building an index in slices', () => {
  it('gives the same results as building at once, pausing between slices', async () => {
    let pauses = 0;
    const sliced = await SearchIndex.build(papers, async () => { pauses++; }, 10);
    assert.equal(pauses, 6);
    for (const q of ['tokenizaton arithmatic', 'Bubeck', '2307.03381', 'wordpieces']) {
      assert.deepEqual(sliced.search(q, { limit: 5 }).map((h) => [h.paper.id, h.score]), index.search(q, { limit: 5 }).map((h) => [h.paper.id, h.score]), q);
    }
  });
});

describe('segments through the cache format, and several segments', () => {
  it('restores an index that answers exactly like the one it was built as', () => {
    const bytes = encodeCache({ identity: { path: 'x', size: 0, mtimeMs: 0, hash: 'h' }, papers, problems: [], extra: {}, segment: IndexSegment.build(papers).data });
    const reader = openCache(bytes);
    assert.ok(typeof reader !== 'string');
    const restoredPapers = Array.from({ length: reader.chunkCount }, (_, i) => reader.papers(i)).flat();
    const restored = SearchIndex.fromParts([{ segment: new IndexSegment(reader.segment()), papers: restoredPapers }]);
    for (const [q] of BENCH_QUERIES) {
      assert.deepEqual(restored.search(q, { limit: 5 }).map((h) => [h.paper.id, h.score]), index.search(q, { limit: 5 }).map((h) => [h.paper.id, h.score]), q);
    }
    assert.equal(restored.byId('lee2023teaching')?.arxiv, '2307.03381');
  });

  it('refuses a cache file that is cut short, garbled or from another version', () => {
    const bytes = encodeCache({ identity: { path: 'x', size: 0, mtimeMs: 0, hash: 'h' }, papers, problems: [], extra: {}, segment: IndexSegment.build(papers).data });
    assert.equal(openCache(bytes.slice(0, bytes.length - 100)), 'truncated');
    const garbled = bytes.slice();
    garbled[garbled.length - 5000] ^= 0xff;
    assert.equal(openCache(garbled), 'corrupt');
    const old = bytes.slice();
    const at = Buffer.from(old).indexOf(`"version":${CACHE_FORMAT_VERSION}`);
    assert.ok(at > 0);
    old[at + '"version":'.length] = String(CACHE_FORMAT_VERSION - 1).charCodeAt(0);
    assert.equal(openCache(old), 'old-version');
    assert.equal(openCache(new TextEncoder().encode('{"not":"a cache"}')), 'not-a-cache');
  });

  it('answers over several segments as over one, and a hidden paper\'s words find the paper it is shown as', () => {
    const half = papers.length >> 1;
    const split = SearchIndex.fromParts([
      { segment: IndexSegment.build(papers.slice(0, half)), papers: papers.slice(0, half) },
      { segment: IndexSegment.build(papers.slice(half)), papers: papers.slice(half) },
    ]);
    for (const [q] of BENCH_QUERIES) assert.deepEqual(split.search(q, { limit: 3 }).map((h) => h.paper.id), index.search(q, { limit: 3 }).map((h) => h.paper.id), q);
    const lee = papers.find((p) => p.id === 'lee2023teaching')!;
    const user = { ...lee, id: 'Lee:Teaching', abstract: undefined };
    const merged = SearchIndex.fromParts([
      { segment: IndexSegment.build([user]), papers: [user] },
      { segment: IndexSegment.build(papers), papers, shown: papers.map((p) => (p === lee ? user : p)) },
    ]);
    assert.equal(merged.papers.length, papers.length);
    assert.equal(merged.search('square root elementary functions random initialization', { limit: 1 })[0].paper.id, 'Lee:Teaching');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mapArxivSearch } from '../../src/core/online/arxiv-search';
import { mapCrossrefWorks } from '../../src/core/online/crossref';
import { keyForOnlinePaper, keysForWorks, localLookup, mergeRecords, mergeWorks, RANK_CONSTANT, sameWork, type SourceList } from '../../src/core/online/merge-works';
import { mapOpenAlexWorks } from '../../src/core/online/openalex';
import { mapSemanticScholarPapers } from '../../src/core/online/semantic-scholar';
import type { MapResult, OnlineSourceId } from '../../src/core/online/types';
import type { Paper } from '../../src/core/types';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'online');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
function papers(result: MapResult): Paper[] {
  assert.ok(result.ok);
  return result.papers;
}

/** The four services' answers for "bert pre-training", as the fixture server gives them. */
function bertLists(): SourceList[] {
  return [
    { source: 'openalex', papers: papers(mapOpenAlexWorks(fixture('openalex-search-bert.json'))) },
    { source: 'semanticscholar', papers: papers(mapSemanticScholarPapers(fixture('s2-search-bert.json'))) },
    { source: 'crossref', papers: papers(mapCrossrefWorks(fixture('crossref-search-bert.json'))) },
    { source: 'arxiv', papers: papers(mapArxivSearch(fixture('arxiv-search-bert.xml'))) },
  ];
}

function paper(fields: Partial<Paper> & { title: string }, source: OnlineSourceId): Paper {
  return { id: '', type: 'article', author: [{ family: 'Lovelace', given: 'Ada' }], origin: 'online', sources: [source], ...fields };
}

describe('merging search results', () => {
  it('makes the same paper from four sources one record with four sources and the best fields', () => {
    const works = mergeWorks(bertLists());
    const bert = works.filter((w) => /^BERT/.test(w.paper.title));
    assert.equal(bert.length, 1, works.map((w) => `${w.paper.title} [${w.sources}]`).join('\n'));
    const [work] = bert;
    assert.equal(work.local, false);
    assert.deepEqual(work.sources, ['openalex', 'semanticscholar', 'crossref', 'arxiv']);
    assert.deepEqual(work.ranks, { openalex: 1, semanticscholar: 1, crossref: 1, arxiv: 1 });
    assert.deepEqual([...(work.paper.sources ?? [])].sort(), ['arxiv', 'crossref', 'openalex', 'semanticscholar']);
    const record = work.paper;
    assert.equal(record.DOI?.toLowerCase(), '10.18653/v1/n19-1423', 'the published DOI');
    assert.equal(record.arxiv, '1810.04805', 'the preprint id');
    assert.equal(record.arxivClass, 'cs.CL');
    assert.equal(record.type, 'paper-conference');
    assert.match(record['container-title'] ?? '', /^Proceedings of the 2019 Conference of the North American Chapter/, "the venue from Crossref's published record");
    assert.equal(record.page, '4171-4186');
    assert.deepEqual(record.issued, { 'date-parts': [[2019]] }, 'the year of the venue version');
    assert.ok(record.abstract?.startsWith('We introduce a new language representation model called BERT'), 'the abstract from whichever has one');
    assert.equal(record.extra?.citedBy, 90000, 'the highest count any source gave');
    assert.equal(record.id, '');
    assert.equal(record.origin, 'online');
    assert.equal(works[0], work, 'found by all four, it ranks first');
    assert.equal(works.length, 3, 'BERT, RoBERTa and ELMo');
    assert.deepEqual(works.find((w) => /^RoBERTa/.test(w.paper.title))?.sources, ['openalex', 'semanticscholar']);
  });

  it('matches a preprint and its venue version by title, first author and a year apart', () => {
    const preprint = paper({ title: 'Attention Is All You Need', arxiv: '1706.03762', issued: { 'date-parts': [[2017, 6, 12]] }, author: [{ family: 'Vaswani', given: 'Ashish' }] }, 'arxiv');
    const venue = paper({ title: 'Attention is all you need.', type: 'paper-conference', 'container-title': 'NeurIPS', issued: { 'date-parts': [[2018]] }, author: [{ family: 'Vaswani', given: 'A.' }] }, 'openalex');
    assert.ok(sameWork(preprint, venue));
    const [work, ...rest] = mergeWorks([{ source: 'arxiv', papers: [preprint] }, { source: 'openalex', papers: [venue] }]);
    assert.equal(rest.length, 0);
    assert.equal(work.paper['container-title'], 'NeurIPS');
    assert.equal(work.paper.arxiv, '1706.03762');
    assert.equal(work.paper.type, 'paper-conference');
    assert.deepEqual(work.paper.issued, { 'date-parts': [[2018]] });
  });

  it('folds accents and case in the first author, and reads arXiv DOIs and versioned ids as the arXiv id', () => {
    const a = paper({ title: 'Deep Learning for X', author: [{ family: 'Brémond', given: 'F.' }], issued: { 'date-parts': [[2020]] } }, 'crossref');
    const b = paper({ title: 'Deep learning for x', author: [{ family: 'BREMOND', given: 'François' }], issued: { 'date-parts': [[2020]] } }, 'openalex');
    assert.ok(sameWork(a, b));
    const c = paper({ title: 'One', DOI: '10.48550/arXiv.2103.03404' }, 'openalex');
    const d = paper({ title: 'Two', arxiv: '2103.03404v2' }, 'arxiv');
    assert.ok(sameWork(c, d));
    const e = paper({ title: 'x', DOI: 'https://doi.org/10.1038/NATURE14539' }, 'openalex');
    const f = paper({ title: 'y', DOI: '10.1038/nature14539' }, 'crossref');
    assert.ok(sameWork(e, f), 'DOIs compare case-insensitively, without resolver prefix');
  });

  it('keeps two different papers with the same title apart: other authors, years far apart, different DOIs', () => {
    const lecun = paper({ title: 'Deep learning', author: [{ family: 'LeCun', given: 'Yann' }], issued: { 'date-parts': [[2015]] }, DOI: '10.1038/nature14539' }, 'crossref');
    const goodfellow = paper({ title: 'Deep Learning', author: [{ family: 'Goodfellow', given: 'Ian' }], issued: { 'date-parts': [[2016]] }, type: 'book' }, 'openalex');
    const later = paper({ title: 'Deep learning', author: [{ family: 'LeCun', given: 'Y.' }], issued: { 'date-parts': [[1995]] } }, 'openalex');
    const otherDoi = paper({ title: 'Deep learning', author: [{ family: 'LeCun', given: 'Yann' }], issued: { 'date-parts': [[2015]] }, DOI: '10.1000/other' }, 'openalex');
    assert.ok(!sameWork(lecun, goodfellow));
    assert.ok(!sameWork(lecun, later));
    assert.ok(!sameWork(lecun, otherDoi));
    assert.equal(mergeWorks([{ source: 'crossref', papers: [lecun] }, { source: 'openalex', papers: [goodfellow, later, otherDoi] }]).length, 4);
    const fixtures = mergeWorks([
      { source: 'openalex', papers: papers(mapOpenAlexWorks(fixture('openalex-search-deep-learning.json'))) },
      { source: 'crossref', papers: papers(mapCrossrefWorks(fixture('crossref-search-deep-learning.json'))) },
    ]);
    assert.deepEqual(fixtures.map((w) => [w.paper.title, w.sources.join('+')]), [
      ['Deep learning', 'openalex+crossref'],
      ['Deep Learning', 'openalex'],
      ['Highly accurate protein structure prediction with AlphaFold', 'crossref'],
    ]);
  });

  it('does not let a title match join works whose arXiv ids differ', () => {
    const a = paper({ title: 'Survey', arxiv: '2001.00001', issued: { 'date-parts': [[2020]] } }, 'arxiv');
    const b = paper({ title: 'Survey', arxiv: '2002.00002', issued: { 'date-parts': [[2020]] } }, 'semanticscholar');
    const c = paper({ title: 'Survey', issued: { 'date-parts': [[2020]] } }, 'openalex');
    const works = mergeWorks([{ source: 'arxiv', papers: [a] }, { source: 'semanticscholar', papers: [b] }, { source: 'openalex', papers: [c] }]);
    assert.equal(works.length, 2, 'c joins one of them, never both');
  });

  it('returns a work the library has as the library paper under its key, flagged, once', () => {
    const mine: Paper = { id: 'devlin2019bert', type: 'paper-conference', title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding', author: [{ family: 'Devlin', given: 'Jacob' }], issued: { 'date-parts': [[2019]] }, source: 'refs.bib', origin: 'library' };
    const works = mergeWorks(bertLists(), { local: localLookup([mine]) });
    const local = works.filter((w) => w.local);
    assert.equal(local.length, 1);
    assert.equal(local[0].paper, mine, 'the library paper itself');
    assert.equal(local[0].paper.id, 'devlin2019bert');
    assert.deepEqual(local[0].sources, ['openalex', 'semanticscholar', 'crossref', 'arxiv']);
    assert.equal(local[0].online.DOI?.toLowerCase(), '10.18653/v1/n19-1423', 'the online record stays available');
    assert.ok(!works.some((w) => !w.local && /^BERT/.test(w.paper.title)), 'no second entry');
  });

  it('finds library papers by arXiv id in any spelling and by DOI', () => {
    const byArxiv: Paper = { id: 'vaswani2017attention', type: 'article', title: 'Attention Is All You Need', author: [], arxiv: '1706.03762' };
    const byDoi: Paper = { id: 'lecun2015deep', type: 'article-journal', title: 'Deep learning', author: [], DOI: '10.1038/NATURE14539' };
    const find = localLookup([byArxiv, byDoi]);
    assert.equal(find(paper({ title: 'x', DOI: '10.48550/arxiv.1706.03762' }, 'openalex')), byArxiv);
    assert.equal(find(paper({ title: 'x', arxiv: 'arXiv:1706.03762v7' }, 'arxiv')), byArxiv);
    assert.equal(find(paper({ title: 'x', DOI: 'https://doi.org/10.1038/nature14539' }, 'crossref')), byDoi);
    assert.equal(find(paper({ title: 'Deep learning' }, 'crossref')), undefined, 'a different first author');
  });

  it('ranks by agreement across sources and by rank within each (reciprocal-rank fusion)', () => {
    const p = (title: string, source: OnlineSourceId): Paper => paper({ title, author: [{ family: title }] }, source);
    const works = mergeWorks([
      { source: 'openalex', papers: [p('solo top', 'openalex'), p('shared', 'openalex')] },
      { source: 'crossref', papers: [p('crossref top', 'crossref'), p('shared', 'crossref')] },
      { source: 'arxiv', papers: [p('arxiv top', 'arxiv'), p('x', 'arxiv'), p('y', 'arxiv'), p('shared', 'arxiv')] },
    ]);
    assert.equal(works[0].paper.title, 'shared', 'found by all three');
    assert.equal(works[0].score, 2 / (RANK_CONSTANT + 2) + 1 / (RANK_CONSTANT + 4));
    assert.deepEqual(works.slice(1, 4).map((w) => w.paper.title), ['solo top', 'crossref top', 'arxiv top'], 'ties keep source order');
    assert.equal(mergeWorks([{ source: 'arxiv', papers: [p('a', 'arxiv'), p('b', 'arxiv')] }], { limit: 1 }).length, 1);
  });

  it('merges records field by field: the published DOI over the arXiv DOI, the abstract wherever it is', () => {
    const preprint = paper({ title: 'T', DOI: '10.48550/arXiv.1810.04805', arxiv: '1810.04805', abstract: 'From arXiv.' }, 'openalex');
    const published = paper({ title: 'T', DOI: '10.18653/v1/N19-1423', type: 'paper-conference', 'container-title': 'NAACL' }, 'semanticscholar');
    const merged = mergeRecords([preprint, published]);
    assert.equal(merged.DOI, '10.18653/v1/N19-1423');
    assert.equal(merged.arxiv, '1810.04805');
    assert.equal(merged.abstract, 'From arXiv.');
    assert.equal(merged['container-title'], 'NAACL');
    assert.deepEqual(merged.sources, ['openalex', 'semanticscholar']);
  });
});

describe('keys for online papers', () => {
  const transformer = paper({ title: 'Attention Is All You Need', author: [{ family: 'Vaswani', given: 'Ashish' }], issued: { 'date-parts': [[2017]] } }, 'arxiv');

  it('takes the template key, made unique against the keys already taken', () => {
    assert.equal(keyForOnlinePaper(transformer, new Set()), 'vaswani2017attention');
    assert.equal(keyForOnlinePaper(transformer, new Set(['vaswani2017attention'])), 'vaswani2017attentiona');
    assert.equal(keyForOnlinePaper(transformer, new Set(['vaswani2017attention', 'vaswani2017attentiona'])), 'vaswani2017attentionb');
    assert.equal(keyForOnlinePaper(transformer, new Set(), '[auth]:[year]'), 'vaswani:2017');
  });

  it('gives a merged list distinct keys, keeping library keys', () => {
    const mine: Paper = { id: 'vaswani2017attention', type: 'article', title: 'Something else', author: [] };
    const twin = paper({ title: 'Attention, Again', author: [{ family: 'Vaswani' }], issued: { 'date-parts': [[2017]] } }, 'crossref');
    const works = mergeWorks([{ source: 'arxiv', papers: [transformer] }, { source: 'crossref', papers: [twin] }]);
    const keys = keysForWorks(works, new Set([mine.id]));
    assert.equal(new Set(keys).size, 2);
    assert.ok(!keys.includes('vaswani2017attention'));
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mapArxivSearch, arxivSearchQuery } from '../../src/core/online/arxiv-search';
import { mapCrossrefWorks } from '../../src/core/online/crossref';
import { abstractFromInvertedIndex, mapOpenAlexWork, mapOpenAlexWorks, openAlexShortId } from '../../src/core/online/openalex';
import { mapSemanticScholarPapers } from '../../src/core/online/semantic-scholar';
import type { MapResult } from '../../src/core/online/types';
import type { Paper } from '../../src/core/types';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'online');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

function papersOf(result: MapResult): Paper[] {
  assert.ok(result.ok, JSON.stringify(result));
  return result.papers;
}

const ATTENTION_START = 'The dominant sequence transduction models are based on complex recurrent or convolutional neural networks';

describe('arXiv search feed', () => {
  it('reads every entry of a search answer, in order, as online papers without keys', () => {
    const result = mapArxivSearch(fixture('arxiv-search-attention.xml'));
    const papers = papersOf(result);
    assert.equal(result.ok && result.total, 2);
    assert.deepEqual(papers.map((p) => p.arxiv), ['1706.03762', '2103.03404']);
    const [attention] = papers;
    assert.equal(attention.id, '');
    assert.equal(attention.origin, 'online');
    assert.deepEqual(attention.sources, ['arxiv']);
    assert.equal(attention.type, 'article');
    assert.equal(attention.title, 'Attention Is All You Need');
    assert.equal(attention.author.length, 8);
    assert.deepEqual(attention.author[0], { family: 'Vaswani', given: 'Ashish' });
    assert.deepEqual(attention.author[5], { family: 'Gomez', given: 'Aidan N.' });
    assert.deepEqual(attention.issued, { 'date-parts': [[2017, 6, 12]] });
    assert.equal(attention.arxivClass, 'cs.CL');
    assert.ok(attention.abstract?.startsWith(ATTENTION_START));
    assert.ok(!attention.abstract?.includes('\n'), 'the hard-wrapped summary is one line');
    assert.equal(attention.DOI, undefined);
    assert.equal(papers[1].title, 'Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth');
    assert.equal(papers[1].arxivClass, 'cs.LG');
  });

  it('takes the DOI and the journal reference when arXiv has them', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"><entry>
      <id>http://arxiv.org/abs/1810.04805v2</id><title>BERT</title><published>2018-10-11T00:50:01Z</published>
      <author><name>Jacob Devlin</name></author>
      <arxiv:doi>10.18653/v1/N19-1423</arxiv:doi><arxiv:journal_ref>NAACL 2019</arxiv:journal_ref>
      <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    </entry></feed>`;
    const [paper] = papersOf(mapArxivSearch(xml));
    assert.equal(paper.DOI, '10.18653/v1/N19-1423');
    assert.equal(paper['container-title'], 'NAACL 2019');
    assert.equal(paper.arxivClass, 'cs.CL');
  });

  it('reads an id_list answer the same way', () => {
    const papers = papersOf(mapArxivSearch(fixture('arxiv-id-1810.04805.xml')));
    assert.equal(papers.length, 1);
    assert.equal(papers[0].title, 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding');
    assert.deepEqual(papers[0].author.map((a) => a.family), ['Devlin', 'Chang', 'Lee', 'Toutanova']);
  });

  it('gives an empty list for an empty feed, and typed errors for an error entry or a non-feed', () => {
    const empty = mapArxivSearch(fixture('arxiv-empty.xml'));
    assert.deepEqual(empty, { ok: true, papers: [], total: 0, problems: [] });
    const error = mapArxivSearch(fixture('arxiv-error.xml'));
    assert.deepEqual(error, { ok: false, error: { code: 'api-error', message: 'arXiv reported an error: start must be non-negative' } });
    const html = mapArxivSearch('<html><body>Bad gateway</body></html>');
    assert.equal(html.ok, false);
    assert.equal(!html.ok && html.error.code, 'not-a-feed');
  });

  it('reports entries without an arXiv id or a title as problems and keeps the rest', () => {
    const xml = `<feed><entry><id>http://example.org/x</id><title>Elsewhere</title></entry>
      <entry><id>http://arxiv.org/abs/2307.03381v1</id><title></title></entry>
      <entry><id>http://arxiv.org/abs/1706.03762v7</id><title>Attention Is All You Need</title></entry></feed>`;
    const result = mapArxivSearch(xml);
    assert.ok(result.ok);
    assert.deepEqual(result.papers.map((p) => p.arxiv), ['1706.03762']);
    assert.deepEqual(result.problems, [
      { code: 'skipped-record', index: 0, reason: 'no-arxiv-id' },
      { code: 'skipped-record', index: 1, reason: 'no-title' },
    ]);
  });

  it('turns typed text into a query that needs every word and cannot change the query logic', () => {
    assert.equal(arxivSearchQuery('attention is all you need'), 'all:attention AND all:is AND all:all AND all:you AND all:need');
    assert.equal(arxivSearchQuery('"ti:x" OR (au:y) ANDNOT z'), 'all:ti AND all:x AND all:au AND all:y AND all:z');
  });
});

describe('OpenAlex works', () => {
  it('rebuilds the abstract from the inverted index, in word order', () => {
    assert.equal(abstractFromInvertedIndex({ is: [1], This: [0], 'fine.': [3], all: [2] }), 'This is all fine.');
    assert.equal(abstractFromInvertedIndex({ a: [0, 2], b: [1] }), 'a b a');
    assert.equal(abstractFromInvertedIndex({}), undefined);
    assert.equal(abstractFromInvertedIndex(null), undefined);
  });

  it('rebuilds hostile indexes without trouble: bad positions, duplicates, huge numbers, prototype names', () => {
    const index = JSON.parse('{"__proto__": [0], "constructor": [1], "x": [-1, 1.5, "2", null, 1e300, 3], "y": "nope", "z": [1]}') as unknown;
    assert.equal(abstractFromInvertedIndex(index), '__proto__ constructor x');
    const huge: Record<string, number[]> = {};
    for (let i = 0; i < 50_000; i++) huge[`w${i}`] = [i];
    const text = abstractFromInvertedIndex(huge);
    assert.equal(text?.split(' ').length, 20_000, 'capped');
  });

  it('reads a search answer: NeurIPS version without DOI, a preprint with an arXiv DataCite DOI', () => {
    const result = mapOpenAlexWorks(fixture('openalex-search-attention.json'));
    const [attention, notAll] = papersOf(result);
    assert.equal(result.ok && result.total, 2841);
    assert.equal(attention.title, 'Attention is All you Need');
    assert.deepEqual(attention.sources, ['openalex']);
    assert.equal(attention.origin, 'online');
    assert.equal(attention.type, 'paper-conference', 'a conference source makes the article a conference paper');
    assert.equal(attention['container-title'], 'Neural Information Processing Systems');
    assert.equal(attention.DOI, undefined);
    assert.equal(attention.arxiv, undefined);
    assert.deepEqual(attention.author[6], { family: 'Kaiser', given: 'Łukasz' });
    assert.deepEqual(attention.issued, { 'date-parts': [[2017, 6, 12]] });
    assert.equal(attention.page, '5998-6008');
    assert.equal(attention.volume, '30');
    assert.equal(attention.extra?.citedBy, 61234);
    assert.ok(attention.abstract?.startsWith(ATTENTION_START));
    assert.ok(attention.abstract?.endsWith('with large and limited training data.'));
    assert.equal(attention.URL, 'https://papers.nips.cc/paper/7181-attention-is-all-you-need', 'a landing page when there is no DOI or arXiv id');

    assert.equal(notAll.type, 'article');
    assert.equal(notAll.arxiv, '2103.03404');
    assert.equal(notAll.DOI, '10.48550/arxiv.2103.03404');
    assert.equal(notAll['container-title'], undefined, 'a repository is not a venue');
  });

  it('takes the arXiv id from an arxiv.org location and the venue from the primary location', () => {
    const [bert, roberta] = papersOf(mapOpenAlexWorks(fixture('openalex-search-bert.json')));
    assert.equal(bert.DOI, '10.18653/v1/n19-1423');
    assert.equal(bert.arxiv, '1810.04805');
    assert.equal(bert.type, 'paper-conference');
    assert.equal(bert['container-title'], 'Proceedings of the 2019 Conference of the North');
    assert.equal(bert.publisher, 'Association for Computational Linguistics');
    assert.equal(bert.page, '4171-4186');
    assert.equal(roberta.arxiv, '1907.11692');
  });

  it('maps work types: journal article, book', () => {
    const [nature, book] = papersOf(mapOpenAlexWorks(fixture('openalex-search-deep-learning.json')));
    assert.equal(nature.type, 'article-journal');
    assert.equal(nature['container-title'], 'Nature');
    assert.equal(nature.ISSN, '0028-0836');
    assert.equal(nature.issue, '7553');
    assert.equal(book.type, 'book');
    assert.equal(book.abstract, undefined);
  });

  it('reads a single work with its referenced and related works as short ids', () => {
    const work = mapOpenAlexWork(fixture('openalex-work-W2963341956.json'));
    assert.ok(work.ok);
    assert.equal(work.openalexId, 'W2963341956');
    assert.deepEqual(work.referencedWorks, ['W2963403868', 'W2789541106', 'W2952729433']);
    assert.deepEqual(work.relatedWorks, ['W2965373594', 'W2970597249']);
    assert.equal(work.paper.title, 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding');
  });

  it('reads OpenAlex ids in any form', () => {
    assert.equal(openAlexShortId('https://openalex.org/W2626778328'), 'W2626778328');
    assert.equal(openAlexShortId('w2626778328'), 'W2626778328');
    assert.equal(openAlexShortId('https://example.org/W1'), undefined);
  });

  it('gives typed errors for malformed, error and wrong-shaped answers, and an empty list for none', () => {
    assert.deepEqual(mapOpenAlexWorks(fixture('openalex-empty.json')), { ok: true, papers: [], total: 0, problems: [] });
    const cut = mapOpenAlexWorks('{"results": [{"title": "cut off');
    assert.equal(!cut.ok && cut.error.code, 'not-json');
    const error = mapOpenAlexWorks(fixture('openalex-error.json'));
    assert.equal(!error.ok && error.error.code, 'api-error');
    assert.match(!error.ok ? error.error.message : '', /^OpenAlex: Invalid query parameters error\./);
    for (const body of ['[]', '{}', '{"results": 3}', 'null', '"text"']) {
      const wrong = mapOpenAlexWorks(body);
      assert.equal(!wrong.ok && wrong.error.code, 'unexpected-shape', body);
    }
    const skipped = mapOpenAlexWorks('{"results": [3, {"title": null}, {"title": "T", "authorships": "x", "locations": [null, 4], "biblio": []}]}');
    assert.ok(skipped.ok);
    assert.equal(skipped.papers.length, 1);
    assert.deepEqual(skipped.problems.map((p) => p.reason), ['not-an-object', 'no-title']);
  });
});

describe('Crossref works', () => {
  it('reads items: JATS abstract to text, event, container, published date, type', () => {
    const result = mapCrossrefWorks(fixture('crossref-search-bert.json'));
    const [bert, elmo] = papersOf(result);
    assert.equal(result.ok && result.total, 31977);
    assert.equal(bert.type, 'paper-conference');
    assert.equal(bert.DOI, '10.18653/v1/n19-1423');
    assert.deepEqual(bert.sources, ['crossref']);
    assert.equal(bert.event, 'Proceedings of the 2019 Conference of the North');
    assert.match(bert['container-title'] ?? '', /^Proceedings of the 2019 Conference of the North American Chapter/);
    assert.equal(bert.page, '4171-4186');
    assert.deepEqual(bert.issued, { 'date-parts': [[2019]] });
    assert.equal(bert.extra?.citedBy, 44807);
    assert.ok(bert.abstract?.startsWith('We introduce a new language representation model called BERT, which stands for Bidirectional Encoder Representations from Transformers. Unlike'), bert.abstract);
    assert.ok(bert.abstract?.includes('GLUE score to 80.5% (7.7% point absolute improvement)'), 'character references decoded');
    assert.ok(!/<|jats|Abstract/.test(bert.abstract ?? ''), 'tags and the "Abstract" heading are gone');
    assert.equal(elmo.title, 'Deep Contextualized Word Representations');
  });

  it('reads a journal article and a structured abstract with superscripts', () => {
    const [nature, alphafold] = papersOf(mapCrossrefWorks(fixture('crossref-search-deep-learning.json')));
    assert.equal(nature.type, 'article-journal');
    assert.equal(nature['container-title'], 'Nature');
    assert.equal(nature['container-title-short'], undefined, 'the same as the full title');
    assert.deepEqual(nature.issued, { 'date-parts': [[2015, 5, 27]] }, 'published (the earliest) wins over published-print');
    assert.equal(nature.volume, '521');
    assert.equal(nature.issue, '7553');
    assert.equal(nature.ISSN, '0028-0836');
    assert.deepEqual(nature.author.map((a) => a.family), ['LeCun', 'Bengio', 'Hinton']);
    assert.match(alphafold.abstract ?? '', /experimental effort1–4, the structures of around 100,000 unique proteins have been determined5,/);
  });

  it('straightens titles with markup and subtitles, organisations, missing fields', () => {
    const body = JSON.stringify({ status: 'ok', message: { items: [
      { title: ['Water <i>in</i> H<sub>2</sub>O &amp; Ice'], subtitle: ['A Study'], type: 'journal-article', author: [{ name: 'The Consortium' }, { given: 'Ada', family: 'Lovelace' }], 'published-online': { 'date-parts': [[2021, 5, 3]] } },
      { title: [], DOI: '10.1/x' },
      'junk',
    ] } });
    const result = mapCrossrefWorks(body);
    assert.ok(result.ok);
    assert.equal(result.papers[0].title, 'Water in H2O & Ice: A Study');
    assert.deepEqual(result.papers[0].author, [{ literal: 'The Consortium' }, { family: 'Lovelace', given: 'Ada' }]);
    assert.deepEqual(result.papers[0].issued, { 'date-parts': [[2021, 5, 3]] });
    assert.deepEqual(result.problems.map((p) => p.reason), ['no-title', 'not-an-object']);
  });

  it('gives typed errors for a validation failure and malformed bodies, an empty list for none', () => {
    const error = mapCrossrefWorks(fixture('crossref-error.json'));
    assert.deepEqual(error, { ok: false, error: { code: 'api-error', message: 'Crossref: This route does not support field query.title' } });
    assert.deepEqual(mapCrossrefWorks(fixture('crossref-empty.json')), { ok: true, papers: [], total: 0, problems: [] });
    const html = mapCrossrefWorks('<html>Resource not found.</html>');
    assert.equal(!html.ok && html.error.code, 'not-json');
    const wrong = mapCrossrefWorks('{"message": {"items": {}}}');
    assert.equal(!wrong.ok && wrong.error.code, 'unexpected-shape');
  });
});

describe('Semantic Scholar papers', () => {
  it('reads a search answer: ids, venue, year, citation count; "ArXiv" is not a venue', () => {
    const result = mapSemanticScholarPapers(fixture('s2-search-bert.json'));
    const [bert, roberta] = papersOf(result);
    assert.equal(result.ok && result.total, 10234);
    assert.deepEqual(bert.sources, ['semanticscholar']);
    assert.equal(bert.DOI, '10.18653/v1/N19-1423');
    assert.equal(bert.arxiv, '1810.04805');
    assert.equal(bert['container-title'], 'North American Chapter of the Association for Computational Linguistics');
    assert.equal(bert.type, 'paper-conference');
    assert.deepEqual(bert.issued, { 'date-parts': [[2019]] });
    assert.equal(bert.page, '4171-4186');
    assert.equal(bert.extra?.citedBy, 90000);
    assert.ok(bert.abstract?.startsWith('We introduce a new language representation model called BERT'));
    assert.equal(roberta['container-title'], undefined);
    assert.equal(roberta.type, 'article');
    assert.equal(roberta.volume, undefined, "S2's abs/… volume of a preprint is dropped");
    assert.deepEqual(roberta.issued, { 'date-parts': [[2019, 7, 26]] });
  });

  it('reads references, citations and recommendations, keeping unresolved references by title', () => {
    const references = papersOf(mapSemanticScholarPapers(fixture('s2-references-bert.json')));
    assert.deepEqual(references.map((p) => p.title), ['Attention is All you Need', 'Deep Contextualized Word Representations', 'Improving language understanding with unsupervised learning']);
    assert.equal(references[0].arxiv, '1706.03762');
    assert.deepEqual(references[2].author, [{ family: 'Radford', given: 'Alec' }]);
    assert.deepEqual(papersOf(mapSemanticScholarPapers(fixture('s2-citations-bert.json'))).map((p) => p.arxiv), ['1907.11692']);
    assert.equal(papersOf(mapSemanticScholarPapers(fixture('s2-recommendations-bert.json'))).length, 2);
  });

  it('reads the empty answer, and gives typed errors for error and malformed bodies', () => {
    assert.deepEqual(mapSemanticScholarPapers(fixture('s2-empty.json')), { ok: true, papers: [], total: 0, problems: [] });
    const error = mapSemanticScholarPapers(fixture('s2-error.json'));
    assert.deepEqual(error, { ok: false, error: { code: 'api-error', message: 'Semantic Scholar: Unrecognized or unsupported fields: [venu]' } });
    const throttled = mapSemanticScholarPapers('{"message": "Too Many Requests"}');
    assert.equal(!throttled.ok && throttled.error.code, 'api-error');
    const cut = mapSemanticScholarPapers('{"data": [');
    assert.equal(!cut.ok && cut.error.code, 'not-json');
  });
});

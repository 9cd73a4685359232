import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paperFromArxivFeed } from '../../src/core/arxiv';
import { paperFromCslResponse } from '../../src/core/csl';
import { arxivIdFromDoi, arxivIdFromUrl, isArxivDoi, normaliseArxivId, normaliseDoi } from '../../src/core/identity';
import { mapArxivSearch } from '../../src/core/online/arxiv-search';
import { mapCrossrefWorks } from '../../src/core/online/crossref';
import { parseLookupInput } from '../../src/core/online/lookup-input';
import { decodeEntities, markupToText, xmlAttribute, xmlElements, xmlText } from '../../src/core/online/markup';
import { mapOpenAlexWorks } from '../../src/core/online/openalex';
import { mapSemanticScholarPapers } from '../../src/core/online/semantic-scholar';

/** A generous bound: linear code reads a megabyte in milliseconds; quadratic code takes minutes. */
const LINEAR_BOUND_MS = 2000;
const MEGABYTE = 1 << 20;

function timeOf(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** `unit` repeated to about a megabyte. */
function mb(unit: string, prefix = '', suffix = ''): string {
  return prefix + unit.repeat(Math.ceil(MEGABYTE / unit.length)) + suffix;
}

describe('markup from the network', () => {
  it('decodes character references, refusing impossible characters and prototype names', () => {
    assert.equal(decodeEntities('caf&#233; &#xE9; &amp; &lt;b&gt;'), 'café é & <b>');
    assert.equal(decodeEntities('&#x110000; &#0; &#xD800; &#99999999;'), '\uFFFD \uFFFD \uFFFD \uFFFD');
    assert.equal(decodeEntities('&constructor; &__proto__; &toString; &hasOwnProperty;'), '&constructor; &__proto__; &toString; &hasOwnProperty;');
    assert.equal(decodeEntities('&unknown; & alone &amp'), '&unknown; & alone &amp');
  });

  it('reduces JATS and HTML to one line of text', () => {
    assert.equal(markupToText('<jats:title>Abstract</jats:title><jats:p>First.</jats:p><jats:p>Second.</jats:p>'), 'First. Second.');
    assert.equal(markupToText('<jats:sec><jats:title>Background</jats:title><jats:p>Text.</jats:p></jats:sec>'), 'Background: Text.');
    assert.equal(markupToText('H<sub>2</sub>O and <i>in vivo</i> (<b>n</b> = 3)'), 'H2O and in vivo (n = 3)');
    assert.equal(markupToText('a &lt; b &amp;&nbsp;c&ndash;d'), 'a < b & c–d');
    assert.equal(markupToText('<p>Text</p>.'), 'Text.');
    assert.equal(markupToText('x < y and no tag'), 'x < y and no tag', 'a stray < with no > stays text');
    assert.equal(markupToText('&constructor; &#x110000;'), '&constructor; \uFFFD');
  });

  it('finds XML elements, with nested same-name elements inside the outer one and missing closers ending the scan', () => {
    assert.deepEqual(xmlElements('<a x="1">one</a><ab>no</ab><a/><a>two</a>', 'a').map((e) => e.inner), ['one', '', 'two']);
    assert.deepEqual(xmlElements('<e><e>inner</e></e><e>next</e>', 'e').map((e) => e.inner), ['<e>inner', 'next']);
    assert.deepEqual(xmlElements('<e>one</e><e>never closed', 'e').map((e) => e.inner), ['one']);
    assert.equal(xmlText('a <![CDATA[<b> & c]]> <!-- x > y --> d &amp; e'), 'a <b> & c  d & e');
    assert.equal(xmlAttribute(' term="cs.CL" scheme=\'x\'', 'term'), 'cs.CL');
    assert.equal(xmlAttribute(' checked term = "a&amp;b"', 'term'), 'a&b');
    assert.equal(xmlAttribute(' term="unterminated', 'term'), undefined);
    assert.equal(xmlAttribute('=== "x" term=y', 'term'), 'y');
  });

  it('reads hostile feeds without throwing or leaking code', () => {
    const feed = `<feed><entry><id>http://arxiv.org/abs/1706.03762v1</id><title>&constructor; &#x110000; &toString;</title>
      <summary>&__proto__;</summary><author><name>&#xD800;</name></author></entry></feed>`;
    const result = mapArxivSearch(feed);
    assert.ok(result.ok);
    assert.equal(result.papers[0].title, '&constructor; \uFFFD &toString;');
    assert.equal(result.papers[0].abstract, '&__proto__;');
    assert.ok(!JSON.stringify(result).includes('function'), 'no function text');
    const single = paperFromArxivFeed(feed, '1706.03762');
    assert.ok(single.ok);
  });

  it('reads hostile CSL-JSON without throwing (entities out of range, prototype names)', () => {
    const result = paperFromCslResponse(JSON.stringify({ title: 'A &#x110000; &constructor; title', type: 'journal-article', abstract: '<jats:p>&#99999999;</jats:p>' }), '10.1/x');
    assert.ok(result.ok);
    assert.equal(result.paper.title, 'A \uFFFD &constructor; title');
    assert.equal(result.paper.abstract, '\uFFFD');
  });
});

describe('hostile inputs take linear time (1 MB each, under 2 s)', () => {
  const cases: [string, () => unknown][] = [
    ['unclosed tags', () => markupToText(mb('<a ', '', 'x'))],
    ['tags without >', () => markupToText(mb('<<<<'))],
    ['entity lookalikes', () => decodeEntities(mb('&#1234567890123'))],
    ['long entity names', () => decodeEntities(mb('&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'))],
    ['unclosed titles', () => markupToText(mb('<jats:title>x'))],
    ['unclosed CDATA', () => xmlText(mb('<![CDATA[x'))],
    ['unclosed comments', () => xmlText(mb('<!--'))],
    ['attribute soup', () => xmlAttribute(mb('a="'), 'term')],
    ['attribute names without values', () => xmlAttribute(mb('aaaa '), 'term')],
    ['many open entries', () => mapArxivSearch(mb('<entry>', '<feed>'))],
    ['nested entries', () => mapArxivSearch(mb('<entry><id>http://arxiv.org/abs/1706.03762</id><title>t', '<feed>', '</entry>'.repeat(10)))],
    ['entries with unclosed children', () => mapArxivSearch(mb('<entry><author><name>x</entry>', '<feed>'))],
    ['identifier lookalikes in ids', () => mapArxivSearch(mb('<entry><id>arxiv.org/abs/' + '1'.repeat(40) + '</id></entry>', '<feed>'))],
    ['names with spaces', () => mapArxivSearch(`<feed><entry><id>http://arxiv.org/abs/1706.03762</id><title>t</title><author><name>${mb(' ,')}</name></author></entry></feed>`)],
    ['a deep JSON array', () => mapOpenAlexWorks(mb('[', '', ''))],
    ['a huge inverted index', () => mapOpenAlexWorks(JSON.stringify({ results: [{ title: 't', abstract_inverted_index: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`w${i}`, [i]])) }] }))],
    ['JATS soup in Crossref', () => mapCrossrefWorks(JSON.stringify({ message: { items: [{ title: ['t'], abstract: mb('<jats:title><jats:p>&#x') }] } }))],
    ['a long S2 title', () => mapSemanticScholarPapers(JSON.stringify({ data: [{ title: mb('<i '), authors: [{ name: mb(' ') }] }] }))],
    ['DOIs and arXiv ids', () => [normaliseDoi(mb('doi:')), normaliseArxivId(mb('1234.')), arxivIdFromUrl(mb('arxiv.org/abs/')), isArxivDoi(mb('10.48550/arxiv.'))]],
    ['pasted identifiers', () => parseLookupInput(mb('https://x.org/10.1234/'))],
  ];
  for (const [name, run] of cases) {
    it(name, () => {
      const ms = timeOf(run);
      assert.ok(ms < LINEAR_BOUND_MS, `${name}: ${ms.toFixed(0)} ms`);
    });
  }
});

describe('identities', () => {
  it('normalises DOIs and arXiv ids in every spelling', () => {
    assert.equal(normaliseDoi('https://doi.org/10.18653/V1/N19-1423'), '10.18653/v1/n19-1423');
    assert.equal(normaliseDoi('doi: 10.1038/Nature14539'), '10.1038/nature14539');
    assert.equal(normaliseArxivId('arXiv:1706.03762v7'), '1706.03762');
    assert.equal(normaliseArxivId('https://arxiv.org/abs/1706.03762v5'), '1706.03762');
    assert.equal(normaliseArxivId('10.48550/arXiv.1706.03762'), '1706.03762');
    assert.equal(normaliseArxivId('https://doi.org/10.48550/ARXIV.math.GT/0309136'), 'math.GT/0309136');
    assert.equal(normaliseArxivId('hep-th/9901001v2'), 'hep-th/9901001');
    assert.equal(normaliseArxivId('not an id'), undefined);
    assert.equal(arxivIdFromDoi('10.48550/arxiv.2103.03404'), '2103.03404');
    assert.equal(arxivIdFromDoi('10.18653/v1/N19-1423'), undefined);
    assert.equal(isArxivDoi('https://doi.org/10.48550/arXiv.1706.03762'), true);
    assert.equal(arxivIdFromUrl('http://arxiv.org/pdf/1907.11692v1'), '1907.11692');
    assert.equal(arxivIdFromUrl('https://example.org/abs/1907.11692'), undefined);
  });

  it('reads what a writer pastes to look a paper up', () => {
    assert.deepEqual(parseLookupInput('arXiv:1706.03762v5'), { kind: 'arxiv', id: '1706.03762', version: 5 });
    assert.deepEqual(parseLookupInput('https://doi.org/10.18653/v1/N19-1423'), { kind: 'doi', doi: '10.18653/v1/N19-1423' });
    assert.deepEqual(parseLookupInput('https://dl.acm.org/doi/10.1145/3597503.3639187'), { kind: 'doi', doi: '10.1145/3597503.3639187' });
    assert.deepEqual(parseLookupInput('https://link.springer.com/article/10.1007/s10994-021-06063-6?utm=x'), { kind: 'doi', doi: '10.1007/s10994-021-06063-6' });
    assert.deepEqual(parseLookupInput('https://openalex.org/W2963341956'), { kind: 'openalex', id: 'W2963341956' });
    assert.deepEqual(parseLookupInput('W2963341956'), { kind: 'openalex', id: 'W2963341956' });
    assert.equal(parseLookupInput('attention is all you need'), undefined);
    assert.equal(parseLookupInput('https://aclanthology.org/N19-1423/'), undefined);
  });
});

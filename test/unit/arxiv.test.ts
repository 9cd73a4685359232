import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeIdentifier, paperFromArxivFeed, parseIdentifier, splitName } from '../../src/core/arxiv';
import { toBibtex } from '../../src/core/bibtex';
import { parseBibtexLibrary } from '../../src/core/library';

const HTTP = path.join(process.cwd(), 'test', 'fixtures', 'http');
const fixture = (name: string): string => fs.readFileSync(path.join(HTTP, name), 'utf8');

describe('pasted identifiers', () => {
  it('reads every way an arXiv id is written', () => {
    const forms: [string, string, number?][] = [
      ['2307.03381', '2307.03381'],
      ['arXiv:2307.03381v2', '2307.03381', 2],
      ['ARXIV: 2307.03381', '2307.03381'],
      ['https://arxiv.org/abs/2307.03381', '2307.03381'],
      ['https://arxiv.org/abs/2307.03381v3?context=cs', '2307.03381', 3],
      ['http://arxiv.org/pdf/2307.03381v1.pdf', '2307.03381', 1],
      ['arxiv.org/pdf/2307.03381', '2307.03381'],
      ['https://www.arxiv.org/html/2307.03381v2/', '2307.03381', 2],
      ['https://export.arxiv.org/abs/1609.08144', '1609.08144'],
      ['0704.0001', '0704.0001'],
      ['hep-th/9901001', 'hep-th/9901001'],
      ['arXiv:math.GT/0309136v1', 'math.GT/0309136', 1],
      ['https://arxiv.org/abs/cond-mat/0102536', 'cond-mat/0102536'],
      ['  <2307.03381>  ', '2307.03381'],
      ['10.48550/arXiv.2307.03381', '2307.03381'],
      ['https://doi.org/10.48550/ARXIV.2307.03381', '2307.03381'],
    ];
    for (const [input, id, version] of forms) {
      const parsed = parseIdentifier(input);
      assert.deepEqual(parsed, version ? { kind: 'arxiv', id, version } : { kind: 'arxiv', id }, input);
    }
  });

  it('reads DOIs bare, prefixed and as resolver URLs', () => {
    const forms: [string, string][] = [
      ['10.18653/v1/2024.acl-long.468', '10.18653/v1/2024.acl-long.468'],
      ['doi:10.18653/v1/2024.acl-long.468', '10.18653/v1/2024.acl-long.468'],
      ['DOI: 10.1145/3597503.3639187', '10.1145/3597503.3639187'],
      ['https://doi.org/10.18653/v1/2024.acl-long.468', '10.18653/v1/2024.acl-long.468'],
      ['http://dx.doi.org/10.1038/nrd842', '10.1038/nrd842'],
      ['doi.org/10.1000%2F182', '10.1000/182'],
      ['10.1016/S0140-6736(20)30183-5', '10.1016/S0140-6736(20)30183-5'],
      ['see 10.1038/nrd842.'.slice(4), '10.1038/nrd842'],
    ];
    for (const [input, doi] of forms) assert.deepEqual(parseIdentifier(input), { kind: 'doi', doi }, input);
  });

  it('rejects what is neither', () => {
    for (const input of ['', '   ', 'attention is all you need', '2307.3381', '2313.03381', '2307.033812', '10.18653', '10/abc', 'https://example.org/abs/2307.03381', 'lee2023teaching']) {
      assert.equal(parseIdentifier(input), undefined, input);
    }
  });

  it('names identifiers the way messages quote them', () => {
    assert.equal(describeIdentifier({ kind: 'arxiv', id: '2307.03381', version: 2 }), 'arXiv:2307.03381v2');
    assert.equal(describeIdentifier({ kind: 'doi', doi: '10.1038/nrd842' }), 'doi:10.1038/nrd842');
  });
});

describe('arXiv API feed', () => {
  it('reads the recorded answer for 2307.03381 into a paper', () => {
    const result = paperFromArxivFeed(fixture('arxiv-2307.03381.xml'), '2307.03381');
    assert.ok(result.ok);
    const { paper } = result;
    assert.equal(paper.title, 'Teaching Arithmetic to Small Transformers');
    assert.deepEqual(paper.author, [
      { family: 'Lee', given: 'Nayoung' },
      { family: 'Sreenivasan', given: 'Kartik' },
      { family: 'Lee', given: 'Jason D.' },
      { family: 'Lee', given: 'Kangwook' },
      { family: 'Papailiopoulos', given: 'Dimitris' },
    ]);
    assert.deepEqual(paper.issued, { 'date-parts': [[2023, 7, 7]] });
    assert.equal(paper.arxiv, '2307.03381');
    assert.equal(paper.type, 'article');
    assert.equal(paper.DOI, undefined);
    assert.ok(paper.abstract?.startsWith('Large language models like GPT-4 exhibit emergent capabilities across general-purpose tasks'));
    assert.ok(!/\n|  /.test(paper.abstract ?? ''), 'the hard-wrapped summary is one line');
    assert.ok(paper.abstract?.endsWith('rapidly eliciting arithmetic capabilities.'));
  });

  it('round-trips through BibTeX to the same paper', () => {
    const result = paperFromArxivFeed(fixture('arxiv-2307.03381.xml'), '2307.03381v1');
    assert.ok(result.ok);
    const entry = toBibtex({ ...result.paper, id: 'lee2023teaching' }, { includeAbstract: true });
    assert.match(entry, /^@misc\{lee2023teaching,/);
    assert.match(entry, /eprint = \{2307\.03381\}/);
    const back = parseBibtexLibrary(entry, 'refs.bib');
    assert.deepEqual(back.problems, []);
    const paper = back.papers[0];
    assert.equal(paper.title, result.paper.title);
    assert.equal(paper.arxiv, '2307.03381');
    assert.equal(paper.abstract, result.paper.abstract);
    assert.deepEqual(paper.author, result.paper.author);
  });

  it('takes the DOI, the journal reference and a wrapped title with entities', () => {
    const xml = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry><id>https://arxiv.org/abs/1609.08144v2</id>
      <title>Google's Neural Machine Translation System: Bridging the Gap between Human
  and Machine Translation &amp; Beyond</title>
      <summary><![CDATA[Uses <b>bold</b> & more.]]></summary>
      <published>2016-09-26T19:59:55Z</published>
      <author><name>Yonghui Wu</name><arxiv:affiliation>Google</arxiv:affiliation></author>
      <author><name>Laurens van der Maaten</name></author>
      <author><name>ATLAS Collaboration</name></author>
      <arxiv:doi>10.1000/xyz123 10.1000/other</arxiv:doi>
      <arxiv:journal_ref>Phys. Rev. D 76, 013009 (2007)</arxiv:journal_ref>
      </entry></feed>`;
    const result = paperFromArxivFeed(xml, '1609.08144');
    assert.ok(result.ok);
    assert.equal(result.paper.title, "Google's Neural Machine Translation System: Bridging the Gap between Human and Machine Translation & Beyond");
    assert.equal(result.paper.abstract, 'Uses <b>bold</b> & more.');
    assert.equal(result.paper.DOI, '10.1000/xyz123');
    assert.equal(result.paper['container-title'], 'Phys. Rev. D 76, 013009 (2007)');
    assert.deepEqual(result.paper.author, [{ family: 'Wu', given: 'Yonghui' }, { family: 'van der Maaten', given: 'Laurens' }, { literal: 'ATLAS Collaboration' }]);
  });

  it('says when arXiv has no such paper, reports an API error, and refuses what is not a feed', () => {
    const missing = paperFromArxivFeed(fixture('arxiv-no-results.xml'), '2307.99999');
    assert.deepEqual(missing, { ok: false, reason: 'not-found', message: 'arXiv has no paper with the id 2307.99999' });
    const error = paperFromArxivFeed(fixture('arxiv-error.xml'), '1234.123456');
    assert.deepEqual(error, { ok: false, reason: 'api-error', message: 'arXiv reported an error: incorrect id format for 1234.123456' });
    const throttled = paperFromArxivFeed('Rate exceeded.', '2307.03381');
    assert.equal(throttled.ok, false);
    assert.match(!throttled.ok ? throttled.message : '', /not an Atom feed|other than an Atom feed: "Rate exceeded\."/);
  });

  it('ignores entries for other ids', () => {
    const result = paperFromArxivFeed(fixture('arxiv-2307.03381.xml'), '2307.03382');
    assert.equal(result.ok, false);
  });
});

describe('author names from arXiv', () => {
  it('splits given and family names sensibly', () => {
    assert.deepEqual(splitName('Jason D. Lee'), { given: 'Jason D.', family: 'Lee' });
    assert.deepEqual(splitName('Ludwig van Beethoven'), { given: 'Ludwig', family: 'van Beethoven' });
    assert.deepEqual(splitName('Martin Luther King Jr.'), { given: 'Martin Luther', family: 'King Jr.' });
    assert.deepEqual(splitName('Jean-Baptiste Mouret'), { given: 'Jean-Baptiste', family: 'Mouret' });
    assert.deepEqual(splitName('Lee, Nayoung'), { given: 'Nayoung', family: 'Lee' });
    assert.deepEqual(splitName('Madonna'), { family: 'Madonna' });
    assert.deepEqual(splitName('The LIGO Scientific Collaboration'), { literal: 'The LIGO Scientific Collaboration' });
    assert.equal(splitName('  '), undefined);
  });
});

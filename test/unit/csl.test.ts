import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toBibtex } from '../../src/core/bibtex';
import { paperFromCslResponse } from '../../src/core/csl';

const CROSSREF = fs.readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'http', 'crossref-10.18653_v1_2024.acl-long.468.json'), 'utf8');
const DOI = '10.18653/v1/2024.acl-long.468';

describe('DOI content negotiation (CSL-JSON)', () => {
  it('reads the recorded Crossref answer into a conference paper', () => {
    const result = paperFromCslResponse(CROSSREF, DOI);
    assert.ok(result.ok);
    const { paper } = result;
    assert.equal(paper.id, '');
    assert.equal(paper.type, 'paper-conference');
    assert.equal(paper.title, 'Arithmetic Control of LLMs for Diverse User Preferences: Directional Preference Alignment with Multi-Objective Rewards');
    assert.equal(paper.author.length, 8);
    assert.deepEqual(paper.author[0], { family: 'Wang', given: 'Haoxiang' });
    assert.deepEqual(paper.issued, { 'date-parts': [[2024]] });
    assert.equal(paper.DOI, DOI);
    assert.equal(paper.page, '8642-8655');
    assert.equal(paper.publisher, 'Association for Computational Linguistics');
    assert.match(paper['container-title'] ?? '', /^Proceedings of the 62nd Annual Meeting/);
    assert.match(paper.event ?? '', /^Proceedings of the 62nd Annual Meeting/, 'the event object became its name');
    assert.ok(paper.abstract?.startsWith('Fine-grained control over large language models'), 'JATS tags are gone');
    assert.ok(!/<|jats/.test(paper.abstract ?? ''));
    assert.equal(paper.source, undefined);
  });

  it('becomes an @inproceedings entry with booktitle, pages and DOI', () => {
    const result = paperFromCslResponse(CROSSREF, DOI);
    assert.ok(result.ok);
    const entry = toBibtex({ ...result.paper, id: 'wang2024arithmetic' });
    assert.match(entry, /^@inproceedings\{wang2024arithmetic,/);
    assert.match(entry, /booktitle = \{Proceedings of the 62nd Annual Meeting/);
    assert.match(entry, /pages = \{8642--8655\}/);
    assert.match(entry, /doi = \{10\.18653\/v1\/2024\.acl-long\.468\}/);
    assert.match(entry, /year = \{2024\}/);
  });

  it('straightens Crossref quirks: arrays for strings, subtitles, markup, organisations, missing issued', () => {
    const item = {
      type: 'journal-article',
      title: ['Water <i>in</i> H<sub>2</sub>O &amp; Ice'],
      subtitle: ['A Study'],
      'container-title': ['Journal of Things'],
      author: [{ name: 'The Consortium', sequence: 'first', affiliation: [] }, { given: 'Ada', family: 'Lovelace' }],
      issued: { 'date-parts': [[null]] },
      'published-online': { 'date-parts': [[2021, 5, 3]] },
      abstract: '<jats:title>Abstract</jats:title><jats:p>First.</jats:p><jats:p>Second.</jats:p>',
    };
    const result = paperFromCslResponse(JSON.stringify(item), '10.1000/x');
    assert.ok(result.ok);
    assert.equal(result.paper.type, 'article-journal');
    assert.equal(result.paper.title, 'Water in H2O & Ice: A Study');
    assert.equal(result.paper['container-title'], 'Journal of Things');
    assert.deepEqual(result.paper.author, [{ literal: 'The Consortium' }, { family: 'Lovelace', given: 'Ada' }]);
    assert.deepEqual(result.paper.issued, { 'date-parts': [[2021, 5, 3]] });
    assert.equal(result.paper.abstract, 'First. Second.');
  });

  it('reads a DataCite answer for an arXiv DOI as a preprint', () => {
    const datacite = {
      id: 'https://doi.org/10.48550/arxiv.2307.03381',
      type: 'article',
      DOI: '10.48550/ARXIV.2307.03381',
      URL: 'https://arxiv.org/abs/2307.03381',
      title: 'Teaching Arithmetic to Small Transformers',
      author: [{ family: 'Lee', given: 'Nayoung' }],
      publisher: 'arXiv',
      issued: { 'date-parts': [[2023]] },
      copyright: 'arXiv.org perpetual, non-exclusive license',
    };
    const result = paperFromCslResponse(JSON.stringify(datacite), '10.48550/arXiv.2307.03381');
    assert.ok(result.ok);
    assert.equal(result.paper.arxiv, '2307.03381');
    assert.equal(result.paper.type, 'article');
  });

  it('explains answers that are not CSL-JSON or have no title', () => {
    const html = paperFromCslResponse('<html><body>DOI Not Found</body></html>', DOI);
    assert.equal(html.ok, false);
    assert.match(!html.ok ? html.message : '', /did not answer with CSL-JSON: "<html>/);
    const empty = paperFromCslResponse('[]', DOI);
    assert.deepEqual(empty, { ok: false, message: 'the DOI resolver answered with an empty record' });
    const untitled = paperFromCslResponse('{"type":"article"}', DOI);
    assert.deepEqual(untitled, { ok: false, message: `the record for ${DOI} has no title` });
  });
});

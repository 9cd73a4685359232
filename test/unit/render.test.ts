import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { abstractSnippet, formatAuthors, paperDescription, paperMarkdown, truncate, wrapText } from '../../src/core/render';
import { Paper } from '../../src/core/types';

const paper: Paper = {
  id: 'shen2023positional',
  type: 'paper-conference',
  title: 'Positional Description Matters for <img src=x onerror=alert(1)> [click](http://evil)',
  author: [{ given: 'Ruoqi', family: 'Shen' }, { given: 'Sébastien', family: 'Bubeck' }, { given: 'Ronen', family: 'Eldan' }, { given: 'Yin Tat', family: 'Lee' }],
  issued: { 'date-parts': [[2023, 11, 22]] },
  event: 'NeurIPS 2023',
  arxiv: '2311.14737',
  abstract: 'Transformers, central to the successes in modern Natural Language Processing, often falter on arithmetic tasks. '.repeat(6),
};

describe('paper rendering', () => {
  it('lists three authors then et al.', () => {
    assert.equal(formatAuthors(paper), 'Ruoqi Shen, Sébastien Bubeck, Ronen Eldan et al.');
    assert.equal(formatAuthors({ ...paper, author: paper.author.slice(0, 2) }), 'Ruoqi Shen, Sébastien Bubeck');
  });

  it('does not repeat a year the venue already names', () => {
    assert.equal(paperDescription(paper), 'Ruoqi Shen, Sébastien Bubeck, Ronen Eldan et al. · NeurIPS 2023');
    assert.equal(paperDescription({ ...paper, event: undefined }), 'Ruoqi Shen, Sébastien Bubeck, Ronen Eldan et al. · arXiv 2023');
  });

  it('escapes paper text in Markdown so it cannot inject HTML or links', () => {
    const md = paperMarkdown(paper, { links: [['Open details', 'command:litcite.openDetails?%5B%22shen2023positional%22%5D']] });
    assert.doesNotMatch(md, /(^|[^\\])<img/);
    assert.ok(md.includes('\\<img src=x onerror=alert\\(1\\)\\>'));
    assert.ok(md.includes('\\[click\\]\\(http://evil\\)'));
    assert.ok(md.includes('[Open details](command:litcite.openDetails?%5B%22shen2023positional%22%5D)'));
  });

  it('keeps a key with a backtick from ending its code span', () => {
    const md = paperMarkdown({ ...paper, id: 'odd`key](command:x)' });
    assert.ok(md.includes('odd\\`key\\]\\(command:x\\)'), md);
    assert.ok(paperMarkdown(paper).includes('`shen2023positional`'));
  });

  it('cuts the abstract near 400 characters at a word boundary', () => {
    const md = paperMarkdown(paper);
    const abstractLine = md.split('\n').at(-1) ?? '';
    assert.ok(abstractLine.endsWith('…'));
    assert.ok(truncate(paper.abstract ?? '', 400).length <= 401);
  });

  it('centres the snippet on the matched words', () => {
    const abstract = `${'filler words here '.repeat(30)}the needle is here ${'more filler text '.repeat(30)}`;
    const start = abstract.indexOf('needle');
    const snippet = abstractSnippet(abstract, [{ start, end: start + 6 }], 80);
    assert.ok(snippet.text.includes('needle'));
    assert.ok(snippet.text.startsWith('…') && snippet.text.endsWith('…'));
    const [range] = snippet.ranges;
    assert.equal(snippet.text.slice(range.start, range.end), 'needle');
  });

  it('wraps text for a terminal', () => {
    const wrapped = wrapText('one two three four five six seven eight nine ten', 15);
    assert.ok(wrapped.split('\n').every((line) => line.length <= 15));
    assert.equal(wrapped.replace(/\n/g, ' '), 'one two three four five six seven eight nine ten');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toCslItem } from '../../src/core/format/csl-json';
import type { Paper } from '../../src/core/types';
import { CHAPTER, CONFERENCE, PREPRINT } from '../fixtures/format/works';

describe('toCslItem', () => {
  it('keys the item by the citation key and keeps CSL variables', () => {
    const item = toCslItem(CHAPTER);
    assert.equal(item.id, 'hinton2012practical');
    assert.equal(item.type, 'chapter');
    assert.deepEqual(item.editor, CHAPTER.editor);
    assert.equal(item['container-title'], 'Neural Networks: Tricks of the Trade');
    assert.equal(item.page, '599-619');
    assert.equal(item.DOI, '10.1007/978-3-642-35289-8_32');
  });

  it('maps an arXiv preprint as Zotero exports it: number, repository as publisher, DataCite DOI, abs URL', () => {
    const item = toCslItem(PREPRINT);
    assert.equal(item.type, 'article');
    assert.equal(item.number, 'arXiv:2307.03381');
    assert.equal(item.publisher, 'arXiv');
    assert.equal(item.DOI, '10.48550/arXiv.2307.03381');
    assert.equal(item.URL, 'https://arxiv.org/abs/2307.03381');
  });

  it('gives a published paper with an arXiv id only the arXiv URL it lacks', () => {
    const item = toCslItem({ ...CONFERENCE, URL: undefined });
    assert.equal(item.URL, 'https://arxiv.org/abs/1706.03762');
    assert.equal(item.number, undefined);
    assert.equal(item.DOI, undefined);
    assert.equal(item.publisher, 'Curran Associates');
  });

  it('leaves out LitCite fields CSL has no place for', () => {
    const item = toCslItem({
      ...PREPRINT, sourceSpan: { start: 0, end: 9 }, origin: 'bundled', sources: ['arxiv'],
      extra: { tags: ['x'] }, crossref: 'other', macros: ['jan'],
    } as Paper);
    for (const field of ['arxiv', 'arxivClass', 'code', 'source', 'sourceLine', 'sourceSpan', 'origin', 'sources', 'extra', 'titleRich', 'crossref', 'macros', 'authorEtAl']) {
      assert.ok(!(field in item), field);
    }
    assert.equal(item.abstract, PREPRINT.abstract);
  });

  it('writes the event as event-title and event, unless it repeats the container title', () => {
    assert.equal(toCslItem(CONFERENCE)['event-title'], 'NeurIPS 2017');
    assert.equal(toCslItem(CONFERENCE).event, 'NeurIPS 2017');
    const same = toCslItem({ ...CONFERENCE, event: 'Advances in neural information processing systems' });
    assert.equal(same['event-title'], undefined);
    assert.equal(same.event, undefined);
  });

  it('ends an `and others` author list with Pandoc\'s literal "others"', () => {
    const item = toCslItem({ ...CHAPTER, authorEtAl: true, editorEtAl: true });
    assert.deepEqual(item.author, [{ family: 'Hinton', given: 'Geoffrey E.' }, { literal: 'others' }]);
    assert.deepEqual(item.editor?.at(-1), { literal: 'others' });
  });

  it('writes a rich title as CSL rich text', () => {
    const item = toCslItem({
      ...CHAPTER, title: 'Genes of Drosophila and H2O',
      titleRich: [{ text: 'Genes of ' }, { text: 'Drosophila', italic: true }, { text: ' and H' }, { text: '2', sub: true }, { text: 'O' }],
    });
    assert.equal(item.title, 'Genes of <i>Drosophila</i> and H<sub>2</sub>O');
  });

  it('shares no objects with the paper', () => {
    const item = toCslItem(CHAPTER);
    item.editor![0]!.family = 'Changed';
    item.issued!['date-parts'][0]![0] = 1;
    assert.equal(CHAPTER.editor![0]!.family, 'Montavon');
    assert.equal(CHAPTER.issued!['date-parts'][0]![0], 2012);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLibraries } from '../../src/core/merge';
import { Paper } from '../../src/core/types';

const bundled: Paper[] = [
  { id: 'lee2023teaching', type: 'article', title: 'Teaching Arithmetic to Small Transformers', author: [{ family: 'Lee' }], arxiv: '2307.03381', issued: { 'date-parts': [[2023]] }, source: 'bundled' },
  { id: 'wu2016google', type: 'article', title: "Google's Neural Machine Translation System", author: [{ family: 'Wu' }], issued: { 'date-parts': [[2016]] }, source: 'bundled' },
  { id: 'mine2020', type: 'article', title: 'A Bundled Paper Whose Key Clashes', author: [{ family: 'Mine' }], issued: { 'date-parts': [[2020]] }, source: 'bundled' },
];

describe('merging sources', () => {
  it('keeps the user entry and key for the same arXiv id, DOI or title + year', () => {
    const user: Paper[] = [
      { id: 'Lee:Teaching', type: 'article', title: 'Teaching arithmetic to small transformers', author: [{ family: 'Lee' }], arxiv: '2307.03381', source: 'refs.bib' },
      { id: 'gnmt', type: 'article', title: 'Google’s neural machine translation system!', author: [{ family: 'Wu' }], issued: { 'date-parts': [[2016]] }, source: 'refs.bib' },
    ];
    const { papers, duplicates } = mergeLibraries([user, bundled]);
    assert.deepEqual(papers.map((p) => p.id), ['Lee:Teaching', 'gnmt', 'mine2020']);
    assert.deepEqual(duplicates.map((d) => [d.dropped.id, d.kept.id, d.reason]), [['lee2023teaching', 'Lee:Teaching', 'arxiv'], ['wu2016google', 'gnmt', 'title']]);
  });

  it('fills what the user entry lacks from the duplicate it hides', () => {
    const user: Paper[] = [{ id: 'Lee:Teaching', type: 'article', title: 'Teaching Arithmetic to Small Transformers', author: [{ family: 'Lee' }], arxiv: '2307.03381', source: 'refs.bib' }];
    const withAbstract = bundled.map((p) => (p.id === 'lee2023teaching' ? { ...p, abstract: 'Large language models like GPT-4…', code: 'https://github.com/x/y' } : p));
    const { papers } = mergeLibraries([user, withAbstract]);
    const lee = papers.find((p) => p.id === 'Lee:Teaching');
    assert.equal(lee?.abstract, 'Large language models like GPT-4…');
    assert.equal(lee?.code, 'https://github.com/x/y');
    assert.equal(lee?.source, 'refs.bib');
    assert.deepEqual(lee?.issued, { 'date-parts': [[2023]] });
    assert.equal(user[0].abstract, undefined, 'the source record is not modified');
  });

  it('renames a bundled paper whose key a different user paper already has', () => {
    const user: Paper[] = [{ id: 'mine2020', type: 'book', title: 'Something Else', author: [], source: 'refs.bib' }];
    const { papers } = mergeLibraries([user, bundled]);
    const clash = papers.find((p) => p.title === 'A Bundled Paper Whose Key Clashes');
    assert.ok(clash && clash.id !== 'mine2020');
    assert.equal(new Set(papers.map((p) => p.id)).size, papers.length);
  });

  it('never renames a key from the user\'s files: a second file using it for another paper is left out and reported', () => {
    const a: Paper[] = [{ id: 'smith2020', type: 'article', title: 'Apples', author: [{ family: 'Smith' }], source: 'a.bib' }];
    const b: Paper[] = [{ id: 'smith2020', type: 'article', title: 'Oranges', author: [{ family: 'Smith' }], source: 'b.bib' }];
    const { papers, duplicates } = mergeLibraries([a, b, bundled]);
    assert.deepEqual(papers.filter((p) => p.id.startsWith('smith')).map((p) => [p.id, p.title]), [['smith2020', 'Apples']]);
    assert.deepEqual(duplicates.map((d) => [d.dropped.source, d.kept.source, d.reason]), [['b.bib', 'a.bib', 'key']]);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWithinFile } from '../../src/core/bibtex/database';
import { updateBibState } from '../../src/core/bibtex/incremental';
import { parseBibtexFile } from '../../src/core/bibtex/read';
import { applyBibDelta, buildLibraryView, libraryViewSteps, type SourceKind, type ViewSource } from '../../src/core/library-view';
import { runStepsSliced } from '../../src/core/search';
import { IndexSegment } from '../../src/core/search/segment';
import type { Paper } from '../../src/core/types';

const paper = (id: string, fields: Partial<Paper> = {}): Paper => ({ id, type: 'article-journal', title: `Title of ${id}`, author: [{ family: 'Doe', given: 'Jane' }], ...fields });

function source(id: string, kind: SourceKind, papers: Paper[]): ViewSource {
  return { id, kind, parts: [{ papers, segment: IndexSegment.build(papers) }] };
}

/** A .bib file as the library worker reads it: cross-references within it resolved. */
function bibSource(id: string, text: string): ViewSource {
  const parse = parseBibtexFile(text, id);
  return { ...source(id, 'file', resolveWithinFile(parse).papers), xdata: parse.xdata };
}

describe('the library view', () => {
  it('never merges an entry of a user file away: both twins stay, the later gets an information problem', () => {
    const view = buildLibraryView([
      source('a.bib', 'file', [paper('first', { DOI: '10.1/x', source: 'a.bib', sourceLine: 1 })]),
      source('b.bib', 'file', [paper('second', { DOI: 'https://doi.org/10.1/X', source: 'b.bib', sourceLine: 3 })]),
    ]);
    assert.deepEqual(view.papers.map((p) => p.id), ['first', 'second']);
    const problems = view.problems.get('b.bib') ?? [];
    assert.equal(problems[0]?.code, 'duplicate-entry');
    assert.equal(problems[0]?.severity, 'info');
  });

  it('shows a generated record of a work the user has as the user entry, filling what it lacks', () => {
    const view = buildLibraryView([
      source('refs.bib', 'file', [paper('mine2020', { arxiv: '2001.00001' })]),
      source('bundled', 'bundled', [paper('vaswani', { arxiv: '2001.00001', abstract: 'Attention is all.', DOI: '10.5/abc' })]),
    ]);
    assert.deepEqual(view.papers.map((p) => p.id), ['mine2020']);
    assert.equal(view.mergedCount, 1);
    const shown = view.index.byId('mine2020')!;
    assert.equal(shown.abstract, 'Attention is all.');
    assert.equal(shown.DOI, '10.5/abc');
    assert.equal(view.index.byId('vaswani'), undefined);
    // the generated record's words still find the user's entry
    assert.equal(view.index.search('attention')[0]?.paper.id, 'mine2020');
  });

  it('gives a generated record whose key a different work has a fresh key', () => {
    const view = buildLibraryView([
      source('refs.bib', 'file', [paper('smith2020')]),
      source('fetched', 'fetched', [paper('smith2020', { title: 'Another work entirely', issued: { 'date-parts': [[2020]] } })]),
    ]);
    const ids = view.papers.map((p) => p.id);
    assert.equal(ids.length, 2);
    assert.equal(ids[0], 'smith2020');
    assert.notEqual(ids[1], 'smith2020');
  });

  it('keeps the first file’s entry for a key two files define, with a warning at the second', () => {
    const view = buildLibraryView([
      source('a.bib', 'file', [paper('k', { title: 'From A' })]),
      source('b.bib', 'file', [paper('k', { title: 'From B', sourceLine: 7 })]),
    ]);
    assert.equal(view.index.byId('k')?.title, 'From A');
    const problem = view.problems.get('b.bib')?.[0];
    assert.equal(problem?.code, 'duplicate-key-across-files');
    assert.equal(problem?.line, 7);
  });

  it('resolves a crossref whose parent is in another file, and only then', () => {
    const child = bibSource('child.bib', '@inproceedings{c, title = {Child}, crossref = {proc}}\n');
    assert.equal(child.parts[0]!.papers[0]!.parentElsewhere, true);
    const parent = bibSource('parent.bib', '@proceedings{proc, title = {Proceedings of Things}, publisher = {PMLR}, year = 2021}\n');
    const view = buildLibraryView([child, parent]);
    const resolved = view.index.byId('c')!;
    assert.equal(resolved['container-title'], 'Proceedings of Things');
    assert.equal(resolved.publisher, 'PMLR');
    const alone = buildLibraryView([child]);
    assert.equal(alone.problems.get('child.bib')?.[0]?.code, 'crossref-missing');
  });

  it('marks nothing when a file resolves its own cross-references', () => {
    const file = bibSource('one.bib', '@proceedings{p, title = {P}}\n@inproceedings{c, title = {C}, crossref = {p}}\n');
    assert.ok(file.parts[0]!.papers.every((p) => !p.parentElsewhere));
    assert.equal(buildLibraryView([file]).index.byId('c')?.['container-title'], 'P');
  });

  it('is the same built at once or in slices', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => paper(`p${i}`, { DOI: i % 3 ? `10.1/${i}` : undefined }));
    const sources = [source('f.bib', 'file', many.slice(0, 900)), source('bundled', 'bundled', many.slice(600))];
    const atOnce = buildLibraryView(sources);
    let pauses = 0;
    const sliced = await runStepsSliced(libraryViewSteps(sources), async () => void pauses++, 0);
    assert.ok(pauses > 3, `paused ${pauses} times`);
    assert.deepEqual(sliced.papers.map((p) => p.id), atOnce.papers.map((p) => p.id));
    assert.equal(sliced.mergedCount, atOnce.mergedCount);
  });
});

describe('an edit applied to a file’s parts', () => {
  it('hides the replaced entry, adds the new one, moves the ones after it, and the view shows the edit', () => {
    const text = '@misc{a, title = {A}}\n@misc{b, title = {B}}\n@misc{c, title = {C}}\n';
    const parse = parseBibtexFile(text, 'x.bib');
    // The main thread holds its own copies of the papers (they crossed from the library worker).
    const mine = structuredClone(parse.papers);
    const parts = [{ papers: mine, segment: IndexSegment.build(mine) }];
    const next = text.replace('{B}', '{B, revised\nover two lines}');
    const update = updateBibState({ text, sourceName: 'x.bib', parse }, next)!;
    const moved = applyBibDelta(parts, update.delta);
    assert.equal(moved.length, 2);
    assert.deepEqual([...moved[0]!.removed!], [1]);
    const view = buildLibraryView([{ id: 'x.bib', kind: 'file', parts: moved }]);
    assert.deepEqual(view.papers.map((p) => p.id).sort(), ['a', 'b', 'c']);
    assert.equal(view.index.byId('b')?.title, 'B, revised over two lines');
    assert.equal(view.index.byId('c')?.sourceLine, 4);
    assert.equal(view.index.byId('c')?.sourceSpan?.start, next.indexOf('@misc{c'));
    assert.equal(view.index.search('revised')[0]?.paper.id, 'b');
  });
});

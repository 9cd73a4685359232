import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendEntryEdit } from '../../src/core/bib-edits';
import { scanBibEntries } from '../../src/core/bib-entries';
import { citationEditsForSelections, joinEntries, planBibAdditions, type SelectionSpan } from '../../src/core/cite-insert';
import type { CiteFlavor, CiteFormatOptions } from '../../src/core/cite-syntax';
import type { TextEdit } from '../../src/core/types';

const BIB = '@misc{teaching,\n  title = {Teaching Arithmetic},\n  eprint = {2307.03381}\n}\n\n@article{bert,\n  doi = {10.18653/v1/N19-1423}\n}\n';

function applyAll(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Text with `|` cursors and `[…]` selections (cursor at the end) → text and selections. */
function marked(input: string): { text: string; selections: SelectionSpan[] } {
  const selections: SelectionSpan[] = [];
  let text = '';
  let open = -1;
  for (const ch of input) {
    if (ch === '|') selections.push({ start: text.length, end: text.length, active: text.length });
    else if (ch === '«') open = text.length;
    else if (ch === '»') selections.push({ start: open, end: text.length, active: text.length });
    else text += ch;
  }
  return { text, selections };
}

/** The result text with the cursors shown as `|`. */
function run(input: string, keys: string[], flavor: CiteFlavor, options: CiteFormatOptions = {}): string {
  const { text, selections } = marked(input);
  const r = citationEditsForSelections(text, selections, keys, flavor, options);
  const out = applyAll(text, r.edits);
  return [...r.cursors].sort((a, b) => b - a).reduce((s, c) => s.slice(0, c) + '|' + s.slice(c), out);
}

describe('citationEditsForSelections in comments and code', () => {
  it('inserts a new citation in a LaTeX comment without extending the commented-out one', () => {
    assert.equal(run('Text % old \\cite{a,|}\n\\cite{b}\n', ['k'], 'latex'), 'Text % old \\cite{a,\\cite{k}|}\n\\cite{b}\n');
  });
  it('inserts the citation as written in a Markdown code span and a fenced block', () => {
    assert.equal(run('Use `[@a; |]` here.\n', ['k'], 'markdown'), 'Use `[@a; [@k]|]` here.\n');
    assert.equal(run('```\nx[@a|]\n```\n', ['k'], 'markdown'), '```\nx[@a[@k]|]\n```\n');
  });
  it('still extends a real citation after the comment', () => {
    assert.equal(run('% note\n\\cite{a,|}\n', ['k'], 'latex'), '% note\n\\cite{a,k|}\n');
  });
});

describe('planBibAdditions', () => {
  it('appends entries the .bib lacks and cites the requested keys', () => {
    const plan = planBibAdditions(scanBibEntries(BIB), [
      { key: 'wu2016google', entry: '@misc{wu2016google,\n}\n' },
      { key: 'shen2023positional', entry: '@misc{shen2023positional,\n}\n' },
    ]);
    assert.deepEqual(plan.citeKeys, ['wu2016google', 'shen2023positional']);
    assert.deepEqual(plan.append.map((a) => a.key), ['wu2016google', 'shen2023positional']);
    assert.deepEqual(plan.reused, []);
  });

  it('cites the .bib key of a paper already there under another key (arXiv id or DOI)', () => {
    const plan = planBibAdditions(scanBibEntries(BIB), [
      { key: 'lee2023teaching', arxiv: '2307.03381v2', entry: '@misc{lee2023teaching,}' },
      { key: 'devlin2019bert', doi: 'https://doi.org/10.18653/V1/N19-1423', entry: '@misc{devlin2019bert,}' },
    ]);
    assert.deepEqual(plan.citeKeys, ['teaching', 'bert']);
    assert.deepEqual(plan.append, []);
    assert.deepEqual(plan.reused, [
      { requested: 'lee2023teaching', existing: 'teaching', reason: 'arxiv' },
      { requested: 'devlin2019bert', existing: 'bert', reason: 'doi' },
    ]);
  });

  it('does not append a key that is there already, and uses the .bib spelling of its case', () => {
    const plan = planBibAdditions(scanBibEntries(BIB), [{ key: 'Teaching', entry: '@misc{Teaching,}' }, { key: 'teaching' }]);
    assert.deepEqual(plan.citeKeys, ['teaching']);
    assert.deepEqual(plan.append, []);
  });

  it('appends a paper once when two requests name it, and cites keys the library does not know as they are', () => {
    const plan = planBibAdditions([], [
      { key: 'a', arxiv: '2401.00001', entry: '@misc{a,}' },
      { key: 'b', arxiv: '2401.00001', entry: '@misc{b,}' },
      { key: 'mystery' },
    ]);
    assert.deepEqual(plan.citeKeys, ['a', 'mystery']);
    assert.deepEqual(plan.append.map((e) => e.key), ['a']);
  });

  it('appends a different paper under a fresh key when the .bib uses its key for another work, and says so', () => {
    const bib = '@article{vaswani2017attention, title = {Something Else Entirely}, doi = {10.9/other}}\n';
    const plan = planBibAdditions(scanBibEntries(bib), [
      { key: 'vaswani2017attention', doi: '10.48550/arXiv.1706.03762', title: 'Attention Is All You Need', entry: '@inproceedings{vaswani2017attention,\n  title = {Attention Is All You Need}\n}' },
    ]);
    assert.equal(plan.renamed.length, 1);
    const fresh = plan.renamed[0]!.key;
    assert.notEqual(fresh.toLowerCase(), 'vaswani2017attention');
    assert.deepEqual(plan.citeKeys, [fresh]);
    assert.deepEqual(plan.append.map((a) => a.key), [fresh]);
    assert.match(plan.append[0]!.entry, new RegExp(`^@inproceedings\\{${fresh},`));
  });

  it('keeps citing the existing key when it is the same paper', () => {
    const bib = '@inproceedings{vaswani2017attention, title = {Attention is all you need}}\n';
    const plan = planBibAdditions(scanBibEntries(bib), [{ key: 'vaswani2017attention', doi: '10.1/x', title: 'Attention Is All You Need', entry: '@misc{vaswani2017attention,}' }]);
    assert.deepEqual([plan.citeKeys, plan.append, plan.renamed], [['vaswani2017attention'], [], []]);
  });

  it('joins entries so one append adds them all with a blank line between', () => {
    const edit = appendEntryEdit('@misc{x,\r\n}\r\n', joinEntries([{ entry: '@misc{a,\n}\n' }, { entry: '@misc{b,\n}\n' }]));
    assert.equal(edit.text, '\r\n@misc{a,\r\n}\r\n\r\n@misc{b,\r\n}\r\n');
  });
});

describe('citationEditsForSelections', () => {
  it('inserts a new citation at every cursor and leaves each cursor after its citation', () => {
    assert.equal(run('One| and two|.', ['a', 'b'], 'latex'), 'One\\cite{a,b}| and two\\cite{a,b}|.');
  });

  it('writes the configured LaTeX command and Markdown style', () => {
    assert.equal(run('See |.', ['a'], 'latex', { latexCommand: 'citep' }), 'See \\citep{a}|.');
    assert.equal(run('As | says.', ['a', 'b'], 'markdown'), 'As [@a; @b]| says.');
    assert.equal(run('As | says.', ['a'], 'markdown', { markdownStyle: 'bare' }), 'As @a| says.');
  });

  it('adds to the citation at the cursor instead of nesting, without repeating keys', () => {
    assert.equal(run('\\cite{a,|}', ['a', 'b'], 'latex'), '\\cite{a,b|}');
    assert.equal(run('\\citep[p.~3]{a|}', ['b'], 'latex'), '\\citep[p.~3]{a,b|}');
    assert.equal(run('[@a; |]', ['a', 'b'], 'markdown'), '[@a; @b|]');
    assert.equal(run('[see @a, p. 4; |]', ['c'], 'markdown'), '[see @a, p. 4; @c|]');
  });

  it('closes a \\cite{ still being typed when the keys go at its end', () => {
    assert.equal(run('See \\cite{a,|\nNext line.', ['b'], 'latex'), 'See \\cite{a,b}|\nNext line.');
    assert.equal(run('See \\citep{|', ['b'], 'latex'), 'See \\citep{b}|');
  });

  it('reports keys a citation at a cursor already holds', () => {
    const { text, selections } = marked('\\cite{a,|}');
    assert.deepEqual(citationEditsForSelections(text, selections, ['a'], 'latex').alreadyPresent, ['a']);
    assert.deepEqual(citationEditsForSelections(text, selections, ['a'], 'latex').edits, []);
  });

  it('extends a citation once when several cursors are inside it', () => {
    assert.equal(run('\\cite{a|,b|} and |', ['c'], 'latex'), '\\cite{a,c|,b|} and \\cite{c}|');
  });

  it('replaces a selection with the citation', () => {
    assert.equal(run('As «[citation needed]» said.', ['a'], 'markdown'), 'As [@a]| said.');
    assert.equal(run('Shown «XX».', ['a'], 'latex'), 'Shown \\cite{a}|.');
  });

  it('keeps a selection inside a citation and adds to that citation', () => {
    assert.equal(run('\\cite{«a»}', ['b'], 'latex'), '\\cite{a,b|}');
  });

  it('keeps citations in a Markdown word apart from it', () => {
    assert.equal(run('word|', ['a'], 'markdown'), 'word [@a]|');
  });

  it('moves cursors after earlier inserts', () => {
    const { text, selections } = marked('ab|cd|');
    const r = citationEditsForSelections(text, selections, ['k'], 'latex');
    assert.deepEqual(r.cursors, [2 + 8, 4 + 16]);
  });
});

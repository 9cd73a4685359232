import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BibState, updateBibState } from '../../src/core/bibtex/incremental';
import { parseBibtexFile } from '../../src/core/bibtex/read';
import { random } from '../random';

function entry(i: number, rand: () => number): string {
  const kinds = [
    `@article{key${i},\n  author = {Doe, Jane and Roe, R${i}},\n  title = {Title number ${i}},\n  journal = jml,\n  year = ${2000 + (i % 25)},\n}\n`,
    `@misc{key${i}, title = {Short ${i}}, note = {A note with {braces} and \\'{e}}}\n`,
    `@inproceedings(key${i},\n  title = "Paren ${i} (with a close)",\n  booktitle = {Proc},\n)\n`,
  ];
  return kinds[Math.floor(rand() * kinds.length)];
}

function state(text: string): BibState {
  return { text, sourceName: 'x.bib', parse: parseBibtexFile(text, 'x.bib') };
}

/** The parts of a parse that an update must reproduce exactly. */
function comparable(parse: ReturnType<typeof parseBibtexFile>): unknown {
  return { papers: parse.papers, problems: parse.problems.map((p) => [p.code, p.line, p.message]) };
}

const EDITS: Array<(text: string, rand: () => number) => string> = [
  // retitle an entry
  (t, r) => {
    const matches = [...t.matchAll(/title = \{Title number (\d+)\}/g)];
    if (!matches.length) return t;
    const m = matches[Math.floor(r() * matches.length)];
    return t.slice(0, m.index) + `title = {Retitled ${Math.floor(r() * 1000)}}` + t.slice(m.index! + m[0].length);
  },
  // insert a new entry between two others
  (t, r) => {
    const at = t.indexOf('\n@', Math.floor(r() * t.length));
    return at < 0 ? t : `${t.slice(0, at + 1)}@misc{new${Math.floor(r() * 1e6)}, title = {Inserted}}\n${t.slice(at + 1)}`;
  },
  // delete an entry
  (t, r) => {
    const start = t.indexOf('@', Math.floor(r() * t.length));
    if (start < 0) return t;
    const next = t.indexOf('\n@', start);
    return t.slice(0, start) + (next < 0 ? '' : t.slice(next + 1));
  },
  // move an entry to the end
  (t, r) => {
    const start = t.indexOf('@', Math.floor(r() * t.length));
    const next = start < 0 ? -1 : t.indexOf('\n@', start);
    if (next < 0) return t;
    return t.slice(0, start) + t.slice(next + 1) + t.slice(start, next + 1);
  },
  // type a character anywhere (may break an entry)
  (t, r) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + '{}x@,\n"'[Math.floor(r() * 7)] + t.slice(at);
  },
  // delete a character anywhere
  (t, r) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + t.slice(at + 1);
  },
  // add lines between entries
  (t, r) => {
    const at = t.indexOf('\n@', Math.floor(r() * t.length));
    return at < 0 ? t : `${t.slice(0, at + 1)}\n% a comment line\n\n${t.slice(at + 1)}`;
  },
];

describe('reading a .bib after an edit', () => {
  it('gives what a full read gives, over random edits, or asks for a full read', () => {
    const rand = random(42);
    let text = '@string{jml = "Journal of Machine Learning"}\n\n';
    for (let i = 0; i < 40; i++) text += entry(i, rand) + (rand() < 0.3 ? '\r\n' : '\n');
    let current = state(text);
    let incremental = 0;
    for (let round = 0; round < 600; round++) {
      const edit = EDITS[Math.floor(rand() * EDITS.length)];
      const next = edit(current.text, rand);
      const full = parseBibtexFile(next, 'x.bib');
      const updated = updateBibState(current, next);
      if (updated) {
        incremental++;
        assert.deepEqual(comparable(updated.state.parse), comparable(full), `round ${round}`);
        current = updated.state;
      } else {
        current = { text: next, sourceName: 'x.bib', parse: full };
      }
    }
    // Typing braces and quotes at random leaves broken entries behind, which make later edits
    // near them read the whole file; the structural edits below measure the common case.
    assert.ok(incremental > 150, `many edits were read on their own (${incremental} of 600)`);
  });

  it('reads structural edits of a clean file on their own', () => {
    const rand = random(7);
    let text = '@string{jml = "Journal of Machine Learning"}\n\n';
    for (let i = 0; i < 40; i++) text += entry(i, rand) + '\n';
    let current = state(text);
    let incremental = 0;
    for (let round = 0; round < 300; round++) {
      const edit = EDITS[Math.floor(rand() * 4)];
      const next = edit(current.text, rand);
      const updated = updateBibState(current, next);
      const full = parseBibtexFile(next, 'x.bib');
      if (updated) {
        incremental++;
        assert.deepEqual(comparable(updated.state.parse), comparable(full), `round ${round}`);
        current = updated.state;
      } else current = { text: next, sourceName: 'x.bib', parse: full };
    }
    assert.ok(incremental >= 270, `${incremental} of 300 read on their own`);
  });

  it('reports which entries an edit replaced and how the rest moved', () => {
    const text = '@misc{a, title = {A}}\n@misc{b, title = {B}}\n@misc{c, title = {C}}\n';
    const next = text.replace('{B}', '{B, longer\nnow}');
    const updated = updateBibState(state(text), next)!;
    assert.deepEqual(updated.delta.removed, ['b']);
    assert.deepEqual(updated.delta.added.map((p) => [p.id, p.title, p.sourceLine]), [['b', 'B, longer now', 2]]);
    assert.deepEqual(updated.delta.shift, { from: text.indexOf('@misc{c'), by: next.length - text.length, lines: 1 });
    assert.equal(updated.state.parse.papers[2].sourceLine, 4);
  });

  it('reads the whole file again when an @string changes', () => {
    const text = '@string{j = "J"}\n@misc{a, journal = j}\n';
    assert.equal(updateBibState(state(text), text.replace('"J"', '"K"')), undefined);
  });

  it('reads one entry of a large file on its own', () => {
    let text = '';
    for (let i = 0; i < 10_000; i++) text += `@article{k${i},\n  title = {A reasonably long title number ${i} about things},\n  author = {Doe, Jane},\n  abstract = {${'word '.repeat(150)}},\n  year = 2020,\n}\n\n`;
    const base = state(text);
    const at = text.indexOf('number 5000');
    const next = `${text.slice(0, at)}NUMBER${text.slice(at + 6)}`;
    const updated = updateBibState(base, next);
    assert.ok(updated, 'read on its own');
    assert.deepEqual(updated!.delta.removed, ['k5000']);
    assert.deepEqual(updated!.delta.added.map((p) => p.title), ['A reasonably long title NUMBER 5000 about things']);
  });
});

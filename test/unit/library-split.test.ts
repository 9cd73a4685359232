import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toBibtexFile } from '../../src/core/bibtex';
import { buildBundledLibrary } from '../../src/core/corpus';
import { LibraryParse, parseBibtexLibrary } from '../../src/core/library';
import { bibtexPartText, bibtexParts, joinPartParses } from '../../src/core/library-split';
import { LoadCancelled, loadLibrary, mentionsCrossEntryFields, parseLibrary } from '../../src/node/library-loader';
import { readSeedFolder } from '../../src/node/seeds';

/** What the workers do, on this thread: each part parsed on its own, then joined. */
function parseInParts(text: string, parts: number): { parse: LibraryParse; cuts: number } {
  const bytes = new TextEncoder().encode(text);
  const ranges = bibtexParts(bytes, parts, mentionsCrossEntryFields(bytes));
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  const parses = ranges.map((part) => {
    const { firstLine, ...parse } = parseLibrary({ kind: 'bibtex', sourceName: 'refs.bib', shared: { buffer, part } });
    return { parse, firstLine };
  });
  return { parse: joinPartParses(parses), cuts: ranges.length - 1 };
}

const entry = (key: string, title: string, extra = ''): string => `@article{${key},\n  title = {${title}},\n  author = {Müller, J{\\"o}rg},\n  year = {2020},${extra}\n}\n\n`;

describe('parsing a .bib in parts', () => {
  it('gives what one parse gives: macros, repeated keys across parts, damaged entries', () => {
    let text = '% library\n@string{jml = "Journal of Machine Learning"}\n@string{broken = {never closed}\n\n';
    for (let i = 0; i < 30; i++) text += entry(`a${i}`, `First half ${i}`, i === 3 ? '\n  journal = jml # " Research",' : '');
    text += '@article{damaged,\n  title = {No closing brace,\n\n';
    for (let i = 0; i < 30; i++) text += entry(i === 5 ? 'A7' : i === 9 ? 'a8' : `b${i}`, `Second half ${i}`, i === 2 ? '\n  journal = jml,' : '');
    text += entry('a8', 'A third a8');
    text += '@misc{bad, title = {x} author = {y}}\n\n';
    for (let i = 0; i < 30; i++) text += entry(`c${i}`, `Third part ${i}`);

    const single = parseBibtexLibrary(text, 'refs.bib');
    for (const parts of [2, 3, 4]) {
      const { parse, cuts } = parseInParts(text, parts);
      assert.equal(cuts, parts - 1);
      assert.deepEqual(parse, single, `${parts} parts`);
    }
    assert.ok(single.problems.some((p) => /duplicate key `A7` \(first at line \d+ as `a7`\)/.test(p.message)), 'the fixture repeats a key across parts');
    assert.equal(single.papers.find((p) => p.id === 'b2')?.['container-title'], 'Journal of Machine Learning', 'a macro from the first part');
  });

  it('gives what one parse gives on the bundled library written out with abstracts', () => {
    const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
    const papers = buildBundledLibrary(listings, metadata).papers;
    const many = Array.from({ length: 5 }, (_, round) => papers.map((p) => ({ ...p, id: `${p.id}${round}` }))).flat();
    const text = toBibtexFile(many, { includeAbstract: true });
    const single = parseBibtexLibrary(text, 'refs.bib');
    const { parse, cuts } = parseInParts(text, 2);
    assert.equal(cuts, 1);
    assert.equal(parse.papers.length, 310);
    assert.deepEqual(parse, single);
  });

  it('does not cut a file whose entries cross-reference each other', () => {
    let text = '';
    for (let i = 0; i < 20; i++) text += entry(`a${i}`, `T ${i}`);
    text += '@inproceedings{child,\n  title = {Child},\n  CrossRef = {a1},\n}\n';
    const bytes = new TextEncoder().encode(text);
    assert.ok(mentionsCrossEntryFields(bytes));
    assert.deepEqual(bibtexParts(bytes, 4, true), [{ start: 0, end: bytes.length }]);
    assert.ok(mentionsCrossEntryFields(new TextEncoder().encode(text.replace('CrossRef', 'XData '))));
    assert.ok(!mentionsCrossEntryFields(new TextEncoder().encode(text.replace('CrossRef', 'note'))));
  });

  it('cuts only where an entry starts a line, never at @string or @comment', () => {
    const text = `${entry('a', 'A')}@comment{\n@string is not here}\n@string{s = "x"}\n${entry('b', 'B')}`;
    const bytes = new TextEncoder().encode(text);
    const parts = bibtexParts(bytes, 2, false);
    assert.equal(parts.length, 2);
    assert.ok(new TextDecoder().decode(bytes.slice(parts[1].start)).startsWith('@article{b,'));
  });

  it('keeps a part\'s line numbers and the macros defined before it', () => {
    const before = 'x\n@string{a = "A"}\n% note\n@STRING(b = {B\n  continued})\n@article{k, title = a}\n';
    const text = bibtexPartText(before, '@misc{m, title = b}\n');
    assert.equal(text, '\n@string{a = "A"}\n\n@STRING(b = {B\n  continued})\n\n@misc{m, title = b}\n');
    assert.equal(text.split('\n').length, before.split('\n').length + 1);
  });

  const workerFile = path.join(process.cwd(), 'dist', 'load-worker.js');
  it('loads a large .bib in two workers with the result of one parse, and whole when entries cross-reference', { skip: !fs.existsSync(workerFile) && 'dist/load-worker.js is not built' }, async () => {
    const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
    const papers = buildBundledLibrary(listings, metadata).papers;
    const many = Array.from({ length: 48 }, (_, round) => papers.map((p) => ({ ...p, id: `${p.id}${round}` }))).flat();
    const text = toBibtexFile(many, { includeAbstract: true });
    assert.ok(text.length > 4_000_000, 'large enough to be cut');
    const load = (t: string): Promise<LibraryParse> => loadLibrary(workerFile, { kind: 'bibtex', sourceName: 'refs.bib', bytes: new TextEncoder().encode(t) }, 2).result;

    assert.deepEqual(await load(text), parseBibtexLibrary(text, 'refs.bib'));
    // A child near the start whose parent is near the end: in two parts it would lose its venue.
    const child = '@inproceedings{child,\n  title = {Child},\n  %s = {parent},\n}\n\n';
    const parent = '\n@proceedings{parent,\n  title = {Proceedings of the Parent Conference},\n  year = {2024},\n}\n';
    for (const spelling of ['crossref', 'cRoSsReF']) {
      const linked = child.replace('%s', spelling) + text + parent;
      const single = parseBibtexLibrary(linked, 'refs.bib');
      assert.equal(single.papers[0]['container-title'], 'Proceedings of the Parent Conference');
      assert.deepEqual(await load(linked), single, spelling);
    }
  });

  it('stops every worker of a load when it is cancelled', { skip: !fs.existsSync(workerFile) && 'dist/load-worker.js is not built' }, async () => {
    let text = '';
    for (let i = 0; i < 40_000; i++) text += entry(`k${i}`, `Title number ${i} about tokenization and arithmetic in small transformers`);
    assert.ok(text.length > 4_000_000, 'large enough to be read in parts');
    const job = loadLibrary(workerFile, { kind: 'bibtex', sourceName: 'refs.bib', bytes: new TextEncoder().encode(text) }, 2);
    setTimeout(() => job.cancel(), 50);
    const started = performance.now();
    await assert.rejects(job.result, LoadCancelled);
    assert.ok(performance.now() - started < 500, 'cancelling does not wait for the parse');
  });
});

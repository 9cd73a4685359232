import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBibDatabase } from '../../src/core/bibtex/database';
import { parseNames } from '../../src/core/bibtex/names';
import { decodeBibBytes, encodeForFile } from '../../src/core/encoding';
import { decodeLatex } from '../../src/core/latex/decode';
import { parseBibtexLibrary } from '../../src/core/library';
import type { Paper } from '../../src/core/types';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'bib');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** The lab's two files read as one database, as `\bibliography{lab-journals,lab-papers}` reads them. */
function lab(): { papers: Map<string, Paper>; problems: ReturnType<typeof readBibDatabase>[number]['problems'] } {
  const [, papers] = readBibDatabase([
    { name: 'lab-journals.bib', text: fixture('lab-journals.bib') },
    { name: 'lab-papers.bib', text: fixture('lab-papers.bib') },
  ]);
  return { papers: new Map(papers.papers.map((p) => [p.id, p])), problems: papers.problems };
}

describe('BibTeX reading: nothing dropped', () => {
  const { papers, problems } = lab();

  it('lists every entry of the file under its own key', () => {
    assert.deepEqual([...papers.keys()], [
      'vaswani2017', 'devlin2019bert', 'smith2020grid', 'zola1885', 'deng2021', 'hoos2018ils', 'stutzle2018ils', 'chen2023a',
      'chen2023b', 'icml2022', 'wang2022child', 'handbook2010', 'potvin2010ch', 'loopA', 'loopB', 'rmanual', 'inline2019',
      'unicode2022', 'math2021', 'badauthor2020', 'undefmacro2018',
    ]);
  });

  it('keeps both entries of a circular crossref and reports the cycle at its line', () => {
    assert.equal(papers.get('loopA')?.title, 'Loop A');
    assert.equal(papers.get('loopB')?.title, 'Loop B');
    const cycle = problems.filter((p) => p.code === 'crossref-cycle');
    assert.equal(cycle.length, 1);
    assert.equal(cycle[0].line, fixture('lab-papers.bib').split('\n').findIndex((l) => l.startsWith('@misc{loopB')) + 1);
  });

  it('keeps an @inbook whose crossref parent is an edited book without an author', () => {
    const chapter = papers.get('potvin2010ch')!;
    assert.equal(chapter.type, 'chapter');
    assert.equal(chapter['container-title'], 'Handbook of Metaheuristics');
    assert.deepEqual(chapter.editor?.map((e) => e.family), ['Gendreau', 'Potvin']);
    assert.equal(chapter.publisher, 'Springer');
    assert.equal(chapter['publisher-place'], 'Berlin, Heidelberg');
    assert.deepEqual(chapter.issued, { 'date-parts': [[2010]] });
  });

  it('fills a conference paper from its proceedings', () => {
    const child = papers.get('wang2022child')!;
    assert.equal(child['container-title'], 'Proceedings of the 39th International Conference on Machine Learning');
    assert.equal(child.publisher, 'PMLR');
    assert.equal(child['collection-title'], 'Proceedings of Machine Learning Research');
    assert.equal(child.DOI, undefined, 'identifiers are the parent\'s own');
  });

  it('reads a parenthesised entry with ) inside a quoted value', () => {
    const manual = papers.get('rmanual')!;
    assert.equal(manual.title, 'R: A Language and Environment (for Statistical Computing)');
    assert.equal(manual.note, 'Version 4.3 (see https://www.R-project.org/)');
    assert.deepEqual(manual.author, [{ literal: 'R Core Team' }]);
  });

  it('reads an entry that starts after other text on the same line, with a macro from the other file', () => {
    const inline = papers.get('inline2019')!;
    assert.equal(inline.title, 'Read After Text on the Same Line');
    assert.equal(inline['container-title'], 'Nature');
  });

  it('sees the macros of the files read before it, and reports an undefined one once with its line', () => {
    assert.equal(papers.get('vaswani2017')?.['container-title'], 'Advances in Neural Information Processing Systems');
    assert.equal(papers.get('smith2020grid')?.['container-title'], 'Journal of Machine Learning Research');
    const undefined_ = problems.filter((p) => p.code === 'undefined-macro');
    assert.deepEqual(undefined_.map((p) => [p.data?.macro, p.line]), [['jcomputphys', fixture('lab-papers.bib').split('\n').findIndex((l) => l.includes('jcomputphys')) + 1]]);
    assert.deepEqual(papers.get('undefmacro2018')?.author, [{ family: 'Lee', given: 'Ann' }], 'the entry stays, with its authors');
  });

  it('keeps two chapters with the same title and year: they are different works', () => {
    assert.ok(papers.get('hoos2018ils') && papers.get('stutzle2018ils'));
  });

  it('reads every entry of a file with old Mac (CR-only) line endings, lines counted right', () => {
    const { papers: cr, problems: crProblems } = parseBibtexLibrary(fixture('old-mac-cr.bib'), 'old-mac-cr.bib');
    assert.deepEqual(crProblems, []);
    assert.deepEqual(cr.map((p) => [p.id, p.sourceLine, p.title]), [['cr1', 1, 'Old Mac File'], ['cr2', 6, 'Second']]);
  });

  it('counts lines across mixed endings', () => {
    const { papers: mixed } = parseBibtexLibrary('@misc{a, title={A}}\r\n% note\r@misc{b,\n title={B}}\n\r\n@misc{c, title={C}}', 'x.bib');
    assert.deepEqual(mixed.map((p) => p.sourceLine), [1, 3, 6]);
  });

  it('keeps an entry whose braces break off, with the fields before the break, and says so', () => {
    const text = '@misc{ok1, title={One}}\n@book{cut,\n  author = {Doe, Jane},\n  title = {Never {closed},\n  year = 2020\n\n@misc{ok2, title={Two}}\n';
    const { papers: read, problems: found } = parseBibtexLibrary(text, 'x.bib');
    assert.deepEqual(read.map((p) => p.id), ['ok1', 'cut', 'ok2']);
    assert.deepEqual(read[1].author, [{ family: 'Doe', given: 'Jane' }]);
    assert.deepEqual(found.map((p) => [p.code, p.line, p.data?.line]), [['entry-truncated', 2, 4]]);
  });
});

describe('BibTeX reading: names as biber reads them', () => {
  const { papers } = lab();
  const families = (key: string): Array<string | undefined> => papers.get(key)!.author.map((a) => a.family ?? a.literal);

  it('trims spaces a macro or a trailing "and" brings into a name', () => {
    assert.deepEqual(papers.get('smith2020grid')!.author, [
      { family: 'Smith', given: 'Jane' }, { family: 'Abramson', given: 'David' }, { family: 'Abramson', given: 'David' },
    ]);
  });

  it('counts a braced special character at the start of a word as a letter', () => {
    assert.deepEqual(papers.get('zola1885')!.author, [{ family: 'Zola', given: 'Émile' }]);
    assert.deepEqual(papers.get('vaswani2017')!.author[6], { family: 'Kaiser', given: 'Łukasz' });
  });

  it('keeps a hyphenated lower-case given name whole, and reads "and others" as et al.', () => {
    const deng = papers.get('deng2021')!;
    assert.deepEqual(deng.author, [{ family: 'Deng', given: 'Jun-qi' }, { family: 'Li', given: 'Wei' }]);
    assert.equal(deng.authorEtAl, true);
  });

  it('keeps every author around a command it does not know', () => {
    assert.deepEqual(families('badauthor2020'), ['Doe', 'Roe', 'Poe']);
  });

  it('decodes accents on every name part', () => {
    assert.deepEqual(papers.get('unicode2022')!.author, [
      { family: 'Müller', given: 'Jörg' }, { family: 'Nguyễn', given: 'Thị Minh' }, { family: 'Książek', given: 'Kamil' }, { family: 'Østergaard', given: 'Søren' },
    ]);
  });

  it('follows BibTeX on the three name forms and the von part', () => {
    const cases: Array<[string, object]> = [
      ['Jean de La Fontaine', { given: 'Jean', 'non-dropping-particle': 'de', family: 'La Fontaine' }],
      ['de La Fontaine, Jean', { given: 'Jean', 'non-dropping-particle': 'de', family: 'La Fontaine' }],
      ['Ford, Jr., Henry', { given: 'Henry', family: 'Ford', suffix: 'Jr.' }],
      ['Ludwig van Beethoven', { given: 'Ludwig', 'non-dropping-particle': 'van', family: 'Beethoven' }],
      ['{Barnes and Noble}', { literal: 'Barnes and Noble' }],
      ['Charles Louis Xavier Joseph de la Vall{\\\'e}e Poussin', { given: 'Charles Louis Xavier Joseph', 'non-dropping-particle': 'de la', family: 'Vallée Poussin' }],
      ['{\\relax Ch}ristopher Smith', { given: 'Christopher', family: 'Smith' }],
      ['Aristotle', { family: 'Aristotle' }],
      // TeX swallows the space after a control word, and so does biber: one word, Große.
      ['Johannes Gro\\ss e', { given: 'Johannes', family: 'Große' }],
      ['Jane \\O stergaard', { given: 'Jane', family: 'Østergaard' }],
    ];
    for (const [raw, expected] of cases) assert.deepEqual(parseNames(raw).names, [expected], raw);
  });
});

describe('BibTeX reading: LaTeX as text', () => {
  const { papers, problems } = lab();

  it('decodes the macros biber knows, keeps math readable, drops unknown commands but not their text', () => {
    assert.equal(papers.get('unicode2022')!.title, 'Cu₂O Films at 300 K: ±5% Yield, ångström Scales and R Tools');
    assert.equal(papers.get('math2021')!.title, 'Bounds on Hₙ) for D²MOPSO in ℝᵈ with o/a Ratios / Costs');
    assert.deepEqual(papers.get('math2021')!.author.map((a) => a.family), ['Kim', 'Park']);
    assert.ok(problems.some((p) => p.code === 'unknown-command' && p.data?.command === 'proglang'));
  });

  it('keeps emphasis as rich runs, the plain title for lists', () => {
    const deng = papers.get('deng2021')!;
    assert.equal(deng.title, 'Hyphenated Given Names in Drosophila Genetics');
    assert.deepEqual(deng.titleRich, [{ text: 'Hyphenated Given Names in ' }, { text: 'Drosophila', italic: true }, { text: ' Genetics' }]);
  });

  it('decodes symbols that have no letters', () => {
    const cases: Array<[string, string]> = [
      ['\\aa{} \\AA{} \\ldots{} \\S{} \\P{} \\pounds{} \\dag{} \\ddag{} \\euro{}', 'å Å … § ¶ £ † ‡ €'],
      ['a\\,b c\\-d e\\/f', 'a b cd ef'],
      ['{\\noopsort{a}}Zed', 'Zed'],
    ];
    for (const [raw, expected] of cases) assert.equal(decodeLatex(raw).text, expected, raw);
  });

  it('keeps a NUL byte in a value where it was, without moving text between fields', () => {
    const { papers: read } = parseBibtexLibrary('@misc{a, title = {Real title of A}, publisher = {pub \u0000 0 \u0000 x}}', 'x.bib');
    assert.equal(read[0].publisher, 'pub \u0000 0 \u0000 x');
    assert.equal(read[0].title, 'Real title of A');
  });
});

describe('BibTeX reading: biblatex data', () => {
  const [parse] = readBibDatabase([{ name: 'biblatex-data.bib', text: fixture('biblatex-data.bib') }]);
  const byKey = new Map(parse.papers.map((p) => [p.id, p]));

  it('takes fields from @xdata entries, which are not citable themselves', () => {
    assert.equal(byKey.has('springer-berlin'), false);
    assert.equal(byKey.get('egypt')?.publisher, 'Springer');
    assert.equal(byKey.get('egypt')?.['publisher-place'], 'Berlin');
  });

  it('reads EDTF dates: approximate, negative and open-start', () => {
    assert.deepEqual(byKey.get('egypt')?.issued, { 'date-parts': [[-3000]], circa: true });
    assert.deepEqual(byKey.get('openstart')?.issued, { 'date-parts': [[2004, 1, 1]] });
    assert.deepEqual(byKey.get('openstart')?.accessed, { 'date-parts': [[2023, 5, 17]] });
    assert.deepEqual(byKey.get('phd2015')?.issued, { 'date-parts': [[2015, 6]] });
  });

  it('maps biblatex types and fields', () => {
    assert.equal(byKey.get('phd2015')?.type, 'thesis');
    assert.equal(byKey.get('phd2015')?.publisher, 'Universidad de Sevilla');
    assert.deepEqual(byKey.get('ecoch')?.['container-author'], [{ family: 'Eco', given: 'Umberto' }]);
    assert.equal(byKey.get('openstart')?.URL, 'https://example.org/page_1');
  });
});

describe('encodings', () => {
  it('reads UTF-16 by its byte-order mark, in both byte orders', () => {
    const text = '@misc{k, title = {Ünïcödé}}\n';
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const body = encodeForFile(text, encoding)!;
      const bom = encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
      const decoded = decodeBibBytes(new Uint8Array([...bom, ...body]));
      assert.equal(decoded.text, text, encoding);
      assert.equal(decoded.encoding, encoding);
      assert.equal(decoded.problem, undefined);
    }
  });

  it('reads bytes that are not UTF-8 as the % Encoding line says, else as Windows-1252, and says so', () => {
    const latin = encodeForFile('% Encoding: ISO8859_1\n@misc{m\u00fcller, title = {Caf\u00e9}}', 'windows-1252')!;
    const declared = decodeBibBytes(latin);
    assert.match(declared.text, /@misc\{müller, title = \{Café\}\}/);
    assert.equal(declared.problem?.code, 'encoding-declared');
    const bare = decodeBibBytes(encodeForFile('@misc{k, title = {Na\u00efve \u2013 caf\u00e9}}', 'windows-1252')!);
    assert.equal(bare.text, '@misc{k, title = {Naïve – café}}');
    assert.equal(bare.encoding, 'windows-1252');
    assert.equal(bare.problem?.code, 'encoding-fallback');
    assert.ok(!bare.text.includes('\ufffd'));
  });

  it('encodes an append in the file\'s encoding, or refuses when a character has no byte there', () => {
    assert.deepEqual([...encodeForFile('é', 'windows-1252')!], [0xe9]);
    assert.equal(encodeForFile('Łukasz', 'windows-1252'), undefined);
    assert.deepEqual([...encodeForFile('a', 'utf-16le')!], [0x61, 0]);
  });
});

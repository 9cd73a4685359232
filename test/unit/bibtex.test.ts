import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { toBibtex, toBibtexFile } from '../../src/core/bibtex';
import { buildBundledLibrary } from '../../src/core/corpus';
import { parseBibtexLibrary } from '../../src/core/library';
import { Paper, paperYear } from '../../src/core/types';
import { readSeedFolder } from '../../src/node/seeds';

const seed = readSeedFolder(path.join(process.cwd(), 'seeds'));
const bundled = buildBundledLibrary(seed.listings, seed.metadata).papers;

function bundledPaper(id: string): Paper {
  const paper = bundled.find((p) => p.id === id);
  assert.ok(paper, `no bundled paper ${id}`);
  return paper;
}

function paper(fields: Partial<Paper>): Paper {
  return { id: 'key2023', type: 'article', title: 'A Title', author: [{ family: 'Doe', given: 'Jane' }], issued: { 'date-parts': [[2023, 7, 7]] }, ...fields };
}

/** The value of one field of a one-entry .bib text (brace-balanced scan), or undefined. */
function field(entry: string, name: string): string | undefined {
  const m = new RegExp(`^  ${name} = `, 'mi').exec(entry);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  if (entry[i] !== '{') return /^[^,\n]*/.exec(entry.slice(i))![0];
  let depth = 0;
  const start = i;
  for (; i < entry.length; i++) {
    if (entry[i] === '{') depth++;
    else if (entry[i] === '}' && --depth === 0) break;
  }
  return entry.slice(start + 1, i);
}

describe('toBibtex: entry shape', () => {
  it('writes a preprint as @misc with eprint, archivePrefix, arXiv DOI and URL, in a stable order', () => {
    const entry = toBibtex(paper({ id: 'lee2023teaching', title: 'Teaching Arithmetic to Small Transformers', arxiv: '2307.03381' }));
    assert.equal(entry, [
      '@misc{lee2023teaching,',
      '  author = {Doe, Jane},',
      '  title = {Teaching Arithmetic to Small Transformers},',
      '  year = {2023},',
      '  month = jul,',
      '  eprint = {2307.03381},',
      '  archivePrefix = {arXiv},',
      '  doi = {10.48550/arXiv.2307.03381},',
      '  url = {https://arxiv.org/abs/2307.03381}',
      '}',
      '',
    ].join('\n'));
  });

  it('keeps a preprint\'s own DOI instead of the arXiv one', () => {
    const entry = toBibtex(paper({ arxiv: '2307.03381', DOI: '10.1000/xyz' }));
    assert.equal(field(entry, 'doi'), '10.1000/xyz');
    assert.equal((entry.match(/doi = /g) ?? []).length, 1);
  });

  it('writes a paper with a conference venue as @inproceedings with the venue as booktitle', () => {
    const entry = toBibtex(bundledPaper('lee2023teaching'));
    assert.match(entry, /^@inproceedings\{lee2023teaching,\n/);
    assert.match(field(entry, 'booktitle') ?? '', /^International Conference on Learning Representations/);
    assert.equal(field(entry, 'eprint'), '2307.03381');
    assert.equal(field(entry, 'archivePrefix'), 'arXiv');
    assert.equal(field(entry, 'doi'), undefined, 'no arXiv DOI on a published paper');
    assert.equal(field(entry, 'journal'), undefined);
  });

  it('uses the event as booktitle for a plain `article` that has one', () => {
    const entry = toBibtex(paper({ event: 'NeurIPS 2025', arxiv: '2505.14669' }));
    assert.match(entry, /^@inproceedings\{/);
    assert.equal(field(entry, 'booktitle'), 'NeurIPS 2025');
  });

  it('writes a proceedings publisher as publisher', () => {
    const entry = toBibtex(paper({ type: 'paper-conference', 'container-title': 'Proceedings of ICML', publisher: 'PMLR' }));
    assert.equal(field(entry, 'publisher'), 'PMLR');
    assert.equal(field(entry, 'organization'), undefined);
  });

  it('keeps the venue\'s DOI on a conference paper', () => {
    const entry = toBibtex(bundledPaper('wang2024arithmetic'));
    assert.equal(field(entry, 'doi'), '10.18653/v1/2024.acl-long.468');
  });

  it('writes a journal paper as @article with journal, volume, number and pages', () => {
    const entry = toBibtex(paper({ type: 'article-journal', 'container-title': 'IEEE Transactions on Nuclear Science', volume: '70', issue: '2', page: '100-110', DOI: 'https://doi.org/10.1109/TNS.2022.3233895' }));
    assert.match(entry, /^@article\{/);
    assert.equal(field(entry, 'journal'), 'IEEE Transactions on Nuclear Science');
    assert.equal(field(entry, 'volume'), '70');
    assert.equal(field(entry, 'number'), '2');
    assert.equal(field(entry, 'pages'), '100--110');
    assert.equal(field(entry, 'doi'), '10.1109/TNS.2022.3233895', 'resolver prefix dropped');
    assert.equal(field(entry, 'booktitle'), undefined);
  });

  it('never writes @article without a journal', () => {
    for (const type of ['article', 'article-journal']) {
      assert.match(toBibtex(paper({ type })), /^@misc\{/, type);
    }
  });

  it('writes the month as a bare macro and the year braced, never a day', () => {
    const entry = toBibtex(paper({ issued: { 'date-parts': [[2016, 9, 26]] } }));
    assert.match(entry, /\n {2}month = sep,?\n/);
    assert.match(entry, /\n {2}year = \{2016\},\n/);
    assert.doesNotMatch(entry, /month = \{/);
    const yearOnly = toBibtex(paper({ issued: { 'date-parts': [[2024]] } }));
    assert.equal(field(yearOnly, 'month'), undefined);
  });

  it('keeps paper.id as the key and only replaces characters BibTeX cannot hold', () => {
    assert.match(toBibtex(paper({ id: 'Lee:2023.teaching-v2_x' })), /^@misc\{Lee:2023\.teaching-v2_x,\n/);
    assert.match(toBibtex(paper({ id: 'a b,c{d}' })), /^@misc\{a_b_c_d_,\n/);
  });

  it('leaves the abstract out unless asked', () => {
    const p = paper({ abstract: 'We show 5% gains & more.' });
    assert.equal(field(toBibtex(p), 'abstract'), undefined);
    assert.equal(field(toBibtex(p, { includeAbstract: true }), 'abstract'), 'We show 5\\% gains \\& more.');
    assert.match(toBibtex(p, { includeAbstract: true }), /abstract = \{[^\n]*\}\n\}\n$/, 'abstract comes last');
  });

  it('writes each key once in a file', () => {
    const file = toBibtexFile([paper({ id: 'a' }), paper({ id: 'b' }), paper({ id: 'a', title: 'Again' })]);
    assert.equal((file.match(/^@/gm) ?? []).length, 2);
    assert.doesNotMatch(file, /Again/);
    assert.match(file, /\}\n\n@misc\{b,/);
  });
});

describe('toBibtex: names', () => {
  it('writes `Family, Given`, braces multi-word family names and institutions', () => {
    const entry = toBibtex(paper({
      author: [{ family: 'Lee', given: 'Jason D.' }, { family: 'van der Maaten', given: 'Laurens' }, { literal: 'OpenAI' }, { family: 'Ortiz-Jiménez', given: 'Guillermo' }],
    }));
    assert.equal(field(entry, 'author'), 'Lee, Jason D. and {van der Maaten}, Laurens and {OpenAI} and Ortiz-Jim{\\\'e}nez, Guillermo');
  });

  it('writes non-ASCII letters as BibTeX special characters BibTeX can abbreviate', () => {
    const entry = toBibtex(paper({
      author: [{ family: 'Bubeck', given: 'Sébastien' }, { family: 'Kaiser', given: 'Łukasz' }, { family: 'Książek', given: 'Kamil' }, { family: 'Veličković', given: 'Petar' }],
    }));
    assert.equal(field(entry, 'author'), 'Bubeck, S{\\\'e}bastien and Kaiser, {\\L}ukasz and Ksi{\\k{a}}{\\.z}ek, Kamil and Veli{\\v{c}}kovi{\\\'c}, Petar');
  });

  it('keeps characters without a LaTeX macro, braced, instead of dropping them', () => {
    const entry = toBibtex(paper({ author: [{ family: '王', given: '小明' }] }));
    assert.equal(field(entry, 'author'), '{王}, {小}{明}');
  });
});

describe('toBibtex: escaping', () => {
  it('escapes & % $ # _ in text and keeps the characters', () => {
    const entry = toBibtex(paper({ title: 'Costs $5 & 100% of #1 snake_case' }));
    assert.equal(field(entry, 'title'), 'Costs \\$5 \\& 100\\% of \\#1 snake\\_case');
  });

  it('turns characters that are LaTeX syntax into text commands, keeping braces balanced', () => {
    const entry = toBibtex(paper({ title: 'a } b { c \\1 d ~ e ^ f < g > h | i' }));
    assert.equal(field(entry, 'title'), 'a {\\textbraceright} b {\\textbraceleft} c {\\textbackslash}1 d {\\textasciitilde} e {\\textasciicircum} f {\\textless} g {\\textgreater} h {\\textbar} i');
  });

  it('writes typographic punctuation, Greek and symbols as LaTeX', () => {
    const entry = toBibtex(paper({ title: 'Google’s “quoted” – and — α-β 5‰ 3€ naïve' }));
    assert.equal(field(entry, 'title'), "Google's ``quoted'' -- and --- {$\\alpha$}-{$\\beta$} 5{\\textperthousand} 3{\\texteuro} na{\\\"i}ve");
  });

  it('leaves url and doi raw, only encoding braces and spaces', () => {
    const entry = toBibtex(paper({ URL: 'https://example.org/a_b%20c?x=1#frag{2}', DOI: '10.1000/a_b(c)' }));
    assert.equal(field(entry, 'url'), 'https://example.org/a_b%20c?x=1#frag%7B2%7D');
    assert.equal(field(entry, 'doi'), '10.1000/a_b(c)');
  });

  it('escapes venue names too', () => {
    const entry = toBibtex(paper({ event: 'R&D Workshop 2024' }));
    assert.equal(field(entry, 'booktitle'), 'R\\&D Workshop 2024');
  });
});

describe('toBibtex: titles', () => {
  it('protects acronyms and mixed-case words, not ordinary capitalised words', () => {
    const title = field(toBibtex(paper({ title: 'Arithmetic Control of LLMs for GPT-4: I-ViT (RLHF) and AdaMerging with zkDL, C3oT, FP4 and Gromov-Wasserstein Transformers' })), 'title');
    assert.equal(title, 'Arithmetic Control of {LLMs} for {GPT-4}: {I-ViT} ({RLHF}) and {AdaMerging} with {zkDL}, {C3oT}, {FP4} and Gromov-Wasserstein Transformers');
  });

  it('protects a lone capital but not the article "A"', () => {
    assert.equal(field(toBibtex(paper({ title: 'What I Learned: A Study of Type X' })), 'title'), 'What {I} Learned: A Study of Type {X}');
  });

  it('keeps LaTeX already in the title as LaTeX, braced against case changes', () => {
    assert.equal(
      field(toBibtex(bundledPaper('kim2023unifying')), 'title'),
      '{\\textit{Labor Space}}: A Unifying Representation of the Labor Market via Large Language Models',
    );
    assert.equal(field(toBibtex(paper({ title: 'Typesetting with \\LaTeX{} and \\emph{style}' })), 'title'), 'Typesetting with {\\LaTeX{}} and \\emph{style}');
    assert.equal(field(toBibtex(paper({ title: 'Sch\\"{o}nes \\& {Gutes} $O(n^2)$' })), 'title'), 'Sch{\\"{o}}nes \\& {Gutes} {$O(n^2)$}');
  });

  it('treats a dollar amount as text, not math', () => {
    assert.equal(field(toBibtex(paper({ title: 'From $5 to $10 a Day' })), 'title'), 'From \\$5 to \\$10 a Day');
  });

  it('escapes an unbalanced brace rather than breaking the entry', () => {
    assert.equal(field(toBibtex(paper({ title: 'Sets {a, b' })), 'title'), 'Sets {\\textbraceleft}a, b');
  });

  it('writes a rich title (from CSL rich text or \\textit) back as LaTeX', () => {
    const title = field(toBibtex(paper({ title: 'Labor Space: x2 and iPhone', titleRich: [{ text: 'Labor Space', italic: true }, { text: ': x' }, { text: '2', sup: true }, { text: ' and iPhone' }] })), 'title');
    assert.equal(title, '{\\textit{Labor Space}}: x{\\textsuperscript{2}} and {iPhone}');
  });

  it('writes Unicode sub- and superscripts as math pdflatex can typeset', () => {
    assert.equal(field(toBibtex(paper({ title: 'Cu₂O and x²' })), 'title'), '{Cu$_{2}$O} and x$^{2}$', 'a chemical formula is protected like an acronym');
  });

  it('writes and others for a list that ended in it', () => {
    assert.equal(field(toBibtex(paper({ author: [{ family: 'Doe', given: 'Jane' }], authorEtAl: true })), 'author'), 'Doe, Jane and others');
  });
});

describe('toBibtex: round trip through the library reader', () => {
  const text = toBibtexFile(bundled);

  it('writes all 62 entries under their keys, and gives back the same papers', () => {
    const { papers, problems } = parseBibtexLibrary(text, 'roundtrip.bib');
    assert.deepEqual(problems, []);
    assert.equal(bundled.length, 62);
    assert.deepEqual(papers.map((p) => p.id), bundled.map((p) => p.id));
    papers.forEach((back, i) => {
      const p = bundled[i];
      assert.equal(back.type, p.type, `type of ${p.id}`);
      assert.equal(back.title, p.title, `title of ${p.id}`);
      assert.deepEqual(back.titleRich, p.titleRich, `rich title of ${p.id}`);
      // A mononym's empty given name is not written, so it comes back absent.
      assert.deepEqual(back.author, p.author.map((a) => (a.given ? a : { family: a.family })), `authors of ${p.id}`);
      assert.deepEqual(back.issued, { 'date-parts': [p.issued!['date-parts'][0].slice(0, 2)] }, `date of ${p.id}`);
      assert.equal(paperYear(back), paperYear(p));
      assert.equal(back.arxiv, p.arxiv);
      assert.equal(back['container-title'], p['container-title']);
      if (p.DOI) assert.equal(back.DOI, p.DOI);
      assert.equal(back.URL, p.URL);
    });
  });

  it('writes a published bundled paper with the venue\'s full name and year, keeping its key and eprint', () => {
    const entry = toBibtex(bundledPaper('lee2023teaching'));
    assert.match(entry, /^@inproceedings\{lee2023teaching,\n/);
    assert.equal(field(entry, 'booktitle'), 'International Conference on Learning Representations (ICLR)');
    assert.equal(field(entry, 'year'), '2024');
    assert.equal(field(entry, 'eprint'), '2307.03381');
  });

  it('round-trips the awkward cases: special characters, LaTeX, names', () => {
    const tricky = paper({
      title: 'Costs $5 & 100% of #1 snake_case ~ ^ \\1 } x { < > | “q” – — naïve Łódź Ω α',
      author: [{ family: 'Maaten', 'non-dropping-particle': 'van der', given: 'Laurens' }, { literal: 'OpenAI' }, { family: 'Książek', given: 'Kamil' }, { family: '王', given: '小明' }],
    });
    const back = parseBibtexLibrary(toBibtex(tricky), 'x.bib').papers[0];
    assert.equal(back.title, tricky.title);
    assert.deepEqual(back.author, [{ family: 'Maaten', 'non-dropping-particle': 'van der', given: 'Laurens' }, { family: 'OpenAI' }, { family: 'Książek', given: 'Kamil' }, { family: '王', given: '小明' }]);
  });

  it('round-trips every field the mapping knows', () => {
    const full: Paper = {
      id: 'full', type: 'chapter', title: 'A Chapter', author: [{ family: 'Doe', given: 'Jane' }], authorEtAl: true,
      editor: [{ family: 'Roe', given: 'Richard' }], 'container-title': 'The Book', 'collection-title': 'Lecture Notes', 'collection-number': '12',
      publisher: 'Springer', 'publisher-place': 'Berlin', volume: '3', page: '10-20', edition: '2', 'chapter-number': '4',
      ISBN: '978-3-16-148410-0', DOI: '10.1000/abc', URL: 'https://example.org/x_y', issued: { 'date-parts': [[2020, 5]] }, note: 'A note', keyword: 'a, b',
    };
    const entry = toBibtex(full);
    assert.match(entry, /^@incollection\{full,/);
    const back = parseBibtexLibrary(entry, 'x.bib').papers[0];
    const { source, sourceLine, sourceSpan, ...fields } = back;
    assert.ok(source && sourceLine && sourceSpan);
    assert.deepEqual(fields, full);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import { toBibtexFile } from '../../src/core/bibtex';
import { buildBundledLibrary } from '../../src/core/corpus';
import { parseBibtexLibrary, parseCslJsonLibrary } from '../../src/core/library';
import { Paper } from '../../src/core/types';
import { readSeedFolder } from '../../src/node/seeds';

// The typings mark every chain option as required; citation-js defaults the ones left out.
const CHAIN_OPTIONS = { generateGraph: false } as Parameters<typeof plugins.input.chain>[1];

function bib(text: string) {
  return parseBibtexLibrary(text, 'refs.bib');
}

function only(text: string): Paper {
  const { papers, problems } = bib(text);
  assert.deepEqual(problems, []);
  assert.equal(papers.length, 1);
  return papers[0];
}

describe('parseBibtexLibrary: what BibTeX resolves', () => {
  it('expands @string macros, the month macros and # concatenation', () => {
    const p = bib([
      '@string{iclr = "International Conference on Learning Representations"}',
      '@string{ yr = 2024 }',
      '@inproceedings{a,',
      '  title = {T},',
      '  booktitle = iclr # " (ICLR)",',
      '  year = yr, month = jul',
      '}',
    ].join('\n')).papers[0];
    assert.equal(p['container-title'], 'International Conference on Learning Representations (ICLR)');
    assert.deepEqual(p.issued, { 'date-parts': [[2024, 7]] });
  });

  it('inherits fields through crossref', () => {
    const { papers } = bib([
      '@inproceedings{child, author = {Doe, Jane}, title = {Child Paper}, crossref = {proc}}',
      '@proceedings{proc, title = {Proceedings of the Workshop}, booktitle = {Proceedings of the Workshop}, publisher = {PMLR}, year = 2022}',
    ].join('\n'));
    const child = papers.find((p) => p.id === 'child')!;
    assert.equal(child.title, 'Child Paper');
    assert.equal(child['container-title'], 'Proceedings of the Workshop');
    assert.equal(child.publisher, 'PMLR');
    assert.deepEqual(child.issued, { 'date-parts': [[2022]] });
  });

  it('decodes braces, accents and special letters', () => {
    const p = only('@article{a, author = {M{\\"u}ller, J{\\"o}rg and Bubeck, S\\\'{e}bastien and Kaiser, {\\L}ukasz and Ksi{\\k{a}}{\\.z}ek, Kamil}, title = {On {GPT-4} and {Ł}{\\"o}wen \\& Co}, journal = {J}, year = 2020}');
    assert.deepEqual(p.author, [
      { family: 'Müller', given: 'Jörg' }, { family: 'Bubeck', given: 'Sébastien' },
      { family: 'Kaiser', given: 'Łukasz' }, { family: 'Książek', given: 'Kamil' },
    ]);
    assert.equal(p.title, 'On GPT-4 and Łöwen & Co');
  });

  it('turns an accented dotless \\i into the accented letter, so it can be searched', () => {
    const p = only(String.raw`@article{a, author = {Garc{\'\i}a, Jos{\'e} and Gar{\'{\i}}n, Y}, title = {Na\"{\i}ve}, journal = {J}, year = 2020}`);
    assert.deepEqual(p.author, [{ family: 'García', given: 'José' }, { family: 'Garín', given: 'Y' }]);
    assert.equal(p.title, 'Naïve');
  });

  it('keeps particles apart from the family name, as biber does, and braced institutions whole', () => {
    const p = only('@misc{a, author = {van der Maaten, Laurens and {OpenAI} and Laurens van der Maaten}, title = {T}}');
    const vanDerMaaten = { family: 'Maaten', given: 'Laurens', 'non-dropping-particle': 'van der' };
    assert.deepEqual(p.author, [vanDerMaaten, { family: 'OpenAI' }, vanDerMaaten]);
  });

  it('keeps keys exactly as written and records source and line', () => {
    const { papers } = bib('\n\n@Article{Lee:2023-Teaching.v2,\n title = {A}, journal = {J}, year = 2023}\n@misc{ spaced ,\n title = {B}}');
    assert.deepEqual(papers.map((p) => [p.id, p.source, p.sourceLine]), [['Lee:2023-Teaching.v2', 'refs.bib', 3], ['spaced', 'refs.bib', 5]]);
  });

  it('ignores text between entries, even with an @ in it', () => {
    const { papers, problems } = bib('% mail me@example.org\nnotes: see @misc below\n@misc{a, title = {A}}\nstray text\n@misc{b, title = {B}}');
    assert.deepEqual(problems, []);
    assert.deepEqual(papers.map((p) => [p.id, p.sourceLine]), [['a', 3], ['b', 5]]);
  });

  it('reads parenthesised entries, skips @comment and @preamble, and accepts CRLF', () => {
    const { papers, problems } = bib('@comment{jabref-meta: databaseType:bibtex;}\r\n@preamble{"\\newcommand{\\x}{y}"}\r\n@misc(a,\r\n  title = {A})\r\n@misc{b, title = {B}}\r\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(papers.map((p) => [p.id, p.title, p.sourceLine]), [['a', 'A', 3], ['b', 'B', 5]]);
  });
});

describe('parseBibtexLibrary: arXiv and preprints', () => {
  it('takes the arXiv id from eprint + archivePrefix, dropping the version', () => {
    const p = only('@misc{a, title = {T}, eprint = {2307.03381v2}, archivePrefix = {arXiv}, primaryClass = {cs.LG}, year = 2023}');
    assert.equal(p.arxiv, '2307.03381');
    assert.equal(p.type, 'article', 'a preprint is CSL article');
  });

  it('takes it from biblatex eprinttype, arXiv URLs and arXiv DOIs', () => {
    assert.equal(only('@online{a, title = {T}, eprint = {2301.00001}, eprinttype = {arxiv}}').arxiv, '2301.00001');
    assert.equal(only('@misc{a, title = {T}, url = {https://arxiv.org/pdf/2105.00001v3}}').arxiv, '2105.00001');
    assert.equal(only('@misc{a, title = {T}, doi = {10.48550/arXiv.2402.18571}}').arxiv, '2402.18571');
    assert.equal(only('@misc{a, title = {T}, eprint = {hep-th/9901001}, archivePrefix = {arXiv}}').arxiv, 'hep-th/9901001');
  });

  it('does not take an eprint of another archive for arXiv', () => {
    assert.equal(only('@misc{a, title = {T}, eprint = {12345678}, eprinttype = {pubmed}}').arxiv, undefined);
  });

  it('reads Google Scholar\'s and DBLP\'s preprint @article as a preprint, not a journal paper', () => {
    const scholar = only('@article{a, title = {T}, author = {Doe, Jane}, journal = {arXiv preprint arXiv:2307.03381}, year = {2023}}');
    assert.equal(scholar.arxiv, '2307.03381');
    assert.equal(scholar.type, 'article');
    assert.equal(scholar['container-title'], undefined);
    const dblp = only('@article{b, title = {T}, journal = {CoRR}, volume = {abs/2307.03381}, year = {2023}, eprinttype = {arXiv}, eprint = {2307.03381}}');
    assert.equal(dblp.type, 'article');
    assert.equal(dblp['container-title'], undefined);
    assert.equal(dblp.volume, undefined);
  });

  it('keeps a published paper with an arXiv id as published', () => {
    const p = only('@inproceedings{a, title = {T}, booktitle = {ICLR 2024}, year = 2024, eprint = {2307.03381}, archivePrefix = {arXiv}}');
    assert.equal(p.type, 'paper-conference');
    assert.equal(p['container-title'], 'ICLR 2024');
    assert.equal(p.arxiv, '2307.03381');
  });
});

describe('parseBibtexLibrary: damaged files', () => {
  it('reads an entry with a missing comma between fields, and says where', () => {
    const { papers, problems } = bib([
      '@misc{good1, title = {One}}',
      '@article{bad,',
      '  title = {Two}',
      '  year = {2023}',
      '}',
      '@misc{good2, title = {Three}}',
    ].join('\n'));
    assert.deepEqual(papers.map((p) => p.id), ['good1', 'bad', 'good2']);
    assert.deepEqual(papers[1].issued, { 'date-parts': [[2023]] });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 4);
    assert.equal(problems[0].severity, 'warning');
    assert.equal(problems[0].code, 'missing-comma');
    assert.match(problems[0].message, /^entry `bad`: missing comma before field `year`/);
  });

  it('keeps an entry that breaks off with what was read, reports it on its line, and loads the rest', () => {
    const { papers, problems } = bib('@misc{good1, title = {One}}\n@article{bad, title = {Two}, = {x}}\n@misc{good2, title = {Three}}');
    assert.deepEqual(papers.map((p) => [p.id, p.title]), [['good1', 'One'], ['bad', 'Two'], ['good2', 'Three']]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 2);
    assert.equal(problems[0].severity, 'error');
    assert.match(problems[0].message, /^entry `bad` breaks off at line 2 \(expected a field name, found "="\); the fields before it were read$/);
  });

  it('skips an entry without a key, and says so', () => {
    const { papers, problems } = bib('@misc{, title = {No key}}\n@misc{b, title = {B}}');
    assert.deepEqual(papers.map((p) => p.id), ['b']);
    assert.deepEqual(problems.map((p) => [p.code, p.line]), [['missing-key', 1]]);
  });

  it('reports unbalanced braces where the entry starts, keeps its key and resumes at the next entry', () => {
    const { papers, problems } = bib([
      '@misc{before, title = {Before}}',
      '',
      '@article{open,',
      '  title = {Never {closed},',
      '  year = {2023}',
      '',
      '@misc{after, title = {After}}',
      '@misc{last, title = {Last}}',
    ].join('\n'));
    assert.deepEqual(papers.map((p) => [p.id, p.sourceLine]), [['before', 1], ['open', 3], ['after', 7], ['last', 8]]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].line, 3);
    assert.equal(problems[0].code, 'entry-truncated');
    assert.match(problems[0].message, /^entry `open` breaks off at line 4 \(unbalanced braces\)/);
  });

  it('loads every good entry around several bad ones, whatever their number', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      lines.push(i % 37 === 5 ? `@misc{k${i} title = {Bad ${i}}}` : `@misc{k${i}, title = {Good ${i}}}`);
    }
    const { papers, problems } = bib(lines.join('\n'));
    const bad = lines.map((l, i) => (l.includes('Bad') ? i + 1 : 0)).filter(Boolean);
    assert.deepEqual(problems.map((p) => p.line), bad);
    assert.equal(papers.length, 200, 'a broken entry keeps its key');
  });

  it('keeps the first of two entries with the same key, and reports the second', () => {
    const { papers, problems } = bib('@misc{x, title = {First}}\n@misc{y, title = {Other}}\n@misc{x, title = {Second}}');
    assert.deepEqual(papers.map((p) => p.title), ['First', 'Other']);
    assert.deepEqual(problems.map((p) => [p.code, p.severity, p.line, p.message]), [['duplicate-key', 'warning', 3, 'duplicate key `x` (first at line 1); the first is kept']]);
  });

  it('treats keys differing only in case as duplicates, as BibTeX does', () => {
    const { papers, problems } = bib('@misc{Smith2020, title = {A}}\n@misc{smith2020, title = {B}}');
    assert.equal(papers.length, 1);
    assert.match(problems[0].message, /^duplicate key `smith2020` \(first at line 1 as `Smith2020`\)/);
  });

  it('reads a stray dollar as a dollar sign and keeps every author', () => {
    const { papers, problems } = bib('@misc{a, title = {Half $math}, author = {Doe, Jane}}\n@misc{b, title = {Fine}}');
    assert.deepEqual(papers.map((p) => [p.id, p.title]), [['a', 'Half $math'], ['b', 'Fine']]);
    assert.equal(papers[0].author.length, 1);
    assert.deepEqual(problems, []);
  });

  it('keeps the names around a command it does not know, and names the command', () => {
    const { papers, problems } = bib('@misc{a, title = {T}, author = {Doe, Jane and \\weird{Smith}, John and Roe, R}}');
    assert.deepEqual(papers[0].author.map((a) => a.family), ['Doe', 'Smith', 'Roe']);
    assert.deepEqual(problems.map((p) => [p.code, p.severity, p.data?.command]), [['unknown-command', 'info', 'weird']]);
  });

  it('warns about a crossref to a missing entry', () => {
    const { papers, problems } = bib('@inproceedings{a, title = {T}, crossref = {nowhere}}');
    assert.equal(papers.length, 1);
    assert.equal(problems[0].code, 'crossref-missing');
    assert.match(problems[0].message, /crossref `nowhere` is not in the library/);
  });

  it('reports a file that is not BibTeX once, naming it', () => {
    const { papers, problems } = bib('Title: my notes\nSome text, no entries.\n');
    assert.equal(papers.length, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, 'error');
    assert.match(problems[0].message, /^refs\.bib is not a BibTeX file/);
  });

  it('reads an empty file as an empty library', () => {
    assert.deepEqual(bib(''), { papers: [], problems: [] });
    assert.deepEqual(bib('% only a comment\n'), { papers: [], problems: [] });
  });
});

describe('parseBibtexLibrary: round trips, and citation-js on plain text', () => {
  const seed = readSeedFolder(path.join(process.cwd(), 'seeds'));
  const bundled = buildBundledLibrary(seed.listings, seed.metadata).papers;

  it('reads the bundled library written out with abstracts back to the same papers', () => {
    const text = toBibtexFile(bundled, { includeAbstract: true });
    const ours = bib(text).papers;
    assert.equal(ours.length, 62);
    ours.forEach((p, i) => {
      const item = bundled[i];
      assert.equal(p.id, item.id);
      assert.equal(p.title, item.title, `title of ${p.id}`);
      assert.equal(p.abstract, item.abstract, `abstract of ${p.id}`);
      assert.equal(p['container-title'], item['container-title']);
      if (item.DOI) assert.equal(p.DOI, item.DOI);
      assert.equal(p.URL, item.URL);
      assert.deepEqual(p.issued, { 'date-parts': [item.issued!['date-parts'][0].slice(0, 2)] });
      assert.deepEqual(p.author.map((a) => [a.family, a.given]), item.author.map((a) => [a.family, a.given]));
    });
  });

  it('decodes plain free text exactly as citation-js does (white space, ligatures, escapes, braces)', () => {
    // A fixed pseudo-random mix of the constructs the fast path claims to handle.
    const pieces = ['word', 'Word', ' ', '  ', '\n', '\t', '--', '---', '-', '``', "''", "'", '~', '\\%', '\\& ', '\\_  ', '\\#', '\\$',
      '{', '}', '{GPT}', 'x', '.', ',', '5', '%', '&', '#', '_', '"', '<i>', 'ü'];
    let state = 12345;
    const random = (n: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const values: string[] = [];
    for (let v = 0; v < 300; v++) {
      let text = 'Start';
      let depth = 0;
      for (let k = 0; k < 5 + random(40); k++) {
        const piece = pieces[random(pieces.length)];
        if (piece === '}' && depth === 0) continue;
        if (piece === '{') depth++;
        if (piece === '}') depth--;
        text += piece;
      }
      values.push(text + '}'.repeat(depth) + ' end');
    }
    const text = values.map((v, i) => `@misc{k${i}, title = {${v}}, abstract = {${v}}, note = {${v}}}`).join('\n');
    const ours = bib(text);
    assert.deepEqual(ours.problems, []);
    const theirs = plugins.input.chain(text, CHAIN_OPTIONS);
    ours.papers.forEach((p, i) => {
      const item = theirs[i];
      assert.equal(p.abstract, String(item.abstract).trim() || undefined, `abstract ${JSON.stringify(values[i])}`);
      assert.equal(p.title, String(item.title).trim(), `title ${JSON.stringify(values[i])}`);
      assert.equal(p.note, String(item.note).trim() || undefined, `note ${JSON.stringify(values[i])}`);
    });
  });
});

describe('parseCslJsonLibrary', () => {
  const zotero = JSON.stringify([
    {
      id: 'http://zotero.org/users/1/items/ABC',
      'citation-key': 'lee2023teaching',
      type: 'article',
      title: 'Teaching Arithmetic to Small Transformers',
      author: [{ family: 'Lee', given: 'Nayoung' }, { family: 'Maaten', given: 'Laurens', 'non-dropping-particle': 'van der' }, { literal: 'OpenAI' }],
      issued: { 'date-parts': [['2023', '7', '7']] },
      URL: 'http://arxiv.org/abs/2307.03381',
      number: 'arXiv:2307.03381',
      publisher: 'arXiv',
      abstract: 'Large language models…',
    },
    { id: 'plain-id', type: 'paper-conference', title: 'B', 'container-title': 'ICML 2024', event: 'ICML 2024', issued: { raw: '2024-07' }, DOI: '10.1/x' },
    { id: 42, type: 'book', title: 'C', issued: { literal: 'Spring 1999' } },
  ], null, 2);

  it('keeps ids, prefers citation-key, and maps items to papers', () => {
    const { papers, problems } = parseCslJsonLibrary(zotero, 'lib.json');
    assert.deepEqual(problems, []);
    assert.deepEqual(papers.map((p) => p.id), ['lee2023teaching', 'plain-id', '42']);
    const [a, b, c] = papers;
    assert.deepEqual(a.author, [{ family: 'Lee', given: 'Nayoung' }, { family: 'Maaten', given: 'Laurens', 'non-dropping-particle': 'van der' }, { literal: 'OpenAI' }]);
    assert.deepEqual(a.issued, { 'date-parts': [[2023, 7, 7]] });
    assert.equal(a.arxiv, '2307.03381');
    assert.equal(a.type, 'article');
    assert.equal(a.source, 'lib.json');
    assert.equal(a.sourceLine, 2);
    assert.equal(b.event, 'ICML 2024');
    assert.deepEqual(b.issued, { 'date-parts': [[2024, 7]] });
    assert.deepEqual(c.issued, { 'date-parts': [[1999]] });
  });

  it('reports invalid JSON once, with the line and column', () => {
    const { papers, problems } = parseCslJsonLibrary('[\n  {"id": "a",\n   "title": }\n]', 'lib.json');
    assert.equal(papers.length, 0);
    assert.deepEqual(problems.map((p) => [p.code, p.severity, p.line, p.message]), [['not-json', 'error', 3, 'lib.json is not valid JSON: unexpected `}` at line 3, column 13']]);
    assert.match(parseCslJsonLibrary('[{"id": "a"}', 'lib.json').problems[0].message, /unexpected end of file at line 1, column 13/);
  });

  it('skips items without a key and repeated keys, and reports them', () => {
    const { papers, problems } = parseCslJsonLibrary('[\n{"id": "a", "title": "A"},\n{"title": "no key"},\n"text",\n{"id": "a", "title": "again"}\n]', 'lib.json');
    assert.deepEqual(papers.map((p) => p.title), ['A']);
    assert.deepEqual(problems.map((p) => [p.line, p.message]), [
      [3, 'item 2 has no id or citation-key; skipped'],
      [4, 'item 3 is not an object; skipped'],
      [5, 'duplicate key `a` (first at line 2); the first is kept'],
    ]);
  });

  it('rejects JSON that is not CSL-JSON', () => {
    assert.match(parseCslJsonLibrary('"just a string"', 'lib.json').problems[0].message, /not CSL-JSON/);
    assert.deepEqual(parseCslJsonLibrary('  ', 'lib.json'), { papers: [], problems: [] });
  });

  it('accepts one item on its own', () => {
    assert.deepEqual(parseCslJsonLibrary('{"id": "a", "title": "A"}', 'lib.json').papers.map((p) => p.id), ['a']);
  });
});

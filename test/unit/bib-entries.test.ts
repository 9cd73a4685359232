import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendEntryEdit, frontMatterBibliographyEdit, latexBibliographyEdit } from '../../src/core/bib-edits';
import { cslJsonEntries, findExistingEntry, inlineBibliographyEntries, isDifferentWork, scanBibEntries, yamlReferenceEntries } from '../../src/core/bib-entries';
import { declaredBibliographies, includedFiles, isBibtexPath, quartoProjectBibliographies, texRootMagic } from '../../src/core/declarations';
import type { TextEdit } from '../../src/core/types';

function apply(text: string, edit: TextEdit | undefined): string {
  assert.ok(edit, 'expected an edit');
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

describe('declaredBibliographies (LaTeX)', () => {
  it('adds .bib to \\bibliography names and splits several files', () => {
    assert.deepEqual(declaredBibliographies('\\bibliography{refs, more.bib,../shared/lib}', 'latex'),
      ['refs.bib', 'more.bib', '../shared/lib.bib']);
  });
  it('adds .bib to a name with another dot in it, as BibTeX does', () => {
    assert.deepEqual(declaredBibliographies('\\bibliography{refs.v2}', 'latex'), ['refs.v2.bib']);
  });
  it('reads arguments spread over lines and skips commented-out names and lines', () => {
    const text = '\\bibliography{a,\n  % old,\n  b}\n% \\bibliography{gone}\n\\addbibresource{c.bib} % \\addbibresource{d.bib}';
    assert.deepEqual(declaredBibliographies(text, 'latex'), ['a.bib', 'b.bib', 'c.bib']);
  });
  it('reads \\addbibresource with options, in order of declaration', () => {
    const text = '\\addbibresource[label=main]{main.bib}\n\\addbibresource{extra/x.bib}\n\\bibliography{old}';
    assert.deepEqual(declaredBibliographies(text, 'latex'), ['main.bib', 'extra/x.bib', 'old.bib']);
  });
  it('leaves out remote resources, styles and duplicates', () => {
    const text = '\\addbibresource[location=remote]{http://x.org/r.bib}\\addbibresource{https://y.org/z.bib}'
      + '\\bibliographystyle{plain}\\bibliography{refs}\\nobibliography{refs}';
    assert.deepEqual(declaredBibliographies(text, 'latex'), ['refs.bib']);
  });
  it('does not mistake an escaped \\% for a comment', () => {
    assert.deepEqual(declaredBibliographies('50\\% \\bibliography{r}', 'latex'), ['r.bib']);
  });
});

describe('declaredBibliographies (Markdown)', () => {
  const md = (yaml: string): string => `---\n${yaml}\n---\n\n# Body\nbibliography: not-me.bib\n`;
  it('reads a plain scalar', () => {
    assert.deepEqual(declaredBibliographies(md('title: T\nbibliography: refs.bib'), 'markdown'), ['refs.bib']);
  });
  it('reads quoted scalars and drops a trailing comment', () => {
    assert.deepEqual(declaredBibliographies(md('bibliography: "my refs.bib" # main'), 'markdown'), ['my refs.bib']);
    assert.deepEqual(declaredBibliographies(md("bibliography: 'it''s.bib'"), 'markdown'), ["it's.bib"]);
    assert.deepEqual(declaredBibliographies(md('bibliography: refs.bib # note'), 'markdown'), ['refs.bib']);
  });
  it('reads a block list, indented or not', () => {
    assert.deepEqual(declaredBibliographies(md('bibliography:\n  - a.bib\n  - "b.bib"\ntitle: x'), 'markdown'), ['a.bib', 'b.bib']);
    assert.deepEqual(declaredBibliographies(md('bibliography:\n- a.bib\n\n- b.bib\nlang: en'), 'markdown'), ['a.bib', 'b.bib']);
  });
  it('reads a flow list, also over several lines', () => {
    assert.deepEqual(declaredBibliographies(md('bibliography: [a.bib, "b c.bib"]'), 'markdown'), ['a.bib', 'b c.bib']);
    assert.deepEqual(declaredBibliographies(md('bibliography: [a.bib,\n  b.bib]\ntitle: x'), 'markdown'), ['a.bib', 'b.bib']);
  });
  it('ignores nested keys and text outside the front matter', () => {
    assert.deepEqual(declaredBibliographies(md('format:\n  html:\n    bibliography: nested.bib'), 'markdown'), []);
    assert.deepEqual(declaredBibliographies('# No front matter\nbibliography: x.bib\n', 'markdown'), []);
  });
  it('reads front matter with CRLF line endings and a ... terminator', () => {
    assert.deepEqual(declaredBibliographies('---\r\nbibliography:\r\n  - a.bib\r\n  - b.bib\r\n...\r\nText', 'markdown'), ['a.bib', 'b.bib']);
  });
});

describe('quartoProjectBibliographies', () => {
  it('collects top-level and nested bibliography keys without duplicates', () => {
    const yml = 'project:\n  type: book\nbibliography: refs.bib\nformat:\n  html:\n    bibliography:\n      - refs.bib\n      - html.bib\n  pdf:\n    bibliography: [pdf.bib]\n';
    assert.deepEqual(quartoProjectBibliographies(yml), ['refs.bib', 'html.bib', 'pdf.bib']);
  });
  it('returns nothing without a bibliography key', () => {
    assert.deepEqual(quartoProjectBibliographies('project:\n  type: website\n'), []);
  });
});

describe('texRootMagic', () => {
  it('reads the root path of the magic comment', () => {
    assert.equal(texRootMagic('% !TEX root = ../main.tex\n\\section{A}'), '../main.tex');
  });
  it('is case- and space-insensitive', () => {
    assert.equal(texRootMagic('\n%!TeX root=thesis.tex  \n'), 'thesis.tex');
    assert.equal(texRootMagic('% !tex ROOT = a b.tex'), 'a b.tex');
  });
  it('only looks at the first 20 lines and only at comments', () => {
    assert.equal(texRootMagic('\n'.repeat(25) + '% !TEX root = late.tex'), undefined);
    assert.equal(texRootMagic('!TEX root = x.tex'), undefined);
  });
});

describe('includedFiles', () => {
  it('lists input, include, subfile and import targets as written', () => {
    const text = '\\input{intro}\n\\include{chapters/two}\n\\subfile{parts/three.tex}\n\\import{sections/}{four}\n\\subimport{app}{five}';
    assert.deepEqual(includedFiles(text), ['intro', 'chapters/two', 'parts/three.tex', 'sections/four', 'app/five']);
  });
  it('skips commented lines and look-alike commands', () => {
    const text = '% \\input{old}\n\\includegraphics{fig}\n\\includeonly{a}\n\\input{kept} % \\include{no}';
    assert.deepEqual(includedFiles(text), ['kept']);
  });
  it('does not take the group after a one-argument command as its own', () => {
    assert.deepEqual(includedFiles('\\input{a}{\\input{b}}'), ['a', 'b']);
  });
});

describe('scanBibEntries', () => {
  const bib = [
    '% Generated file',
    '@String{jml = "Journal of ML"}',
    '@preamble{ "\\newcommand{\\noop}[1]{}" }',
    '@Comment{jabref-meta: databaseType:bibtex;}',
    '',
    '@Article{Doe2020,',
    '  title = {A {Nested} "quoted" title},',
    '  author = "Doe, J. and {Roe} and x@y.org",',
    '  journal = jml # " (2020)",',
    '  DOI = {https://doi.org/10.1000/ABC.123}',
    '}',
    '',
    '@inproceedings(roe21, title = {Parens}, eprint = {2307.03381v2}, archivePrefix = {arXiv})',
    '% @article{commented, title = {x}}',
    '@misc{bare}',
  ].join('\n');

  it('finds entries with key, lower-case type and 1-based line', () => {
    const entries = scanBibEntries(bib);
    // A `%` line is no comment to BibTeX: the entry on it is read, as BibTeX and the library read it.
    assert.deepEqual(entries.map((e) => [e.key, e.type, e.line]), [
      ['Doe2020', 'article', 6],
      ['roe21', 'inproceedings', 13],
      ['commented', 'article', 14],
      ['bare', 'misc', 15],
    ]);
  });

  it('spans each entry from @ to its closing delimiter', () => {
    const [doe, roe, , bare] = scanBibEntries(bib);
    assert.ok(bib.slice(doe!.span.start, doe!.span.end).startsWith('@Article{Doe2020,'));
    assert.ok(bib.slice(doe!.span.start, doe!.span.end).endsWith('ABC.123}\n}'));
    assert.ok(bib.slice(roe!.span.start, roe!.span.end).endsWith('{arXiv})'));
    assert.equal(bib.slice(bare!.span.start, bare!.span.end), '@misc{bare}');
  });

  it('normalises DOIs and arXiv ids', () => {
    const [doe, roe] = scanBibEntries(bib);
    assert.equal(doe?.doi, '10.1000/abc.123');
    assert.equal(roe?.eprint, '2307.03381');
    assert.equal(doe?.eprint, undefined);
  });

  it('takes the arXiv id from URLs, arXiv DOIs, eprint prefixes and journal notes', () => {
    const text = [
      '@misc{u, url = {https://arxiv.org/abs/2101.00001v3}}',
      '@misc{d, doi = {10.48550/arXiv.2102.00002}}',
      '@misc{e, eprint = {arXiv:2103.00003v1}}',
      '@article{j, journal = {arXiv preprint arXiv:2104.00004}}',
      '@article{o, eprint = {hep-th/9901001v2}, eprinttype = {arxiv}}',
      '@article{n, eprint = {12345}, eprinttype = {jstor}}',
      '@misc{w, doi = "10.1000/x\\_y", url = {https://example.org/2105.00005}}',
    ].join('\n');
    const got = scanBibEntries(text).map((e) => [e.key, e.eprint, e.doi]);
    assert.deepEqual(got, [
      ['u', '2101.00001', undefined],
      ['d', '2102.00002', '10.48550/arxiv.2102.00002'],
      ['e', '2103.00003', undefined],
      ['j', '2104.00004', undefined],
      ['o', 'hep-th/9901001', undefined],
      ['n', undefined, undefined],
      ['w', undefined, '10.1000/x_y'],
    ]);
  });

  it('survives an unbalanced entry and keeps the entries after it', () => {
    const text = '@article{broken,\n  title = {Unclosed {brace},\n  year = 2020\n}\n\n@book{next,\n  title = {Fine}\n}\n@misc{last, note = {ok}}\n';
    const entries = scanBibEntries(text);
    assert.deepEqual(entries.map((e) => e.key), ['broken', 'next', 'last']);
    assert.deepEqual(entries.map((e) => e.line), [1, 6, 9]);
    assert.ok(entries[0]!.span.end <= text.indexOf('@book'));
    assert.equal(text.slice(entries[1]!.span.start, entries[1]!.span.end), '@book{next,\n  title = {Fine}\n}');
  });

  it('survives an unclosed quote and a missing closing brace at the end of the file', () => {
    const text = '@article{q, title = "open quote,\n}\n@article{r, title = {x}}\n@article{s, title = {never closed}';
    assert.deepEqual(scanBibEntries(text).map((e) => e.key), ['q', 'r', 's']);
  });

  it('counts lines correctly in CRLF files', () => {
    const text = '@misc{a,\r\n  title = {x}\r\n}\r\n\r\n@misc{b, title = {y}}\r\n';
    assert.deepEqual(scanBibEntries(text).map((e) => [e.key, e.line]), [['a', 1], ['b', 5]]);
  });

  it('ignores @ signs in free text between entries', () => {
    const text = 'Contact: me@example.org\n@misc{a, title={x}}\nmore text @ here\n';
    assert.deepEqual(scanBibEntries(text).map((e) => e.key), ['a']);
  });

  it('scans a large file quickly', () => {
    const one = (i: number): string => `@article{key${i},\n  title = {Title {${i}}},\n  author = {A and B},\n  doi = {10.1/${i}},\n  year = {2020}\n}\n\n`;
    const text = Array.from({ length: 5000 }, (_, i) => one(i)).join('');
    const t0 = performance.now();
    const entries = scanBibEntries(text);
    const ms = performance.now() - t0;
    assert.equal(entries.length, 5000);
    assert.equal(entries[4999]?.line, 4999 * 7 + 1);
    assert.ok(ms < 300, `${ms.toFixed(0)} ms`);
  });
});

describe('findExistingEntry', () => {
  const entries = scanBibEntries([
    '@article{doe2020, doi = {10.1000/abc}}',
    '@misc{roe21, eprint = {2307.03381}}',
    '@misc{other, title = {x}}',
  ].join('\n'));

  it('matches a key, ignoring case', () => {
    assert.equal(findExistingEntry(entries, { key: 'doe2020' })?.reason, 'key');
    assert.equal(findExistingEntry(entries, { key: 'Other' })?.entry.key, 'other');
  });
  it('matches a DOI written with a resolver prefix and other case', () => {
    const hit = findExistingEntry(entries, { key: 'new', doi: 'https://doi.org/10.1000/ABC' });
    assert.deepEqual([hit?.entry.key, hit?.reason], ['doe2020', 'doi']);
  });
  it('matches an arXiv id with prefix and version', () => {
    const hit = findExistingEntry(entries, { key: 'new', arxiv: 'arXiv:2307.03381v4' });
    assert.deepEqual([hit?.entry.key, hit?.reason], ['roe21', 'arxiv']);
  });
  it('prefers the entry that is the same paper over a key clash', () => {
    const hit = findExistingEntry(entries, { key: 'other', doi: '10.1000/abc' });
    assert.deepEqual([hit?.entry.key, hit?.reason], ['doe2020', 'doi']);
    const same = findExistingEntry(entries, { key: 'doe2020', doi: '10.1000/ABC' });
    assert.deepEqual([same?.entry.key, same?.reason], ['doe2020', 'key']);
  });
  it('returns undefined when nothing matches', () => {
    assert.equal(findExistingEntry(entries, { key: 'none', doi: '10.9/zzz', arxiv: '2001.00001' }), undefined);
  });
  it('does not take an entry holding the key for a different paper as a match', () => {
    assert.equal(findExistingEntry(entries, { key: 'doe2020', doi: '10.1000/other' }), undefined);
    assert.equal(findExistingEntry(entries, { key: 'roe21', arxiv: '2401.00001' }), undefined);
    assert.equal(findExistingEntry(entries, { key: 'other', title: 'Attention Is All You Need' }), undefined);
  });
  it('still matches the key when nothing contradicts it', () => {
    assert.equal(findExistingEntry(entries, { key: 'doe2020', arxiv: '2401.00001' })?.reason, 'key');
    assert.equal(findExistingEntry(entries, { key: 'other', title: 'X' })?.reason, 'key');
  });
});

describe('isDifferentWork', () => {
  it('tells works apart by disagreeing identifiers, and by titles when there are no shared identifiers', () => {
    assert.equal(isDifferentWork({ doi: '10.1/a' }, { doi: 'https://doi.org/10.1/B' }), true);
    assert.equal(isDifferentWork({ doi: '10.1/a', arxiv: '2401.00001' }, { doi: '10.1/b', arxiv: '2401.00001v2' }), false);
    assert.equal(isDifferentWork({ title: 'Attention Is All You Need' }, { title: 'Deep Residual Learning for Image Recognition' }), true);
    assert.equal(isDifferentWork({ title: 'Attention is all you need' }, { title: '{Attention} Is All You Need!' }), false);
    assert.equal(isDifferentWork({ doi: '10.1/a' }, { title: 'Anything' }), false);
  });
});

describe('isBibtexPath', () => {
  it('accepts .bib and .bibtex only', () => {
    assert.deepEqual(['a.bib', 'b.BIB', 'c.bibtex', 'refs.json', 'refs.yaml', 'refs.yml'].map(isBibtexPath), [true, true, true, false, false, false]);
  });
});

describe('cslJsonEntries', () => {
  it('gives the id and citation-key of each item with its DOI and arXiv id', () => {
    const entries = cslJsonEntries(JSON.stringify([
      { id: 'smith2020', 'citation-key': 'Smith2020x', type: 'article-journal', title: 'T', DOI: '10.1/ABC' },
      { id: 42, URL: 'https://arxiv.org/abs/2401.00001v3' },
      'junk',
    ]));
    assert.deepEqual(entries.map((e) => [e.key, e.doi, e.eprint]), [
      ['smith2020', '10.1/abc', undefined],
      ['Smith2020x', '10.1/abc', undefined],
      ['42', undefined, '2401.00001'],
    ]);
  });
  it('gives nothing for text that is not JSON', () => {
    assert.deepEqual(cslJsonEntries('@misc{a,}'), []);
  });
});

describe('yamlReferenceEntries', () => {
  it('reads the id of each item of a references list, quoted or not, block or flow', () => {
    const yaml = ['---', 'references:', '- type: article', '  id: smith2020', "- id: 'jones:21'", '  title: x', '- {id: flow1, title: y}', 'nocite: |', '  id: notakey', ''].join('\n');
    assert.deepEqual(yamlReferenceEntries(yaml).map((e) => e.key), ['smith2020', 'jones:21', 'flow1']);
  });
  it('reads a bare top-level list', () => {
    assert.deepEqual(yamlReferenceEntries('- id: a\n  title: t\n- id: b\n').map((e) => e.key), ['a', 'b']);
  });
});

describe('inlineBibliographyEntries', () => {
  it('reads \\bibitem keys, with and without a label, but not commented out', () => {
    const tex = '\\begin{thebibliography}{9}\n\\bibitem{knuth84} Knuth.\n\\bibitem[Lam94]{lamport94} Lamport.\n% \\bibitem{gone}\n\\end{thebibliography}\n';
    assert.deepEqual(inlineBibliographyEntries(tex, 'latex').map((e) => e.key), ['knuth84', 'lamport94']);
  });
  it('reads the entries of an inline filecontents .bib, not of other files', () => {
    const tex = [
      '\\begin{filecontents*}[overwrite]{refs.bib}',
      '@article{inline1, title = {A}}',
      '@misc{inline2, title = {B}}',
      '\\end{filecontents*}',
      '\\begin{filecontents}{notes.txt}',
      '@misc{notbib,}',
      '\\end{filecontents}',
    ].join('\n');
    assert.deepEqual(inlineBibliographyEntries(tex, 'latex').map((e) => e.key), ['inline1', 'inline2']);
  });
  it('reads the front matter references of a Markdown document', () => {
    const md = '---\ntitle: x\nreferences:\n  - id: smith2020\n    title: T\n  - id: jones21\n---\n\nSee @smith2020.\n';
    assert.deepEqual(inlineBibliographyEntries(md, 'markdown').map((e) => e.key), ['smith2020', 'jones21']);
    assert.deepEqual(inlineBibliographyEntries('No front matter, id: x\n', 'markdown'), []);
  });
});

describe('appendEntryEdit', () => {
  const entry = '@misc{new,\n  title = {New}\n}';

  it('inserts at the very end and never touches existing text', () => {
    const bib = '@misc{a}\n';
    const edit = appendEntryEdit(bib, entry);
    assert.equal(edit.start, bib.length);
    assert.equal(edit.end, bib.length);
  });
  it('writes an empty file with no leading blank line', () => {
    assert.equal(apply('', appendEntryEdit('', entry)), `${entry}\n`);
  });
  it('separates from the last entry by exactly one blank line', () => {
    assert.equal(apply('@misc{a}\n', appendEntryEdit('@misc{a}\n', entry)), `@misc{a}\n\n${entry}\n`);
    assert.equal(apply('@misc{a}', appendEntryEdit('@misc{a}', entry)), `@misc{a}\n\n${entry}\n`);
    assert.equal(apply('@misc{a}\n\n', appendEntryEdit('@misc{a}\n\n', entry)), `@misc{a}\n\n${entry}\n`);
    assert.equal(apply('@misc{a}\n\n\n', appendEntryEdit('@misc{a}\n\n\n', entry)), `@misc{a}\n\n\n${entry}\n`);
  });
  it('keeps CRLF files CRLF, converting the entry', () => {
    const bib = '@misc{a,\r\n  title = {A}\r\n}';
    const out = apply(bib, appendEntryEdit(bib, entry));
    assert.equal(out, `${bib}\r\n\r\n@misc{new,\r\n  title = {New}\r\n}\r\n`);
    assert.ok(!/[^\r]\n/.test(out));
  });
  it('converts a CRLF entry into an LF file and trims its surrounding blank lines', () => {
    const out = apply('@misc{a}\n', appendEntryEdit('@misc{a}\n', '\n\r\n@misc{b,\r\n  title = {B}\r\n}\r\n\r\n'));
    assert.equal(out, '@misc{a}\n\n@misc{b,\n  title = {B}\n}\n');
  });
  it('appends twice with one blank line between the new entries', () => {
    let bib = '@misc{a}\n';
    bib = apply(bib, appendEntryEdit(bib, '@misc{b}'));
    bib = apply(bib, appendEntryEdit(bib, '@misc{c}'));
    assert.equal(bib, '@misc{a}\n\n@misc{b}\n\n@misc{c}\n');
  });
  it('adds only what is missing after a whitespace-only file', () => {
    assert.equal(apply('\n', appendEntryEdit('\n', '@misc{b}')), '\n@misc{b}\n');
    assert.equal(apply('  ', appendEntryEdit('  ', '@misc{b}')), '  \n@misc{b}\n');
  });
});

describe('frontMatterBibliographyEdit', () => {
  it('creates front matter at the top when there is none', () => {
    const md = '# Title\n\nText.\n';
    assert.equal(apply(md, frontMatterBibliographyEdit(md, 'references.bib')), `---\nbibliography: references.bib\n---\n\n${md}`);
  });
  it('creates CRLF front matter in a CRLF file, after a byte-order mark', () => {
    const md = '\uFEFF# Title\r\n';
    assert.equal(apply(md, frontMatterBibliographyEdit(md, 'references.bib')),
      '\uFEFF---\r\nbibliography: references.bib\r\n---\r\n\r\n# Title\r\n');
  });
  it('adds the key before the closing line of existing front matter', () => {
    const md = '---\ntitle: Paper\n---\nBody\n';
    assert.equal(apply(md, frontMatterBibliographyEdit(md, 'references.bib')), '---\ntitle: Paper\nbibliography: references.bib\n---\nBody\n');
    const crlf = '---\r\ntitle: Paper\r\n...\r\nBody';
    assert.equal(apply(crlf, frontMatterBibliographyEdit(crlf, 'refs.bib')), '---\r\ntitle: Paper\r\nbibliography: refs.bib\r\n...\r\nBody');
  });
  it('turns an existing scalar into a flow list', () => {
    const md = '---\nbibliography: "old.bib" # main\n---\n';
    const out = apply(md, frontMatterBibliographyEdit(md, 'references.bib'));
    assert.equal(out, '---\nbibliography: ["old.bib", references.bib] # main\n---\n');
    assert.deepEqual(declaredBibliographies(out, 'markdown'), ['old.bib', 'references.bib']);
  });
  it('appends to an existing flow list, also an empty one', () => {
    const md = '---\nbibliography: [a.bib, b.bib ]\n---\n';
    assert.equal(apply(md, frontMatterBibliographyEdit(md, 'c.bib')), '---\nbibliography: [a.bib, b.bib, c.bib ]\n---\n');
    const empty = '---\nbibliography: []\n---\n';
    assert.equal(apply(empty, frontMatterBibliographyEdit(empty, 'c.bib')), '---\nbibliography: [c.bib]\n---\n');
  });
  it('appends an item to an existing block list with the same indentation', () => {
    const md = '---\nbibliography:\n    - a.bib\n    - b.bib\ntitle: x\n---\n';
    const out = apply(md, frontMatterBibliographyEdit(md, 'c.bib'));
    assert.equal(out, '---\nbibliography:\n    - a.bib\n    - b.bib\n    - c.bib\ntitle: x\n---\n');
  });
  it('fills an empty bibliography key', () => {
    const md = '---\nbibliography:\ntitle: x\n---\n';
    assert.equal(apply(md, frontMatterBibliographyEdit(md, 'r.bib')), '---\nbibliography: r.bib\ntitle: x\n---\n');
  });
  it('returns undefined when the path is already declared', () => {
    assert.equal(frontMatterBibliographyEdit('---\nbibliography: ./references.bib\n---\n', 'references.bib'), undefined);
    assert.equal(frontMatterBibliographyEdit('---\nbibliography:\n  - references.bib\n---\n', 'references.bib'), undefined);
  });
  it('quotes paths YAML would misread', () => {
    const md = '---\ntitle: x\n---\n';
    const out = apply(md, frontMatterBibliographyEdit(md, 'refs #1: "x".bib'));
    assert.ok(out.includes('bibliography: "refs #1: \\"x\\".bib"\n'));
    assert.deepEqual(declaredBibliographies(out, 'markdown'), ['refs #1: "x".bib']);
  });
});

describe('latexBibliographyEdit', () => {
  it('adds a style and \\bibliography on their own lines before \\end{document}', () => {
    const tex = '\\documentclass{article}\n\\begin{document}\nHi.\n\\end{document}\n';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'references')),
      '\\documentclass{article}\n\\begin{document}\nHi.\n\\bibliographystyle{plain}\n\\bibliography{references}\n\\end{document}\n');
  });
  it('strips .bib from the name and keeps an existing style', () => {
    const tex = '\\bibliographystyle{abbrv}\nHi.\n\\end{document}';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'references.bib')), '\\bibliographystyle{abbrv}\nHi.\n\\bibliography{references}\n\\end{document}');
  });
  it('keeps CRLF line endings', () => {
    const tex = 'Hi.\r\n\\end{document}\r\n';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'refs')), 'Hi.\r\n\\bibliographystyle{plain}\r\n\\bibliography{refs}\r\n\\end{document}\r\n');
  });
  it('breaks the line when \\end{document} follows text', () => {
    const tex = 'Hi. \\end{document}';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'refs')), 'Hi. \n\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}');
  });
  it('returns undefined without an uncommented \\end{document}', () => {
    assert.equal(latexBibliographyEdit('\\section{A}\n% \\end{document}\n', 'refs'), undefined);
  });
  it('appends to an existing \\bibliography instead of adding a second one', () => {
    const tex = '\\bibliography{old }\n\\end{document}';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'references')), '\\bibliography{old,references }\n\\end{document}');
  });
  it('returns undefined when the file is already declared', () => {
    assert.equal(latexBibliographyEdit('\\bibliography{references}\n\\end{document}', 'references.bib'), undefined);
  });
  it('recognises biblatex from \\printbibliography when a class loads the package', () => {
    const tex = '\\documentclass{thesis}\n\\begin{document}\n\\printbibliography\n\\end{document}';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'refs.bib')),
      '\\documentclass{thesis}\n\\addbibresource{refs.bib}\n\\begin{document}\n\\printbibliography\n\\end{document}');
  });
  it('adds \\addbibresource before \\begin{document} in a biblatex document', () => {
    const tex = '\\usepackage[style=apa]{biblatex}\n\\begin{document}\n\\printbibliography\n\\end{document}';
    assert.equal(apply(tex, latexBibliographyEdit(tex, 'references')),
      '\\usepackage[style=apa]{biblatex}\n\\addbibresource{references.bib}\n\\begin{document}\n\\printbibliography\n\\end{document}');
  });
});

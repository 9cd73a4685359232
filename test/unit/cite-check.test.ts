import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanBibEntries } from '../../src/core/bib-entries';
import { checkCitations, type CiteCheckContext, type LibraryKeyInfo } from '../../src/core/cite-check';
import { findCitations, type CiteFlavor } from '../../src/core/cite-syntax';

const BIB = `@inproceedings{vaswani2017attention,
  title = {Attention Is All You Need},
  year = {2017}
}
@misc{teaching,
  title = {Teaching Arithmetic to Small Transformers},
  eprint = {2307.03381},
  archivePrefix = {arXiv}
}
@article{Wu2016,
  title = {Google's Neural Machine Translation System},
  doi = {10.48550/arXiv.1609.08144}
}
`;

const LIBRARY: Record<string, LibraryKeyInfo> = {
  lee2023teaching: { arxiv: '2307.03381' },
  wu2016google: { doi: 'https://doi.org/10.48550/ARXIV.1609.08144' },
  singh2024tokenization: { arxiv: '2402.14903' },
  vaswani2017attention: {},
};

function check(text: string, flavor: CiteFlavor, overrides: Partial<CiteCheckContext> = {}) {
  const context: CiteCheckContext = {
    flavor,
    bibEntries: scanBibEntries(BIB),
    hasBibliography: true,
    library: (key) => LIBRARY[key],
    ...overrides,
  };
  return checkCitations(findCitations(text, flavor), context).map((p) => ({
    kind: p.kind,
    key: p.key,
    at: text.slice(p.span.start, p.span.end),
    ...(p.bibKey ? { bibKey: p.bibKey } : {}),
  }));
}

describe('checkCitations', () => {
  it('warns on a key in neither the .bib nor the library, on exactly its characters', () => {
    const text = 'As shown~\\citep[p.~3]{vaswani2017attention, nobody2020}.';
    const problems = checkCitations(findCitations(text, 'latex'), {
      flavor: 'latex', bibEntries: scanBibEntries(BIB), hasBibliography: true, library: (k) => LIBRARY[k],
    });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, 'unknown');
    assert.equal(text.slice(problems[0]!.span.start, problems[0]!.span.end), 'nobody2020');
  });

  it('reports a library key missing from the .bib, and one the .bib holds under another key', () => {
    assert.deepEqual(check('\\cite{singh2024tokenization,lee2023teaching}\n\\citet{wu2016google}', 'latex'), [
      { kind: 'missing-entry', key: 'singh2024tokenization', at: 'singh2024tokenization' },
      { kind: 'other-key', key: 'lee2023teaching', at: 'lee2023teaching', bibKey: 'teaching' },
      { kind: 'other-key', key: 'wu2016google', at: 'wu2016google', bibKey: 'Wu2016' },
    ]);
  });

  it('accepts .bib keys in another case, as BibTeX does', () => {
    assert.deepEqual(check('\\cite{wu2016}', 'latex'), []);
  });

  it('reports every occurrence of a repeated key', () => {
    const found = check('[@nobody] and again @nobody.', 'markdown');
    assert.deepEqual(found.map((p) => p.at), ['nobody', 'nobody']);
  });

  it('skips \\nocite{*}, citations still being typed, and keys across lines', () => {
    assert.deepEqual(check('\\nocite{*}\n\\cite{vaswani2017attention,\n  nobody}\n\n\\cite{half', 'latex').map((p) => p.key), ['nobody']);
  });

  it('leaves Markdown e-mails, code spans, code blocks and cross-references alone', () => {
    const text = [
      'Mail me@example.org about `@nobody` and see @fig:plot, @tbl-results and @sec-intro.',
      '',
      '```',
      '@nobody2',
      '```',
      '',
      'But [@nobody3] is a citation.',
    ].join('\n');
    assert.deepEqual(check(text, 'markdown').map((p) => p.key), ['nobody3']);
  });

  it('in Markdown without a bibliography reports only library keys (other @names are mentions)', () => {
    const found = check('Thanks @octocat; see [@lee2023teaching].', 'markdown', { hasBibliography: false, bibEntries: [] });
    assert.deepEqual(found, [{ kind: 'missing-entry', key: 'lee2023teaching', at: 'lee2023teaching' }]);
  });

  it('in LaTeX without a bibliography still warns on unknown keys', () => {
    assert.deepEqual(check('\\cite{nobody}', 'latex', { hasBibliography: false, bibEntries: [] }).map((p) => p.kind), ['unknown']);
  });
});

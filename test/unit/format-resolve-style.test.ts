import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { citedKeysIn, documentMeta, frontMatterText, metaFromYaml, resolveStyle } from '../../src/core/format/resolve-style';

const doc = (yaml: string, body = 'Text [@a].\n'): string => `---\n${yaml}\n---\n\n${body}`;

describe('resolveStyle', () => {
  it('takes the front matter csl first, relative to the document', () => {
    const resolution = resolveStyle({
      document: documentMeta(doc('csl: styles/my-journal.csl')),
      project: metaFromYaml('csl: project.csl'),
      settings: { citationStyle: 'ieee' },
    });
    assert.deepEqual(resolution.style, { kind: 'file', path: 'styles/my-journal.csl', base: 'document', origin: 'front-matter' });
  });

  it('then the csl of _quarto.yml, relative to the project', () => {
    const resolution = resolveStyle({ document: doc('title: x'), project: 'project:\n  type: book\ncsl: refs/style.csl\n', settings: { citationStyle: 'ieee' } });
    assert.deepEqual(resolution.style, { kind: 'file', path: 'refs/style.csl', base: 'project', origin: 'quarto' });
  });

  it('then the litcite.citationStyle setting, then APA', () => {
    assert.deepEqual(resolveStyle({ document: documentMeta('No front matter.'), settings: { citationStyle: 'MLA' } }).style, { kind: 'bundled', name: 'modern-language-association', origin: 'setting' });
    assert.deepEqual(resolveStyle({ settings: { citationStyle: 'styles/x.csl' } }).style, { kind: 'file', path: 'styles/x.csl', base: 'workspace', origin: 'setting' });
    assert.deepEqual(resolveStyle({ settings: { citationStyle: '' } }).style, { kind: 'bundled', name: 'apa', origin: 'default' });
    assert.deepEqual(resolveStyle({}).style, { kind: 'bundled', name: 'apa', origin: 'default' });
  });

  it('reads a csl set per output format (Quarto), html first', () => {
    const meta = documentMeta(doc('format:\n  pdf:\n    csl: pdf.csl\n  html:\n    csl: html.csl'));
    assert.equal(meta.csl, 'html.csl');
  });

  it('offers the bundled style of the same name as a fallback, also for URLs', () => {
    const file = resolveStyle({ document: documentMeta(doc('csl: ieee.csl')) }).style;
    assert.deepEqual(file, { kind: 'file', path: 'ieee.csl', base: 'document', origin: 'front-matter', bundledFallback: 'ieee' });
    const remote = resolveStyle({ document: documentMeta(doc('csl: https://www.zotero.org/styles/nature')) }).style;
    assert.deepEqual(remote, { kind: 'remote', url: 'https://www.zotero.org/styles/nature', origin: 'front-matter', bundledFallback: 'nature' });
  });

  it('takes the locale from locale:, then lang:, then _quarto.yml, then the setting', () => {
    assert.deepEqual(resolveStyle({ document: documentMeta(doc('lang: de_de\nlocale: fr-FR')) }), { style: { kind: 'bundled', name: 'apa', origin: 'default' }, locale: 'fr-FR', localeOrigin: 'front-matter' });
    assert.equal(resolveStyle({ document: documentMeta(doc('lang: de_de')) }).locale, 'de-DE');
    assert.equal(resolveStyle({ document: documentMeta(doc('title: t')), project: metaFromYaml('lang: nl'), settings: { citationLocale: 'en-GB' } }).locale, 'nl');
    assert.deepEqual(resolveStyle({ settings: { citationLocale: 'en-GB' } }).localeOrigin, 'setting');
    assert.equal(resolveStyle({}).locale, undefined);
  });
});

describe('documentMeta', () => {
  it('reads the options the preview honours', () => {
    const meta = documentMeta(doc([
      'bibliography: [refs.bib, "more refs.json"]',
      'nocite: |',
      '  @extra, @{odd key}',
      'suppress-bibliography: true',
      'reference-section-title: Works cited',
      'link-citations: yes',
      'link-bibliography: false',
    ].join('\n')));
    assert.deepEqual(meta.bibliography, ['refs.bib', 'more refs.json']);
    assert.deepEqual(meta.nocite, { keys: ['extra', 'odd key'], all: false });
    assert.equal(meta.suppressBibliography, true);
    assert.equal(meta.referenceSectionTitle, 'Works cited');
    assert.equal(meta.linkCitations, true);
    assert.equal(meta.linkBibliography, false);
    assert.deepEqual(meta.problems, []);
  });

  it('reads nocite @* and lists of keys', () => {
    assert.deepEqual(documentMeta(doc("nocite: '@*'")).nocite, { keys: [], all: true });
    assert.deepEqual(documentMeta(doc('nocite:\n  - "@a"\n  - "[@b; @c]"')).nocite, { keys: ['a', 'b', 'c'], all: false });
  });

  it('keeps inline references with an id and reports the others', () => {
    const meta = documentMeta(doc('references:\n- id: a\n  title: A\n- title: no id'));
    assert.deepEqual(meta.references, [{ id: 'a', title: 'A' }]);
    assert.deepEqual(meta.problems, ['references item 2 has no id']);
  });

  it('gives defaults without front matter, and for a horizontal rule at the top', () => {
    const defaults = { bibliography: [], nocite: { keys: [], all: false }, suppressBibliography: false, references: [], problems: [] };
    assert.deepEqual(documentMeta('# Title\n'), defaults);
    assert.deepEqual(documentMeta('---\n\nNot front matter\n---\n'), defaults);
  });

  it('finds the front matter text between its fences (also closed by ...)', () => {
    assert.equal(frontMatterText('---\na: 1\nb: 2\n...\nbody'), 'a: 1\nb: 2');
    assert.equal(frontMatterText('---\r\na: 1\r\n---\r\n'), 'a: 1');
    assert.equal(frontMatterText('no'), undefined);
  });
});

describe('citedKeysIn', () => {
  it('follows Pandoc key rules', () => {
    assert.deepEqual(citedKeysIn('@doe99., @Foo_bar--baz, @{https://x.org/a b}, mail@x.org, @*'), ['doe99', 'Foo_bar', 'https://x.org/a b', '*']);
  });
});

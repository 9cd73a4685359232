import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toCslItem } from '../../src/core/format/csl-json';
import { readStyleFacts } from '../../src/core/format/csl-xml';
import { BUNDLED_LOCALES, BUNDLED_STYLES, bundledStyleName, StyleRegistry } from '../../src/core/format/styles';
import { bundledRegistry, CSL_DIR } from '../fixtures/format/setup';
import { BOOK, CHAPTER, CONFERENCE, PREPRINT, THESIS, WORKS } from '../fixtures/format/works';

const fixture = (name: string): string => fs.readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'format', name), 'utf8');
const registry = bundledRegistry();

describe('bundled styles and locales', () => {
  it('ships every bundled style and locale with its CC BY-SA licence notice, and the licence file', () => {
    for (const name of BUNDLED_STYLES) {
      const xml = fs.readFileSync(path.join(CSL_DIR, 'styles', `${name}.csl`), 'utf8');
      assert.match(xml, /<rights license="http:\/\/creativecommons\.org\/licenses\/by-sa\/3\.0\/">/, name);
      const facts = readStyleFacts(xml);
      assert.ok(facts.ok && !facts.facts.parent, `${name} must be an independent style`);
    }
    for (const code of BUNDLED_LOCALES) assert.ok(fs.existsSync(path.join(CSL_DIR, 'locales', `locales-${code}.xml`)), code);
    const licence = fs.readFileSync(path.join(CSL_DIR, 'LICENSE.md'), 'utf8');
    assert.match(licence, /Creative Commons Attribution-ShareAlike 3\.0/);
    assert.match(licence, /citationstyles\.org/i);
  });

  it('registers them by name, with their titles and citation formats', () => {
    assert.deepEqual(registry.styles().map((s) => s.name), [...BUNDLED_STYLES]);
    assert.deepEqual(registry.locales().sort(), [...BUNDLED_LOCALES].sort());
    assert.equal(registry.style('apa')?.title, 'American Psychological Association 7th edition');
    const formats = Object.fromEntries(registry.styles().map((s) => [s.name, s.citationFormat]));
    assert.deepEqual(formats, {
      apa: 'author-date', ieee: 'numeric', 'chicago-author-date': 'author-date', vancouver: 'numeric',
      'harvard-cite-them-right': 'author-date', nature: 'numeric', 'acm-sig-proceedings': 'numeric',
      'modern-language-association': 'author',
    });
    assert.equal(registry.style('ieee')?.numeric, true);
    assert.equal(registry.style('apa')?.numeric, false);
  });

  it('knows the short names people type', () => {
    assert.equal(registry.style('MLA')?.name, 'modern-language-association');
    assert.equal(registry.style('chicago')?.name, 'chicago-author-date');
    assert.equal(bundledStyleName('harvard'), 'harvard-cite-them-right');
    assert.equal(bundledStyleName('ieee.csl'), 'ieee');
    assert.equal(bundledStyleName('constructor'), undefined);
    assert.equal(registry.style('no-such-style'), undefined);
    assert.equal(registry.formatter('no-such-style'), undefined);
  });

  for (const name of BUNDLED_STYLES) {
    it(`${name} formats a book, a chapter, a conference paper, a preprint and a thesis`, () => {
      const formatter = registry.formatter(name)!;
      for (const work of WORKS) {
        const text = formatter.formatEntry(toCslItem(work));
        assert.ok(text.includes(work.author[0]!.family!), `${name}/${work.type}: ${text}`);
        assert.ok(text.toLowerCase().includes(work.title.split(' ').slice(0, 3).join(' ').toLowerCase()), `${name}/${work.type}: ${text}`);
        assert.ok(!/[<>]|undefined|NO_PRINTED_FORM/.test(text), `${name}/${work.type}: ${text}`);
        const html = formatter.formatEntry(toCslItem(work), { format: 'html' });
        assert.ok(html.includes(work.author[0]!.family!), html);
      }
    });
  }

  it('formats the kinds of work the way each style says', () => {
    const apa = registry.formatter('apa')!;
    assert.equal(apa.formatEntry(toCslItem(BOOK)), 'Knuth, D. E. (1984). The TeXbook. Addison-Wesley.');
    assert.equal(apa.formatEntry(toCslItem(BOOK), { format: 'html' }), 'Knuth, D. E. (1984). <i>The TeXbook</i>. Addison-Wesley.');
    assert.match(apa.formatEntry(toCslItem(CHAPTER)), /In G\. Montavon, G\. B\. Orr, & K\.-R\. Müller \(Eds\.\), Neural Networks: Tricks of the Trade \(2nd ed\., pp\. 599–619\)\. Springer\./);
    assert.match(apa.formatEntry(toCslItem(PREPRINT)), /\(arXiv:2307\.03381\)\. arXiv\. https:\/\/doi\.org\/10\.48550\/arXiv\.2307\.03381$/);
    assert.match(apa.formatEntry(toCslItem(THESIS)), /\[PhD thesis\]\. Massachusetts Institute of Technology\.$/);
    const ieee = registry.formatter('ieee')!;
    assert.match(ieee.formatEntry(toCslItem(CONFERENCE)), /^\[1\] A\. Vaswani et al\., “Attention Is All You Need,” in Advances in Neural Information Processing Systems, Long Beach, CA, Dec\. 2017, vol\. 30, pp\. 5998–6008\./);
    assert.match(ieee.formatEntry(toCslItem(THESIS), { label: false }), /^C\. E\. Shannon, “An Algebra for Theoretical Genetics,” PhD thesis/);
  });
});

describe('locales', () => {
  it('resolves requested tags to a bundled locale', () => {
    assert.equal(registry.resolveLocale('de'), 'de-DE');
    assert.equal(registry.resolveLocale('en'), 'en-US');
    assert.equal(registry.resolveLocale('EN_gb'), 'en-GB');
    assert.equal(registry.resolveLocale('fr-CA'), 'fr-FR');
    assert.equal(registry.resolveLocale('pt-BR'), undefined);
    assert.equal(registry.resolveLocale(undefined), undefined);
  });

  it('formats terms and dates in the locale asked for, else in the style\'s own', () => {
    const german = registry.formatter('apa', 'de-DE')!;
    assert.equal(german.locale, 'de-DE');
    assert.match(german.formatEntry(toCslItem(CHAPTER)), /\(Hrsg\.\), Neural Networks: Tricks of the Trade \(2\. Aufl\., S\. 599–619\)/);
    assert.deepEqual(german.formatCitations({ items: [toCslItem(BOOK)], clusters: [{ items: [{ id: BOOK.id, locator: '33', label: 'page' }] }] }).citations, ['(Knuth, 1984, S. 33)']);
    const french = registry.formatter('chicago-author-date', 'fr')!;
    assert.match(french.formatEntry(toCslItem(CHAPTER)), /«\sA Practical Guide to Training Restricted Boltzmann Machines\s»\. In Neural Networks: Tricks of the Trade, édité par/);
    assert.equal(registry.formatter('harvard-cite-them-right')!.locale, 'en-GB');
    assert.equal(registry.formatter('apa', 'xx-YY')!.locale, 'en-US');
  });

  it('rejects a file that is not a CSL locale', () => {
    const result = new StyleRegistry().addLocale('<locale><terms/></locale>', 'bad.xml');
    assert.deepEqual(result, { ok: false, error: { file: 'bad.xml', line: 1, message: 'not a CSL locale (<locale xml:lang="…">)' } });
  });
});

describe('user styles', () => {
  it('registers a .csl file under a name unique to its text, and formats with it', () => {
    const local = bundledRegistry();
    const xml = fixture('minimal.csl');
    const first = local.addStyleFile('/work/styles/minimal.csl', xml);
    assert.ok(first.ok);
    assert.match(first.style.name, /^minimal@[0-9a-f]{8}$/);
    assert.equal(first.style.title, 'LitCite Test Minimal');
    assert.equal(first.style.numeric, true);
    assert.equal(first.style.file, '/work/styles/minimal.csl');
    const again = local.addStyleFile('/work/styles/minimal.csl', xml);
    assert.ok(again.ok && again.style.name === first.style.name);
    const formatter = local.formatter(first.style.name)!;
    assert.equal(formatter.locale, 'en-GB');
    assert.equal(formatter.formatEntry(toCslItem(BOOK)), '1 Knuth: The TeXbook.');
    assert.deepEqual(formatter.formatCitations({ items: [toCslItem(BOOK)], clusters: [{ items: [{ id: BOOK.id }] }] }).citations, ['<1>']);
  });

  it('replaces an edited file\'s earlier version', () => {
    const local = bundledRegistry();
    const first = local.addStyleFile('a/minimal.csl', fixture('minimal.csl'));
    const edited = local.addStyleFile('a/minimal.csl', fixture('minimal.csl').replace('suffix=" "', 'suffix=". "'));
    assert.ok(first.ok && edited.ok);
    assert.notEqual(first.style.name, edited.style.name);
    assert.equal(local.style(first.style.name), undefined);
    assert.equal(local.formatter(edited.style.name)!.formatEntry(toCslItem(BOOK)), '1. Knuth: The TeXbook.');
  });

  it('formats a dependent style with its bundled parent', () => {
    const local = bundledRegistry();
    const result = local.addStyleFile('journal.csl', fixture('dependent-nature.csl'));
    assert.ok(result.ok);
    assert.equal(result.style.title, 'LitCite Test Journal (Nature style)');
    assert.equal(result.style.parentName, 'nature');
    assert.equal(result.style.defaultLocale, 'en-US');
    const item = toCslItem(BOOK);
    assert.equal(local.formatter(result.style.name)!.formatEntry(item), registry.formatter('nature', 'en-US')!.formatEntry(item));
  });

  it('gives one clear error naming the file for a style it cannot use', () => {
    const local = bundledRegistry();
    const cases: Array<[string, string, RegExp]> = [
      ['broken.csl', fixture('broken.csl'), /^not well-formed XML: <\/infos> closes <info> \(line 3\)$/],
      ['empty.csl', '', /^not well-formed XML: no XML element found$/],
      ['page.csl', '<html><body>Not found</body></html>', /^the root element is <html>, not a CSL <style>$/],
      ['json.csl', '{"style": "apa"}', /^not well-formed XML: text before the root element$/],
      ['no-citation.csl', fixture('minimal.csl').replace(/<citation>[\s\S]*<\/citation>/, ''), /^the style has no <citation> element$/],
      ['orphan.csl', fixture('dependent-nature.csl').replace('styles/nature', 'styles/unknown-journal'), /^depends on https:\/\/www\.zotero\.org\/styles\/unknown-journal, which is not one of the bundled styles/],
      ['truncated.csl', fixture('minimal.csl').slice(0, 400), /^not well-formed XML: /],
    ];
    for (const [file, xml, message] of cases) {
      const result = local.addStyleFile(file, xml);
      assert.ok(!result.ok, file);
      assert.equal(result.error.file, file);
      assert.match(result.error.message, message, `${file}: ${result.error.message}`);
    }
    assert.equal((local.addStyleFile('broken.csl', fixture('broken.csl')) as { error: { line: number } }).error.line, 5);
    assert.equal(local.styles().length, BUNDLED_STYLES.length);
  });
});

describe('engines', () => {
  it('never mix styles or locales: interleaved formatting gives each style its own output', () => {
    const local = bundledRegistry();
    const item = toCslItem(CHAPTER);
    const combos: Array<[string, string | undefined]> = [['apa', undefined], ['ieee', undefined], ['apa', 'de-DE'], ['chicago-author-date', undefined], ['nature', 'fr-FR']];
    const first = combos.map(([style, locale]) => local.formatter(style, locale)!.formatEntry(toCslItem(CHAPTER)));
    assert.equal(new Set(first).size, combos.length);
    for (let round = 0; round < 3; round++) {
      combos.forEach(([style, locale], i) => {
        assert.equal(local.formatter(style, locale)!.formatEntry({ ...item }), first[i]);
        const citation = local.formatter(style, locale)!.formatCitations({ items: [item], clusters: [{ items: [{ id: item.id }] }] }).citations[0];
        assert.ok(citation, `${style} ${locale}`);
      });
    }
  });

  it('keeps one formatter per style and locale', () => {
    assert.equal(registry.formatter('apa'), registry.formatter('apa'));
    assert.equal(registry.formatter('apa', 'de'), registry.formatter('apa', 'de-DE'));
    assert.notEqual(registry.formatter('apa'), registry.formatter('apa', 'de-DE'));
  });
});

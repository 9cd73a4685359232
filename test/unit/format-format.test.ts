import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toCslItem, type CslItem } from '../../src/core/format/csl-json';
import { htmlToText, sanitizeFormattedHtml } from '../../src/core/format/html';
import { splitLocator } from '../../src/core/format/locator';
import { bundledRegistry } from '../fixtures/format/setup';
import { BOOK, CHAPTER, CONFERENCE, PREPRINT, THESIS } from '../fixtures/format/works';

const registry = bundledRegistry();
const apa = registry.formatter('apa')!;
const ieee = registry.formatter('ieee')!;
const [book, chapter, conference, preprint, thesis] = [BOOK, CHAPTER, CONFERENCE, PREPRINT, THESIS].map(toCslItem) as [CslItem, CslItem, CslItem, CslItem, CslItem];
const items = [book, chapter, conference, preprint, thesis];

describe('formatBibliography', () => {
  it('orders entries as the style sorts them, or as given', () => {
    const ids = (entries: Array<{ id: string }>): string[] => entries.map((e) => e.id);
    const given = [thesis, book, conference];
    assert.deepEqual(ids(apa.formatBibliography(given)), ['knuth1984texbook', 'shannon1940algebra', 'vaswani2017attention']);
    assert.deepEqual(ids(apa.formatBibliography(given, { order: 'given' })), ['shannon1940algebra', 'knuth1984texbook', 'vaswani2017attention']);
    const numbered = ieee.formatBibliography(given, { order: 'given' });
    assert.deepEqual(numbered.map((e) => e.content.slice(0, 3)), ['[1]', '[2]', '[3]']);
    assert.equal(numbered[0]!.id, 'shannon1940algebra');
  });

  it('gives HTML without the entry wrapper, and the same text as plain text', () => {
    const [entry] = ieee.formatBibliography([book], { format: 'html' });
    assert.equal(entry!.content, '<div class="csl-left-margin">[1]</div><div class="csl-right-inline">D. E. Knuth, <i>The TeXbook</i>. Reading, MA: Addison-Wesley, 1984.</div>');
    assert.equal(htmlToText(entry!.content), ieee.formatBibliography([book])[0]!.content);
    assert.equal(ieee.formatBibliography([book], { format: 'html', label: false })[0]!.content, 'D. E. Knuth, <i>The TeXbook</i>. Reading, MA: Addison-Wesley, 1984.');
  });

  it('links URLs and DOIs in HTML entries', () => {
    const [entry] = apa.formatBibliography([chapter], { format: 'html' });
    assert.match(entry!.content, /<a href="https:\/\/doi\.org\/10\.1007\/978-3-642-35289-8_32">https:\/\/doi\.org\/10\.1007\/978-3-642-35289-8_32<\/a>$/);
  });

  it('writes "et al." for an author list that ended in `and others`', () => {
    const etAl = toCslItem({ ...BOOK, author: [{ family: 'Knuth', given: 'Donald E.' }, { family: 'Plass', given: 'Michael' }], authorEtAl: true });
    assert.equal(ieee.formatEntry(etAl, { label: false }), 'D. E. Knuth, M. Plass, and et al., The TeXbook. Reading, MA: Addison-Wesley, 1984.');
    assert.deepEqual(apa.formatCitations({ items: [etAl], clusters: [{ items: [{ id: etAl.id }] }] }).citations, ['(Knuth et al., 1984)']);
  });
});

describe('formatCitations', () => {
  it('formats clusters of several works with locators, prefixes, suffixes and suppressed authors', () => {
    const result = apa.formatCitations({
      items,
      clusters: [
        { items: [{ id: book.id, prefix: 'see', locator: '33', label: 'page' }] },
        { items: [{ id: conference.id, locator: '33-35', label: 'page', suffix: 'and <i>passim</i>' }, { id: chapter.id, locator: '3', label: 'chapter' }] },
        { items: [{ id: preprint.id, suppressAuthor: true }] },
        { items: [{ id: thesis.id, locator: '12' }], inText: true },
      ],
    });
    assert.deepEqual(result.citations, [
      '(see Knuth, 1984, p. 33)',
      '(Hinton, 2012, Chapter 3; Vaswani et al., 2017, pp. 33–35 and passim)',
      '(2023)',
      'Shannon (1940, p. 12)',
    ]);
    assert.deepEqual(result.bibliography.map((e) => e.id), ['hinton2012practical', 'knuth1984texbook', 'lee2023teaching', 'shannon1940algebra', 'vaswani2017attention']);
  });

  it('numbers numeric styles by first citation, puts nocite works after the cited ones, and cites in-text mentions by number', () => {
    const result = ieee.formatCitations({
      items,
      clusters: [
        { items: [{ id: thesis.id }] },
        { items: [{ id: book.id }, { id: thesis.id }, { id: conference.id }] },
        { items: [{ id: book.id, locator: '3' }], inText: true },
      ],
      nocite: [preprint.id],
    });
    assert.deepEqual(result.citations, ['[1]', '[1]–[3]', '[2, p. 3]']);
    assert.deepEqual(result.bibliography.map((e) => e.content.slice(0, 3) + e.id), ['[1]shannon1940algebra', '[2]knuth1984texbook', '[3]vaswani2017attention', '[4]lee2023teaching']);
  });

  it('disambiguates across the whole document, letters following the bibliography\'s order', () => {
    const twin = { ...book, id: 'knuth1984b', title: 'Another Book' };
    const result = apa.formatCitations({ items: [book, twin], clusters: [{ items: [{ id: book.id }] }, { items: [{ id: twin.id }] }] });
    assert.deepEqual(result.citations, ['(Knuth, 1984b)', '(Knuth, 1984a)']);
  });

  it('links each work of a citation to its entry in HTML', () => {
    const linked = (formatter = apa, clusters = [{ items: [{ id: book.id }] }, { items: [{ id: book.id }, { id: conference.id }] }]): string[] =>
      formatter.formatCitations({ items, clusters, format: 'html', linkCitations: true, bibliography: false }).citations;
    assert.deepEqual(linked(), [
      '<a href="#ref-knuth1984texbook" role="doc-biblioref">(Knuth, 1984)</a>',
      '(<a href="#ref-knuth1984texbook" role="doc-biblioref">Knuth, 1984</a>; <a href="#ref-vaswani2017attention" role="doc-biblioref">Vaswani et al., 2017</a>)',
    ]);
    assert.deepEqual(linked(ieee, [{ items: [{ id: book.id }, { id: chapter.id }, { id: conference.id }] }]), [
      '[<a href="#ref-knuth1984texbook" role="doc-biblioref">1</a>]–[<a href="#ref-vaswani2017attention" role="doc-biblioref">3</a>]',
    ]);
    assert.deepEqual(apa.formatCitations({ items, clusters: [{ items: [{ id: book.id }], inText: true }], format: 'html', linkCitations: true }).citations,
      ['Knuth <a href="#ref-knuth1984texbook" role="doc-biblioref">(1984)</a>']);
  });

  it('leaves out ids it was given no item for', () => {
    const result = apa.formatCitations({ items: [book], clusters: [{ items: [{ id: 'nobody' }] }, { items: [{ id: 'nobody' }, { id: book.id }] }], nocite: ['nobody'] });
    assert.deepEqual(result.citations, ['', '(Knuth, 1984)']);
    assert.deepEqual(result.bibliography.map((e) => e.id), [book.id]);
  });

  it('formats only within a time budget, leaving the rest pending for the next call', () => {
    const formatter = registry.formatter('chicago-author-date')!;
    const clusters = items.map((item, i) => ({ items: [{ id: item.id, locator: String(900 + i) }] }));
    const none = formatter.formatCitations({ items, clusters, budgetMs: 0 });
    assert.deepEqual(none.pending, [0, 1, 2, 3, 4]);
    assert.deepEqual(none.citations, ['', '', '', '', '']);
    assert.equal(none.bibliography.length, 5);
    const all = formatter.formatCitations({ items, clusters, budgetMs: 10_000 });
    assert.deepEqual(all.pending, []);
    assert.equal(all.citations[0], '(Knuth 1984, 900)');
    assert.deepEqual(formatter.formatCitations({ items, clusters, budgetMs: 0 }).pending, [], 'formatted clusters come from the cache');
  });

  it('reuses formatted citations for equal items given as new objects, and in sorted styles after a new first citation', () => {
    const formatter = registry.formatter('harvard-cite-them-right')!;
    const clusters = [{ items: [{ id: chapter.id, locator: '77' }] }, { items: [{ id: book.id, locator: '78' }] }];
    formatter.formatCitations({ items, clusters });
    const copies = items.map((item) => structuredClone(item));
    assert.deepEqual(formatter.formatCitations({ items: copies, clusters: [...clusters].reverse(), budgetMs: 0 }).pending, []);
    assert.deepEqual(ieee.formatCitations({ items, clusters }).pending, []);
    assert.deepEqual(ieee.formatCitations({ items, clusters: [...clusters].reverse(), budgetMs: 0 }).pending, [0, 1], 'numbers follow first citation');
  });

  it('renders the same request from its cache, and again after the items change', () => {
    const request = { items, clusters: [{ items: [{ id: book.id }] }, { items: [{ id: chapter.id, locator: '9' }] }] };
    const first = apa.formatCitations(request);
    const start = performance.now();
    const again = apa.formatCitations(request);
    assert.ok(performance.now() - start < 20);
    assert.deepEqual(again, first);
    const renamed = { ...book, author: [{ family: 'Lamport', given: 'Leslie' }] };
    assert.deepEqual(apa.formatCitations({ ...request, items: [renamed, ...items.slice(1)] }).citations, ['(Lamport, 1984)', '(Hinton, 2012, p. 9)']);
  });
});

/** Every literal tag formatted output may hold. */
const ALLOWED_TAG = /^<(?:\/?(?:i|b|sup|sub|span|div|a)|span style="[a-z:;-]+"|span class="(?:nocase|nodecor)"|div class="csl-[a-z-]+"|a href="(?:https?:\/\/[^"\s<>]+|#ref-[^"\s<>]*)"(?: role="doc-biblioref")?)>$/;

describe('HTML safety', () => {
  const hostile = toCslItem({
    ...BOOK, id: 'x"><script>alert(1)</script>',
    title: 'Title <script>alert("t")</script> <img src=x onerror=alert(1)> & <i>ok</i> <a href="javascript:alert(1)">x</a>',
    author: [{ family: '<b onclick="alert(1)">Evil</b>', given: '"><svg onload=alert(1)>' }],
    publisher: '</div></div><div style="position:fixed">',
    URL: 'javascript:alert(1)//https://x.org/"onmouseover="alert(1)',
  });

  for (const style of ['apa', 'ieee', 'modern-language-association']) {
    it(`lets no markup from a paper through (${style})`, () => {
      const formatter = registry.formatter(style)!;
      const outputs = [
        ...formatter.formatBibliography([hostile], { format: 'html' }).map((e) => e.content),
        ...formatter.formatCitations({ items: [hostile, book], clusters: [{ items: [{ id: hostile.id, prefix: '<script>p</script>', suffix: '<img src=x>' }, { id: book.id }] }], format: 'html', linkCitations: true }).citations,
      ];
      for (const html of outputs) {
        for (const [tag] of html.matchAll(/<[^<>]*>/g)) assert.match(tag, ALLOWED_TAG, html);
        assert.ok(html.includes('&#60;script&#62;') || html.includes('&lt;script&gt;'), 'the title is shown as text');
        assert.equal(sanitizeFormattedHtml(html), html, 'output is already in sanitised form');
      }
    });
  }

  it('keeps citeproc\'s markup and escapes everything else', () => {
    assert.equal(sanitizeFormattedHtml('<i>a</i> <b>b</b> <span style="font-variant:small-caps;">c</span> <sup>1</sup> &#38; &amp;'),
      '<i>a</i> <b>b</b> <span style="font-variant:small-caps;">c</span> <sup>1</sup> &#38; &amp;');
    assert.equal(sanitizeFormattedHtml('<script>x</script> & <i onclick="y">z</i> <a href="javascript:x">l</a>'),
      '&lt;script&gt;x&lt;/script&gt; &amp; &lt;i onclick="y"&gt;z&lt;/i&gt; &lt;a href="javascript:x"&gt;l&lt;/a&gt;');
    assert.equal(sanitizeFormattedHtml('</div><div class="csl-entry"><i>open'), '&lt;/div&gt;<div class="csl-entry"><i>open</i></div>');
    assert.equal(sanitizeFormattedHtml('<a href="https://x.org/?a=1&#38;b=2">u</a>'), '<a href="https://x.org/?a=1&amp;b=2">u</a>');
  });

  it('stays linear on hostile markup', () => {
    for (const text of ['<i a="'.repeat(100_000), '<'.repeat(300_000), '&'.repeat(300_000), '<i>'.repeat(100_000), `<a href="${'x'.repeat(300_000)}`]) {
      const start = performance.now();
      sanitizeFormattedHtml(text);
      htmlToText(text);
      assert.ok(performance.now() - start < 1000, `${performance.now() - start} ms`);
    }
  });
});

describe('splitLocator', () => {
  const terms = apa.locatorTerms();
  const german = registry.formatter('apa', 'de-DE')!.locatorTerms();
  const cases: Array<[string, ReturnType<typeof splitLocator>]> = [
    [', p. 33', { locator: '33', label: 'page', suffix: '' }],
    [', pp. 33-35 and *passim*', { locator: '33-35', label: 'page', suffix: 'and *passim*' }],
    [', 33, 35-37, and nowhere else', { locator: '33, 35-37', label: 'page', suffix: ', and nowhere else' }],
    [' p. 33', { locator: '33', label: 'page', suffix: '' }],
    [', chap. 3, fig. 2', { locator: '3', label: 'chapter', suffix: ', fig. 2' }],
    [', chapter 3', { locator: '3', label: 'chapter', suffix: '' }],
    [', §3', { locator: '3', label: 'section', suffix: '' }],
    [', sec. 4.2', { locator: '4', label: 'section', suffix: '.2' }],
    [', pp. iv-v', { locator: 'iv-v', label: 'page', suffix: '' }],
    [', p. {iv, 3-5}', { locator: 'iv, 3-5', label: 'page', suffix: '' }],
    [', 12a', { locator: '12a', label: 'page', suffix: '' }],
    [', xii', { suffix: ', xii' }],
    [' and nowhere else', { suffix: 'and nowhere else' }],
    [', vol. 2', { locator: '2', label: 'volume', suffix: '' }],
    ['', { suffix: '' }],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(splitLocator(text, terms), expected));
  }
  it('reads the locale\'s own labels', () => {
    assert.deepEqual(splitLocator(', S. 33', german), { locator: '33', label: 'page', suffix: '' });
    assert.deepEqual(splitLocator(', Kap. 2', german), { locator: '2', label: 'chapter', suffix: '' });
    assert.deepEqual(splitLocator(', p. 2', german), { locator: '2', label: 'page', suffix: '' });
  });
});

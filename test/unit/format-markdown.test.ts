import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import type { DocumentMeta } from '../../src/core/format/resolve-style';
import { pandocCitations, type PandocCitationOptions, type ReferenceRequest } from '../../src/core/markdown/pandoc-citations';
import type { Paper } from '../../src/core/types';
import { bundledPapers, bundledRegistry } from '../fixtures/format/setup';

const registry = bundledRegistry();
const library = new Map(bundledPapers().map((p) => [p.id, p]));
const fixture = fs.readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'format', 'document.md'), 'utf8');

interface Harness {
  md: MarkdownIt.MarkdownIt;
  requests: ReferenceRequest[];
  metas: DocumentMeta[];
  envs: unknown[];
}

/** markdown-it as VS Code's preview configures it, with the plugin resolving keys against the bundled library. */
function harness(overrides: Partial<PandocCitationOptions> = {}, declared: Paper[] = []): Harness {
  const h: Harness = { md: new MarkdownIt({ html: true, linkify: true }), requests: [], metas: [], envs: [] };
  h.md.use(pandocCitations, {
    resolve(request, env) {
      h.requests.push(request);
      h.envs.push(env);
      const found = request.keys.map((k) => library.get(k)).filter((p): p is Paper => !!p);
      return request.all ? [...found, ...declared] : found;
    },
    style(meta) {
      h.metas.push(meta);
      const name = meta.csl ? meta.csl.replace(/\.csl$/, '') : 'apa';
      return { formatter: registry.formatter(name, meta.locale)! };
    },
    ...overrides,
  } satisfies PandocCitationOptions);
  return h;
}

/** Every literal tag in the output, for checking that nothing from a paper became markup. */
const tags = (html: string): string[] => [...html.matchAll(/<[^<>]*>/g)].map((m) => m[0]);

describe('pandocCitations on a fixture document', () => {
  const h = harness();
  const html = h.md.render(fixture, { currentDocument: 'file:///doc.md' });

  it('renders citations in the document\'s style, linked to their entries', () => {
    assert.match(html, /Parenthetical <span class="citation" data-cites="lee2023teaching"><a href="#ref-lee2023teaching" role="doc-biblioref">\(Lee et al\., 2024\)<\/a><\/span>\./);
    assert.match(html, /Several <span class="citation" data-cites="carson2025pychop inline2020">\(<a href="#ref-carson2025pychop" role="doc-biblioref">see Carson &#38; Chen, 2025, pp\. 33–35 and <i>passim<\/i><\/a>; <a href="#ref-inline2020" role="doc-biblioref">Inline, 2020, Chapter 2<\/a>\)<\/span>/);
    assert.match(html, /In text: <span class="citation" data-cites="lee2023teaching">Lee et al\. <a href="#ref-lee2023teaching" role="doc-biblioref">\(2024\)<\/a><\/span> says, and <span class="citation" data-cites="inline2020">Inline <a href="#ref-inline2020" role="doc-biblioref">\(2020, p\. 4\)<\/a><\/span> agrees/);
    assert.match(html, /Suppressed <span class="citation" data-cites="carson2025pychop"><a href="#ref-carson2025pychop" role="doc-biblioref">\(2025\)<\/a><\/span>/);
    assert.match(html, /Braced <span class="citation" data-cites="inline2020">Inline <a href="#ref-inline2020" role="doc-biblioref">\(2020\)<\/a><\/span>/);
  });

  it('marks unknown keys visibly instead of dropping them', () => {
    assert.match(html, /Unknown <span class="citation" data-cites="nosuchkey"><span class="litcite-unknown" title="No entry for “nosuchkey” in the document&#39;s bibliography or the library">@nosuchkey\?<\/span><\/span>/);
    assert.match(html, /and <span class="citation" data-cites="alsounknown"><span class="litcite-unknown" [^>]*>@alsounknown\?<\/span><\/span>/);
  });

  it('puts the titled reference list where the document asks, with nocite and inline references', () => {
    const refs = html.indexOf('<div id="refs" class="references csl-bib-body" role="list">');
    assert.ok(refs > 0 && refs < html.indexOf('<h2>Appendix</h2>'));
    assert.ok(html.includes('<h1 class="litcite-references-title">Works <em>Cited</em></h1>\n<div id="refs"'));
    const ids = [...html.slice(refs).matchAll(/<div id="ref-([^"]+)" class="csl-entry" role="listitem">/g)].map((m) => m[1]);
    // APA sorts by author: the hostile family name starts with `<`
    assert.deepEqual(ids, ['hostile', 'ai2022pulsedl', 'carson2025pychop', 'inline2020', 'lee2023teaching']);
    // Markdown emphasis in an inline reference's title, flipped to roman inside APA's italic book title
    assert.match(html, /<div id="ref-inline2020" class="csl-entry" role="listitem">Inline, A\. \(2020\)\. <i>An <span style="font-style:normal;">Inline<\/span> Book<\/i>\. Front Matter Press\.<\/div>/);
    assert.ok(!html.includes('&lt;div id="refs"'));
  });

  it('leaves code spans, code blocks and e-mail addresses alone, and hides the front matter', () => {
    assert.match(html, /<code>\[@lee2023teaching\]<\/code> in code stays/);
    assert.match(html, /<pre><code>\[@carson2025pychop\] indented code\n<\/code><\/pre>/);
    assert.match(html, /<pre><code>@lee2023teaching in a fence\n<\/code><\/pre>/);
    assert.match(html, /E-mail <a href="mailto:someone@example\.org">someone@example\.org<\/a>;/);
    assert.ok(!html.includes('Formatting fixture') && !html.includes('<hr>'));
    assert.ok(html.startsWith('<h1>Citations</h1>'));
  });

  it('lets nothing from a paper become markup', () => {
    for (const tag of tags(html)) {
      assert.doesNotMatch(tag, /^<(?:script|img|svg|style|iframe)|\son\w+=|href="javascript/i, tag);
    }
    assert.match(html, /&#60;script&#62;alert\(.title’\)&#60;\/script&#62; &#38; &#60;img src=x onerror=alert\(1\)&#62;/);
    assert.match(html, /\(&#60;b onmouseover=alert\(1\)&#62;Evil&#60;\/b&#62;, 2021\)/);
  });

  it('asks for the keys the front matter does not define, with the renderer\'s env', () => {
    assert.deepEqual(h.requests[0]!.keys, ['lee2023teaching', 'carson2025pychop', 'nosuchkey', 'alsounknown', 'ai2022pulsedl']);
    assert.equal(h.requests[0]!.all, false);
    assert.deepEqual(h.envs[0], { currentDocument: 'file:///doc.md' });
    assert.deepEqual(h.metas[0]!.bibliography, ['refs.bib']);
  });
});

describe('pandocCitations options', () => {
  const render = (text: string, h = harness()): string => h.md.render(text);

  it('appends the reference list at the end without a placeholder, untitled', () => {
    const html = render('Text [@lee2023teaching].\n\n# Last\n');
    assert.ok(/<h1>Last<\/h1>\n<div id="refs" class="references csl-bib-body" role="list">\n<div id="ref-lee2023teaching" [^>]*>Lee, N\., .*<\/div>\n<\/div>\n$/.test(html), html);
  });

  it('uses a ::: {#refs} fenced div as the placeholder', () => {
    const html = render('A [@lee2023teaching].\n\n::: {#refs}\n:::\n\nAfter.\n');
    assert.ok(html.indexOf('<div id="refs"') < html.indexOf('<p>After.</p>'));
    assert.ok(!html.includes(':::'));
  });

  it('honours suppress-bibliography', () => {
    const html = render('---\nsuppress-bibliography: true\n---\n\nA [@lee2023teaching].\n');
    assert.ok(html.includes('(Lee et al., 2024)'));
    assert.ok(!html.includes('id="refs"'));
  });

  it('links citations only when link-citations says so, or the option does', () => {
    assert.ok(!render('A [@lee2023teaching].\n').includes('href="#ref-'));
    assert.ok(render('A [@lee2023teaching].\n', harness({ linkCitations: true })).includes('href="#ref-lee2023teaching"'));
    assert.ok(!render('---\nlink-citations: false\n---\nA [@lee2023teaching].\n', harness({ linkCitations: true })).includes('href="#ref-'));
  });

  it('lists every declared entry for nocite @*, numbering cited works first', () => {
    const declared = [library.get('ai2022pulsedl')!, library.get('carson2025pychop')!];
    const h = harness({}, declared);
    const html = render('---\ncsl: ieee.csl\nnocite: "@*"\n---\nSee [@lee2023teaching; @carson2025pychop].\n', h);
    assert.equal(h.requests[0]!.all, true);
    assert.match(html, /See <span class="citation" data-cites="lee2023teaching carson2025pychop">\[1\], \[2\]<\/span>/);
    const entries = [...html.matchAll(/id="ref-([^"]+)"[^>]*><div class="csl-left-margin">\[(\d)\]/g)].map((m) => `${m[2]}:${m[1]}`);
    assert.deepEqual(entries, ['1:lee2023teaching', '2:carson2025pychop', '3:ai2022pulsedl']);
  });

  it('renders a reference list for nocite alone', () => {
    const html = render('---\nnocite: "@lee2023teaching"\n---\nNo citations here.\n');
    assert.match(html, /<div id="ref-lee2023teaching"/);
  });

  it('formats in the front matter\'s locale', () => {
    const html = render('---\nlang: de-DE\n---\n[@lee2023teaching, p. 3; @carson2025pychop, S. 4]\n');
    assert.match(html, /\(Carson &#38; Chen, 2025, S\. 4; Lee et al\., 2024, S\. 3\)/);
  });

  it('reads the front matter when another rule hides it first, as VS Code\'s markdown-it-front-matter does', () => {
    const h = harness();
    h.md.block.ruler.before('fence', 'front_matter', (state, startLine, _end, silent) => {
      if (startLine !== 0 || !state.src.startsWith('---\n')) return false;
      const close = state.src.indexOf('\n---\n', 3);
      if (close < 0) return false;
      if (!silent) state.push('front_matter', '', 0).hidden = true;
      state.line = state.src.slice(0, close + 5).split('\n').length - 1;
      return true;
    });
    const html = h.md.render('---\nsuppress-bibliography: true\nlink-citations: true\n---\nA [@lee2023teaching].\n');
    assert.ok(html.includes('href="#ref-lee2023teaching"') && !html.includes('id="refs"'));
  });

  it('formats again when the same tokens are rendered after the bibliography changed', () => {
    let year = 2001;
    const h = harness({
      resolve: (request) => request.keys.map((id) => ({ id, type: 'book', title: 'T', author: [{ family: 'Doe', given: 'J.' }], issued: { 'date-parts': [[year]] } })),
    });
    const tokens = h.md.parse('A [@doe].\n', {});
    assert.ok(h.md.renderer.render(tokens, h.md.options, {}).includes('(Doe, 2001)'));
    year = 2002;
    assert.ok(h.md.renderer.render(tokens, h.md.options, {}).includes('(Doe, 2002)'));
  });

  it('leaves citations pending beyond its time budget and resumes them when asked', () => {
    const resumes: Array<(ms: number) => boolean> = [];
    const h = harness({ budgetMs: 0, onPending: (resume) => resumes.push(resume) });
    const text = 'A [@lee2023teaching, p. 4242] and [@carson2025pychop, p. 4343].\n';
    const first = h.md.render(text);
    assert.match(first, /<span class="citation litcite-pending" data-cites="lee2023teaching">\[@lee2023teaching, p\. 4242\]<\/span>/);
    assert.match(first, /<div id="ref-lee2023teaching"/, 'the reference list is complete');
    assert.equal(resumes.length, 1);
    assert.equal(resumes[0]!(10_000), true);
    const second = h.md.render(text);
    assert.match(second, /\(Lee et al\., 2024, p\. 4242\)/);
    assert.equal(resumes.length, 1, 'nothing was pending the second time');
  });

  it('shows citations as written, with a notice, when formatting fails or no style is available', () => {
    const failing = render('A [@lee2023teaching].\n', harness({ style: () => { throw new Error('boom'); } }));
    assert.match(failing, /<span class="citation litcite-unformatted">\[@lee2023teaching\]<\/span>/);
    assert.match(failing, /<div class="litcite-notice" role="note">Citations could not be formatted: boom<\/div>/);
    const none = render('A [@lee2023teaching].\n', harness({ style: () => undefined }));
    assert.match(none, /<span class="citation litcite-unformatted">\[@lee2023teaching\]<\/span>/);
    const noticed = render('A [@lee2023teaching].\n', harness({ style: () => ({ formatter: registry.formatter('apa')!, notice: 'x.csl: <bad> — using APA' }) }));
    assert.match(noticed, /<div class="litcite-notice" role="note">x\.csl: &lt;bad&gt; — using APA<\/div>/);
  });

  it('leaves links, reference links and e-mail-like text alone', () => {
    const html = render('[@lee2023teaching](https://x.org) and [@ref] and foo@lee2023teaching and https://x.org/@lee2023teaching\n\n[@ref]: https://y.org\n');
    assert.ok(html.includes('<a href="https://x.org">@lee2023teaching</a>'));
    assert.ok(html.includes('<a href="https://y.org">@ref</a>'));
    assert.ok(!html.includes('class="citation"'), html);
  });

  it('reads Pandoc\'s key rules: trailing punctuation is not part of a key', () => {
    const html = render('As @lee2023teaching. Also @lee2023teaching--x and [@{lee2023teaching}].\n');
    assert.equal((html.match(/data-cites="lee2023teaching"/g) ?? []).length, 3);
  });
});

describe('pandocCitations on large and hostile input', () => {
  const time = (md: MarkdownIt.MarkdownIt, text: string): number => {
    const start = performance.now();
    md.render(text);
    return performance.now() - start;
  };

  it('renders a 1 MB adversarial document in bounded time', () => {
    const plain = new MarkdownIt({ html: true, linkify: true });
    const h = harness();
    // 125 KB of each shape that makes citation scanners backtrack or rescan, each one paragraph,
    // after 125 KB of front matter: quadratic work on any of them would take minutes
    const part = 125_000;
    const fill = (unit: string): string => unit.repeat(Math.ceil(part / unit.length)).slice(0, part);
    const shapes = [
      fill('[see @lee2023teaching; '), `@${fill('a')}`, `@a${fill('.-')}`, fill('@{'), fill('@x ['),
      fill('@k1 @k2 [@k3; @k4] '), fill('[@'), fill('\\@\\['),
    ];
    const text = `---\nreferences:\n${fill('- id: a\n  title: b\n')}---\n\n${shapes.join('\n\n')}\n`;
    assert.ok(text.length > 1_000_000);
    const withPlugin = time(h.md, text);
    const without = time(plain, text);
    console.log(`1 MB adversarial document: ${withPlugin.toFixed(0)} ms with the plugin, ${without.toFixed(0)} ms without`);
    assert.ok(withPlugin < 5 * without + 4_000, `${withPlugin.toFixed(0)} ms with the plugin, ${without.toFixed(0)} ms without`);
  });
});

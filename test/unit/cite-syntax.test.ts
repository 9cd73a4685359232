import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  citationAt,
  citationInsertEdit,
  citedKeys,
  completionContext,
  findCitations,
  flavorForLanguage,
  formatCitation,
  keyAt,
  markdownFrontMatter,
  type CiteFlavor,
} from '../../src/core/cite-syntax';
import type { Span, TextEdit } from '../../src/core/types';

/** Splits `a|b` into the text without the bar and the bar's offset. */
function cursor(marked: string): { text: string; at: number } {
  const at = marked.indexOf('|');
  assert.ok(at >= 0, 'test input needs a | cursor');
  return { text: marked.slice(0, at) + marked.slice(at + 1), at };
}

function slice(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

function apply(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

/** The text each cited key span covers, in order. */
function keyTexts(text: string, flavor: CiteFlavor): string[] {
  return findCitations(text, flavor).flatMap((c) => c.keys.map((k) => slice(text, k.span)));
}

function keysOf(text: string, flavor: CiteFlavor): string[] {
  return findCitations(text, flavor).flatMap((c) => c.keys.map((k) => k.key));
}

function insert(marked: string, keys: string[], flavor: CiteFlavor, opts = {}): string {
  const { text, at } = cursor(marked);
  return apply(text, citationInsertEdit(text, at, keys, flavor, opts).edit);
}

describe('flavorForLanguage', () => {
  it('maps LaTeX language ids to latex', () => {
    assert.equal(flavorForLanguage('latex', 'a.txt'), 'latex');
    assert.equal(flavorForLanguage('tex', 'a'), 'latex');
  });
  it('maps Markdown, Quarto and R Markdown ids to markdown', () => {
    for (const id of ['markdown', 'quarto', 'rmd']) assert.equal(flavorForLanguage(id, 'x'), 'markdown');
  });
  it('falls back to the file extension for unknown language ids', () => {
    assert.equal(flavorForLanguage('plaintext', '/p/paper.tex'), 'latex');
    assert.equal(flavorForLanguage('plaintext', 'paper.ltx'), 'latex');
    assert.equal(flavorForLanguage('plaintext', 'notes.md'), 'markdown');
    assert.equal(flavorForLanguage('plaintext', 'doc.qmd'), 'markdown');
    assert.equal(flavorForLanguage('plaintext', 'analysis.Rmd'), 'markdown');
  });
  it('returns undefined for files that do not cite', () => {
    assert.equal(flavorForLanguage('bibtex', 'refs.bib'), undefined);
    assert.equal(flavorForLanguage('plaintext', 'readme.txt'), undefined);
  });
});

describe('findCitations (LaTeX)', () => {
  it('finds a \\cite with the exact key span', () => {
    const text = 'As shown \\cite{doe2020}.';
    const [c] = findCitations(text, 'latex');
    assert.ok(c);
    assert.equal(c.command, 'cite');
    assert.deepEqual(c.keys.map((k) => k.key), ['doe2020']);
    assert.equal(slice(text, c.keys[0]!.span), 'doe2020');
    assert.equal(slice(text, c.span), '\\cite{doe2020}');
    assert.equal(slice(text, c.bodySpan), 'doe2020');
    assert.equal(c.bracketed, true);
  });

  it('recognises the natbib and biblatex command family, including capitalised forms', () => {
    const names = ['cite', 'citep', 'citet', 'citealp', 'citeauthor', 'citeyear', 'autocite', 'parencite', 'textcite',
      'footcite', 'smartcite', 'supercite', 'nocite', 'Cite', 'Textcite', 'Parencite', 'citeyearpar', 'fullcite'];
    const text = names.map((n, i) => `\\${n}{k${i}}`).join(' ');
    const found = findCitations(text, 'latex');
    assert.deepEqual(found.map((c) => c.command), names);
    assert.deepEqual(found.map((c) => c.keys[0]?.key), names.map((_, i) => `k${i}`));
  });

  it('accepts the starred form and records the command without the star', () => {
    const [c] = findCitations('\\citep*{a}', 'latex');
    assert.equal(c?.command, 'citep');
    assert.deepEqual(c?.keys.map((k) => k.key), ['a']);
  });

  it('skips one or two optional arguments, including braces and brackets inside braces', () => {
    const text = '\\citep[p.~3]{a} \\citep[see][p.~3]{b} \\citep[{see}]{c} \\cite[{a]b}]{d} \\citep [x] [y] {e}';
    assert.deepEqual(keysOf(text, 'latex'), ['a', 'b', 'c', 'd', 'e']);
    const spans = findCitations(text, 'latex').map((c) => slice(text, c.span));
    assert.equal(spans[1], '\\citep[see][p.~3]{b}');
  });

  it('splits keys on commas with any whitespace and gives each key its exact span', () => {
    const text = '\\cite{ a ,b,\tc  }';
    assert.deepEqual(keyTexts(text, 'latex'), ['a', 'b', 'c']);
    const [c] = findCitations(text, 'latex');
    assert.deepEqual(c?.keys[0]?.span, { start: 7, end: 8 });
  });

  it('follows a cite across lines', () => {
    const text = 'See \\cite{alpha,\n    beta,\n    gamma} here.';
    const [c] = findCitations(text, 'latex');
    assert.deepEqual(c?.keys.map((k) => k.key), ['alpha', 'beta', 'gamma']);
    assert.equal(slice(text, c!.keys[2]!.span), 'gamma');
    assert.equal(slice(text, c!.span), '\\cite{alpha,\n    beta,\n    gamma}');
  });

  it('keeps CRLF line breaks out of key spans', () => {
    const text = '\\cite{a,\r\n  b\r\n}';
    assert.deepEqual(keyTexts(text, 'latex'), ['a', 'b']);
  });

  it('ignores keys commented out inside a cite', () => {
    const text = '\\cite{a, % b,\n  c}';
    assert.deepEqual(keysOf(text, 'latex'), ['a', 'c']);
  });

  it('ignores cites in % comments but not after an escaped \\%', () => {
    const text = '% \\cite{hidden}\n50\\% of \\cite{shown} % \\cite{also-hidden}\n\\\\% \\cite{after-linebreak}';
    assert.deepEqual(keysOf(text, 'latex'), ['shown']);
  });

  it('allows whitespace and a line break between the command and its argument', () => {
    assert.deepEqual(keysOf('\\cite\n  {a} \\citep [p. 2]\n{b}', 'latex'), ['a', 'b']);
  });

  it('does not cross a blank line looking for the argument', () => {
    assert.deepEqual(keysOf('\\cite\n\n{a}', 'latex'), []);
  });

  it('reports \\nocite{*} with a * key that citedKeys leaves out', () => {
    const text = '\\nocite{*} \\cite{a}';
    const [nocite] = findCitations(text, 'latex');
    assert.deepEqual(nocite?.keys.map((k) => k.key), ['*']);
    assert.deepEqual(citedKeys(text, 'latex').map((k) => k.key), ['a']);
  });

  it('does not treat definitions and style settings as citations', () => {
    const text = '\\citestyle{authoryear} \\setcitestyle{numbers} \\DeclareCiteCommand{\\cite}{x}{y}{z}{w} '
      + '\\bibliographystyle{plain} \\citetext{see also} \\excited{no}';
    assert.deepEqual(findCitations(text, 'latex'), []);
  });

  it('drops macro parameters and control sequences as keys', () => {
    const text = '\\newcommand{\\mycite}[1]{\\cite{#1}} \\cite{\\keyA, b}';
    assert.deepEqual(keysOf(text, 'latex'), ['b']);
  });

  it('reports each key group of a multicite command', () => {
    const text = '\\parencites(global)[pre][post]{a}[p.~4]{b,c} after';
    const found = findCitations(text, 'latex');
    assert.equal(found.length, 2);
    assert.deepEqual(found.map((c) => c.keys.map((k) => k.key)), [['a'], ['b', 'c']]);
    assert.equal(slice(text, found[0]!.span), '\\parencites(global)[pre][post]{a}');
    assert.equal(slice(text, found[1]!.span), '[p.~4]{b,c}');
  });

  it('skips the volume argument of \\volcite', () => {
    assert.deepEqual(keysOf('\\volcite[see]{2}[34]{key}', 'latex'), ['key']);
  });

  it('skips verbatim environments and \\verb', () => {
    const text = '\\begin{verbatim}\n\\cite{no}\n\\end{verbatim}\n\\verb|\\cite{nope}| \\begin{lstlisting}\\cite{x}\\end{lstlisting}\\cite{yes}';
    assert.deepEqual(keysOf(text, 'latex'), ['yes']);
  });

  it('marks an unclosed cite as unterminated, keeps its first-line keys and goes on scanning', () => {
    const text = 'Typing \\cite{a,b\nmore text\n\nLater \\cite{c}.';
    const found = findCitations(text, 'latex');
    assert.equal(found[0]?.unterminated, true);
    assert.deepEqual(found[0]?.keys.map((k) => k.key), ['a', 'b']);
    assert.equal(slice(text, found[0]!.bodySpan), 'a,b');
    assert.deepEqual(found[1]?.keys.map((k) => k.key), ['c']);
    assert.equal(found[1]?.unterminated, undefined);
  });

  it('finds an empty \\cite{} with no keys', () => {
    const [c] = findCitations('x \\cite{} y', 'latex');
    assert.deepEqual(c?.keys, []);
    assert.deepEqual(c?.bodySpan, { start: 8, end: 8 });
  });
});

describe('findCitations (Markdown)', () => {
  it('finds a bracketed citation with several keys and a locator', () => {
    const text = 'Blah [@a; @b, p. 4].';
    const [c] = findCitations(text, 'markdown');
    assert.equal(c?.bracketed, true);
    assert.deepEqual(c?.keys.map((k) => k.key), ['a', 'b']);
    assert.equal(slice(text, c!.span), '[@a; @b, p. 4]');
    assert.equal(slice(text, c!.bodySpan), '@a; @b, p. 4');
    assert.equal(slice(text, c!.keys[1]!.span), 'b');
  });

  it('handles prefixes and author suppression', () => {
    const text = 'Blah [see @doe99, p. 4; -@smith04].';
    assert.deepEqual(keyTexts(text, 'markdown'), ['doe99', 'smith04']);
    assert.equal(findCitations(text, 'markdown').length, 1);
  });

  it('finds bare in-text citations and leaves trailing punctuation out of the key', () => {
    const text = 'As @doe2020 says, and see @roe:2021. Also @a.b-c_d/e. And @x:';
    const found = findCitations(text, 'markdown');
    assert.deepEqual(found.map((c) => c.keys[0]!.key), ['doe2020', 'roe:2021', 'a.b-c_d/e', 'x']);
    assert.ok(found.every((c) => !c.bracketed));
    assert.equal(slice(text, found[0]!.span), '@doe2020');
    assert.equal(slice(text, found[0]!.bodySpan), '@doe2020');
  });

  it('reads braced keys with odd characters', () => {
    const text = 'See @{https://x.org/a?b=1&c} and [@{my key}; @b].';
    assert.deepEqual(keysOf(text, 'markdown'), ['https://x.org/a?b=1&c', 'my key', 'b']);
    assert.deepEqual(keyTexts(text, 'markdown'), ['https://x.org/a?b=1&c', 'my key', 'b']);
  });

  it('reads keys with non-ASCII letters', () => {
    assert.deepEqual(keysOf('Per @müller2020 and [@Øster]', 'markdown'), ['müller2020', 'Øster']);
  });

  it('does not take e-mail addresses for citations', () => {
    const text = 'Write to me@example.com or café@example.org or [mail team@x.org].';
    assert.deepEqual(findCitations(text, 'markdown'), []);
  });

  it('ignores @ inside inline code spans of any backtick run length', () => {
    const text = 'Code `@a` and ``x ` @b`` and ```@c``` but @d.';
    assert.deepEqual(keysOf(text, 'markdown'), ['d']);
  });

  it('treats an unmatched backtick as text', () => {
    assert.deepEqual(keysOf('A lone ` then @a.', 'markdown'), ['a']);
  });

  it('ignores fenced code blocks of backticks and tildes', () => {
    const text = [
      'Before @a.', '', '```python', 'x = "@b"', '```', '', '~~~~', '@c', '~~~', 'still code @d', '~~~~', '',
      '````', '```', '@e', '````', 'After @f.',
    ].join('\n');
    assert.deepEqual(keysOf(text, 'markdown'), ['a', 'f']);
  });

  it('ignores indented code blocks but not indented list continuations', () => {
    const text = 'Para @a.\n\n    @b in code\n    @c\n\nText @d.\n\n- item @e\n\n    continuation @f\n';
    assert.deepEqual(keysOf(text, 'markdown'), ['a', 'd', 'e', 'f']);
  });

  it('does not start indented code in the middle of a paragraph', () => {
    assert.deepEqual(keysOf('Line one\n    @a continues the paragraph', 'markdown'), ['a']);
  });

  it('ignores the YAML front matter', () => {
    const text = "---\ntitle: x\nnocite: '@all'\nauthor: me@x.org\n---\n\nBody @a.";
    assert.deepEqual(keysOf(text, 'markdown'), ['a']);
    const dots = "---\nnocite: '@all'\n...\n@b";
    assert.deepEqual(keysOf(dots, 'markdown'), ['b']);
  });

  it('ignores HTML comments, also across blank lines', () => {
    const text = 'A <!-- @a --> @b\n\n<!--\n@c\n\n@d\n-->\n@e <!-- @f\n\n@g --> @h';
    assert.deepEqual(keysOf(text, 'markdown'), ['b', 'e', 'h']);
  });

  it('ignores link destinations, autolinks and HTML tags', () => {
    const text = '[profile](https://medium.com/@writer) <https://x.org/@y> <span data-x="@z">t</span> @real';
    assert.deepEqual(keysOf(text, 'markdown'), ['real']);
  });

  it('does not take a link for a bracketed citation', () => {
    const text = '[@a](https://x.org) and [@b][ref]';
    const found = findCitations(text, 'markdown');
    assert.ok(found.every((c) => !c.bracketed));
  });

  it('ignores escaped @ and brackets', () => {
    assert.deepEqual(keysOf('Not \\@a nor \\[@b\\]', 'markdown'), ['b']);
  });

  it('keeps spans exact in CRLF files, across lines of a bracketed citation', () => {
    const text = 'Text\r\n[@a;\r\n @b]\r\nand @c.\r\n';
    assert.deepEqual(keyTexts(text, 'markdown'), ['a', 'b', 'c']);
  });

  it('ignores a YAML front matter in a CRLF file', () => {
    const text = '---\r\nbibliography: r.bib\r\nx: "@no"\r\n---\r\n@yes\r\n';
    assert.deepEqual(keysOf(text, 'markdown'), ['yes']);
  });

  it('does not treat a plain bracket without citation keys as a citation', () => {
    assert.deepEqual(findCitations('[see above] and [@ home]', 'markdown'), []);
  });
});

describe('citationAt', () => {
  it('finds the LaTeX cite when the cursor follows a typed comma', () => {
    const { text, at } = cursor('x \\cite{a,|} y');
    const c = citationAt(text, at, 'latex');
    assert.equal(c && slice(text, c.span), '\\cite{a,}');
  });

  it('finds the cite at both edges of the braces', () => {
    const text = '\\citep[p.~3]{a}';
    assert.ok(citationAt(text, text.indexOf('{') + 1, 'latex'));
    assert.ok(citationAt(text, text.indexOf('}'), 'latex'));
    const empty = '\\cite{}';
    assert.ok(citationAt(empty, 6, 'latex'));
  });

  it('finds nothing in the optional argument, the command, outside, or in a comment', () => {
    const text = '\\citep[p.~3]{a} % \\cite{b}';
    assert.equal(citationAt(text, text.indexOf('3'), 'latex'), undefined);
    assert.equal(citationAt(text, 2, 'latex'), undefined);
    assert.equal(citationAt(text, text.indexOf('}') + 1, 'latex'), undefined);
    assert.equal(citationAt(text, text.indexOf('b'), 'latex'), undefined);
  });

  it('finds a multi-line LaTeX cite from its last line', () => {
    const { text, at } = cursor('\\cite{a,\n  b,\n  |}');
    assert.deepEqual(citationAt(text, at, 'latex')?.keys.map((k) => k.key), ['a', 'b']);
  });

  it('finds an unterminated LaTeX cite while typing', () => {
    const { text, at } = cursor('Typing \\cite{a,|\nnext line');
    assert.equal(citationAt(text, at, 'latex')?.unterminated, true);
  });

  it('finds Markdown citations with the cursor in an empty trailing item', () => {
    for (const marked of ['[@a; |]', '[see @a, p. 4; |]', 'x [@a|] y', '[|@a]']) {
      const { text, at } = cursor(marked);
      assert.ok(citationAt(text, at, 'markdown'), marked);
    }
  });

  it('finds a bare Markdown citation from its @ to just after its key', () => {
    const text = 'See @doe2020.';
    assert.equal(citationAt(text, 4, 'markdown')?.bracketed, false);
    assert.ok(citationAt(text, 12, 'markdown'));
    assert.equal(citationAt(text, 13, 'markdown'), undefined);
  });

  it('finds an @ typed into empty brackets', () => {
    const { text, at } = cursor('See [@|].');
    assert.deepEqual(citationAt(text, at, 'markdown')?.keys, []);
  });

  it('finds nothing inside a code span', () => {
    const { text, at } = cursor('Run `cmd [@a|]` now');
    assert.equal(citationAt(text, at, 'markdown'), undefined);
  });

  it('agrees with the whole-document scan at every key of a long LaTeX document', () => {
    const text = longLatex(1500);
    const all = findCitations(text, 'latex');
    assert.ok(all.length > 500);
    for (const c of all) {
      const local = citationAt(text, c.bodySpan.end, 'latex');
      assert.deepEqual(local?.span, c.span);
    }
  });

  it('agrees with the whole-document scan at every key of a long Markdown document', () => {
    const text = longMarkdown(1500);
    const all = findCitations(text, 'markdown');
    assert.ok(all.length > 500);
    for (const c of all) {
      const local = citationAt(text, c.bodySpan.end, 'markdown');
      assert.deepEqual(local?.span, c.span);
    }
  });

  it('knows it is inside a fenced block that opened far above the cursor', () => {
    const code = Array.from({ length: 800 }, (_, i) => `line ${i} of code with an @at${i}`).join('\n');
    const text = `# Title\n\nIntro @a.\n\n\`\`\`text\n${code}\n\`\`\`\n\nAfter @b.\n`;
    assert.ok(text.length > 20000);
    const inCode = text.lastIndexOf('@at') + 3;
    assert.equal(citationAt(text, inCode, 'markdown'), undefined);
    assert.equal(citationAt(text, text.lastIndexOf('@b') + 1, 'markdown')?.keys[0]?.key, 'b');
  });

  it('tracks a fenced block opened beyond the look-back window', () => {
    const filler = Array.from({ length: 2000 }, (_, i) => `Filler paragraph ${i} with words.\n`).join('\n');
    const code = Array.from({ length: 1200 }, (_, i) => `code @c${i}`).join('\n');
    const text = `${filler}\n\`\`\`\nbare fence block\n\`\`\`\n\n\`\`\`js\n${code}\n\`\`\`\n\nAfter @b.\n`;
    assert.ok(text.indexOf('```js') > 65536);
    assert.ok(code.length > 3 * 4096);
    assert.equal(citationAt(text, text.lastIndexOf('@c') + 2, 'markdown'), undefined);
    assert.equal(citationAt(text, text.lastIndexOf('@b') + 1, 'markdown')?.keys[0]?.key, 'b');
  });

  it('finds nothing inside a long HTML comment', () => {
    const inner = Array.from({ length: 300 }, (_, i) => `commented @k${i}`).join('\n\n');
    const text = `Start.\n\n<!--\n${inner}\n-->\n\nEnd @z.`;
    assert.equal(citationAt(text, text.lastIndexOf('@k') + 2, 'markdown'), undefined);
    assert.ok(citationAt(text, text.lastIndexOf('@z') + 1, 'markdown'));
  });

  it('answers in well under a millisecond in a 5,000-line document', () => {
    for (const flavor of ['latex', 'markdown'] as const) {
      const text = flavor === 'latex' ? longLatex(5000) : longMarkdown(5000);
      const at = text.indexOf('{', Math.floor(text.length / 2)) + 1;
      const runs = 200;
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) citationAt(text, at + (i % 3), flavor);
      const perCall = (performance.now() - t0) / runs;
      assert.ok(perCall < 1, `${flavor}: ${perCall.toFixed(3)} ms per call`);
    }
  });
});

describe('keyAt', () => {
  it('returns the LaTeX key under the cursor and the one just before it', () => {
    const text = '\\cite{alpha, beta}';
    assert.equal(keyAt(text, text.indexOf('lpha'), 'latex')?.key, 'alpha');
    assert.equal(keyAt(text, text.indexOf(','), 'latex')?.key, 'alpha');
    assert.equal(keyAt(text, text.indexOf('beta') + 4, 'latex')?.key, 'beta');
    assert.equal(keyAt(text, text.indexOf(' beta'), 'latex'), undefined);
  });

  it('returns a bare Markdown key from its @ on', () => {
    const text = 'See @doe2020, too.';
    const hit = keyAt(text, 4, 'markdown');
    assert.equal(hit?.key, 'doe2020');
    assert.equal(slice(text, hit!.span), 'doe2020');
    assert.equal(keyAt(text, 12, 'markdown')?.key, 'doe2020');
  });

  it('returns the right key in a bracketed Markdown citation', () => {
    const text = '[@a; see @bee, p. 3]';
    assert.equal(keyAt(text, text.indexOf('@bee'), 'markdown')?.key, 'bee');
    assert.equal(keyAt(text, text.indexOf('p. 3'), 'markdown'), undefined);
  });

  it('returns nothing for the * of \\nocite{*}', () => {
    assert.equal(keyAt('\\nocite{*}', 8, 'latex'), undefined);
  });
});

describe('formatCitation', () => {
  it('writes \\cite with comma-separated keys by default', () => {
    assert.equal(formatCitation(['a', 'b'], 'latex', {}), '\\cite{a,b}');
  });
  it('uses the configured LaTeX command, with or without backslash', () => {
    assert.equal(formatCitation(['a'], 'latex', { latexCommand: 'citep' }), '\\citep{a}');
    assert.equal(formatCitation(['a'], 'latex', { latexCommand: '\\parencite' }), '\\parencite{a}');
  });
  it('writes bracketed Pandoc citations by default and bare ones on request', () => {
    assert.equal(formatCitation(['a', 'b'], 'markdown', {}), '[@a; @b]');
    assert.equal(formatCitation(['a', 'b'], 'markdown', { markdownStyle: 'bare' }), '@a; @b');
    assert.equal(formatCitation(['a'], 'markdown', { markdownStyle: 'bare' }), '@a');
  });
  it('braces Markdown keys the plain syntax cannot carry', () => {
    assert.equal(formatCitation(['my key', 'end.', 'ok:1'], 'markdown', {}), '[@{my key}; @{end.}; @ok:1]');
  });
  it('drops duplicate and blank keys, and gives an empty string for no keys', () => {
    assert.equal(formatCitation(['a', 'a', ' ', 'b'], 'latex', {}), '\\cite{a,b}');
    assert.equal(formatCitation([], 'latex', {}), '');
    assert.equal(formatCitation([], 'markdown', {}), '');
  });
});

describe('citationInsertEdit (LaTeX)', () => {
  it('adds the key to an existing \\cite at the cursor', () => {
    assert.equal(insert('\\cite{a|}', ['b'], 'latex'), '\\cite{a,b}');
  });
  it('uses a separator the user already typed', () => {
    assert.equal(insert('\\cite{a,|}', ['b'], 'latex'), '\\cite{a,b}');
  });
  it('fills an empty \\cite{}', () => {
    assert.equal(insert('\\cite{|}', ['b', 'c'], 'latex'), '\\cite{b,c}');
  });
  it('keeps the comma-space style of the citation', () => {
    assert.equal(insert('\\cite{a, b|}', ['c'], 'latex'), '\\cite{a, b, c}');
    assert.equal(insert('\\cite{a, b,|}', ['c'], 'latex'), '\\cite{a, b, c}');
    assert.equal(insert('\\cite{a|, c}', ['b'], 'latex'), '\\cite{a, b, c}');
  });
  it('inserts before a following key with a separator after the new key', () => {
    assert.equal(insert('\\cite{|a}', ['b'], 'latex'), '\\cite{b,a}');
    assert.equal(insert('\\cite{a, | c}', ['b'], 'latex'), '\\cite{a, b, c}');
  });
  it('moves a cursor in the middle of a key to its end', () => {
    assert.equal(insert('\\cite{do|e}', ['x'], 'latex'), '\\cite{doe,x}');
  });
  it('puts the key after a key followed by spaces, not after the spaces', () => {
    assert.equal(insert('\\cite{a |}', ['b'], 'latex'), '\\cite{a,b }');
  });
  it('adds only missing keys and reports the ones already there', () => {
    const { text, at } = cursor('\\citep[p.~3]{a|}');
    const r = citationInsertEdit(text, at, ['a', 'b', 'c', 'b'], 'latex', {});
    assert.deepEqual(r.addedKeys, ['b', 'c']);
    assert.deepEqual(r.alreadyPresent, ['a']);
    assert.equal(apply(text, r.edit), '\\citep[p.~3]{a,b,c}');
  });
  it('returns an empty edit at the cursor when every key is present', () => {
    const { text, at } = cursor('\\cite{a,b|}');
    const r = citationInsertEdit(text, at, ['b', 'a'], 'latex', {});
    assert.deepEqual(r.edit, { start: at, end: at, text: '' });
    assert.deepEqual(r.addedKeys, []);
    assert.deepEqual(r.alreadyPresent, ['b', 'a']);
  });
  it('adds to an unterminated cite being typed', () => {
    assert.equal(insert('See \\cite{a,|\nmore', ['b'], 'latex'), 'See \\cite{a,b\nmore');
  });
  it('adds to a multi-line cite', () => {
    assert.equal(insert('\\cite{a,\n  b|}', ['c'], 'latex'), '\\cite{a,\n  b,c}');
  });
  it('inserts a fresh citation with the configured command outside any cite', () => {
    const { text, at } = cursor('As shown~| here.');
    const r = citationInsertEdit(text, at, ['a', 'b'], 'latex', { latexCommand: 'citep' });
    assert.equal(apply(text, r.edit), 'As shown~\\citep{a,b} here.');
    assert.deepEqual(r.addedKeys, ['a', 'b']);
    assert.deepEqual(r.alreadyPresent, []);
  });
  it('inserts a fresh citation when the cursor is in an optional argument', () => {
    assert.equal(insert('\\cite[p.|]{a}', ['b'], 'latex'), '\\cite[p.\\cite{b}]{a}');
  });
});

describe('citationInsertEdit (Markdown)', () => {
  it('adds a key into the empty item after a typed separator', () => {
    assert.equal(insert('[@a; |]', ['b'], 'markdown'), '[@a; @b]');
    assert.equal(insert('[@a;|]', ['b'], 'markdown'), '[@a; @b]');
    assert.equal(insert('[see @a, p. 4; |]', ['b'], 'markdown'), '[see @a, p. 4; @b]');
  });
  it('adds a key after the item holding the cursor', () => {
    assert.equal(insert('[@a|]', ['b'], 'markdown'), '[@a; @b]');
    assert.equal(insert('[@a, p. 4|]', ['b'], 'markdown'), '[@a, p. 4; @b]');
    assert.equal(insert('[@a|; @c]', ['b'], 'markdown'), '[@a; @b; @c]');
    assert.equal(insert('[@a ; @c|]', ['b', 'd'], 'markdown'), '[@a ; @c; @b; @d]');
  });
  it('completes an @ already typed into the brackets', () => {
    assert.equal(insert('[@|]', ['b', 'c'], 'markdown'), '[@b; @c]');
    assert.equal(insert('[@a; -@|]', ['b'], 'markdown'), '[@a; -@b]');
  });
  it('adds a bare key after a bare citation', () => {
    assert.equal(insert('See @a| here', ['b'], 'markdown'), 'See @a; @b here');
  });
  it('reports keys already in a Markdown citation', () => {
    const { text, at } = cursor('[@a; @b|]');
    const r = citationInsertEdit(text, at, ['b', 'c'], 'markdown', {});
    assert.deepEqual(r.alreadyPresent, ['b']);
    assert.deepEqual(r.addedKeys, ['c']);
    assert.equal(apply(text, r.edit), '[@a; @b; @c]');
  });
  it('inserts a fresh bracketed citation, spaced from a preceding word', () => {
    assert.equal(insert('Shown|.', ['a', 'b'], 'markdown'), 'Shown [@a; @b].');
    assert.equal(insert('Shown |.', ['a'], 'markdown'), 'Shown [@a].');
  });
  it('inserts a fresh bare citation on request', () => {
    assert.equal(insert('As |said', ['a'], 'markdown', { markdownStyle: 'bare' }), 'As @a said');
    assert.equal(insert('word|', ['a'], 'markdown', { markdownStyle: 'bare' }), 'word @a');
  });
  it('braces odd keys when adding them', () => {
    assert.equal(insert('[@a|]', ['odd key'], 'markdown'), '[@a; @{odd key}]');
  });
  it('returns an empty edit for no keys outside a citation', () => {
    const r = citationInsertEdit('text', 2, [], 'markdown', {});
    assert.deepEqual(r.edit, { start: 2, end: 2, text: '' });
  });
});

describe('completionContext', () => {
  it('offers completion right after the opening brace', () => {
    const { text, at } = cursor('\\cite{|}');
    assert.deepEqual(completionContext(text, at, 'latex'), { prefix: '', span: { start: at, end: at } });
  });
  it('gives the partial key after a comma and the whole key as the span', () => {
    const { text, at } = cursor('\\citep[p.~3]{a, do|e2020}');
    const ctx = completionContext(text, at, 'latex');
    assert.equal(ctx?.prefix, 'do');
    assert.equal(ctx && slice(text, ctx.span), 'doe2020');
  });
  it('works on a later line of a multi-line cite and in an unterminated one', () => {
    assert.equal(completionContext(...spread(cursor('\\cite{a,\n   sm|}')), 'latex')?.prefix, 'sm');
    assert.equal(completionContext(...spread(cursor('\\cite{ab|')), 'latex')?.prefix, 'ab');
  });
  it('offers nothing after a key and a space, in optional arguments, or outside cites', () => {
    for (const marked of ['\\cite{a |}', '\\cite[|]{a}', '\\emph{|}', '\\cite{a}|', '% \\cite{|}']) {
      assert.equal(completionContext(...spread(cursor(marked)), 'latex'), undefined, marked);
    }
  });
  it('offers Markdown completion after @, [@ and -@', () => {
    for (const [marked, prefix] of [['see @|', ''], ['[@|]', ''], ['[@a; -@sm|]', 'sm'], ['as @doe|', 'doe'], ['(@x|)', 'x']] as const) {
      assert.equal(completionContext(...spread(cursor(marked)), 'markdown')?.prefix, prefix, marked);
    }
  });
  it('covers the whole Markdown key under the cursor, minus trailing punctuation', () => {
    const { text, at } = cursor('As @do|e2020.');
    const ctx = completionContext(text, at, 'markdown');
    assert.equal(ctx && slice(text, ctx.span), 'doe2020');
  });
  it('offers nothing in e-mails, code, front matter or comments', () => {
    const cases = [
      'mail me@ex|',
      'run `npm i @sc|`',
      '```\n@|\n```',
      '---\ntitle: x\nnocite: "@|"\n---\nBody',
      '<!-- @| -->',
      'escaped \\@|',
    ];
    for (const marked of cases) assert.equal(completionContext(...spread(cursor(marked)), 'markdown'), undefined, marked);
  });
});

describe('citedKeys', () => {
  it('lists every cited key with its span in text order', () => {
    const text = '\\cite{a,b} and \\citep[p.~2]{c}\n\\nocite{*}';
    const refs = citedKeys(text, 'latex');
    assert.deepEqual(refs.map((r) => r.key), ['a', 'b', 'c']);
    assert.deepEqual(refs.map((r) => slice(text, r.span)), ['a', 'b', 'c']);
  });
  it('lists Markdown keys from bracketed and bare citations', () => {
    assert.deepEqual(citedKeys('[@a; @b] and @c.', 'markdown').map((r) => r.key), ['a', 'b', 'c']);
  });
  it('scans a 5,000-line document in a few milliseconds', () => {
    for (const flavor of ['latex', 'markdown'] as const) {
      const text = flavor === 'latex' ? longLatex(5000) : longMarkdown(5000);
      citedKeys(text, flavor);
      const t0 = performance.now();
      const refs = citedKeys(text, flavor);
      const ms = performance.now() - t0;
      assert.ok(refs.length > 1000);
      assert.ok(ms < 50, `${flavor}: ${ms.toFixed(1)} ms`);
    }
  });
  it('stays linear on hostile input', () => {
    const hostile = {
      latex: '\\cite['.repeat(5000) + '\\cite{'.repeat(5000) + '{'.repeat(20000),
      markdown: '['.repeat(20000) + '`'.repeat(3000) + ' `x'.repeat(5000) + '<'.repeat(10000) + '@'.repeat(10000),
    };
    for (const flavor of ['latex', 'markdown'] as const) {
      const t0 = performance.now();
      findCitations(hostile[flavor], flavor);
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${flavor}: ${ms.toFixed(0)} ms`);
    }
  });
});

describe('markdownFrontMatter', () => {
  it('spans the front matter through its closing line', () => {
    const text = '---\ntitle: x\n---\nBody';
    assert.deepEqual(markdownFrontMatter(text), { start: 0, end: 17 });
  });
  it('rejects a horizontal rule and an unclosed block', () => {
    assert.equal(markdownFrontMatter('---\n\ntext\n---\n'), undefined);
    assert.equal(markdownFrontMatter('---\ntitle: x\nno end'), undefined);
    assert.equal(markdownFrontMatter('Text\n---\na: b\n---\n'), undefined);
  });
});

function spread(c: { text: string; at: number }): [string, number] {
  return [c.text, c.at];
}

function longLatex(lines: number): string {
  const out = ['\\documentclass{article}', '\\begin{document}'];
  for (let i = 0; out.length < lines; i++) {
    out.push(`Sentence ${i} about results, see \\citep[p.~${i % 9}]{key${i},other${i % 17}} and 50\\% more.`);
    if (i % 5 === 0) out.push(`% a comment \\cite{commented${i}}`);
    if (i % 7 === 0) out.push(`\\cite{multi${i},`, `  line${i}}`);
    if (i % 11 === 0) out.push('');
  }
  out.push('\\end{document}');
  return out.join('\n');
}

function longMarkdown(lines: number): string {
  const out = ['---', 'title: Long', 'bibliography: refs.bib', '---', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`Sentence ${i} says @bare${i} and [see @key${i}, p. ${i % 9}; @other${i % 17}] mail a${i}@x.org.`);
    if (i % 6 === 0) out.push('', '```js', `const x${i} = "@code${i}";`, '```', '');
    if (i % 9 === 0) out.push(`Inline \`@span${i}\` and <!-- @hidden${i} --> [@c${i};`, ` @d${i}]`);
    if (i % 4 === 0) out.push('');
  }
  return out.join('\n');
}

/*
 * Hostile inputs for every parser and scanner: each case builds an adversarial input of a given
 * size for the pattern it once tripped (repeated openers with no closer, long runs of spaces
 * before a mismatch, deep nesting). The unit test runs each at 1 MB and checks it finishes;
 * `npm run bench` times each at 100 kB and 1 MB and reports how the time grows.
 */
import { declaredBibliographies, includedFiles, texRootMagic } from '../src/core/declarations';
import { inlineBibliographyEntries, scanBibEntries, yamlReferenceEntries } from '../src/core/bib-entries';
import { toBibtex } from '../src/core/bibtex';
import { parseNames } from '../src/core/bibtex/names';
import { validateKeyTemplate, baseKey } from '../src/core/citekey';
import { citationAt, findCitations, markdownFrontMatter } from '../src/core/cite-syntax';
import { parseCslJson } from '../src/core/csl-read';
import { decodeLatex } from '../src/core/latex/decode';
import { parseBibtexLibrary } from '../src/core/library';
import { abstractSnippet, paperMarkdown } from '../src/core/render';
import { parseRichText } from '../src/core/rich-text';
import { SearchIndex } from '../src/core/search';
import { extractArxivId } from '../src/core/text';
import { isTexRoot, subfilesParent } from '../src/core/tex-project';
import { parseIdentifier } from '../src/core/arxiv';
import type { Paper, Span } from '../src/core/types';

export interface HostileCase {
  group: string;
  name: string;
  make(size: number): string;
  run(input: string): unknown;
}

export const HOSTILE_CASES: HostileCase[] = [];
let group = '';
function linear(name: string, make: (size: number) => string, run: (input: string) => unknown): void {
  HOSTILE_CASES.push({ group, name, make, run });
}

function repeat(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length));
}

const paper = (fields: Partial<Paper>): Paper => ({ id: 'k', type: 'article', title: 'T', author: [], ...fields });

group = 'the BibTeX reader';
  linear('many @string macros and one malformed entry', (n) => {
    let text = '';
    for (let i = 0; text.length < n; i++) text += `@string{m${i} = "Journal number ${i}"}\n`;
    return `${text}@article{bad, title = {x} author = }\n@misc{ok, title = m1}\n`;
  }, (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('unclosed braces', (n) => `@misc{a, title = ${repeat('{', n)}}`, (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('entries without delimiters', (n) => repeat('@a ', n), (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('entry heads with no fields', (n) => repeat('@misc{k', n), (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('deeply nested braces in a title', (n) => `@misc{a, title = {${'{'.repeat(n / 2)}x${'}'.repeat(n / 2)}}}`, (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('a crossref chain', (n) => {
    let text = '';
    for (let i = 0; text.length < n; i++) text += `@misc{k${i}, title={T}, crossref={k${i + 1}}}\n`;
    return text;
  }, (t) => parseBibtexLibrary(t, 'x.bib'));
  linear('names with many "and"s', (n) => repeat('A and ', n), (t) => parseNames(t));
  linear('names with many commas', (n) => repeat('a, ', n), (t) => parseNames(t));
  linear('LaTeX: unclosed math, scripts and accents', (n) => `$${repeat('^{_{\\\'{', n)}`, (t) => decodeLatex(t, true));
  linear('LaTeX: commands without arguments', (n) => repeat('\\foo', n), (t) => decodeLatex(t, true));
  linear('the summary scanner on unclosed values', (n) => `@misc{a, title = "${repeat('{', n)}`, (t) => scanBibEntries(t));

group = 'LaTeX and Markdown documents';
  linear('% !TEX root = with long spaces', (n) => `% !TEX root = a${' '.repeat(n)}b\n`, (t) => texRootMagic(t));
  linear('\\input followed by spaces', (n) => `\\input${' '.repeat(n)}x`, (t) => includedFiles(t));
  linear('\\documentclass[ repeated', (n) => repeat('\\documentclass[', n), (t) => {
    isTexRoot(t);
    subfilesParent(t);
  });
  linear('\\addbibresource[ repeated', (n) => repeat('\\addbibresource[', n), (t) => declaredBibliographies(t, 'latex'));
  linear('\\bibitem[ repeated', (n) => repeat('\\bibitem[', n), (t) => inlineBibliographyEntries(t, 'latex'));
  linear('YAML references id followed by long spaces', (n) => `references:\n- id: a${' '.repeat(n)}x\n`, (t) => yamlReferenceEntries(t));
  linear('front matter references id followed by long spaces', (n) => `---\nreferences:\n- id: a${' '.repeat(n)}x\n---\n`, (t) => inlineBibliographyEntries(t, 'markdown'));
  linear('LaTeX citations: \\cite{ repeated', (n) => repeat('\\cite{', n), (t) => findCitations(t, 'latex'));
  linear('Markdown citations: [@ repeated', (n) => repeat('[@a', n), (t) => findCitations(t, 'markdown'));
  linear('Markdown citations: fences', (n) => repeat('```', n), (t) => findCitations(t, 'markdown'));
  linear('Markdown citations: link destinations never closed', (n) => repeat('](', n), (t) => findCitations(t, 'markdown'));
  linear('Markdown citations: brackets nested deep around an empty @', (n) => repeat(`${'['.repeat(900)}@${']'.repeat(900)} `, n), (t) => findCitations(t, 'markdown'));
  linear('Markdown citations: empty @ items inside a bracket', (n) => repeat(`[${'[@]'.repeat(600)}x]`, n), (t) => findCitations(t, 'markdown'));
  linear('Markdown citations: backtick runs of growing length', (n) => {
    let text = '';
    for (let run = 1; text.length < n; run++) text += `${'`'.repeat(run % 2000)}a`;
    return text;
  }, (t) => findCitations(t, 'markdown'));
  linear('LaTeX citations: optional arguments never closed', (n) => repeat('\\cite[', n), (t) => findCitations(t, 'latex'));
  linear('LaTeX citations: multicite parentheses never closed', (n) => repeat('\\cites(', n), (t) => findCitations(t, 'latex'));
  linear('front matter never closed', (n) => `---\n${repeat('a: b\n', n)}`, (t) => markdownFrontMatter(t));
  linear('the citation at the cursor in a long line', (n) => repeat('[@a; ', n), (t) => citationAt(t, t.length >> 1, 'markdown'));

group = 'identifiers, keys, titles, rendering';
  linear('arXiv id extraction on a-a-a-…', (n) => repeat('a-', n), (t) => extractArxivId(t));
  linear('identifier parsing on )))…', (n) => repeat(')', n) + 'x', (t) => parseIdentifier(t));
  linear('identifier parsing on (((…', (n) => `${repeat('(', n)}x`, (t) => parseIdentifier(t));
  linear('key templates with [[[…', (n) => repeat('[', n), (t) => {
    validateKeyTemplate(t);
    baseKey(paper({}), t);
  });
  linear('title protection on a----…b', (n) => `a${'-'.repeat(n)}b`, (t) => toBibtex(paper({ title: t })));
  linear('title protection on many words', (n) => repeat('aB ', n), (t) => toBibtex(paper({ title: t })));
  linear('rich text with nested <i>', (n) => repeat('<i>', n), (t) => parseRichText(t));
  linear('rich text with entities', (n) => repeat('&#x110000;&constructor;&', n), (t) => parseRichText(t));
  linear('abstract snippets with dense ranges', (n) => 'a '.repeat(n / 2), (t) => {
    const ranges: Span[] = [];
    for (let i = 0; i < t.length; i += 2) ranges.push({ start: i, end: i + 1 });
    abstractSnippet(t, ranges);
  });
  linear('Markdown of a paper with a huge title', (n) => repeat('*_[x](y)', n), (t) => paperMarkdown(paper({ title: t, abstract: t })));
  linear('search over a paper with a huge title', (n) => repeat('word ', n), (t) => new SearchIndex([paper({ title: t })]).search('word wrd'));

group = 'JSON';
  linear('deep valid nesting', (n) => `[${'['.repeat(n / 2)}${']'.repeat(n / 2)}]`, (t) => parseCslJson(t, 'x.json'));

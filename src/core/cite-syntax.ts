/**
 * Citation syntax of LaTeX (`\cite{a,b}` and its many cousins) and Pandoc Markdown
 * (`[@a; @b, p. 4]`, bare `@a`): finding citations, the citation under the cursor,
 * completion positions, and the edit that adds keys to a citation.
 *
 * All offsets are UTF-16 indices into the text, spans are half-open.
 *
 * LaTeX rules:
 * - A cite command is any control word whose name contains `cite` (case-insensitive),
 *   except definitions and settings such as `\DeclareCiteCommand`, `\setcitestyle`,
 *   `\citestyle`, `\citetext`, `\citesetup` (see {@link isCiteCommand}).
 * - `\cmd*`, up to two `[optional]` arguments (braces inside are balanced), then `{keys}`.
 *   Multicite commands (`\cites`, `\parencites`, …) may take `(pre)(post)` and repeat the
 *   `[..][..]{keys}` group; each group is reported as its own {@link Citation}.
 *   `\volcite`-style commands skip their `{volume}` argument.
 * - Whitespace and `%` comments may separate the parts and the keys; a blank line ends a cite.
 * - Keys containing `\`, `{`, `}`, `#`, `%` or inner whitespace (macros, `#1` in definitions)
 *   are not reported. `\nocite{*}` reports a key `*` in {@link Citation.keys}, but
 *   {@link citedKeys} and {@link keyAt} leave it out: it names no entry.
 * - `verbatim`, `lstlisting`, `minted` and `comment` environments and `\verb` are skipped
 *   by the whole-document scan (the local scan behind {@link citationAt} cannot see
 *   an environment opened far above the cursor).
 *
 * Markdown rules follow Pandoc: a key starts with a letter, digit or `_`; `:.#$%&-+?<>~/`
 * are allowed only between key characters (so `@doe2020.` is `doe2020`); `@{any key}` is
 * the braced form. `@` right after a letter or digit is not a citation (e-mail). Nothing
 * is a citation inside code spans, fenced or indented code, YAML front matter at the top,
 * HTML comments and tags, autolinks and link destinations.
 */
import type { Span, TextEdit } from './types';
import { clamp, isWordCharBefore, PERCENT, BACKSLASH, type Citation, type CiteFlavor, type CiteKeyRef, type CompletionContext } from './cite/common';
import { latexAddition, latexCitationsNear, latexCommandName, latexCompletion, scanLatex } from './cite/latex';
import { frontMatterEnd, markdownAddition, markdownCitationsNear, markdownCompletion, markdownKey, MD_KEY_CHAR, scanMarkdown } from './cite/markdown';

export type { Citation, CiteFlavor, CiteKeyRef, CompletionContext } from './cite/common';

/** Options of {@link formatCitation} and {@link citationInsertEdit}. */
export interface CiteFormatOptions {
  /** LaTeX command name, with or without backslash; defaults to `cite`. */
  latexCommand?: string;
  /** Markdown: `[@a; @b]` (default) or bare `@a; @b`. */
  markdownStyle?: 'bracketed' | 'bare';
}

/** Result of {@link citationInsertEdit}. */
export interface CitationInsertResult {
  edit: TextEdit;
  /** Keys the edit adds, in request order, without duplicates. */
  addedKeys: string[];
  /** Requested keys the citation at the cursor already holds. */
  alreadyPresent: string[];
}

/** The citation flavor of a document, from its VS Code language id or else its file name; undefined if neither cites. */
export function flavorForLanguage(languageId: string, fileName: string): CiteFlavor | undefined {
  const id = languageId.toLowerCase();
  if (id === 'latex' || id === 'tex') return 'latex';
  if (id === 'markdown' || id === 'quarto' || id === 'rmd' || id === 'rmarkdown') return 'markdown';
  const ext = /\.([A-Za-z]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'tex' || ext === 'ltx') return 'latex';
  if (ext === 'md' || ext === 'markdown' || ext === 'qmd' || ext === 'rmd') return 'markdown';
  return undefined;
}

/** Every citation in the document, in text order. One linear pass. */
export function findCitations(text: string, flavor: CiteFlavor): Citation[] {
  const out: Citation[] = [];
  if (flavor === 'latex') scanLatex(text, 0, Infinity, out, true);
  else scanMarkdown(text, 0, Infinity, out, { fence: null, inComment: false }, undefined);
  return out;
}

/** Every cited key with its span, in text order, leaving out the `*` of `\nocite{*}`. */
export function citedKeys(text: string, flavor: CiteFlavor): CiteKeyRef[] {
  const refs: CiteKeyRef[] = [];
  for (const c of findCitations(text, flavor)) {
    for (const k of c.keys) if (!isWildcard(c, k)) refs.push(k);
  }
  return refs;
}

/**
 * The citation whose body holds `offset` (edges included: `\cite{a,|}`, `[@a; |]`, `@key|`).
 * Looks only at a few thousand characters around the offset.
 */
export function citationAt(text: string, offset: number, flavor: CiteFlavor): Citation | undefined {
  const at = clamp(offset, text.length);
  const found = flavor === 'latex' ? latexCitationsNear(text, at) : markdownCitationsNear(text, at, undefined);
  return found.find((c) => c.bodySpan.start <= at && at <= c.bodySpan.end);
}

/** The key under or just after the cursor (a Markdown key also from its `@`), for hover. */
export function keyAt(
  text: string,
  offset: number,
  flavor: CiteFlavor,
): { key: string; span: Span; citation: Citation } | undefined {
  const at = clamp(offset, text.length);
  const citation = citationAt(text, at, flavor);
  if (!citation) return undefined;
  for (const k of citation.keys) {
    if (isWildcard(citation, k)) continue;
    let from = k.span.start;
    if (flavor === 'markdown') {
      let p = from - 1;
      if (text[p] === '{') p--;
      if (text[p] === '@') from = p;
    }
    if (from <= at && at <= k.span.end) return { key: k.key, span: k.span, citation };
  }
  return undefined;
}

/**
 * A new citation for `keys`: `\cite{a,b}`, `[@a; @b]`, or bare `@a; @b`.
 * Markdown keys that the plain syntax cannot carry are braced (`@{odd key}`). No keys: empty string.
 */
export function formatCitation(keys: string[], flavor: CiteFlavor, opts: CiteFormatOptions = {}): string {
  const list = uniqueKeys(keys);
  if (list.length === 0) return '';
  if (flavor === 'latex') return `\\${latexCommandName(opts.latexCommand)}{${list.join(',')}}`;
  const joined = list.map(markdownKey).join('; ');
  return opts.markdownStyle === 'bare' ? joined : `[${joined}]`;
}

/**
 * The edit that cites `keys` at `offset`: inside an existing citation it adds only missing
 * keys, next to the cursor's key with the citation's own separator style; elsewhere it inserts
 * {@link formatCitation} (Markdown: spaced from an adjacent word so the citation stays one).
 * With nothing to add the edit is empty (`start === end === offset`, `text === ''`).
 */
export function citationInsertEdit(
  text: string,
  offset: number,
  keys: string[],
  flavor: CiteFlavor,
  opts: CiteFormatOptions = {},
): CitationInsertResult {
  const at = clamp(offset, text.length);
  const wanted = uniqueKeys(keys);
  const noop = (addedKeys: string[], alreadyPresent: string[]): CitationInsertResult => ({
    edit: { start: at, end: at, text: '' },
    addedKeys,
    alreadyPresent,
  });
  const citation = citationAt(text, at, flavor);
  if (!citation) {
    if (wanted.length === 0) return noop([], []);
    let fresh = formatCitation(wanted, flavor, opts);
    if (flavor === 'markdown' && isWordCharBefore(text, at)) fresh = ' ' + fresh;
    // a bare key would swallow the word it is typed against
    if (flavor === 'markdown' && opts.markdownStyle === 'bare' && MD_KEY_CHAR.test(text[at] ?? '')) fresh += ' ';
    return { edit: { start: at, end: at, text: fresh }, addedKeys: wanted, alreadyPresent: [] };
  }
  const present = new Set(citation.keys.map((k) => k.key));
  const alreadyPresent = wanted.filter((k) => present.has(k));
  const added = wanted.filter((k) => !present.has(k));
  if (added.length === 0) return noop([], alreadyPresent);
  const edit = flavor === 'latex'
    ? latexAddition(text, at, citation, added)
    : markdownAddition(text, at, citation, added);
  return { edit, addedKeys: added, alreadyPresent };
}

/**
 * Where citation-key completion applies at `offset`: LaTeX inside cite braces at a key position
 * (after `{` or `,`); Markdown after an `@` (also `[@`, `-@`) that can start a citation.
 * `prefix` is the key text before the cursor; `span` covers the whole key under the cursor.
 */
export function completionContext(text: string, offset: number, flavor: CiteFlavor): CompletionContext | undefined {
  const at = clamp(offset, text.length);
  if (flavor === 'markdown') return markdownCompletion(text, at);
  const citation = citationAt(text, at, 'latex');
  return citation && latexCompletion(text, at, citation);
}

/**
 * Whether `offset` lies where a citation is not markup but literal text: LaTeX after an unescaped
 * `%` on its line; Markdown inside a code span, a fenced or indented code block, an HTML comment
 * or the front matter. The edges of a code span count as outside (the cursor before its opening
 * backtick or after its closing one).
 */
export function isInCommentOrCode(text: string, offset: number, flavor: CiteFlavor): boolean {
  const at = clamp(offset, text.length);
  if (flavor === 'latex') {
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    for (let i = ls; i < at; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i++;
      else if (c === PERCENT) return true;
    }
    return false;
  }
  const dead: Span[] = [];
  markdownCitationsNear(text, at, dead);
  return dead.some((d) => d.start < at && (at < d.end || d.end === text.length));
}

/** The YAML front matter at the top of a Markdown text (`---` … `---` or `...`), through its closing line's newline. */
export function markdownFrontMatter(text: string, maxLength = Infinity): Span | undefined {
  const end = frontMatterEnd(text, maxLength);
  return end < 0 ? undefined : { start: 0, end };
}

function isWildcard(c: Citation, k: CiteKeyRef): boolean {
  return k.key === '*' && c.flavor === 'latex' && c.command?.toLowerCase() === 'nocite';
}

function uniqueKeys(keys: string[]): string[] {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const raw of keys) {
    const k = raw.trim();
    if (k && !seen.has(k)) {
      seen.add(k);
      list.push(k);
    }
  }
  return list;
}


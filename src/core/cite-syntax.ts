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

/** Which citation syntax a document uses. */
export type CiteFlavor = 'latex' | 'markdown';

/** One key inside a citation; `span` covers exactly the key's characters. */
export interface CiteKeyRef {
  key: string;
  span: Span;
}

/** One citation in a document. */
export interface Citation {
  flavor: CiteFlavor;
  /** The whole citation: command with its arguments, or `[` … `]`, or the bare `@key`. */
  span: Span;
  /** Keys in order of appearance. */
  keys: CiteKeyRef[];
  /** LaTeX only: the command name without backslash or star, e.g. `citep`. */
  command?: string;
  /** LaTeX: inside the key braces. Markdown: inside the brackets, or the bare `@key`. */
  bodySpan: Span;
  /** True for LaTeX (the body is braced) and for Markdown `[…]`; false for a bare `@key`. */
  bracketed: boolean;
  /**
   * LaTeX only: the key braces are not closed before a blank line or the end of the text
   * (typically while typing); the body then runs to the end of the line holding `{`.
   */
  unterminated?: boolean;
}

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

/** Where key completion applies: `prefix` is typed text before the cursor, `span` the whole key to replace. */
export interface CompletionContext {
  prefix: string;
  span: Span;
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
  const found = localCitations(text, at, flavor, undefined);
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
  return flavor === 'latex' ? latexCompletion(text, at) : markdownCompletion(text, at);
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
  localCitations(text, at, 'markdown', dead);
  return dead.some((d) => d.start < at && (at < d.end || d.end === text.length));
}

/** The YAML front matter at the top of a Markdown text (`---` … `---` or `...`), through its closing line's newline. */
export function markdownFrontMatter(text: string, maxLength = Infinity): Span | undefined {
  const end = frontMatterEnd(text, maxLength);
  return end < 0 ? undefined : { start: 0, end };
}

// ---------------------------------------------------------------------------
// Shared helpers

const BACKSLASH = 92;
const PERCENT = 37;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BACKTICK = 96;
const TILDE = 126;
const AT = 64;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const LPAREN = 40;
const RPAREN = 41;
const LT = 60;
const GT = 62;
const SEMICOLON = 59;
const COMMA = 44;
const BANG = 33;
const SLASH = 47;

/** How far before the cursor the local scans start; a citation is never longer than this. */
const NEAR = 4096;
/** How far back the local Markdown scan looks for code fences to tell whether it starts inside one. */
const FAR = 65536;
/** Longest bracket group, optional argument or tag the scanners will try to match. */
const MAX_GROUP = 2000;
/** Longest LaTeX key list (a `\nocite` of a few hundred keys fits); an unclosed `{` stops looking here. */
const MAX_BODY = 20000;

function clamp(offset: number, length: number): number {
  return Math.max(0, Math.min(length, Math.floor(offset)));
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

function isSpaceCode(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const UNICODE_ALNUM = /^[\p{L}\p{N}]$/u;

/** Whether the character before `i` is a letter or digit (any script): such an `@` is an e-mail. */
function isWordCharBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const c = text.charCodeAt(i - 1);
  if (c < 128) return isAsciiAlnum(c);
  let cp = c;
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) cp = text.codePointAt(i - 2) ?? c;
  return UNICODE_ALNUM.test(String.fromCodePoint(cp));
}

/** End of the line holding `i`: the index of its `\n`, or the text length. */
function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

/** Start of the line holding `i`, looking back at most `limit` characters (a giant line starts mid-way). */
function lineStartBounded(text: string, i: number, limit: number): number {
  const stop = Math.max(0, i - limit);
  for (let p = i; p > stop; p--) if (text.charCodeAt(p - 1) === LF) return p;
  return stop;
}

// ---------------------------------------------------------------------------
// LaTeX

const NOT_CITE =
  /^(?:declare|new|renew|provide|set|def|let|save|restore)|^cite(?:style|text|setup|reset|tracker|index|counter|color|font|punct|delim|name|field)|^(?:ex|in|re)cite/i;

/** Whether a control word names a cite command (name contains `cite`, minus definitions and settings). */
function isCiteCommand(name: string): boolean {
  return /cite/i.test(name) && !NOT_CITE.test(name);
}

const VERBATIM_ENV = /[ \t]*\{(verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted|comment)\}/y;

/** Finds LaTeX citations from `from`, starting none after `stopAt`. */
function scanLatex(text: string, from: number, stopAt: number, out: Citation[], skipVerbatim: boolean): void {
  const re = /[\\%]/g;
  re.lastIndex = from;
  const len = text.length;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const i = m.index;
    if (i > stopAt) return;
    if (text.charCodeAt(i) === PERCENT) {
      re.lastIndex = lineEnd(text, i);
      continue;
    }
    let j = i + 1;
    while (j < len && isLetterCode(text.charCodeAt(j))) j++;
    if (j === i + 1) {
      // a control symbol such as \% or \\ : its character is not markup
      re.lastIndex = i + 2;
      continue;
    }
    let next = j;
    const first = text.charCodeAt(i + 1);
    if (skipVerbatim && first === 118 /* v */ && j - i === 5 && text.startsWith('verb', i + 1)) next = skipVerb(text, j);
    else if (skipVerbatim && first === 98 /* b */ && j - i === 6 && text.startsWith('begin', i + 1)) next = skipVerbatimEnv(text, j);
    else if (mentionsCite(text, i + 1, j)) {
      const name = text.slice(i + 1, j);
      if (isCiteCommand(name)) next = parseLatexCite(text, i, j, name, out);
    }
    re.lastIndex = next;
  }
}

/** Whether `[from, to)` contains `cite` in any case, without allocating the name (most commands are not cites). */
function mentionsCite(text: string, from: number, to: number): boolean {
  for (let k = from; k + 4 <= to; k++) {
    if ((text.charCodeAt(k) | 32) === 99 && (text.charCodeAt(k + 1) | 32) === 105
      && (text.charCodeAt(k + 2) | 32) === 116 && (text.charCodeAt(k + 3) | 32) === 101) return true;
  }
  return false;
}

function skipVerb(text: string, p: number): number {
  if (text[p] === '*') p++;
  const delim = text[p];
  if (delim === undefined || /[\sA-Za-z]/.test(delim)) return p;
  const close = text.indexOf(delim, p + 1);
  const eol = lineEnd(text, p);
  return close >= 0 && close < eol ? close + 1 : p + 1;
}

function skipVerbatimEnv(text: string, p: number): number {
  VERBATIM_ENV.lastIndex = p;
  const m = VERBATIM_ENV.exec(text);
  if (!m) return p;
  const endTag = `\\end{${m[1]}}`;
  const close = text.indexOf(endTag, VERBATIM_ENV.lastIndex);
  return close < 0 ? text.length : close + endTag.length;
}

/**
 * Skips spaces, single line breaks and `%` comments between the parts of a command;
 * stops before a blank line, which ends the command in TeX.
 */
function skipLatexGap(text: string, p: number): number {
  const len = text.length;
  let atLineStart = false;
  while (p < len) {
    const c = text.charCodeAt(p);
    if (c === SPACE || c === TAB || c === CR) p++;
    else if (c === LF) {
      if (atLineStart) return p;
      atLineStart = true;
      p++;
    } else if (c === PERCENT) {
      p = lineEnd(text, p) + 1;
      // TeX's comment swallows its newline, so the next line start is the relevant one
      atLineStart = true;
    } else break;
  }
  return Math.min(p, len);
}

/**
 * Index after the delimiter closing the group opened at `p`, or -1 (unclosed, blank line, too long).
 * Like LaTeX, `]` or `)` inside braces does not close, and brackets do not nest.
 */
function matchLatexGroup(text: string, p: number, close: number): number {
  const stop = Math.min(text.length, p + MAX_GROUP);
  let braces = 0;
  for (let i = p + 1; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === PERCENT) i = lineEnd(text, i) - 1;
    else if (c === close && (braces === 0 || close === RBRACE)) {
      if (braces === 0) return i + 1;
      braces--;
    } else if (c === LBRACE) braces++;
    else if (c === RBRACE) braces = Math.max(0, braces - 1);
    else if (c === LF && isBlankLineAfter(text, i)) return -1;
  }
  return -1;
}

/** Whether the line after the newline at `i` is blank (a paragraph break). */
function isBlankLineAfter(text: string, i: number): boolean {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === LF) return true;
    if (c !== SPACE && c !== TAB && c !== CR) return false;
    j++;
  }
  return true;
}

/** Parses the cite command whose backslash is at `start`; pushes its citation(s) and returns where scanning resumes. */
function parseLatexCite(text: string, start: number, nameEnd: number, name: string, out: Citation[]): number {
  let p = skipLatexGap(text, nameEnd);
  if (text.charCodeAt(p) === 42 /* * */) p = skipLatexGap(text, p + 1);
  const multi = /cites$/i.test(name);
  const volume = /volcites?$/i.test(name);
  if (multi) {
    for (let k = 0; k < 2 && text.charCodeAt(p) === LPAREN; k++) {
      const q = matchLatexGroup(text, p, RPAREN);
      if (q < 0) break;
      p = skipLatexGap(text, q);
    }
  }
  let groupStart = start;
  let resume = nameEnd;
  for (;;) {
    let q = skipOptionalArgs(text, p);
    if (volume) {
      if (text.charCodeAt(q) !== LBRACE) break;
      const v = matchLatexGroup(text, q, RBRACE);
      if (v < 0) break;
      q = skipOptionalArgs(text, skipLatexGap(text, v));
    }
    if (text.charCodeAt(q) !== LBRACE) break;
    const body = parseLatexBody(text, q);
    const citation: Citation = {
      flavor: 'latex',
      span: { start: groupStart, end: body.end },
      keys: splitLatexKeys(text, body.start, body.bodyEnd),
      command: name,
      bodySpan: { start: body.start, end: body.bodyEnd },
      bracketed: true,
    };
    if (body.unterminated) citation.unterminated = true;
    out.push(citation);
    resume = body.end;
    if (!multi || body.unterminated) break;
    p = skipLatexGap(text, body.end);
    groupStart = p;
  }
  return resume;
}

function skipOptionalArgs(text: string, p: number): number {
  for (let k = 0; k < 2 && text.charCodeAt(p) === LBRACKET; k++) {
    const q = matchLatexGroup(text, p, RBRACKET);
    if (q < 0) return p;
    p = skipLatexGap(text, q);
  }
  return p;
}

/** The key braces opened at `open`: body range, where the cite ends, and whether `}` was found. */
function parseLatexBody(text: string, open: number): { start: number; bodyEnd: number; end: number; unterminated: boolean } {
  const stop = Math.min(text.length, open + MAX_BODY);
  let depth = 0;
  for (let i = open + 1; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === PERCENT) i = lineEnd(text, i) - 1;
    else if (c === LBRACE) depth++;
    else if (c === RBRACE) {
      if (depth === 0) return { start: open + 1, bodyEnd: i, end: i + 1, unterminated: false };
      depth--;
    } else if (c === LF && isBlankLineAfter(text, i)) break;
  }
  const eol = lineEnd(text, open + 1);
  const bodyEnd = eol > open + 1 && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
  return { start: open + 1, bodyEnd, end: bodyEnd, unterminated: true };
}

const BAD_LATEX_KEY = /[\s\\{}#%]/;

/** The comma-separated keys in `[s, e)`, trimmed, skipping comments and keys that cannot be citation keys. */
function splitLatexKeys(text: string, s: number, e: number): CiteKeyRef[] {
  const keys: CiteKeyRef[] = [];
  let first = -1;
  let last = -1;
  let depth = 0;
  const flush = (): void => {
    if (first >= 0) {
      const key = text.slice(first, last + 1);
      if (!BAD_LATEX_KEY.test(key)) keys.push({ key, span: { start: first, end: last + 1 } });
    }
    first = -1;
    last = -1;
  };
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === PERCENT) {
      i = Math.min(e, lineEnd(text, i)) - 1;
      continue;
    }
    if (c === COMMA && depth === 0) {
      flush();
      continue;
    }
    if (isSpaceCode(c)) continue;
    if (c === LBRACE) depth++;
    else if (c === RBRACE) depth--;
    if (first < 0) first = i;
    last = i;
    if (c === BACKSLASH && i + 1 < e) last = ++i;
  }
  flush();
  return keys;
}

function isLatexKeyChar(c: number): boolean {
  return !isSpaceCode(c) && c !== COMMA && c !== LBRACE && c !== RBRACE && c !== PERCENT && c !== BACKSLASH && !Number.isNaN(c);
}

function latexCompletion(text: string, at: number): CompletionContext | undefined {
  const c = citationAt(text, at, 'latex');
  if (!c) return undefined;
  const { start: bs, end: be } = c.bodySpan;
  let p = at;
  while (p > bs && isLatexKeyChar(text.charCodeAt(p - 1))) p--;
  let q = p;
  while (q > bs && isSpaceCode(text.charCodeAt(q - 1))) q--;
  if (q !== bs && text.charCodeAt(q - 1) !== COMMA) return undefined;
  let e = at;
  while (e < be && isLatexKeyChar(text.charCodeAt(e))) e++;
  return { prefix: text.slice(p, at), span: { start: p, end: e } };
}

function latexCommandName(cmd: string | undefined): string {
  const name = (cmd ?? '').trim().replace(/^\\/, '');
  return name || 'cite';
}

/** Adds `added` to a LaTeX citation next to the cursor's key, keeping its `,` or `, ` style. */
function latexAddition(text: string, at: number, c: Citation, added: string[]): TextEdit {
  const { start: bs, end: be } = c.bodySpan;
  let p = at;
  for (const k of c.keys) if (k.span.start < p && p < k.span.end) p = k.span.end;
  const spaced = /,[ \t]/.test(text.slice(bs, be));
  const sep = spaced ? ', ' : ',';
  const joined = added.join(sep);
  let back = p;
  while (back > bs && isSpaceCode(text.charCodeAt(back - 1))) back--;
  const prev = back > bs ? text.charCodeAt(back - 1) : LBRACE;
  if (prev !== COMMA && prev !== LBRACE) {
    // the cursor follows a key: the new keys go right after it
    return { start: back, end: back, text: sep + joined };
  }
  let fwd = p;
  while (fwd < be && isSpaceCode(text.charCodeAt(fwd))) fwd++;
  const next = fwd < be ? text.charCodeAt(fwd) : RBRACE;
  const lead = prev === COMMA && back === p && spaced ? ' ' : '';
  const trail = next !== COMMA && next !== RBRACE ? (spaced && fwd === p ? ', ' : ',') : '';
  return { start: p, end: p, text: lead + joined + trail };
}

// ---------------------------------------------------------------------------
// Markdown

interface Fence {
  ch: number;
  len: number;
}

interface MarkdownState {
  fence: Fence | null;
  inComment: boolean;
}

const MD_KEY = /[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&+?<>~/-](?=[\p{L}\p{N}_])|[:/](?=\/))*/uy;
const MD_KEY_WHOLE = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&+?<>~/-](?=[\p{L}\p{N}_])|[:/](?=\/))*$/u;
const MD_KEY_CHAR = /^[\p{L}\p{N}_:.#$%&+?<>~/-]$/u;

function markdownKey(key: string): string {
  return MD_KEY_WHOLE.test(key) ? `@${key}` : `@{${key}}`;
}

/** The key starting at `p` (just after `@`), ending by `limit`: plain or `{braced}`. */
function markdownKeyAt(text: string, p: number, limit: number): { key: string; span: Span; end: number } | undefined {
  if (text.charCodeAt(p) === LBRACE) {
    let depth = 0;
    const stop = Math.min(limit, p + MAX_GROUP);
    for (let i = p + 1; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) return undefined;
      if (c === LBRACE) depth++;
      else if (c === RBRACE) {
        if (depth > 0) {
          depth--;
          continue;
        }
        if (i === p + 1) return undefined;
        return { key: text.slice(p + 1, i), span: { start: p + 1, end: i }, end: i + 1 };
      }
    }
    return undefined;
  }
  MD_KEY.lastIndex = p;
  const m = MD_KEY.exec(text);
  if (!m) return undefined;
  const end = Math.min(limit, p + m[0].length);
  if (end <= p) return undefined;
  return { key: text.slice(p, end), span: { start: p, end }, end };
}

/** Offset just past the front matter's closing line, or -1 when the text has none. */
function frontMatterEnd(text: string, maxLength: number): number {
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (!text.startsWith('---', p)) return -1;
  let eol = lineEnd(text, p);
  if (text.slice(p + 3, eol).trim() !== '') return -1;
  p = eol + 1;
  // Pandoc: a blank line right after the opening `---` makes it a horizontal rule
  if (p >= text.length || text.slice(p, lineEnd(text, p)).trim() === '') return -1;
  const stop = Math.min(text.length, maxLength);
  while (p < stop) {
    eol = lineEnd(text, p);
    const line = text.slice(p, eol).trimEnd();
    if (line === '---' || line === '...') return Math.min(text.length, eol + 1);
    p = eol + 1;
  }
  return -1;
}

function openingFence(text: string, p: number, eol: number): Fence | null {
  const ch = text.charCodeAt(p);
  if (ch !== BACKTICK && ch !== TILDE) return null;
  let q = p;
  while (q < eol && text.charCodeAt(q) === ch) q++;
  if (q - p < 3) return null;
  if (ch === BACKTICK && text.slice(q, eol).includes('`')) return null;
  return { ch, len: q - p };
}

function isClosingFence(text: string, pos: number, eol: number, fence: Fence): boolean {
  let p = pos;
  while (p < eol && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB)) p++;
  let q = p;
  while (q < eol && text.charCodeAt(q) === fence.ch) q++;
  return q - p >= fence.len && text.slice(q, eol).trim() === '';
}

const LIST_MARKER = /(?:[-*+]|\d{1,9}[.)])(?:[ \t]|\r?$)/y;

/**
 * Block pass over Markdown from the line start `from`: collects paragraphs (runs of text lines)
 * and hands them to the inline pass; code, front matter and HTML comments are skipped and, when
 * `dead` is given, recorded. Starts no paragraph after `stopAt`.
 */
function scanMarkdown(
  text: string,
  from: number,
  stopAt: number,
  out: Citation[],
  state: MarkdownState,
  dead: Span[] | undefined,
): void {
  const len = text.length;
  let pos = from;
  let fence = state.fence;
  let prevBlank = true;
  let inList = false;
  let inIndented = false;
  let para = -1;
  let finished = false;

  const resumeAfterComment = (open: number): void => {
    const close = text.indexOf('-->', open);
    if (close < 0) {
      dead?.push({ start: open, end: len });
      finished = true;
      return;
    }
    dead?.push({ start: open, end: close + 3 });
    para = close + 3;
    pos = lineEnd(text, close + 3) + 1;
    fence = null;
    prevBlank = false;
    inIndented = false;
  };
  /** Runs the inline pass over the pending paragraph; true when an HTML comment moved `pos`. */
  const flush = (end: number): boolean => {
    if (para < 0) return false;
    const open = scanInline(text, para, end, out, dead);
    para = -1;
    if (open < 0) return false;
    resumeAfterComment(open + 4);
    return true;
  };

  if (from === 0) {
    const fm = frontMatterEnd(text, Infinity);
    if (fm > 0) {
      dead?.push({ start: 0, end: fm });
      pos = fm;
    }
  }
  if (state.inComment) resumeAfterComment(pos);

  while (!finished && pos < len) {
    if (para < 0 && pos > stopAt) return;
    const eol = lineEnd(text, pos);
    const nextLine = eol + 1;
    if (fence) {
      if (isClosingFence(text, pos, eol, fence)) fence = null;
      dead?.push({ start: pos, end: eol });
      pos = nextLine;
      continue;
    }
    let p = pos;
    let col = 0;
    for (; p < eol; p++) {
      const c = text.charCodeAt(p);
      if (c === SPACE) col++;
      else if (c === TAB) col += 4 - (col % 4);
      else break;
    }
    const blank = p === eol || (p === eol - 1 && text.charCodeAt(p) === CR);
    if (blank) {
      if (flush(pos)) continue;
      prevBlank = true;
      inIndented = false;
      pos = nextLine;
      continue;
    }
    if (col >= 4 && (prevBlank || inIndented) && !inList) {
      if (flush(pos)) continue;
      dead?.push({ start: pos, end: eol });
      inIndented = true;
      prevBlank = false;
      pos = nextLine;
      continue;
    }
    const opened = col < 4 || inList ? openingFence(text, p, eol) : null;
    if (opened) {
      if (flush(pos)) continue;
      fence = opened;
      dead?.push({ start: pos, end: eol });
      prevBlank = false;
      inIndented = false;
      pos = nextLine;
      continue;
    }
    if (col < 4) {
      LIST_MARKER.lastIndex = p;
      if (LIST_MARKER.test(text)) inList = true;
      else if (prevBlank) inList = false;
    }
    if (para < 0) para = pos;
    prevBlank = false;
    inIndented = false;
    pos = nextLine;
  }
  if (!finished) flush(len);
}

/** Index of the closing run of exactly `n` backticks in `[from, e)`, or -1. */
function findCodeSpanClose(text: string, from: number, e: number, n: number): number {
  for (let j = from; j < e; ) {
    if (text.charCodeAt(j) !== BACKTICK) {
      j++;
      continue;
    }
    let k = j;
    while (k < e && text.charCodeAt(k) === BACKTICK) k++;
    if (k - j === n) return j;
    j = k;
  }
  return -1;
}

function backtickRun(text: string, i: number, e: number): number {
  let k = i;
  while (k < e && text.charCodeAt(k) === BACKTICK) k++;
  return k - i;
}

/** End of an HTML tag or autolink opened by `<` at `i` within `[i, e)`, or -1 when `<` is just text. */
function tagEnd(text: string, i: number, e: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === SLASH) j++;
  if (!isLetterCode(text.charCodeAt(j))) return -1;
  const stop = Math.min(e, i + MAX_GROUP);
  for (; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === GT) return j + 1;
    if (c === LT) return -1;
  }
  return -1;
}

/** End of the `(…)` starting at `p` (balanced parentheses) within `e`, or -1. */
function matchParens(text: string, p: number, e: number): number {
  let depth = 0;
  const stop = Math.min(e, p + MAX_GROUP);
  for (let i = p; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === LPAREN) depth++;
    else if (c === RPAREN && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Inline pass over one paragraph `[s, e)`. Returns -1, or the offset of an `<!--` whose
 * `-->` lies beyond the paragraph (the caller skips to it).
 */
function scanInline(text: string, s: number, e: number, out: Citation[], dead: Span[] | undefined): number {
  let i = s;
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
    } else if (c === BACKTICK) {
      const n = backtickRun(text, i, e);
      const close = findCodeSpanClose(text, i + n, e, n);
      if (close < 0) i += n;
      else {
        dead?.push({ start: i, end: close + n });
        i = close + n;
      }
    } else if (c === LT) {
      if (text.startsWith('<!--', i)) {
        const close = text.indexOf('-->', i + 4);
        if (close < 0 || close + 3 > e) return i;
        dead?.push({ start: i, end: close + 3 });
        i = close + 3;
      } else {
        const t = tagEnd(text, i, e);
        if (t > 0) dead?.push({ start: i, end: t });
        i = t > 0 ? t : i + 1;
      }
    } else if (c === LBRACKET) {
      const cite = i > 0 && text.charCodeAt(i - 1) === BANG ? undefined : bracketedAt(text, i, e);
      if (cite) {
        out.push(cite);
        i = cite.span.end;
      } else i++;
    } else if (c === RBRACKET) {
      // a link destination is a URL, not text: `(https://x.org/@user)` cites nobody
      const d = text.charCodeAt(i + 1) === LPAREN ? matchParens(text, i + 1, e) : -1;
      if (d > 0) dead?.push({ start: i + 1, end: d });
      i = d > 0 ? d : i + 1;
    } else if (c === AT) {
      const cite = bareAt(text, i, e);
      if (cite) {
        out.push(cite);
        i = cite.span.end;
      } else i++;
    } else {
      i++;
    }
  }
  return -1;
}

function bareAt(text: string, i: number, e: number): Citation | undefined {
  if (isWordCharBefore(text, i)) return undefined;
  const k = markdownKeyAt(text, i + 1, e);
  if (!k) return undefined;
  return {
    flavor: 'markdown',
    span: { start: i, end: k.end },
    keys: [{ key: k.key, span: k.span }],
    bodySpan: { start: i, end: k.end },
    bracketed: false,
  };
}

/** Index of the `]` matching the `[` at `i` within `e` (nesting, escapes and code spans respected), or -1. */
function matchBracket(text: string, i: number, e: number): number {
  let depth = 0;
  const stop = Math.min(e, i + MAX_GROUP);
  for (let j = i + 1; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === BACKTICK) {
      const n = backtickRun(text, j, stop);
      const close = findCodeSpanClose(text, j + n, stop, n);
      j = (close < 0 ? j + n : close + n) - 1;
    } else if (c === LBRACKET) depth++;
    else if (c === RBRACKET) {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

/**
 * The bracketed citation opened at `i`, if `[…]` is not a link and holds at least one `@` at a key
 * position: with a key, or an empty one right before `;` or `]` (typing in progress).
 */
function bracketedAt(text: string, i: number, e: number): Citation | undefined {
  const k = matchBracket(text, i, e);
  if (k < 0) return undefined;
  const after = text.charCodeAt(k + 1);
  if (after === LPAREN || after === LBRACKET) return undefined;
  if (after === 58 /* : */ && (i === 0 || text.charCodeAt(i - 1) === LF)) return undefined;
  const keys: CiteKeyRef[] = [];
  let cites = false;
  for (let j = i + 1; j < k; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === BACKTICK) {
      const n = backtickRun(text, j, k);
      const close = findCodeSpanClose(text, j + n, k, n);
      j = (close < 0 ? j + n : close + n) - 1;
    } else if (c === AT && !isWordCharBefore(text, j)) {
      const key = markdownKeyAt(text, j + 1, k);
      if (key) {
        keys.push({ key: key.key, span: key.span });
        cites = true;
        j = key.end - 1;
      } else {
        let q = j + 1;
        while (q < k && (text.charCodeAt(q) === SPACE || text.charCodeAt(q) === TAB)) q++;
        if (q === k || text.charCodeAt(q) === SEMICOLON) cites = true;
      }
    }
  }
  if (!cites) return undefined;
  return {
    flavor: 'markdown',
    span: { start: i, end: k + 1 },
    keys,
    bodySpan: { start: i + 1, end: k },
    bracketed: true,
  };
}

/** Citations near `at` from a bounded local scan; `dead` collects the skipped regions of that scan. */
function localCitations(text: string, at: number, flavor: CiteFlavor, dead: Span[] | undefined): Citation[] {
  const out: Citation[] = [];
  if (flavor === 'latex') {
    scanLatex(text, lineStartBounded(text, Math.max(0, at - NEAR), NEAR), at, out, false);
    return out;
  }
  let near = paragraphStartBounded(text, lineStartBounded(text, Math.max(0, at - NEAR), NEAR), NEAR);
  if (near === 0) {
    scanMarkdown(text, 0, at, out, { fence: null, inComment: false }, dead);
    return out;
  }
  const fm = frontMatterEnd(text, FAR);
  if (fm > 0 && at < fm) {
    dead?.push({ start: 0, end: fm });
    return out;
  }
  if (fm > near) near = fm;
  const lo = fm > 0 && at - FAR < fm ? fm : lineStartBounded(text, Math.max(0, at - FAR), NEAR);
  scanMarkdown(text, near, at, out, inferMarkdownState(text, lo, near), dead);
  return out;
}

/**
 * Start of the top-level paragraph holding line start `p`: a line indented less than four
 * columns that follows a blank line (so the block pass can start there with no list or
 * indented-code context). Looks back at most `limit` characters.
 */
function paragraphStartBounded(text: string, p: number, limit: number): number {
  const stop = Math.max(0, p - limit);
  let lineStart = p;
  while (lineStart > stop) {
    const prevStart = lineStartBounded(text, lineStart - 1, limit);
    if (text.slice(prevStart, lineStart).trim() === '' && !/^(?: {4}| {0,3}\t)/.test(text.slice(lineStart, lineStart + 4))) {
      return lineStart;
    }
    if (prevStart <= stop) return prevStart;
    lineStart = prevStart;
  }
  return lineStart;
}

// The run of fence characters is taken whole (the info string cannot start with the same
// character), so no part of the line is matched two ways.
const FENCE_LINE = /^[ \t]*(?:(`{3,})([^`\n][^\n]*)?|(~{3,})([^~\n][^\n]*)?)$/gm;

/**
 * The code-fence and comment state at `near`, replayed from the fence lines in `[lo, near)`.
 * Exact when `lo` is outside any block (text start, end of front matter). Otherwise the first
 * fence seen may be a closer taken for an opener, but the count falls back into step at the
 * first fence with an info string (```` ```python ````), which can only open.
 */
function inferMarkdownState(text: string, lo: number, near: number): MarkdownState {
  const slice = text.slice(lo, near);
  let fence: Fence | null = null;
  FENCE_LINE.lastIndex = 0;
  for (let m = FENCE_LINE.exec(slice); m; m = FENCE_LINE.exec(slice)) {
    const run = m[1] ?? m[3] ?? '';
    const ch = run.charCodeAt(0);
    const info = (m[2] ?? m[4] ?? '').trim();
    if (!fence) {
      if (!(ch === BACKTICK && info.includes('`'))) fence = { ch, len: run.length };
    } else if (ch === fence.ch && run.length >= fence.len && info === '') fence = null;
  }
  if (fence) return { fence, inComment: false };
  const open = slice.lastIndexOf('<!--');
  return { fence: null, inComment: open >= 0 && open > slice.lastIndexOf('-->') };
}

function isInside(spans: Span[], p: number): boolean {
  return spans.some((s) => s.start <= p && p < s.end);
}

function markdownCompletion(text: string, at: number): CompletionContext | undefined {
  let p = at;
  const stop = Math.max(0, at - 256);
  while (p > stop && MD_KEY_CHAR.test(text[p - 1] ?? '')) p--;
  const atSign = p - 1;
  if (atSign < 0 || text.charCodeAt(atSign) !== AT) return undefined;
  if (isWordCharBefore(text, atSign)) return undefined;
  let slashes = 0;
  while (text.charCodeAt(atSign - 1 - slashes) === BACKSLASH) slashes++;
  if (slashes % 2 === 1) return undefined;
  if (p < at) {
    MD_KEY.lastIndex = p;
    if (!MD_KEY.test(text)) return undefined;
  }
  const dead: Span[] = [];
  localCitations(text, at, 'markdown', dead);
  if (isInside(dead, atSign)) return undefined;
  MD_KEY.lastIndex = p;
  const m = MD_KEY.exec(text);
  const end = Math.max(at, m ? p + m[0].length : p);
  return { prefix: text.slice(p, at), span: { start: p, end } };
}

/** Adds `added` to a Markdown citation: after the cursor's item (`; @k`), or into the cursor's keyless item. */
function markdownAddition(text: string, at: number, c: Citation, added: string[]): TextEdit {
  const tail = added.map(markdownKey).join('; ');
  if (!c.bracketed) {
    const end = c.bodySpan.end;
    return { start: end, end, text: '; ' + tail };
  }
  const { start: bs, end: be } = c.bodySpan;
  let itemStart = bs;
  let itemEnd = be;
  for (let j = bs; j < be; j++) {
    const ch = text.charCodeAt(j);
    if (ch === BACKSLASH) j++;
    else if (ch === BACKTICK) {
      const n = backtickRun(text, j, be);
      const close = findCodeSpanClose(text, j + n, be, n);
      j = (close < 0 ? j + n : close + n) - 1;
    } else if (ch === SEMICOLON) {
      if (j < at) itemStart = j + 1;
      else {
        itemEnd = j;
        break;
      }
    }
  }
  const itemKeys = c.keys.filter((k) => k.span.start >= itemStart && k.span.end <= itemEnd);
  if (itemKeys.length > 0) {
    let p = itemEnd;
    const lastKeyEnd = itemKeys[itemKeys.length - 1]!.span.end;
    while (p > lastKeyEnd && isSpaceCode(text.charCodeAt(p - 1))) p--;
    return { start: p, end: p, text: '; ' + tail };
  }
  const prev = at > bs ? text.charCodeAt(at - 1) : LBRACKET;
  if (prev === AT) {
    // an `@` (or `-@`) is already typed: the first key goes after it
    return { start: at, end: at, text: tail.slice(1) };
  }
  const lead = prev === LBRACKET || isSpaceCode(prev) ? '' : ' ';
  return { start: at, end: at, text: lead + tail };
}

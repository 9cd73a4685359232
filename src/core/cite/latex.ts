/**
 * The LaTeX citation grammar: `\cite{a,b}` and its many cousins (natbib, biblatex multicite,
 * `\volcite`), with optional arguments, `%` comments and verbatim skipped. The rules are listed
 * on the public functions in `cite-syntax.ts`.
 */
import type { TextEdit } from '../types';
import { BACKSLASH, PERCENT, LF, CR, SPACE, TAB, LBRACKET, RBRACKET, LBRACE, RBRACE, LPAREN, RPAREN, COMMA, NEAR, MAX_GROUP, MAX_BODY, isSpaceCode, isLetterCode, lineEnd, lineStartBounded, type Citation, type CiteKeyRef, type CompletionContext } from './common';

const NOT_CITE =
  /^(?:declare|new|renew|provide|set|def|let|save|restore)|^cite(?:style|text|setup|reset|tracker|index|counter|color|font|punct|delim|name|field)|^(?:ex|in|re)cite/i;

/** Whether a control word names a cite command (name contains `cite`, minus definitions and settings). */
function isCiteCommand(name: string): boolean {
  return /cite/i.test(name) && !NOT_CITE.test(name);
}

const VERBATIM_ENV = /[ \t]*\{(verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted|comment)\}/y;

/** Finds LaTeX citations from `from`, starting none after `stopAt`. */
export function scanLatex(text: string, from: number, stopAt: number, out: Citation[], skipVerbatim: boolean): void {
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

/** Completion inside the citation `c` at `at` (the citation under the cursor). */
export function latexCompletion(text: string, at: number, c: Citation): CompletionContext | undefined {
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

export function latexCommandName(cmd: string | undefined): string {
  const name = (cmd ?? '').trim().replace(/^\\/, '');
  return name || 'cite';
}

/** Adds `added` to a LaTeX citation next to the cursor's key, keeping its `,` or `, ` style. */
export function latexAddition(text: string, at: number, c: Citation, added: string[]): TextEdit {
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

/** LaTeX citations starting in the few thousand characters before `at` (for the citation under the cursor). */
export function latexCitationsNear(text: string, at: number): Citation[] {
  const out: Citation[] = [];
  scanLatex(text, lineStartBounded(text, Math.max(0, at - NEAR), NEAR), at, out, false);
  return out;
}

/** What the LaTeX and Markdown citation grammars share: the citation types, character codes, bounds and small scanners. */
import type { Span } from '../types';

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

/** Where key completion applies: `prefix` is typed text before the cursor, `span` the whole key to replace. */
export interface CompletionContext {
  prefix: string;
  span: Span;
}


export const BACKSLASH = 92;
export const PERCENT = 37;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const TAB = 9;
export const BACKTICK = 96;
export const TILDE = 126;
export const AT = 64;
export const LBRACKET = 91;
export const RBRACKET = 93;
export const LBRACE = 123;
export const RBRACE = 125;
export const LPAREN = 40;
export const RPAREN = 41;
export const LT = 60;
export const GT = 62;
export const SEMICOLON = 59;
export const COMMA = 44;
export const BANG = 33;
export const SLASH = 47;

/** How far before the cursor the local scans start; a citation is never longer than this. */
export const NEAR = 4096;
/** How far back the local Markdown scan looks for code fences to tell whether it starts inside one. */
export const FAR = 65536;
/** Longest bracket group, optional argument or tag the scanners will try to match. */
export const MAX_GROUP = 2000;
/** Longest LaTeX key list (a `\nocite` of a few hundred keys fits); an unclosed `{` stops looking here. */
export const MAX_BODY = 20000;

export function clamp(offset: number, length: number): number {
  return Math.max(0, Math.min(length, Math.floor(offset)));
}

export function isSpaceCode(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

export function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const UNICODE_ALNUM = /^[\p{L}\p{N}]$/u;

/** Whether the character before `i` is a letter or digit (any script): such an `@` is an e-mail. */
export function isWordCharBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const c = text.charCodeAt(i - 1);
  if (c < 128) return isAsciiAlnum(c);
  let cp = c;
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) cp = text.codePointAt(i - 2) ?? c;
  return UNICODE_ALNUM.test(String.fromCodePoint(cp));
}

/** End of the line holding `i`: the index of its `\n`, or the text length. */
export function lineEnd(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

/** Start of the line holding `i`, looking back at most `limit` characters (a giant line starts mid-way). */
export function lineStartBounded(text: string, i: number, limit: number): number {
  const stop = Math.max(0, i - limit);
  for (let p = i; p > stop; p--) if (text.charCodeAt(p - 1) === LF) return p;
  return stop;
}

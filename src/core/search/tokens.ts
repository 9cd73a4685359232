/** Words as the search index sees them: folded to lower-case ASCII, with offsets where asked. */
import { foldToAscii } from '../text';
import type { Span } from '../types';

/** Words a query may contain that say nothing about which paper is meant. */
export const QUERY_STOP_WORDS = new Set([
  'a', 'an', 'the', 'of', 'on', 'in', 'for', 'to', 'and', 'or', 'with', 'from', 'by', 'at', 'as', 'is',
  'are', 'be', 'via', 'into', 'its', 'it', 'this', 'that', 'we', 'our', 'can', 'do', 'does', 'how', 'what',
]);

const NON_ASCII = /[^\x00-\x7f]/;
/** A word, or a dotted number (`2307.03381`, `3.5`) kept whole. */
const TOKEN = /[\p{L}\p{N}]+(?:\.\d+)*/gu;
const ASCII_TOKEN = /[a-z0-9]+(?:\.\d+)*/g;

export interface Token {
  term: string;
  start: number;
  end: number;
}

/** Words of a text with their offsets, folded to lower-case ASCII for matching. */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const word = m[0];
    // NFD folding is the costly part of indexing; most words are ASCII already.
    const term = NON_ASCII.test(word) ? foldToAscii(word).toLowerCase() : word.toLowerCase();
    out.push({ term, start: m.index ?? 0, end: (m.index ?? 0) + word.length });
  }
  return out;
}

/**
 * Where the given (folded, lower-case) words occur in a text as whole words. ASCII text is
 * scanned once with a plain regex and only matches become objects, far cheaper than the
 * Unicode tokenizer; other text goes through the tokenizer so folded matches map back.
 */
export function wordRanges(text: string, words: ReadonlySet<string>): Span[] {
  if (NON_ASCII.test(text)) return tokens(text).filter((t) => words.has(t.term)).map((t) => ({ start: t.start, end: t.end }));
  const lower = text.toLowerCase();
  const ranges: Span[] = [];
  ASCII_TOKEN.lastIndex = 0;
  for (let m = ASCII_TOKEN.exec(lower); m; m = ASCII_TOKEN.exec(lower)) {
    if (words.has(m[0])) ranges.push({ start: m.index, end: m.index + m[0].length });
  }
  return ranges;
}

/** The words of a text as the index stores them (like `tokens`, without offsets: indexing is hot). */
export function indexTerms(text: string): string[] {
  const lower = text.toLowerCase();
  // Most text is ASCII: a plain regex is much cheaper than the Unicode one, cold and warm.
  if (!NON_ASCII.test(lower)) return lower.match(ASCII_TOKEN) ?? [];
  return (lower.match(TOKEN) ?? []).map((w) => (NON_ASCII.test(w) ? foldToAscii(w).toLowerCase() : w));
}

/**
 * Trigram codes of a word (with a start marker), each packed into one small integer so the
 * shortlist is keyed by numbers. Two trigrams may share a code; that only adds a candidate,
 * which the fuzzy scorer then drops.
 */
export function trigrams(term: string): number[] {
  const codes: number[] = [];
  let a = 1;
  let b = term.charCodeAt(0) & 0x3ff;
  for (let i = 1; i < term.length; i++) {
    const c = term.charCodeAt(i) & 0x3ff;
    codes.push((a << 20) | (b << 10) | c);
    a = b;
    b = c;
  }
  return codes;
}

/** Small text helpers shared by the core modules. */

const SPECIAL_LETTERS: Record<string, string> = {
  ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ß: 'ss', đ: 'd', Đ: 'D',
  þ: 'th', Þ: 'Th', ð: 'd', Ð: 'D', ı: 'i', ħ: 'h', Ħ: 'H', ŀ: 'l', Ŀ: 'L',
};

/**
 * Folds text to ASCII: accents are dropped (`Brémond` → `Bremond`) and letters without a
 * decomposition are spelled out (`Łukasz` → `Lukasz`, `ß` → `ss`). Other non-ASCII stays.
 */
export function foldToAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[łŁøØæÆœŒßđĐþÞðÐıħĦŀĿ]/g, (ch) => SPECIAL_LETTERS[ch] ?? ch);
}

/** A title reduced to what identifies it: ASCII-folded, lower-case letters and digits, single spaces. */
export function normaliseTitle(title: string): string {
  return foldToAscii(title)
    .toLowerCase()
    .replace(/\\[a-z]+\s*/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// Identity helpers moved to identity.ts; re-exported so existing imports keep working.
export { extractArxivId, normaliseDoi } from './identity';

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

/** The arXiv id in a string (`arXiv:2307.03381v2`, an abs/pdf URL, `10.48550/arXiv.2307.03381`), without version. */
export function extractArxivId(text: string): string | undefined {
  const modern = /(?<!\d\.?)(\d{4}\.\d{4,5})(?:v\d+)?(?!\d)/i.exec(text);
  if (modern) return modern[1];
  const legacy = /\b([a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?\b/.exec(text);
  return legacy?.[1];
}

/** A DOI in a canonical comparable form: lower-case, without resolver prefix. */
export function normaliseDoi(doi: string): string {
  return doi.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '').toLowerCase();
}

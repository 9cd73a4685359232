/**
 * Pandoc's locators: the text after a cited key (`, pp. 33-35 and *passim*`) split into a CSL
 * locator label (`page`), the locator (`33-35`) and what is left, the suffix. Labels are the
 * locale's spellings of CSL's locator terms (`p.`, `pp.`, `page`, `chap.`, `§`…) plus the
 * en-US ones, longest first. As in Pandoc, a locator without a label that starts with a digit
 * is a page; `{…}` holds a locator of any form (`p. {iv, 3-5}`); anything else is all suffix.
 */
import { localeTermForms } from './csl-xml';

/** CSL's locator types. */
export type LocatorLabel =
  | 'act' | 'appendix' | 'article-locator' | 'book' | 'canon' | 'chapter' | 'column' | 'elocation' | 'equation'
  | 'figure' | 'folio' | 'issue' | 'line' | 'note' | 'opus' | 'page' | 'paragraph' | 'part' | 'rule' | 'scene'
  | 'section' | 'sub-verbo' | 'supplement' | 'table' | 'timestamp' | 'title' | 'verse' | 'volume';

const LOCATOR_NAMES: ReadonlySet<string> = new Set<LocatorLabel>([
  'act', 'appendix', 'article-locator', 'book', 'canon', 'chapter', 'column', 'elocation', 'equation', 'figure',
  'folio', 'issue', 'line', 'note', 'opus', 'page', 'paragraph', 'part', 'rule', 'scene', 'section', 'sub-verbo',
  'supplement', 'table', 'timestamp', 'title', 'verse', 'volume',
]);

/** A locale's locator label spellings, longest first. */
export interface LocatorTerms {
  readonly forms: ReadonlyArray<{ text: string; lower: string; label: LocatorLabel }>;
}

/** What {@link splitLocator} found in the text after a key. */
export interface LocatorSplit {
  locator?: string;
  label?: LocatorLabel;
  /** The rest, without the comma that introduced the locator; empty when nothing is left. */
  suffix: string;
}

/** The locator spellings of the given locale files (the first wins a spelling two share). */
export function locatorTerms(...localeXmls: Array<string | undefined>): LocatorTerms {
  const seen = new Set<string>();
  const forms: Array<{ text: string; lower: string; label: LocatorLabel }> = [];
  for (const xml of localeXmls) {
    if (!xml) continue;
    for (const { name, text } of localeTermForms(xml, LOCATOR_NAMES)) {
      const lower = text.toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      forms.push({ text, lower, label: name as LocatorLabel });
    }
  }
  forms.sort((a, b) => b.text.length - a.text.length);
  return { forms };
}

/** One locator value: digits with an optional letter (`12a`), or roman numerals. */
const VALUE = String.raw`(?:\d+[A-Za-z]?|[ivxlcdm]+|[IVXLCDM]+)(?![\p{L}\p{N}])`;
/** Values joined by range dashes and `,`/`&` lists: `33, 35-37`, `iv–v`. */
const LOCATOR_BODY = new RegExp(String.raw`${VALUE}(?:[ \u00a0]?[-\u2013\u2014][ \u00a0]?${VALUE}|,[ \u00a0]?(?=\d)${VALUE}|[ \u00a0]?&[ \u00a0]?${VALUE})*`, 'uy');
const DIGIT_START = /^\d/;

/**
 * Splits the text after a key into label, locator and suffix, Pandoc's way: `, p. 33` → page 33;
 * `, 33-35` → page 33-35; `, chap. 3, and more` → chapter 3 with suffix `, and more`;
 * `, and nowhere else` → suffix only.
 */
export function splitLocator(afterKey: string, terms: LocatorTerms): LocatorSplit {
  const lead = /^[ \t\n\u00a0]*,?[ \t\n\u00a0]*/.exec(afterKey)![0];
  const text = afterKey.slice(lead.length);
  const whole: LocatorSplit = { suffix: afterKey.trim() };
  if (!text) return { suffix: '' };
  let label: LocatorLabel | undefined;
  let p = 0;
  const lower = text.slice(0, 40).toLowerCase();
  for (const form of terms.forms) {
    if (!lower.startsWith(form.lower)) continue;
    const next = text[form.text.length];
    const endsWord = form.text.endsWith('.') || !/[\p{L}\p{N}]/u.test(form.text.slice(-1));
    if (next === undefined || /[ \u00a0{]/.test(next) || (endsWord && /\d/.test(next))) {
      label = form.label;
      p = form.text.length;
      while (text[p] === ' ' || text[p] === '\u00a0') p++;
      break;
    }
  }
  if (text[p] === '{') {
    const close = text.indexOf('}', p + 1);
    if (close < 0 || text.slice(p + 1, close).includes('{')) return whole;
    return { locator: text.slice(p + 1, close).trim(), label: label ?? 'page', suffix: text.slice(close + 1).trim() };
  }
  if (!label && !DIGIT_START.test(text)) return whole;
  LOCATOR_BODY.lastIndex = p;
  const m = LOCATOR_BODY.exec(text);
  if (!m) return whole;
  return { locator: m[0], label: label ?? 'page', suffix: text.slice(p + m[0].length).trim() };
}

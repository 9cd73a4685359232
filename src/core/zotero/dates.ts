/**
 * Zotero's `date` field is free text ("2017-12-04", "December 2017", "4/12/2017", "Spring 2019",
 * "forthcoming"). The APIs also send Zotero's own reading of it as `meta.parsedDate`, which is
 * preferred; this reads the text itself when that is missing.
 */
import type { CslDate } from '../types';

/** Dates are short; longer text is cut before parsing, so a huge field costs nothing. */
const MAX_DATE_TEXT = 200;

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};
const STATUS_WORDS = /^(?:forthcoming|in press|accepted|submitted|under review|to appear)$/i;
const NO_DATE = /^(?:n\.?\s?d\.?|no date|undated|unknown|-+)$/i;

function datePart(year: number, month?: number, day?: number): number[] {
  if (!month || month < 1 || month > 12) return [year];
  if (!day || day < 1 || day > 31) return [year, month];
  return [year, month, day];
}

function validYear(year: number): boolean {
  return Number.isInteger(year) && year > 0 && year < 10000;
}

/** `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (Zotero's `parsedDate`; `00` parts mean unknown). */
export function parseIsoDate(text: unknown): CslDate | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?/.exec(text.trim());
  if (!match) return undefined;
  const year = Number(match[1]);
  if (!validYear(year)) return undefined;
  return { 'date-parts': [datePart(year, Number(match[2] ?? 0), Number(match[3] ?? 0))] };
}

/** What a free-text date says: a CSL date, a publication status ("forthcoming"), or nothing. */
export interface ReadDate {
  issued?: CslDate;
  status?: string;
}

/** Reads Zotero's free-text `date` field. Unreadable text without a year becomes a literal date. */
export function parseZoteroDate(value: unknown): ReadDate {
  if (typeof value !== 'string') return {};
  const text = value.trim().slice(0, MAX_DATE_TEXT);
  if (!text || NO_DATE.test(text)) return {};
  if (STATUS_WORDS.test(text)) return { status: text.toLowerCase() };

  const iso = parseIsoDate(text);
  // A bare year followed by words ("2017 December") is read below, with its month.
  if (iso && (iso['date-parts'][0].length > 1 || /^\d{4}(?:$|T)/.test(text))) return { issued: iso };

  // 4/12/2017 (US order, as Zotero reads it unless the day is over 12), 4.12.2017 (day first).
  const numeric = /^(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b/.exec(text);
  if (numeric) {
    let [month, day] = [Number(numeric[1]), Number(numeric[3])];
    if (numeric[2] === '.' || month > 12) [month, day] = [day, month];
    return { issued: { 'date-parts': [datePart(Number(numeric[4]), month, day)] } };
  }

  const year = /(?<!\d)(\d{4})(?!\d)/.exec(text);
  if (year && validYear(Number(year[1]))) {
    const words = text.toLowerCase().match(/[a-z]+|(?<!\d)\d{1,2}(?!\d)/g) ?? [];
    let month: number | undefined;
    let day: number | undefined;
    for (const word of words) {
      if (Object.hasOwn(MONTHS, word)) month ??= MONTHS[word];
      else if (/^\d/.test(word)) day ??= Number(word);
    }
    return { issued: { 'date-parts': [datePart(Number(year[1]), month, month ? day : undefined)] } };
  }
  return { issued: { 'date-parts': [], literal: text } };
}

/** Zotero's `accessDate` (`2024-03-05T10:00:00Z` or `2024-03-05 10:00:00`) as a CSL date. */
export function parseAccessDate(value: unknown): CslDate | undefined {
  return parseIsoDate(value);
}

/**
 * A DOI resolver's CSL-JSON answer (content negotiation, `Accept: application/vnd.citationstyles.csl+json`)
 * read into a Paper. Crossref and DataCite both answer, each with its own departures from CSL;
 * those are straightened out here and the rest goes through the library's CSL-JSON reader, so a
 * looked-up paper and one from the user's Zotero export are read the same way.
 */
import { parseCslJsonLibrary } from './library';
import { markupToText } from './online/markup';
import type { Paper } from './types';

/** The outcome of reading a resolver's answer for one DOI. */
export type CslLookupResult = { ok: true; paper: Paper } | { ok: false; message: string };

/** Crossref's work types where CSL has another name for them. */
const TYPE_NAMES: Record<string, string> = {
  'journal-article': 'article-journal',
  'proceedings-article': 'paper-conference',
  'posted-content': 'article',
  'book-chapter': 'chapter',
  'edited-book': 'book',
  monograph: 'book',
  'reference-entry': 'entry',
  'dissertation': 'thesis',
  'report-series': 'report',
};

/** The CSL type for a Crossref work type (`journal-article` → `article-journal`); `article` when there is none. */
export function cslTypeOfCrossref(type: string): string {
  return (Object.hasOwn(TYPE_NAMES, type) ? TYPE_NAMES[type] : undefined) ?? (type || 'article');
}

/** Reads a CSL-JSON text answering for `doi` (key left empty for the caller). */
export function paperFromCslResponse(text: string, doi: string): CslLookupResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const said = text.trim().slice(0, 80);
    return { ok: false, message: `the DOI resolver did not answer with CSL-JSON${said ? `: "${said}…"` : ''}` };
  }
  const item = Array.isArray(data) ? data[0] : data;
  if (!isObject(item)) return { ok: false, message: 'the DOI resolver answered with an empty record' };

  const cleaned = straighten(item, doi);
  const { papers } = parseCslJsonLibrary(JSON.stringify([cleaned]), doi);
  const paper = papers[0];
  if (!paper || !paper.title) return { ok: false, message: `the record for ${doi} has no title` };
  delete paper.source;
  delete paper.sourceLine;
  paper.id = '';
  return { ok: true, paper };
}

/** A copy of a resolver's item in plain CSL: strings where CSL wants strings, markup removed. */
function straighten(item: Record<string, unknown>, doi: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  out.id = doi;
  delete out['citation-key'];

  const title = plainText(firstString(item.title) ?? '');
  const subtitle = plainText(firstString(item.subtitle) ?? '');
  // Crossref keeps the subtitle apart; a citation shows "Title: Subtitle".
  out.title = subtitle && title && !title.toLowerCase().includes(subtitle.toLowerCase()) ? `${title}: ${subtitle}` : title;
  delete out.subtitle;
  for (const field of ['container-title', 'publisher', 'page', 'volume', 'issue', 'URL', 'DOI'] as const) {
    const value = firstString(item[field]);
    if (value === undefined) delete out[field];
    else out[field] = plainText(value);
  }

  const event = item.event;
  if (isObject(event)) {
    // Crossref sends `event` as an object; CSL's event-title is its name.
    const name = firstString(event.name);
    delete out.event;
    if (name) out['event-title'] = plainText(name);
  }

  const type = typeof item.type === 'string' ? item.type : '';
  out.type = cslTypeOfCrossref(type);

  const abstract = firstString(item.abstract);
  // A heading that only says "Abstract" is dropped by the reduction to text.
  if (abstract) out.abstract = plainText(abstract);
  else delete out.abstract;

  if (!hasYear(item.issued)) {
    const fallback = [item['published-print'], item['published-online'], item.published, item.created].find(hasYear);
    if (fallback) out.issued = fallback;
  }
  out.author = names(item.author);
  return out;
}

/** Crossref writes organisations as `{ name }`; CSL calls that `literal`. */
function names(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((name) => {
    if (typeof name.name === 'string' && !name.family && !name.literal) return { literal: plainText(name.name) };
    const out: Record<string, unknown> = {};
    for (const part of ['family', 'given', 'literal', 'non-dropping-particle', 'dropping-particle', 'suffix']) {
      if (typeof name[part] === 'string') out[part] = plainText(name[part] as string);
    }
    return out;
  });
}

function hasYear(value: unknown): boolean {
  if (!isObject(value)) return false;
  const parts = value['date-parts'];
  return Array.isArray(parts) && Array.isArray(parts[0]) && Number.isInteger(Number((parts[0] as unknown[])[0])) && (parts[0] as unknown[])[0] !== null;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) return firstString(value[0]);
  return undefined;
}

/** Text without HTML/JATS tags (`<i>`, `<jats:p>`, `<scp>`) and entities, on one line. */
function plainText(text: string): string {
  return markupToText(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

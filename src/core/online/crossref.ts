/**
 * Crossref REST API works (`/works?query.bibliographic=…&select=…`, `message.items`) read into
 * papers. Crossref's titles and abstracts carry HTML/JATS markup (reduced to text), its strings
 * come in arrays, and its dates in several fields of which `published` is the earliest.
 */
import { cslTypeOfCrossref } from '../csl';
import { arxivIdFromDoi } from '../identity';
import type { CslName, Paper } from '../types';
import { arrayField, countField, dateFromParts, field, isObject, type JsonObject, objectField, parseJson, stringField } from './json';
import { markupToText } from './markup';
import { onlinePaper, type MapError, type MapProblem, type MapResult } from './types';

/** The fields a search asks for (`select=`): what a citation and the details view need, nothing heavier. */
export const CROSSREF_SELECT = [
  'DOI', 'title', 'subtitle', 'author', 'container-title', 'short-container-title', 'event', 'published',
  'published-print', 'published-online', 'issued', 'type', 'abstract', 'volume', 'issue', 'page',
  'publisher', 'ISSN', 'URL', 'is-referenced-by-count',
].join(',');

/** The papers of a `/works` list answer (`message.items`), in Crossref's order, with `total-results` as the total. */
export function mapCrossrefWorks(text: string): MapResult {
  const parsed = parseJson(text, 'Crossref');
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (!isObject(body)) return shapeError();
  const apiError = errorOf(body);
  if (apiError) return { ok: false, error: apiError };
  const message = objectField(body, 'message');
  const items = message ? field(message, 'items') : undefined;
  if (!message || !Array.isArray(items)) return shapeError();
  const papers: Paper[] = [];
  const problems: MapProblem[] = [];
  items.forEach((item: unknown, index) => {
    const paper = isObject(item) ? paperFromCrossrefItem(item) : undefined;
    if (paper) papers.push(paper);
    else problems.push({ code: 'skipped-record', index, reason: isObject(item) ? 'no-title' : 'not-an-object' });
  });
  const total = countField(message, 'total-results');
  return total === undefined ? { ok: true, papers, problems } : { ok: true, papers, total, problems };
}

/** One Crossref work item as a Paper, or undefined when it has no title. */
export function paperFromCrossrefItem(item: JsonObject): Paper | undefined {
  const title = markupToText(stringField(item, 'title') ?? '');
  if (!title) return undefined;
  const subtitle = markupToText(stringField(item, 'subtitle') ?? '');
  // Crossref keeps the subtitle apart; a citation shows "Title: Subtitle".
  const fullTitle = subtitle && !title.toLowerCase().includes(subtitle.toLowerCase()) ? `${title}: ${subtitle}` : title;
  const paper = onlinePaper('crossref', { type: cslTypeOfCrossref(stringField(item, 'type') ?? ''), title: fullTitle, author: authorsOf(item) });

  const issued = ['published', 'issued', 'published-print', 'published-online'].map((name) => dateFromParts(field(item, name))).find(Boolean);
  if (issued) paper.issued = issued;
  const abstract = markupToText(stringField(item, 'abstract') ?? '');
  if (abstract) paper.abstract = abstract;
  const doi = stringField(item, 'DOI');
  if (doi?.startsWith('10.')) {
    paper.DOI = doi;
    const arxiv = arxivIdFromDoi(doi);
    if (arxiv) paper.arxiv = arxiv;
  }
  const container = markupToText(stringField(item, 'container-title') ?? '');
  if (container) paper['container-title'] = container;
  const short = markupToText(stringField(item, 'short-container-title') ?? '');
  if (short && short !== container) paper['container-title-short'] = short;
  const event = objectField(item, 'event');
  const eventName = event ? markupToText(stringField(event, 'name') ?? '') : '';
  if (eventName) paper.event = eventName;
  for (const name of ['volume', 'issue', 'page', 'publisher', 'ISSN'] as const) {
    const value = stringField(item, name);
    if (value) paper[name] = markupToText(value);
  }
  if (!paper.DOI) {
    const url = stringField(item, 'URL');
    if (url && /^https?:\/\//i.test(url)) paper.URL = url;
  }
  const citedBy = countField(item, 'is-referenced-by-count');
  if (citedBy !== undefined) paper.extra = { citedBy };
  return paper;
}

/** Crossref writes people as `{ given, family }` and organisations as `{ name }`. */
function authorsOf(item: JsonObject): CslName[] {
  const names: CslName[] = [];
  for (const person of arrayField(item, 'author')) {
    if (!isObject(person)) continue;
    const family = markupToText(stringField(person, 'family') ?? '');
    const given = markupToText(stringField(person, 'given') ?? '');
    const literal = markupToText(stringField(person, 'name') ?? '');
    const suffix = markupToText(stringField(person, 'suffix') ?? '');
    if (family) names.push({ family, ...(given ? { given } : {}), ...(suffix ? { suffix } : {}) });
    else if (literal) names.push({ literal });
    else if (given) names.push({ family: given });
  }
  return names;
}

/** Crossref reports bad requests as `{ status: "failed", message: [{ message }] }` or a plain string message. */
function errorOf(body: JsonObject): MapError | undefined {
  if (stringField(body, 'status') !== 'failed') return undefined;
  const message = field(body, 'message');
  const first: unknown = Array.isArray(message) ? message[0] : message;
  const said = typeof first === 'string' ? first : isObject(first) ? stringField(first, 'message') : undefined;
  return { code: 'api-error', message: `Crossref: ${said ?? 'the request failed'}` };
}

function shapeError(): { ok: false; error: MapError } {
  return { ok: false, error: { code: 'unexpected-shape', message: "Crossref's answer is not a list of works (message.items)" } };
}

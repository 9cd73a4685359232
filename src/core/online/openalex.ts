/**
 * OpenAlex works (`/works?search=…`, `/works?filter=…` and `/works/{id}`) read into papers.
 * OpenAlex sends abstracts as an inverted index (word → positions), which is put back in order;
 * the venue is the primary location's source unless that is a repository such as arXiv.
 */
import { splitName } from '../arxiv';
import { cslTypeOfCrossref } from '../csl';
import { arxivIdFromDoi, arxivIdFromUrl, normaliseArxivId } from '../identity';
import type { CslName, Paper } from '../types';
import { arrayField, countField, dateFromIso, dateFromYear, field, isObject, type JsonObject, objectField, parseJson, stringField } from './json';
import { collapseSpace, markupToText } from './markup';
import { onlinePaper, type MapError, type MapProblem, type MapResult } from './types';

/** The most words an abstract is rebuilt from; real abstracts have a few hundred. */
const MAX_ABSTRACT_WORDS = 20_000;

/** A single work with the lists of works it links to (short ids, `W…`). */
export type OpenAlexWorkResult =
  | { ok: true; paper: Paper; openalexId?: string; referencedWorks: string[]; relatedWorks: string[] }
  | { ok: false; error: MapError };

/** The papers of a `/works` list answer (`results`), in OpenAlex's order, with `meta.count` as the total. */
export function mapOpenAlexWorks(text: string): MapResult {
  const parsed = parseJson(text, 'OpenAlex');
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (!isObject(body)) return shapeError('a list of works');
  const apiError = errorOf(body);
  if (apiError) return { ok: false, error: apiError };
  const results = field(body, 'results');
  if (!Array.isArray(results)) return shapeError('a list of works');
  const papers: Paper[] = [];
  const problems: MapProblem[] = [];
  results.forEach((work: unknown, index) => {
    if (!isObject(work)) return problems.push({ code: 'skipped-record', index, reason: 'not-an-object' });
    const paper = paperFromWork(work);
    if (paper) papers.push(paper);
    else problems.push({ code: 'skipped-record', index, reason: 'no-title' });
  });
  const total = countField(objectField(body, 'meta') ?? {}, 'count');
  return total === undefined ? { ok: true, papers, problems } : { ok: true, papers, total, problems };
}

/** A single work answer (`/works/W…`, `/works/doi:…`) with its reference and related-work id lists. */
export function mapOpenAlexWork(text: string): OpenAlexWorkResult {
  const parsed = parseJson(text, 'OpenAlex');
  if (!parsed.ok) return parsed;
  const work = parsed.value;
  if (!isObject(work)) return shapeError('a work');
  const apiError = errorOf(work);
  if (apiError) return { ok: false, error: apiError };
  const paper = paperFromWork(work);
  if (!paper) return shapeError('a work with a title');
  const openalexId = openAlexShortId(stringField(work, 'id') ?? '');
  return {
    ok: true,
    paper,
    ...(openalexId ? { openalexId } : {}),
    referencedWorks: shortIds(arrayField(work, 'referenced_works')),
    relatedWorks: shortIds(arrayField(work, 'related_works')),
  };
}

/** `https://openalex.org/W2626778328` (or `W2626778328`) → `W2626778328`; undefined for anything else. */
export function openAlexShortId(idOrUrl: string): string | undefined {
  const match = /(?:^|openalex\.org\/)(W\d{1,15})$/i.exec(idOrUrl.trim());
  return match ? match[1].toUpperCase() : undefined;
}

/**
 * The abstract text an `abstract_inverted_index` encodes: each word put at its positions, in
 * order. Positions that are not whole numbers are ignored; a position given twice keeps the first
 * word; past `MAX_ABSTRACT_WORDS` entries the rest is dropped.
 */
export function abstractFromInvertedIndex(index: unknown): string | undefined {
  if (!isObject(index)) return undefined;
  const placed: [number, string][] = [];
  outer: for (const word of Object.keys(index)) {
    const positions = index[word];
    if (!Array.isArray(positions)) continue;
    for (const position of positions) {
      if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) continue;
      placed.push([position, word]);
      if (placed.length >= MAX_ABSTRACT_WORDS) break outer;
    }
  }
  if (!placed.length) return undefined;
  placed.sort((a, b) => a[0] - b[0]);
  const words: string[] = [];
  let last = -1;
  for (const [position, word] of placed) {
    if (position === last) continue;
    words.push(word);
    last = position;
  }
  return collapseSpace(words.join(' ')) || undefined;
}

/** A work as a Paper, or undefined when it has no title. */
function paperFromWork(work: JsonObject): Paper | undefined {
  const title = markupToText(stringField(work, 'title') ?? stringField(work, 'display_name') ?? '');
  if (!title) return undefined;
  const primary = objectField(work, 'primary_location');
  const locations = [primary, ...arrayField(work, 'locations'), objectField(work, 'best_oa_location')].filter(isObject);
  const venue = venueLocation(locations);
  const source = venue ? objectField(venue, 'source') : undefined;
  const doi = doiOf(stringField(work, 'doi') ?? stringField(objectField(work, 'ids') ?? {}, 'doi'));

  const paper = onlinePaper('openalex', { type: cslType(work, source), title, author: authorsOf(work) });
  if (authorsTruncated(work)) paper.authorEtAl = true;
  const issued = dateFromIso(stringField(work, 'publication_date')) ?? dateFromYear(field(work, 'publication_year'));
  if (issued) paper.issued = issued;
  const abstract = abstractFromInvertedIndex(field(work, 'abstract_inverted_index'));
  if (abstract) paper.abstract = abstract;
  if (doi) paper.DOI = doi;
  const arxiv = arxivOf(work, locations, doi);
  if (arxiv) paper.arxiv = arxiv;
  const venueName = source ? stringField(source, 'display_name') : undefined;
  if (venueName) paper['container-title'] = venueName;
  const publisher = source ? stringField(source, 'host_organization_name') : undefined;
  if (publisher) paper.publisher = publisher;
  const issn = source ? stringField(source, 'issn_l') : undefined;
  if (issn) paper.ISSN = issn;
  const biblio = objectField(work, 'biblio') ?? {};
  const volume = stringField(biblio, 'volume');
  if (volume) paper.volume = volume;
  const issue = stringField(biblio, 'issue');
  if (issue) paper.issue = issue;
  const first = stringField(biblio, 'first_page');
  const last = stringField(biblio, 'last_page');
  if (first) paper.page = last && last !== first ? `${first}-${last}` : first;
  if (!doi && !arxiv) {
    const landing = primary ? stringField(primary, 'landing_page_url') : undefined;
    if (landing && /^https?:\/\//i.test(landing)) paper.URL = landing;
  }
  const citedBy = countField(work, 'cited_by_count');
  if (citedBy !== undefined) paper.extra = { citedBy };
  return paper;
}

/** The location that names the venue: the primary one unless it is a repository (arXiv, Zenodo), else the first that is not. */
function venueLocation(locations: JsonObject[]): JsonObject | undefined {
  return locations.find((location) => {
    const source = objectField(location, 'source');
    return source !== undefined && stringField(source, 'display_name') !== undefined && stringField(source, 'type') !== 'repository';
  });
}

function authorsOf(work: JsonObject): CslName[] {
  const names: CslName[] = [];
  for (const authorship of arrayField(work, 'authorships')) {
    if (!isObject(authorship)) continue;
    const author = objectField(authorship, 'author');
    const name = (author ? stringField(author, 'display_name') : undefined) ?? stringField(authorship, 'raw_author_name');
    const split = name ? splitName(collapseSpace(name)) : undefined;
    if (split) names.push(split);
  }
  return names;
}

function authorsTruncated(work: JsonObject): boolean {
  return field(work, 'is_authors_truncated') === true;
}

/** OpenAlex work types in CSL; a conference source makes an `article` a conference paper. */
function cslType(work: JsonObject, source: JsonObject | undefined): string {
  const type = stringField(work, 'type') ?? '';
  const sourceType = source ? stringField(source, 'type') : undefined;
  if (type === 'article' && sourceType === 'conference') return 'paper-conference';
  const crossref = stringField(work, 'type_crossref');
  if (crossref && crossref !== 'other') return cslTypeOfCrossref(crossref);
  switch (type) {
    case 'preprint': return 'article';
    case 'article': case 'review': case 'letter': case 'editorial': case 'erratum': case 'retraction':
      return sourceType === 'repository' ? 'article' : 'article-journal';
    case 'book-chapter': return 'chapter';
    case 'book': return 'book';
    case 'dissertation': return 'thesis';
    case 'dataset': return 'dataset';
    case 'report': return 'report';
    case 'reference-entry': return 'entry';
    case 'standard': return 'standard';
    case 'peer-review': return 'review';
    default: return 'article';
  }
}

/** The DOI without its resolver prefix, as OpenAlex spells it. */
function doiOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const bare = value.replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '').trim();
  return bare.startsWith('10.') ? bare : undefined;
}

/** The arXiv id: from `ids`, an arxiv.org location, or an arXiv DataCite DOI. */
function arxivOf(work: JsonObject, locations: JsonObject[], doi: string | undefined): string | undefined {
  const fromIds = stringField(objectField(work, 'ids') ?? {}, 'arxiv');
  if (fromIds) {
    const id = normaliseArxivId(fromIds);
    if (id) return id;
  }
  for (const location of locations) {
    for (const key of ['landing_page_url', 'pdf_url']) {
      const url = stringField(location, key);
      const id = url ? arxivIdFromUrl(url) : undefined;
      if (id) return id;
    }
  }
  return doi ? arxivIdFromDoi(doi) : undefined;
}

function shortIds(values: unknown[]): string[] {
  const ids: string[] = [];
  for (const value of values) {
    const id = typeof value === 'string' ? openAlexShortId(value) : undefined;
    if (id) ids.push(id);
  }
  return ids;
}

/** OpenAlex reports errors as `{ "error": …, "message": … }`. */
function errorOf(body: JsonObject): MapError | undefined {
  const error = stringField(body, 'error');
  if (!error || field(body, 'results') !== undefined) return undefined;
  const message = stringField(body, 'message');
  return { code: 'api-error', message: `OpenAlex: ${error}${message ? ` — ${message}` : ''}` };
}

function shapeError(what: string): { ok: false; error: MapError } {
  return { ok: false, error: { code: 'unexpected-shape', message: `OpenAlex's answer is not ${what}` } };
}

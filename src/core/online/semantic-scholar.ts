/**
 * Semantic Scholar answers read into papers: Graph API search (`/graph/v1/paper/search`, `data`),
 * a paper's references and citations (`data[].citedPaper` / `data[].citingPaper`), and the
 * Recommendations API (`recommendedPapers`). All share one paper shape, selected with `fields=`.
 */
import { splitName } from '../arxiv';
import { arxivIdFromDoi, normaliseArxivId } from '../identity';
import type { CslName, Paper } from '../types';
import { arrayField, countField, dateFromIso, dateFromYear, field, isObject, type JsonObject, objectField, parseJson, stringField } from './json';
import { collapseSpace, markupToText } from './markup';
import { onlinePaper, type MapError, type MapProblem, type MapResult } from './types';

/** The paper fields every request asks for (`fields=`). */
export const SEMANTIC_SCHOLAR_FIELDS = [
  'title', 'abstract', 'authors', 'year', 'publicationDate', 'venue', 'publicationVenue', 'journal',
  'externalIds', 'citationCount', 'publicationTypes', 'url',
].join(',');

/** Venue names S2 uses for "only on arXiv", which are not a venue for a citation. */
const PREPRINT_VENUES = /^(?:arxiv(?:\.org)?|biorxiv|medrxiv|ssrn|corr)$/i;

/**
 * The papers of any S2 paper-list answer, in its order: a search (`data` of papers, `total`),
 * references or citations (`data` of `{ citedPaper }` / `{ citingPaper }`), or recommendations
 * (`recommendedPapers`). References S2 could not resolve to a record keep their title.
 */
export function mapSemanticScholarPapers(text: string): MapResult {
  const parsed = parseJson(text, 'Semantic Scholar');
  if (!parsed.ok) return parsed;
  const body = parsed.value;
  if (!isObject(body)) return shapeError();
  const list = field(body, 'data') ?? field(body, 'recommendedPapers');
  if (!Array.isArray(list)) {
    // A search with no matches answers `{ "total": 0, "offset": 0 }`, without `data`.
    if (countField(body, 'total') === 0) return { ok: true, papers: [], total: 0, problems: [] };
    return { ok: false, error: errorOf(body) ?? shapeError().error };
  }
  const papers: Paper[] = [];
  const problems: MapProblem[] = [];
  list.forEach((entry: unknown, index) => {
    const record = isObject(entry) ? (objectField(entry, 'citedPaper') ?? objectField(entry, 'citingPaper') ?? entry) : undefined;
    const paper = record ? paperFromS2(record) : undefined;
    if (paper) papers.push(paper);
    else problems.push({ code: 'skipped-record', index, reason: record ? 'no-title' : 'not-an-object' });
  });
  const total = countField(body, 'total');
  return total === undefined ? { ok: true, papers, problems } : { ok: true, papers, total, problems };
}

/** One S2 paper object as a Paper, or undefined when it has no title. */
export function paperFromS2(record: JsonObject): Paper | undefined {
  const title = markupToText(stringField(record, 'title') ?? '');
  if (!title) return undefined;
  const ids = objectField(record, 'externalIds') ?? {};
  const doi = stringField(ids, 'DOI');
  const arxiv = normaliseArxivId(stringField(ids, 'ArXiv') ?? '') ?? (doi ? arxivIdFromDoi(doi) : undefined);
  const venue = venueOf(record);
  const paper = onlinePaper('semanticscholar', { type: cslType(record, venue, arxiv), title, author: authorsOf(record) });

  const issued = dateFromIso(stringField(record, 'publicationDate')) ?? dateFromYear(field(record, 'year'));
  if (issued) paper.issued = issued;
  const abstract = collapseSpace(stringField(record, 'abstract') ?? '');
  if (abstract) paper.abstract = abstract;
  if (doi?.startsWith('10.')) paper.DOI = doi;
  if (arxiv) paper.arxiv = arxiv;
  if (venue) paper['container-title'] = venue;
  const journal = objectField(record, 'journal');
  if (journal && venue) {
    const volume = stringField(journal, 'volume');
    // S2 gives preprints a "volume" like `abs/1706.03762`.
    if (volume && !volume.includes('/')) paper.volume = volume;
    const pages = stringField(journal, 'pages');
    if (pages) paper.page = collapseSpace(pages).replace(/ /g, '');
  }
  if (!paper.DOI && !arxiv) {
    const url = stringField(record, 'url');
    if (url && /^https?:\/\//i.test(url)) paper.URL = url;
  }
  const citedBy = countField(record, 'citationCount');
  if (citedBy !== undefined) paper.extra = { citedBy };
  return paper;
}

/** The venue's name: `publicationVenue.name`, `venue`, then `journal.name`; never "arXiv". */
function venueOf(record: JsonObject): string | undefined {
  const candidates = [stringField(objectField(record, 'publicationVenue') ?? {}, 'name'), stringField(record, 'venue'), stringField(objectField(record, 'journal') ?? {}, 'name')];
  return candidates.map((name) => (name ? collapseSpace(name) : undefined)).find((name) => name && !PREPRINT_VENUES.test(name));
}

function authorsOf(record: JsonObject): CslName[] {
  const names: CslName[] = [];
  for (const author of arrayField(record, 'authors')) {
    const name = isObject(author) ? stringField(author, 'name') : undefined;
    const split = name ? splitName(collapseSpace(name)) : undefined;
    if (split) names.push(split);
  }
  return names;
}

/** `publicationTypes` in CSL; a paper with a venue but no type is read by the venue's kind. */
function cslType(record: JsonObject, venue: string | undefined, arxiv: string | undefined): string {
  const types = arrayField(record, 'publicationTypes').filter((t): t is string => typeof t === 'string');
  const venueType = stringField(objectField(record, 'publicationVenue') ?? {}, 'type');
  if (!venue) return types.includes('Book') ? 'book' : 'article';
  if (types.includes('Conference') || venueType === 'conference') return 'paper-conference';
  if (types.includes('BookSection')) return 'chapter';
  if (types.includes('Book')) return 'book';
  if (types.includes('Dataset')) return 'dataset';
  if (types.includes('JournalArticle') || types.includes('Review') || venueType === 'journal') return 'article-journal';
  return arxiv ? 'article' : 'article-journal';
}

/** S2 reports errors as `{ "error": … }` or `{ "message": … }` (the gateway's 429). */
function errorOf(body: JsonObject): MapError | undefined {
  const said = stringField(body, 'error') ?? stringField(body, 'message');
  return said ? { code: 'api-error', message: `Semantic Scholar: ${said}` } : undefined;
}

function shapeError(): { ok: false; error: MapError } {
  return { ok: false, error: { code: 'unexpected-shape', message: "Semantic Scholar's answer is not a list of papers" } };
}

/**
 * One client per service, each with the service's published limits as its pacing and the
 * identification it asks for:
 *  - arXiv export API: one request at a time, one every 3 s (its API terms of use).
 *  - OpenAlex: `api_key` when configured (required on the real service from February 2026),
 *    `mailto` for the polite pool; at most 100 requests/s.
 *  - Crossref: `mailto` (parameter and User-Agent) puts requests in the polite pool — 3 concurrent,
 *    10/s; without it the public pool's 1 concurrent, 5/s.
 *  - Semantic Scholar: `x-api-key` header when configured; 1 request/s.
 *  - doi.org content negotiation for CSL-JSON.
 */
import { arxivSearchQuery, mapArxivSearch } from '../../core/online/arxiv-search';
import { CROSSREF_SELECT, mapCrossrefWorks } from '../../core/online/crossref';
import { mapOpenAlexWork, mapOpenAlexWorks, type OpenAlexWorkResult } from '../../core/online/openalex';
import { mapSemanticScholarPapers, SEMANTIC_SCHOLAR_FIELDS } from '../../core/online/semantic-scholar';
import { onlinePaper } from '../../core/online/types';
import { paperFromCslResponse } from '../../core/csl';
import type { Paper } from '../../core/types';
import { listReader, type PaperList, queryString, ServiceClient, type ServiceClientOptions, type ServiceResult } from './service-client';

/** Each service's public endpoint. */
export const DEFAULT_URLS = {
  arxiv: 'https://export.arxiv.org/api/query',
  openalex: 'https://api.openalex.org',
  crossref: 'https://api.crossref.org',
  semanticscholar: 'https://api.semanticscholar.org',
  doi: 'https://doi.org',
} as const;

/** Options of one list request. */
export interface ListOptions {
  limit?: number;
  signal?: AbortSignal;
}

const DEFAULT_LIMIT = 25;

function limitOf(options: ListOptions): number {
  return Math.max(1, Math.min(100, Math.floor(options.limit ?? DEFAULT_LIMIT)));
}

export class ArxivClient extends ServiceClient {
  constructor(options: ServiceClientOptions = {}) {
    super(options, DEFAULT_URLS.arxiv, { minIntervalMs: 3000, maxConcurrent: 1 });
  }

  /** Papers matching every word of `query`, by arXiv's relevance. */
  search(query: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    const search = queryString({ search_query: arxivSearchQuery(query), start: 0, max_results: limitOf(options), sortBy: 'relevance', sortOrder: 'descending' });
    return this.feed(`${this.baseUrl}?${search}`, options.signal);
  }

  /** The papers with these ids (a version suffix asks for that version's metadata). */
  byIds(ids: readonly string[], signal?: AbortSignal): Promise<ServiceResult<PaperList>> {
    return this.feed(`${this.baseUrl}?${queryString({ id_list: ids.join(','), max_results: ids.length })}`, signal);
  }

  private async feed(url: string, signal?: AbortSignal): Promise<ServiceResult<PaperList>> {
    const result = await this.get<PaperList | 'throttled'>(url, { Accept: 'application/atom+xml' }, (body) => {
      // arXiv's throttle answers with this line instead of a feed.
      if (body.trimStart().startsWith('Rate exceeded')) return { ok: true, value: 'throttled' as const };
      return listReader(mapArxivSearch)(body);
    }, signal);
    if (!result.ok) return result;
    if (result.value === 'throttled') {
      const retryAt = this.now() + (this.options.defaultRetryAfterMs ?? 30_000);
      this.block(retryAt);
      return { ok: false, failure: { status: 'rate-limited', retryAt } };
    }
    return { ok: true, value: result.value };
  }
}

/** Options of the clients of services that know who is asking. */
export interface IdentifiedClientOptions extends ServiceClientOptions {
  /** A contact address for the polite pools (`mailto`). */
  contactEmail?: string;
  apiKey?: string;
}

/** An OpenAlex work with the ids of the works it cites and is related to. */
export type OpenAlexWork = Extract<OpenAlexWorkResult, { ok: true }>;

/** Root fields a list asks OpenAlex for (`select=`): enough for a citation, none of the heavy lists. */
const OPENALEX_SELECT = [
  'id', 'doi', 'title', 'display_name', 'publication_year', 'publication_date', 'ids', 'type', 'primary_location', 'locations',
  'best_oa_location', 'authorships', 'biblio', 'cited_by_count', 'abstract_inverted_index',
].join(',');

/** OpenAlex filters take at most this many OR-ed ids. */
const OPENALEX_MAX_IDS = 50;

export class OpenAlexClient extends ServiceClient {
  constructor(private readonly identity: IdentifiedClientOptions = {}) {
    super(identity, DEFAULT_URLS.openalex, { minIntervalMs: 10, maxConcurrent: 5 });
  }

  search(query: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.list({ search: query, per_page: limitOf(options), select: OPENALEX_SELECT }, options.signal);
  }

  /** A single work (`W…`, or `doi:10.…`) with its referenced and related work ids. */
  work(ref: string, signal?: AbortSignal): Promise<ServiceResult<OpenAlexWork>> {
    return this.get(`${this.baseUrl}/works/${paperPath(ref)}?${this.query({})}`, { Accept: 'application/json' }, (body) => {
      const work = mapOpenAlexWork(body);
      return work.ok ? { ok: true, value: work } : work;
    }, signal);
  }

  /** Works by OpenAlex id (`W…`), in OpenAlex's order, the first `OPENALEX_MAX_IDS` of them. */
  byIds(ids: readonly string[], options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    const wanted = ids.slice(0, Math.min(OPENALEX_MAX_IDS, limitOf(options)));
    if (!wanted.length) return Promise.resolve({ ok: true, value: { papers: [], problems: [] } });
    return this.list({ filter: `openalex:${wanted.join('|')}`, per_page: wanted.length, select: OPENALEX_SELECT }, options.signal);
  }

  /** Works citing `id`, most cited first. */
  citing(id: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.list({ filter: `cites:${id}`, sort: 'cited_by_count:desc', per_page: limitOf(options), select: OPENALEX_SELECT }, options.signal);
  }

  private list(params: Record<string, string | number>, signal?: AbortSignal): Promise<ServiceResult<PaperList>> {
    return this.get(`${this.baseUrl}/works?${this.query(params)}`, { Accept: 'application/json' }, listReader(mapOpenAlexWorks), signal);
  }

  private query(params: Record<string, string | number>): string {
    return queryString({ ...params, api_key: this.identity.apiKey, mailto: this.identity.contactEmail });
  }
}

export class CrossrefClient extends ServiceClient {
  constructor(private readonly identity: IdentifiedClientOptions = {}) {
    super(identity, DEFAULT_URLS.crossref, identity.contactEmail ? { minIntervalMs: 100, maxConcurrent: 3 } : { minIntervalMs: 200, maxConcurrent: 1 });
  }

  search(query: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    const search = queryString({ 'query.bibliographic': query, rows: limitOf(options), select: CROSSREF_SELECT, mailto: this.identity.contactEmail });
    return this.get(`${this.baseUrl}/works?${search}`, { Accept: 'application/json' }, listReader(mapCrossrefWorks), options.signal);
  }

  protected override userAgent(): string {
    const email = this.identity.contactEmail;
    return email ? `${super.userAgent()} (mailto:${email})` : super.userAgent();
  }
}

export class SemanticScholarClient extends ServiceClient {
  constructor(private readonly identity: IdentifiedClientOptions = {}) {
    super(identity, DEFAULT_URLS.semanticscholar, { minIntervalMs: 1000, maxConcurrent: 1 });
  }

  search(query: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.papers(`/graph/v1/paper/search?${queryString({ query, limit: limitOf(options), fields: SEMANTIC_SCHOLAR_FIELDS })}`, options.signal);
  }

  /** The papers `ref` (`DOI:10.…`, `ARXIV:1810.04805`) cites. */
  references(ref: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.papers(`/graph/v1/paper/${paperPath(ref)}/references?${queryString({ fields: SEMANTIC_SCHOLAR_FIELDS, limit: limitOf(options) })}`, options.signal);
  }

  /** The papers citing `ref`. */
  citations(ref: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.papers(`/graph/v1/paper/${paperPath(ref)}/citations?${queryString({ fields: SEMANTIC_SCHOLAR_FIELDS, limit: limitOf(options) })}`, options.signal);
  }

  /** Papers the Recommendations API suggests for `ref`. */
  recommendations(ref: string, options: ListOptions = {}): Promise<ServiceResult<PaperList>> {
    return this.papers(`/recommendations/v1/papers/forpaper/${paperPath(ref)}?${queryString({ fields: SEMANTIC_SCHOLAR_FIELDS, limit: limitOf(options) })}`, options.signal);
  }

  private papers(path: string, signal?: AbortSignal): Promise<ServiceResult<PaperList>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.identity.apiKey) headers['x-api-key'] = this.identity.apiKey;
    return this.get(`${this.baseUrl}${path}`, headers, listReader(mapSemanticScholarPapers), signal);
  }
}

/** A DOI-bearing id in a path (`doi:10.…`, `DOI:10.…`): its `/` and `:` stay (both APIs expect them), anything else unsafe is escaped. */
function paperPath(ref: string): string {
  return ref.split('/').map((part) => encodeURIComponent(part).replace(/%3A/gi, ':')).join('/');
}

export class DoiClient extends ServiceClient {
  constructor(options: ServiceClientOptions = {}) {
    super(options, DEFAULT_URLS.doi, { minIntervalMs: 0, maxConcurrent: 2 });
  }

  /** The CSL-JSON record doi.org's content negotiation gives for `doi` (Crossref or DataCite). */
  resolve(doi: string, signal?: AbortSignal): Promise<ServiceResult<Paper>> {
    const url = `${this.baseUrl}/${doi.split('/').map(encodeURIComponent).join('/')}`;
    return this.get(url, { Accept: 'application/vnd.citationstyles.csl+json' }, (body) => {
      const read = paperFromCslResponse(body, doi);
      if (!read.ok) return { ok: false, error: { code: 'unexpected-shape', message: read.message } };
      const paper = onlinePaper('doi', read.paper);
      paper.DOI ??= doi;
      return { ok: true, value: paper };
    }, signal);
  }
}

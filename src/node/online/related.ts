/**
 * Related papers for one paper with a DOI or arXiv id: what it cites, what cites it, and
 * recommendations. OpenAlex gives `referenced_works` / `related_works` (fetched back in one
 * `filter=openalex:W1|W2…` request each) and `filter=cites:W…`; Semantic Scholar its references,
 * citations and Recommendations API. Each list is cached per source; the two sources' lists are
 * merged like search results, and the paper itself is left out of its own lists.
 */
import { performance } from 'perf_hooks';
import { arxivDoi, arxivIdFromDoi, isArxivDoi } from '../../core/identity';
import { type LocalLookup, type MergedWork, mergeOutcomes, sameWork } from '../../core/online/merge-works';
import type { OnlineSourceId, SourceOutcome } from '../../core/online/types';
import type { Paper } from '../../core/types';
import type { OnlineCache } from './cache';
import type { EngineClients } from './engine';
import type { PaperList, ServiceResult } from './service-client';

/** The three kinds of related list. */
export type RelatedKind = 'references' | 'citing' | 'recommended';
export const RELATED_KINDS: readonly RelatedKind[] = ['references', 'citing', 'recommended'];

/** One related list: merged works and what each source said. */
export interface RelatedList {
  kind: RelatedKind;
  works: MergedWork[];
  outcomes: SourceOutcome[];
}

/** The related lists of a paper, or why there are none. */
export type RelatedResult =
  | { ok: true; anchor: { doi?: string; arxiv?: string }; lists: Record<RelatedKind, RelatedList> }
  | { ok: false; reason: 'no-identifier' };

export interface RelatedOptions {
  signal?: AbortSignal;
  /** Papers asked of each source per list (default 25). */
  limit?: number;
  local?: LocalLookup;
  /** Which of the two sources to ask (default both). */
  sources?: readonly ('openalex' | 'semanticscholar')[];
}

/** What `fetchRelated` needs from the engine. */
export interface RelatedContext {
  clients: EngineClients;
  cache: OnlineCache | undefined;
  store(write: Promise<unknown> | undefined): void;
  now(): number;
}

const DEFAULT_LIMIT = 25;

export async function fetchRelated(context: RelatedContext, paper: Paper, options: RelatedOptions = {}): Promise<RelatedResult> {
  const doi = paper.DOI && !isArxivDoi(paper.DOI) ? paper.DOI : undefined;
  const arxiv = paper.arxiv ?? (paper.DOI ? arxivIdFromDoi(paper.DOI) : undefined);
  if (!doi && !arxiv) return { ok: false, reason: 'no-identifier' };
  const anchor = { ...(doi ? { doi } : {}), ...(arxiv ? { arxiv } : {}) };
  const sources = options.sources ?? ['openalex', 'semanticscholar'];
  const limit = options.limit ?? DEFAULT_LIMIT;

  const perSource = await Promise.all(sources.map((source) => (source === 'openalex' ? openAlexLists(context, anchor, limit, options.signal) : semanticScholarLists(context, anchor, limit, options.signal))));
  const lists = {} as Record<RelatedKind, RelatedList>;
  for (const kind of RELATED_KINDS) {
    const outcomes = perSource.map((bySource) => bySource[kind]);
    const works = mergeOutcomes(outcomes, { local: options.local }).filter((work) => !sameWork(work.online, paper));
    lists[kind] = { kind, works, outcomes };
  }
  return { ok: true, anchor, lists };
}

type Anchor = { doi?: string; arxiv?: string };
type ListsBySource = Record<RelatedKind, SourceOutcome>;

function cacheKey(context: RelatedContext, source: OnlineSourceId, kind: RelatedKind, anchor: Anchor, limit: number): string {
  return ['related', source, context.clients[source].baseUrl, kind, limit, anchor.doi?.toLowerCase() ?? '', anchor.arxiv?.toLowerCase() ?? ''].join('\u0000');
}

/** Each kind's cached list, or undefined for those that are not cached. */
async function cachedLists(context: RelatedContext, source: OnlineSourceId, anchor: Anchor, limit: number): Promise<Record<RelatedKind, Paper[] | undefined>> {
  const hits = await Promise.all(RELATED_KINDS.map((kind) => context.cache?.getQuery<{ papers: Paper[] }>(cacheKey(context, source, kind, anchor, limit))));
  return { references: hits[0]?.value.papers, citing: hits[1]?.value.papers, recommended: hits[2]?.value.papers };
}

/** A list answer as an outcome, stored in the cache when it is papers. */
function toOutcome(context: RelatedContext, source: OnlineSourceId, kind: RelatedKind, anchor: Anchor, limit: number, result: ServiceResult<PaperList>, elapsedMs: number): SourceOutcome {
  if (!result.ok) {
    // A paper the service does not know has no related papers there; that is an empty list, not a failure.
    if (result.failure.status === 'http' && result.failure.httpStatus === 404) return { source, status: 'ok', papers: [], fromCache: false, elapsedMs };
    return { source, ...result.failure, elapsedMs };
  }
  context.store(context.cache?.putQuery(cacheKey(context, source, kind, anchor, limit), { papers: result.value.papers }));
  return { source, status: 'ok', papers: result.value.papers, fromCache: false, elapsedMs };
}

function cachedOutcome(source: OnlineSourceId, papers: Paper[], elapsedMs: number): SourceOutcome {
  return { source, status: 'ok', papers, fromCache: true, elapsedMs };
}

const EMPTY: ServiceResult<PaperList> = { ok: true, value: { papers: [], problems: [] } };

async function openAlexLists(context: RelatedContext, anchor: Anchor, limit: number, signal?: AbortSignal): Promise<ListsBySource> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const cached = await cachedLists(context, 'openalex', anchor, limit);
  if (cached.references && cached.citing && cached.recommended) {
    return { references: cachedOutcome('openalex', cached.references, elapsed()), citing: cachedOutcome('openalex', cached.citing, elapsed()), recommended: cachedOutcome('openalex', cached.recommended, elapsed()) };
  }
  const client = context.clients.openalex;
  // OpenAlex indexes arXiv preprints under their DataCite DOI.
  const work = await client.work(`doi:${anchor.doi ?? arxivDoi(anchor.arxiv ?? '')}`, signal);
  if (!work.ok) {
    const outcome = toOutcome(context, 'openalex', 'references', anchor, limit, work, elapsed());
    const failed = (kind: RelatedKind): SourceOutcome => (cached[kind] ? cachedOutcome('openalex', cached[kind] ?? [], elapsed()) : outcome);
    return { references: failed('references'), citing: failed('citing'), recommended: failed('recommended') };
  }
  const { openalexId, referencedWorks, relatedWorks } = work.value;
  const [references, citing, recommended] = await Promise.all([
    cached.references ?? client.byIds(referencedWorks, { limit, signal }),
    cached.citing ?? (openalexId ? client.citing(openalexId, { limit, signal }) : EMPTY),
    cached.recommended ?? client.byIds(relatedWorks, { limit, signal }),
  ]);
  const outcome = (kind: RelatedKind, value: Paper[] | ServiceResult<PaperList>): SourceOutcome =>
    Array.isArray(value) ? cachedOutcome('openalex', value, elapsed()) : toOutcome(context, 'openalex', kind, anchor, limit, value, elapsed());
  return { references: outcome('references', references), citing: outcome('citing', citing), recommended: outcome('recommended', recommended) };
}

async function semanticScholarLists(context: RelatedContext, anchor: Anchor, limit: number, signal?: AbortSignal): Promise<ListsBySource> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const cached = await cachedLists(context, 'semanticscholar', anchor, limit);
  const client = context.clients.semanticscholar;
  const ref = anchor.doi ? `DOI:${anchor.doi}` : `ARXIV:${anchor.arxiv ?? ''}`;
  // The client's gate spaces these to one a second.
  const [references, citing, recommended] = await Promise.all([
    cached.references ?? client.references(ref, { limit, signal }),
    cached.citing ?? client.citations(ref, { limit, signal }),
    cached.recommended ?? client.recommendations(ref, { limit, signal }),
  ]);
  const outcome = (kind: RelatedKind, value: Paper[] | ServiceResult<PaperList>): SourceOutcome =>
    Array.isArray(value) ? cachedOutcome('semanticscholar', value, elapsed()) : toOutcome(context, 'semanticscholar', kind, anchor, limit, value, elapsed());
  return { references: outcome('references', references), citing: outcome('citing', citing), recommended: outcome('recommended', recommended) };
}

/**
 * The online search engine shared by the extension and the `litcite` CLI (Node, no vscode).
 *
 * Privacy is structural: an engine can only be constructed with `enabled: true`, which the caller
 * passes once the user has agreed to send queries to the services (the extension after asking,
 * the CLI because `--online` was typed). No other code path in this folder sends a request, and
 * a caller that has no consent simply has no engine.
 *
 * `searchOnline` fans a query out to the enabled sources in parallel and yields each source's
 * outcome as it arrives, so a UI streams results and shows per-source state; `search` collects
 * and merges them. Answers are cached on disk (a repeated query sends nothing); a source that
 * answered 429/503 with Retry-After is not asked again before then.
 */
import { performance } from 'perf_hooks';
import { normaliseDoi } from '../../core/identity';
import { type LookupIdentifier, parseLookupInput } from '../../core/online/lookup-input';
import { type LocalLookup, type MergedWork, mergeOutcomes } from '../../core/online/merge-works';
import { ONLINE_SOURCES, type OnlineSourceId, type SourceFailure, type SourceOutcome } from '../../core/online/types';
import type { Paper } from '../../core/types';
import { OnlineCache } from './cache';
import { ArxivClient, CrossrefClient, DoiClient, OpenAlexClient, SemanticScholarClient } from './clients';
import type { FetchLike } from './http';
import { fetchRelated, type RelatedOptions, type RelatedResult } from './related';
import type { ServiceResult } from './service-client';

/** How an engine is set up. Every field but `enabled` is optional. */
export interface OnlineEngineOptions {
  /** The user agreed to send queries to the services below. Must be `true`: there is no engine otherwise. */
  enabled: true;
  /** The sources searched when a search does not name its own (default: all four). */
  sources?: readonly OnlineSourceId[];
  /** Base URLs (settings / `LITCITE_*_API_URL`); the services' own by default. */
  urls?: Partial<Record<OnlineSourceId | 'doi', string>>;
  /** Sent as `mailto` to Crossref and OpenAlex (their polite pools). */
  contactEmail?: string;
  openAlexApiKey?: string;
  semanticScholarApiKey?: string;
  /** Where the disk cache lives; no disk cache without it. */
  cacheDir?: string;
  /** How long query answers are reused (default 7 days). */
  cacheTtlMs?: number;
  /** Per-request timeout (default 8 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** A `fetch` with proxy support, when the global one has none. */
  fetch?: FetchLike;
  now?: () => number;
  /** Pacing overrides per service (tests); the published limits otherwise. */
  pacing?: Partial<Record<OnlineSourceId | 'doi', { minIntervalMs?: number; maxConcurrent?: number }>>;
  /** How long a 429 without Retry-After blocks a source (default 30 s). */
  defaultRetryAfterMs?: number;
}

/** Options of one search. */
export interface SearchOptions {
  /** Which of the engine's sources to ask (default: the engine's). */
  sources?: readonly OnlineSourceId[];
  signal?: AbortSignal;
  /** Results asked of each source (default 25). */
  limit?: number;
  /** A source rate-limited for at most this long is asked again within the same search (default 0: never). */
  retryWithinMs?: number;
  /** `false` skips the cache read (answers are still stored). */
  useCache?: boolean;
}

/** What looking up one identifier came to. */
export type ResolveResult =
  | { ok: true; paper: Paper; identifier: LookupIdentifier; fromCache: boolean }
  | { ok: false; reason: 'not-an-identifier' }
  | { ok: false; reason: 'not-found'; identifier: LookupIdentifier }
  | { ok: false; reason: 'failed'; identifier: LookupIdentifier; service: 'arxiv' | 'doi' | 'openalex'; failure: SourceFailure };

/** A source's state for a status line: when it may be asked again, if it asked for a pause. */
export interface SourceState {
  source: OnlineSourceId | 'doi';
  enabled: boolean;
  blockedUntil?: number;
}

/** The clients an engine talks through (exported for `related.ts`). */
export interface EngineClients {
  arxiv: ArxivClient;
  openalex: OpenAlexClient;
  crossref: CrossrefClient;
  semanticscholar: SemanticScholarClient;
  doi: DoiClient;
}

const DEFAULT_LIMIT = 25;
/** Added to a Retry-After before asking again, so the retry does not land a timer tick early. */
const RETRY_MARGIN_MS = 50;

/** A cached list answer. */
interface CachedList {
  papers: Paper[];
  total?: number;
}

export class OnlineEngine {
  readonly sources: readonly OnlineSourceId[];
  private readonly clients: EngineClients;
  private readonly cache: OnlineCache | undefined;
  private readonly now: () => number;
  private readonly writes = new Set<Promise<unknown>>();

  constructor(options: OnlineEngineOptions) {
    // Checked at run time too: a setting read as `boolean` and cast must not slip through.
    if ((options as { enabled?: unknown }).enabled !== true) throw new Error('LitCite online search is off: an OnlineEngine needs enabled: true, given only with the user\'s consent');
    this.now = options.now ?? Date.now;
    this.sources = (options.sources ?? ONLINE_SOURCES).filter((s, i, all) => ONLINE_SOURCES.includes(s) && all.indexOf(s) === i);
    const common = (service: OnlineSourceId | 'doi') => ({
      baseUrl: options.urls?.[service],
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      fetch: options.fetch,
      now: this.now,
      defaultRetryAfterMs: options.defaultRetryAfterMs,
      ...options.pacing?.[service],
    });
    this.clients = {
      arxiv: new ArxivClient(common('arxiv')),
      openalex: new OpenAlexClient({ ...common('openalex'), contactEmail: options.contactEmail, apiKey: options.openAlexApiKey }),
      crossref: new CrossrefClient({ ...common('crossref'), contactEmail: options.contactEmail }),
      semanticscholar: new SemanticScholarClient({ ...common('semanticscholar'), apiKey: options.semanticScholarApiKey }),
      doi: new DoiClient(common('doi')),
    };
    this.cache = options.cacheDir ? new OnlineCache(options.cacheDir, { ttlMs: options.cacheTtlMs, now: this.now }) : undefined;
  }

  /**
   * Each source's outcome for `query`, in the order they arrive. A rate-limited source yields
   * `rate-limited` (with `retrying` when it will be asked again within `retryWithinMs`, and then
   * yields a second outcome). Aborting `signal` ends every request in flight as `cancelled`.
   */
  async *searchOnline(query: string, options: SearchOptions = {}): AsyncGenerator<SourceOutcome, void, undefined> {
    const text = query.trim();
    if (!text) return;
    const wanted = (options.sources ?? this.sources).filter((s) => this.sources.includes(s));
    const pending = new Map<OnlineSourceId, Promise<SourceOutcome>>();
    const retried = new Set<OnlineSourceId>();
    for (const source of wanted) pending.set(source, this.safeSearch(source, text, options));
    while (pending.size) {
      const outcome = await Promise.race(pending.values());
      pending.delete(outcome.source);
      if (outcome.status === 'rate-limited' && !retried.has(outcome.source) && !options.signal?.aborted) {
        const wait = outcome.retryAt - this.now() + RETRY_MARGIN_MS;
        if (wait <= (options.retryWithinMs ?? 0)) {
          retried.add(outcome.source);
          outcome.retrying = true;
          const started = performance.now();
          pending.set(outcome.source, sleep(wait, options.signal).then(async () => {
            const again = await this.safeSearch(outcome.source, text, options);
            // Elapsed counts from the first request: the wait is part of what the user waited.
            return { ...again, elapsedMs: outcome.elapsedMs + Math.round(performance.now() - started) };
          }));
        }
      }
      yield outcome;
    }
  }

  /**
   * Every source's outcome for `query` and their results merged into one ranked list (library
   * papers recognised by `local`). `onOutcome` sees each outcome as it arrives.
   */
  async search(query: string, options: SearchOptions & { local?: LocalLookup; onOutcome?: (outcome: SourceOutcome) => void } = {}): Promise<{ works: MergedWork[]; outcomes: SourceOutcome[] }> {
    const outcomes: SourceOutcome[] = [];
    for await (const outcome of this.searchOnline(query, options)) {
      options.onOutcome?.(outcome);
      const replaced = outcomes.findIndex((o) => o.source === outcome.source);
      if (replaced >= 0) outcomes[replaced] = outcome;
      else outcomes.push(outcome);
    }
    return { works: mergeOutcomes(outcomes, { local: options.local }), outcomes };
  }

  /**
   * The paper an identifier names — a DOI (content negotiation at doi.org), an arXiv id (the
   * arXiv API's id_list), an OpenAlex work id, or a URL with one of them — from the record cache
   * or the service. Records are cached without expiry: they are what gets cited.
   */
  async resolveIdentifier(input: string, options: { signal?: AbortSignal; useCache?: boolean } = {}): Promise<ResolveResult> {
    const identifier = parseLookupInput(input);
    if (!identifier) return { ok: false, reason: 'not-an-identifier' };
    const { service, key } = this.recordKey(identifier);
    if (this.cache && options.useCache !== false) {
      const hit = await this.cache.getRecord<Paper>(key);
      if (hit) return { ok: true, paper: hit.value, identifier, fromCache: true };
    }
    const result = await this.fetchRecord(identifier, options.signal);
    if (!result.ok) {
      const notFound = result.failure.status === 'http' && (result.failure.httpStatus === 404 || result.failure.httpStatus === 410);
      return notFound ? { ok: false, reason: 'not-found', identifier } : { ok: false, reason: 'failed', identifier, service, failure: result.failure };
    }
    if (!result.value) return { ok: false, reason: 'not-found', identifier };
    this.store(this.cache?.putRecord(key, result.value));
    return { ok: true, paper: result.value, identifier, fromCache: false };
  }

  /** Remembers a paper the user cited, so it can be looked up again offline by its DOI or arXiv id. */
  async rememberRecord(paper: Paper): Promise<void> {
    const writes: Promise<boolean>[] = [];
    if (paper.DOI) writes.push(this.cache?.putRecord(this.recordKey({ kind: 'doi', doi: paper.DOI }).key, paper) ?? Promise.resolve(false));
    if (paper.arxiv) writes.push(this.cache?.putRecord(this.recordKey({ kind: 'arxiv', id: paper.arxiv }).key, paper) ?? Promise.resolve(false));
    await Promise.all(writes);
  }

  /** A paper's references, the papers citing it and recommendations, from OpenAlex and Semantic Scholar, each list merged and cached. */
  related(paper: Paper, options: RelatedOptions = {}): Promise<RelatedResult> {
    return fetchRelated({ clients: this.clients, cache: this.cache, store: (write) => this.store(write), now: this.now }, paper, options);
  }

  /** Each source's state: enabled, and when it may be asked again if it asked for a pause. */
  sourceStates(): SourceState[] {
    return ([...ONLINE_SOURCES, 'doi'] as const).map((source) => {
      const blockedUntil = this.clients[source].blockedUntilTime();
      return { source, enabled: source === 'doi' || this.sources.includes(source), ...(blockedUntil === undefined ? {} : { blockedUntil }) };
    });
  }

  /** Resolves when every cache write started so far has finished (the CLI awaits it before exiting). */
  async idle(): Promise<void> {
    while (this.writes.size) await Promise.all([...this.writes]);
  }

  /** `searchSource` that cannot reject: a search left half-read by its consumer must not leave a rejection behind. */
  private safeSearch(source: OnlineSourceId, text: string, options: SearchOptions): Promise<SourceOutcome> {
    return this.searchSource(source, text, options).catch((err: unknown) => ({
      source,
      status: 'bad-body' as const,
      error: { code: 'unexpected-shape' as const, message: err instanceof Error ? err.message : String(err) },
      elapsedMs: 0,
    }));
  }

  private async searchSource(source: OnlineSourceId, text: string, options: SearchOptions): Promise<SourceOutcome> {
    const started = performance.now();
    const elapsedMs = (): number => Math.round(performance.now() - started);
    const limit = options.limit ?? DEFAULT_LIMIT;
    const key = ['search', source, this.clients[source].baseUrl, limit, normaliseQuery(text)].join('\u0000');
    if (this.cache && options.useCache !== false) {
      const hit = await this.cache.getQuery<CachedList>(key);
      if (hit) return { source, status: 'ok', papers: hit.value.papers, ...(hit.value.total === undefined ? {} : { total: hit.value.total }), fromCache: true, elapsedMs: elapsedMs() };
    }
    if (options.signal?.aborted) return { source, status: 'cancelled', elapsedMs: elapsedMs() };
    const result = await guard(() => this.clients[source].search(text, { limit, signal: options.signal }));
    if (!result.ok) return { source, ...result.failure, elapsedMs: elapsedMs() };
    const { papers, total, problems } = result.value;
    this.store(this.cache?.putQuery(key, total === undefined ? { papers } : { papers, total }));
    return { source, status: 'ok', papers, ...(total === undefined ? {} : { total }), fromCache: false, elapsedMs: elapsedMs(), ...(problems.length ? { problems } : {}) };
  }

  private recordKey(identifier: LookupIdentifier): { service: 'arxiv' | 'doi' | 'openalex'; key: string } {
    switch (identifier.kind) {
      case 'arxiv':
        return { service: 'arxiv', key: ['record', this.clients.arxiv.baseUrl, `arxiv:${identifier.id.toLowerCase()}${identifier.version ? `v${identifier.version}` : ''}`].join('\u0000') };
      case 'doi':
        return { service: 'doi', key: ['record', this.clients.doi.baseUrl, `doi:${normaliseDoi(identifier.doi)}`].join('\u0000') };
      case 'openalex':
        return { service: 'openalex', key: ['record', this.clients.openalex.baseUrl, `openalex:${identifier.id}`].join('\u0000') };
    }
  }

  private async fetchRecord(identifier: LookupIdentifier, signal?: AbortSignal): Promise<ServiceResult<Paper | undefined>> {
    switch (identifier.kind) {
      case 'doi':
        return guard(() => this.clients.doi.resolve(identifier.doi, signal));
      case 'openalex': {
        const work = await guard(() => this.clients.openalex.work(identifier.id, signal));
        return work.ok ? { ok: true, value: work.value.paper } : work;
      }
      case 'arxiv': {
        const asked = identifier.id + (identifier.version ? `v${identifier.version}` : '');
        const feed = await guard(() => this.clients.arxiv.byIds([asked], signal));
        if (!feed.ok) return feed;
        const paper = feed.value.papers.find((p) => p.arxiv?.toLowerCase() === identifier.id.toLowerCase());
        return { ok: true, value: paper };
      }
    }
  }

  /** Tracks a cache write so `idle()` can wait for it; the write's own failure is only a cache miss later. */
  private store(write: Promise<unknown> | undefined): void {
    if (!write) return;
    const tracked = write.catch(() => undefined).finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
  }
}

/** A query's cache key: case and spacing do not make a new query. */
function normaliseQuery(text: string): string {
  return text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A client call that cannot throw: a bug in a mapper becomes a `bad-body` outcome, not a rejected search. */
async function guard<T>(call: () => Promise<ServiceResult<T>>): Promise<ServiceResult<T>> {
  try {
    return await call();
  } catch (err) {
    return { ok: false, failure: { status: 'bad-body', error: { code: 'unexpected-shape', message: err instanceof Error ? err.message : String(err) } } };
  }
}

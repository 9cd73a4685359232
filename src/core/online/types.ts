/**
 * What the online mappers return and what the online engine reports per source. Pure data, shared
 * by the mappers here, the Node engine, the extension and the CLI, so every view words a source's
 * state the same way (`describeOutcome`).
 */
import type { Paper } from '../types';

/** The scholarly search services LitCite can ask. */
export type OnlineSourceId = 'arxiv' | 'openalex' | 'crossref' | 'semanticscholar';

/** Every searchable service, in the order results are shown when ranks tie. */
export const ONLINE_SOURCES: readonly OnlineSourceId[] = ['openalex', 'semanticscholar', 'crossref', 'arxiv'];

/** A source's name as the user reads it. */
export const SOURCE_NAMES: Readonly<Record<OnlineSourceId | 'doi', string>> = {
  arxiv: 'arXiv',
  openalex: 'OpenAlex',
  crossref: 'Crossref',
  semanticscholar: 'Semantic Scholar',
  doi: 'DOI resolver',
};

/** Whether a string names a searchable source (for `--sources` and settings). */
export function isOnlineSourceId(value: string): value is OnlineSourceId {
  return (ONLINE_SOURCES as readonly string[]).includes(value);
}

/** Why a response body gave no papers at all. */
export interface MapError {
  /**
   * `not-json`/`not-a-feed`: another format; `unexpected-shape`: valid but not this API's;
   * `api-error`: the API said why; `unreadable`: the body was cut off or too large.
   */
  code: 'not-json' | 'not-a-feed' | 'unexpected-shape' | 'api-error' | 'unreadable';
  /** What went wrong, for a log line (the service's own words for `api-error`). */
  message: string;
}

/** A record of a response that was left out, with where it was. */
export interface MapProblem {
  code: 'skipped-record';
  /** Position of the record in the response's list. */
  index: number;
  reason: 'not-an-object' | 'no-title' | 'no-arxiv-id';
}

/** What a mapper made of one response body: papers in the service's order, or why none. Mappers never throw. */
export type MapResult =
  | { ok: true; papers: Paper[]; total?: number; problems: MapProblem[] }
  | { ok: false; error: MapError };

/** Why a source gave no papers for a request. */
export type SourceFailure =
  /** 429, or 503 with Retry-After: not asked again before `retryAt` (ms since the epoch). `retrying`: this search will ask again then. */
  | { status: 'rate-limited'; retryAt: number; retrying?: boolean }
  | { status: 'timeout'; timeoutMs: number }
  /** No HTTP answer at all (DNS, refused, reset); `code` as Node reports it (`ECONNREFUSED`). */
  | { status: 'offline'; code?: string }
  /** Another non-2xx answer; `detail` is the API's own explanation when its body had one. */
  | { status: 'http'; httpStatus: number; detail?: string }
  | { status: 'bad-body'; error: MapError }
  | { status: 'cancelled' };

/** Papers a source answered with. */
export interface SourceSuccess {
  status: 'ok';
  papers: Paper[];
  total?: number;
  /** Answered from the disk cache without a request. */
  fromCache: boolean;
  problems?: MapProblem[];
}

/** What one source's request for a query came to, and how long it took. */
export type SourceOutcome = { source: OnlineSourceId; elapsedMs: number } & (SourceSuccess | SourceFailure);

/** An outcome's status. */
export type SourceStatus = SourceOutcome['status'];

/**
 * One line for a source's outcome, the same in the QuickPick, the Papers view and the CLI:
 * "Crossref: 12 results", "Crossref: rate-limited, retrying in 20 s", "arXiv: timed out after 8 s".
 */
export function describeOutcome(outcome: SourceOutcome, now: number = Date.now()): string {
  const name = SOURCE_NAMES[outcome.source];
  if (outcome.status !== 'ok') return describeFailure(name, outcome, now);
  const count = outcome.papers.length;
  return `${name}: ${count === 0 ? 'no results' : `${count} result${count === 1 ? '' : 's'}`}${outcome.fromCache ? ' (cached)' : ''}`;
}

/** One line for why a service (named as the user reads it) gave nothing. */
export function describeFailure(name: string, failure: SourceFailure, now: number = Date.now()): string {
  switch (failure.status) {
    case 'rate-limited': {
      const seconds = Math.max(1, Math.ceil((failure.retryAt - now) / 1000));
      return `${name}: rate-limited, ${failure.retrying ? 'retrying' : 'try again'} in ${seconds} s`;
    }
    case 'timeout':
      return `${name}: timed out after ${(failure.timeoutMs / 1000).toFixed(failure.timeoutMs < 1000 ? 1 : 0)} s`;
    case 'offline':
      return `${name}: unreachable${failure.code ? ` (${failure.code})` : ''}`;
    case 'http':
      return `${name}: answered HTTP ${failure.httpStatus}${failure.detail ? ` (${failure.detail})` : ''}`;
    case 'bad-body':
      return `${name}: unreadable answer (${failure.error.message})`;
    case 'cancelled':
      return `${name}: cancelled`;
  }
}

/** A new paper record as a service gave it: no key yet (the caller picks one), origin `online`, its source listed. */
export function onlinePaper(source: OnlineSourceId | 'doi', fields: Omit<Paper, 'id' | 'origin' | 'sources'>): Paper {
  return { ...fields, id: '', origin: 'online', sources: [source] };
}

/**
 * What every service client shares: its base URL, its pacing gate, and the "rate-limited until T"
 * state. After a 429 (or a 503 with Retry-After), or when a service asks for a pause with
 * `Backoff`, the client refuses to send anything before T and says so instead of spinning.
 */
import type { MapError, MapProblem, MapResult, SourceFailure } from '../../core/online/types';
import type { Paper } from '../../core/types';
import { DEFAULT_TIMEOUT_MS, type FetchLike, httpGet, type HttpOutcome, USER_AGENT } from './http';
import { RequestGate } from './request-gate';

/** Options every client takes. */
export interface ServiceClientOptions {
  /** The API's base URL (the service's own by default; the tests point it at a local server). */
  baseUrl?: string;
  timeoutMs?: number;
  userAgent?: string;
  fetch?: FetchLike;
  now?: () => number;
  /** Pacing, when the service's published limits are not wanted (tests). */
  minIntervalMs?: number;
  maxConcurrent?: number;
  /** How long a 429 without `Retry-After` keeps the service blocked. */
  defaultRetryAfterMs?: number;
}

/** A value a service answered with, or why there is none. */
export type ServiceResult<T> = { ok: true; value: T } | { ok: false; failure: SourceFailure };

/** Papers from a list answer. */
export interface PaperList {
  papers: Paper[];
  total?: number;
  problems: MapProblem[];
}

/** How a response body is read into a value, or a mapping error. */
export type BodyReader<T> = (body: string) => { ok: true; value: T } | { ok: false; error: MapError };

/** A 429 without Retry-After: a pause long enough not to hammer, short enough to recover within a session. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

export abstract class ServiceClient {
  protected readonly gate: RequestGate;
  protected readonly now: () => number;
  private blockedUntil = 0;

  protected constructor(protected readonly options: ServiceClientOptions, defaultBaseUrl: string, pacing: { minIntervalMs: number; maxConcurrent: number }) {
    this.now = options.now ?? Date.now;
    this.baseUrl = withoutTrailingSlashes(options.baseUrl ?? defaultBaseUrl);
    // Pacing runs on the real clock: `now` may be a test's clock that only moves when told.
    this.gate = new RequestGate({
      minIntervalMs: options.minIntervalMs ?? pacing.minIntervalMs,
      maxConcurrent: options.maxConcurrent ?? pacing.maxConcurrent,
    });
  }

  /** The base URL requests go to, without a trailing slash. */
  readonly baseUrl: string;

  /** When the service may be asked again, if it asked for a pause that has not ended. */
  blockedUntilTime(): number | undefined {
    return this.blockedUntil > this.now() ? this.blockedUntil : undefined;
  }

  /** Keeps requests back until `until` (the later of this and any earlier pause). */
  protected block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** The User-Agent sent; clients add their contact address to it. */
  protected userAgent(): string {
    return this.options.userAgent ?? USER_AGENT;
  }

  /**
   * GETs `url` through the gate and reads the body with `read`. A blocked service is not asked at
   * all; a request that waited in the queue while another got a 429 is not sent either.
   */
  protected async get<T>(url: string, headers: Record<string, string>, read: BodyReader<T>, signal?: AbortSignal): Promise<ServiceResult<T>> {
    const blocked = this.blockedUntilTime();
    if (blocked !== undefined) return { ok: false, failure: { status: 'rate-limited', retryAt: blocked } };
    const gated = await this.gate.run(async (): Promise<HttpOutcome | { kind: 'blocked'; until: number }> => {
      const until = this.blockedUntilTime();
      if (until !== undefined) return { kind: 'blocked', until };
      return httpGet({ url, headers, signal, timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, userAgent: this.userAgent(), fetch: this.options.fetch, now: this.now });
    }, signal);
    if (gated.cancelled) return { ok: false, failure: { status: 'cancelled' } };
    const outcome = gated.value;
    switch (outcome.kind) {
      case 'blocked':
        return { ok: false, failure: { status: 'rate-limited', retryAt: outcome.until } };
      case 'ok': {
        if (outcome.backoffMs !== undefined) this.block(this.now() + outcome.backoffMs);
        const value = read(outcome.body);
        return value.ok ? value : { ok: false, failure: { status: 'bad-body', error: value.error } };
      }
      case 'rate-limited': {
        const retryAt = this.now() + (outcome.retryAfterMs ?? this.options.defaultRetryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
        this.block(retryAt);
        return { ok: false, failure: { status: 'rate-limited', retryAt } };
      }
      case 'http': {
        if (outcome.backoffMs !== undefined) this.block(this.now() + outcome.backoffMs);
        const said = read(outcome.body);
        const detail = !said.ok && said.error.code === 'api-error' ? said.error.message : undefined;
        return { ok: false, failure: { status: 'http', httpStatus: outcome.status, ...(detail ? { detail } : {}) } };
      }
      case 'timeout':
        return { ok: false, failure: { status: 'timeout', timeoutMs: outcome.timeoutMs } };
      case 'offline':
        return { ok: false, failure: { status: 'offline', ...(outcome.code ? { code: outcome.code } : {}) } };
      case 'cancelled':
        return { ok: false, failure: { status: 'cancelled' } };
      case 'bad-body':
        return { ok: false, failure: { status: 'bad-body', error: { code: 'unreadable', message: outcome.message } } };
    }
  }
}

/** A mapper's result as a body reader for `get`. */
export function listReader(map: (body: string) => MapResult): BodyReader<PaperList> {
  return (body) => {
    const mapped = map(body);
    if (!mapped.ok) return mapped;
    const value: PaperList = { papers: mapped.papers, problems: mapped.problems };
    if (mapped.total !== undefined) value.total = mapped.total;
    return { ok: true, value };
  };
}

/** Query parameters as a URL's search string, leaving out the unset ones. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  return search.toString();
}

function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

/**
 * HTTP for Zotero's APIs on the global `fetch`: a timeout and the caller's AbortSignal on every
 * request, at most four requests in flight (what the web API asks of clients), `429`/`503` with
 * `Retry-After` waited out (or reported when the wait is long), and `Backoff` remembered so the
 * next sync can hold off. Network failures are classified so the caller can tell "Zotero is not
 * running" (connection refused) from "offline" and "too slow".
 */

/** Why a request failed before an HTTP answer was usable. */
export type ZoteroHttpFailure = 'refused' | 'unreachable' | 'timeout' | 'aborted' | 'rate-limited';

/** A request that failed without a usable answer. `retryAt` (ms since the epoch) is set for `rate-limited`. */
export class ZoteroHttpError extends Error {
  constructor(readonly failure: ZoteroHttpFailure, message: string, readonly url: string, readonly retryAt?: number) {
    super(message);
    this.name = 'ZoteroHttpError';
  }
}

/** An answer, its body read. */
export interface ZoteroResponse {
  status: number;
  headers: Headers;
  body: string;
  url: string;
}

/** Request options. */
export interface ZoteroRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
}

/** How the HTTP layer behaves; defaults suit the extension. */
export interface ZoteroHttpOptions {
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Requests in flight at once (default 4, the web API's limit). */
  maxInFlight?: number;
  /** The longest `Retry-After` waited out inside a request; longer ones fail as `rate-limited` (default 10 s). */
  maxRetryWaitMs?: number;
  /** How often a `429`/`503` is retried within one request (default 3). */
  maxRetries?: number;
  /** Replaces `fetch` (tests). */
  fetch?: typeof fetch;
  /** Replaces the clock (tests). */
  now?: () => number;
}

/**
 * One HTTP client for Zotero. Share one instance between the libraries read from the same host,
 * so the in-flight limit and back-off apply to all of them.
 */
export class ZoteroHttp {
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly maxRetryWaitMs: number;
  private readonly maxRetries: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private retryAt = 0;
  private backoff = 0;
  /** Requests sent (each retry counts). */
  requestCount = 0;

  constructor(options: ZoteroHttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  /** Until when the server asked for no requests at all (`Retry-After`), ms since the epoch; 0 when it did not. */
  get rateLimitedUntil(): number {
    return this.retryAt > this.now() ? this.retryAt : 0;
  }

  /** Until when the server asked for as few requests as possible (`Backoff`), ms since the epoch; 0 when it did not. */
  get backoffUntil(): number {
    return this.backoff > this.now() ? this.backoff : 0;
  }

  /** Sends a request and reads its answer. Throws {@link ZoteroHttpError} when there is no usable answer. */
  async request(url: string, request: ZoteroRequest = {}): Promise<ZoteroResponse> {
    for (let attempt = 0; ; attempt++) {
      await this.waitForRetryAt(url, request.signal);
      const response = await this.withSlot(request.signal, () => this.send(url, request));
      const backoff = seconds(response.headers.get('Backoff'), this.now());
      if (backoff !== undefined) this.backoff = Math.max(this.backoff, this.now() + backoff * 1000);
      if (response.status !== 429 && !(response.status === 503 && response.headers.has('Retry-After'))) return response;
      // Without Retry-After, back off exponentially: 1 s, 2 s, 4 s…
      const wait = seconds(response.headers.get('Retry-After'), this.now()) ?? 2 ** attempt;
      this.retryAt = Math.max(this.retryAt, this.now() + wait * 1000);
      if (attempt >= this.maxRetries || wait * 1000 > this.maxRetryWaitMs) {
        throw new ZoteroHttpError('rate-limited', `${hostOf(url)} asked to wait ${wait} s (HTTP ${response.status})`, url, this.retryAt);
      }
    }
  }

  private async waitForRetryAt(url: string, signal: AbortSignal | undefined): Promise<void> {
    const wait = this.retryAt - this.now();
    if (wait <= 0) return;
    if (wait > this.maxRetryWaitMs) throw new ZoteroHttpError('rate-limited', `${hostOf(url)} asked to wait until ${new Date(this.retryAt).toISOString()}`, url, this.retryAt);
    await sleep(wait, signal, url);
  }

  private async withSlot<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    while (this.inFlight >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (signal?.aborted) throw new ZoteroHttpError('aborted', 'the request was cancelled', '');
    }
    this.inFlight++;
    try {
      return await run();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private async send(url: string, request: ZoteroRequest): Promise<ZoteroResponse> {
    if (request.signal?.aborted) throw new ZoteroHttpError('aborted', 'the request was cancelled', url);
    const timeout = request.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeout);
    const onAbort = (): void => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    this.requestCount++;
    try {
      const response = await this.fetchImpl(url, {
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        redirect: 'follow',
      });
      const body = await response.text();
      // Parsing comes next: giving it a turn of the event loop of its own keeps four answers that
      // arrive together from adding up to one long stretch on the main thread.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return { status: response.status, headers: response.headers, body, url };
    } catch (err) {
      if (timedOut) throw new ZoteroHttpError('timeout', `${hostOf(url)} did not answer within ${Math.round(timeout / 1000)} s`, url);
      if (request.signal?.aborted) throw new ZoteroHttpError('aborted', 'the request was cancelled', url);
      const code = networkCode(err);
      if (code === 'ECONNREFUSED') throw new ZoteroHttpError('refused', `nothing answers at ${hostOf(url)} (connection refused)`, url);
      throw new ZoteroHttpError('unreachable', `${hostOf(url)} could not be reached${code ? ` (${code})` : ''}`, url);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** The network error code behind a failed `fetch` (`ECONNREFUSED`, `ENOTFOUND`, …). */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // AggregateError (both IPv4 and IPv6 refused) keeps the codes in `errors`.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const codes = errors.map(networkCode);
      if (codes.length && codes.every((c) => c === 'ECONNREFUSED')) return 'ECONNREFUSED';
      const first = codes.find(Boolean);
      if (first) return first;
    }
  }
  return undefined;
}

/** A `Retry-After`/`Backoff` value in seconds: a number, or (Retry-After) an HTTP date. */
function seconds(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ZoteroHttpError('aborted', 'the request was cancelled', url));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

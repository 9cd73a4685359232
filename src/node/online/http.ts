/**
 * One GET on the global `fetch` with a timeout, cancellation, a User-Agent and a size cap, its
 * result as a typed outcome instead of an exception: what came back (`ok`, `http`, `rate-limited`)
 * or why nothing did (`timeout`, `offline`, `cancelled`, `bad-body`). Rate limits are read from
 * `Retry-After` (seconds or an HTTP-date) and from the `Backoff` header some APIs send.
 */

/** Who is asking, as the services' etiquette asks every client to say. */
export const USER_AGENT = 'LitCite/0.1 (literature lookup for VS Code and the litcite CLI; https://github.com/litcite/litcite)';

/** How long one request may take, body included, unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 8_000;

/** The largest body read; a service answering more is not answering a search. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The longest wait a `Retry-After` or `Backoff` is believed for (a day): beyond that it is a misconfiguration. */
const MAX_WAIT_MS = 24 * 3600 * 1000;

/** The `fetch` the engine uses (the global one unless a test or a proxy-aware caller passes another). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; redirect: 'follow' }) => Promise<Response>;

/** What one request came to. */
export type HttpOutcome =
  /** 2xx. `backoffMs`: the service asked for a pause before the next request. */
  | { kind: 'ok'; status: number; body: string; backoffMs?: number }
  /** 429, or 503 with `Retry-After`. `retryAfterMs` is undefined when the service did not say. */
  | { kind: 'rate-limited'; status: number; retryAfterMs?: number; body: string }
  /** Any other non-2xx answer. */
  | { kind: 'http'; status: number; body: string; backoffMs?: number }
  | { kind: 'timeout'; timeoutMs: number }
  /** No HTTP answer: DNS failure, connection refused or reset, TLS. */
  | { kind: 'offline'; code?: string; message: string }
  | { kind: 'cancelled' }
  /** An answer whose body could not be read in full (cut off, or over `MAX_BODY_BYTES`). */
  | { kind: 'bad-body'; status: number; message: string };

/** One request. */
export interface HttpRequest {
  url: string;
  /** Extra headers (`Accept`, `x-api-key`); a User-Agent is always sent. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  userAgent?: string;
  fetch?: FetchLike;
  /** The clock `Retry-After` HTTP-dates are read against (tests). */
  now?: () => number;
}

/**
 * GETs `request.url`. Never throws: every failure is an outcome. The timeout covers the whole
 * exchange including the body; aborting `request.signal` gives `cancelled`.
 */
export async function httpGet(request: HttpRequest): Promise<HttpOutcome> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (request.signal?.aborted) return { kind: 'cancelled' };
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const cancel = (): void => controller.abort();
  request.signal?.addEventListener('abort', cancel, { once: true });
  const doFetch: FetchLike = request.fetch ?? ((url, init) => fetch(url, init));
  const failure = (err: unknown): HttpOutcome => {
    if (timedOut) return { kind: 'timeout', timeoutMs };
    if (request.signal?.aborted) return { kind: 'cancelled' };
    const code = errorCode(err);
    return { kind: 'offline', ...(code ? { code } : {}), message: causeMessage(err) ?? String(err) };
  };
  try {
    let response: Response;
    try {
      response = await doFetch(request.url, {
        headers: { 'User-Agent': request.userAgent ?? USER_AGENT, ...request.headers },
        signal: controller.signal,
        redirect: 'follow',
      });
    } catch (err) {
      return failure(err);
    }
    const read = await readBody(response);
    if (!read.ok) {
      if (timedOut) return { kind: 'timeout', timeoutMs };
      if (request.signal?.aborted) return { kind: 'cancelled' };
      return { kind: 'bad-body', status: response.status, message: read.message };
    }
    const now = request.now ?? Date.now;
    const backoffMs = parseBackoff(response.headers.get('backoff'));
    const withBackoff = backoffMs === undefined ? {} : { backoffMs };
    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'ok', status, body: read.body, ...withBackoff };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
      return { kind: 'rate-limited', status, body: read.body, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    return { kind: 'http', status, body: read.body, ...withBackoff };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }
}

/** The body as text, stopping at `MAX_BODY_BYTES`. */
async function readBody(response: Response): Promise<{ ok: true; body: string } | { ok: false; message: string }> {
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > MAX_BODY_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, message: `the answer is ${length} bytes, over the ${MAX_BODY_BYTES}-byte limit` };
  }
  if (!response.body) return { ok: true, body: '' };
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, message: `the answer is over the ${MAX_BODY_BYTES}-byte limit` };
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
    return { ok: true, body: parts.join('') };
  } catch (err) {
    return { ok: false, message: `the answer was cut off (${causeMessage(err) ?? String(err)})` };
  }
}

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, read against `now`). Undefined when absent or unreadable;
 * a date in the past is 0; anything past a day is capped there.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{1,10}$/.test(text)) return Math.min(Number(text) * 1000, MAX_WAIT_MS);
  // An HTTP-date has a weekday or month name; a bare number with a sign or fraction is not a date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_WAIT_MS);
}

/** Milliseconds from a `Backoff: <seconds>` header, the pause an API asks for before the next request. */
export function parseBackoff(value: string | null | undefined): number | undefined {
  const text = value?.trim();
  if (!text || !/^\d{1,10}$/.test(text)) return undefined;
  return Math.min(Number(text) * 1000, MAX_WAIT_MS);
}

/** The network error's code (`ENOTFOUND`, `ECONNREFUSED`…), which fetch hides in `cause` (or in an AggregateError inside it). */
export function errorCode(err: unknown): string | undefined {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length && seen < 10; seen++) {
    const current = queue.shift() as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown } | undefined;
    if (!current || typeof current !== 'object') continue;
    if (typeof current.code === 'string' && /^(?:E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(current.code)) return current.code;
    // Some runtimes put the code only in the message ("connect ECONNREFUSED 127.0.0.1:9").
    const inMessage = typeof current.message === 'string' ? /\b(E(?:CONN[A-Z]+|NOTFOUND|AI_AGAIN|NETUNREACH|HOSTUNREACH|TIMEDOUT))\b/.exec(current.message) : null;
    if (inMessage) return inMessage[1];
    queue.push(current.cause);
    if (Array.isArray(current.errors)) queue.push(...(current.errors as unknown[]));
  }
  return undefined;
}

/** What the innermost cause says ("connect ECONNREFUSED 127.0.0.1:9"), when there is one. */
export function causeMessage(err: unknown): string | undefined {
  let current: unknown = err;
  let message: string | undefined;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const text = (current as { message?: unknown }).message;
    if (typeof text === 'string' && text) message = text;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

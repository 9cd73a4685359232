/**
 * What a failed sync means for the user: the HTTP layer's and the API's errors as a connection
 * status (words for it are in core/zotero/status.ts), and how long to wait before trying again.
 */
import type { ZoteroStatus, ZoteroVia } from '../../core/zotero/status';
import { ZoteroApiError } from './api';
import { ZoteroHttpError } from './http';

/** Where the failing request went. */
export interface FailureContext {
  via: ZoteroVia;
  baseUrl: string;
  library: string;
  remoteName?: string;
  now: number;
  /** The status before; a cancelled sync keeps it. */
  current: ZoteroStatus;
}

/** The status a sync failure leaves: Zotero not running, the local API off, a rejected key, rate-limited until when, … */
export function statusForError(err: unknown, context: FailureContext): ZoteroStatus {
  const { via, baseUrl, library } = context;
  if (err instanceof ZoteroHttpError) {
    switch (err.failure) {
      case 'rate-limited':
        return { code: 'rate-limited', via, until: err.retryAt ?? context.now + 60_000 };
      case 'refused':
        return via === 'local'
          ? { code: 'not-running', url: baseUrl, ...(context.remoteName ? { remoteName: context.remoteName } : {}) }
          : { code: 'unreachable', via, url: baseUrl, reason: 'connection refused' };
      case 'aborted':
        return context.current;
      default:
        return { code: 'unreachable', via, url: baseUrl, reason: err.message };
    }
  }
  if (err instanceof ZoteroApiError) {
    if (err.status === 403) return via === 'local' ? { code: 'local-api-disabled', url: baseUrl } : { code: 'web-key-rejected', library };
    if (err.status === 404 && via === 'local' && err.url === `${baseUrl}/`) return { code: 'local-api-missing', url: baseUrl };
    if (err.status === 404 || err.status === 400) return { code: 'library-not-found', via, library };
    return { code: 'error', via, message: err.message };
  }
  return { code: 'error', via, message: err instanceof Error ? err.message : String(err) };
}

/**
 * How long to wait before the next sync: `intervalMs` while connected (longer while the server
 * asked to back off), until a rate limit ends, doubling from 5 s up to a minute after consecutive
 * failures (Zotero not running, its API off, offline), and Infinity when only new settings can
 * help (a missing or rejected key, an unknown library).
 */
export function pollDelay(status: ZoteroStatus, failures: number, intervalMs: number, backoffUntil: number, now: number): number {
  switch (status.code) {
    case 'connected':
    case 'connecting':
      return Math.max(intervalMs, backoffUntil - now);
    case 'rate-limited':
      return Math.max(1000, status.until - now);
    case 'web-key-missing':
    case 'web-key-rejected':
    case 'library-not-found':
      return Infinity;
    default:
      return Math.min(60_000, 5000 * 2 ** Math.max(0, failures - 1));
  }
}

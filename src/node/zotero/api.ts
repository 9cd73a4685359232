/**
 * Zotero's web API v3, which the desktop app also serves locally (Zotero 7+), as the requests a
 * sync needs: item pages (`start`/`limit`, `Total-Results`), changes since a library version
 * (`since=`, `If-Modified-Since-Version` → 304), every key with its version, deletions, collections,
 * groups. One client serves both: the web API (`https://api.zotero.org`, `Zotero-API-Key` header)
 * and the local API (`http://localhost:23119/api`, no key).
 */
import type { ZoteroCollection, ZoteroDeleted, ZoteroItem, ZoteroLibraryRef } from '../../core/zotero/types';
import { libraryPath } from '../../core/zotero/types';
import type { ZoteroHttp, ZoteroResponse } from './http';

/** An HTTP answer the API gives for a problem: 400, 403, 404, 412, 5xx, or a body that is not the JSON asked for. */
export class ZoteroApiError extends Error {
  constructor(readonly status: number, message: string, readonly url: string) {
    super(message);
    this.name = 'ZoteroApiError';
  }
}

/** Where and how to reach one API. */
export interface ZoteroApiOptions {
  /** `https://api.zotero.org`, or the local `http://localhost:23119/api`. */
  baseUrl: string;
  /** The web API key; none for the local API. */
  apiKey?: string;
  http: ZoteroHttp;
  /** Per-request timeout, overriding the HTTP client's. */
  timeoutMs?: number;
}

/** Parameters of an item listing. */
export interface ItemQuery {
  since?: number;
  start?: number;
  limit?: number;
  sort?: 'dateAdded' | 'dateModified' | 'title';
  direction?: 'asc' | 'desc';
  includeTrashed?: boolean;
  /** Item keys (at most 50 per request on the web API). */
  itemKey?: readonly string[];
  /** Extra `include` formats besides `data` (`csljson`). */
  include?: readonly string[];
}

/** What every listing answer says about the library. */
export interface ListingMeta {
  /** `Last-Modified-Version`: the library's version. */
  version?: number;
  /** `Total-Results`. */
  total?: number;
  /** `Zotero-Server-ID` (local API, Zotero 10+): which Zotero database answered. */
  serverId?: string;
}

/** A page of items, or "nothing changed" for a conditional request. */
export type ItemPage = ({ notModified: false; items: ZoteroItem[]; compacted?: boolean } | { notModified: true }) & ListingMeta;

/** Annotations are items too; a library can hold thousands per PDF, and LitCite does not show them. */
const NO_ANNOTATIONS = '-annotation';

/** The requests of Zotero's API for one base URL. */
export class ZoteroApiClient {
  readonly baseUrl: string;
  private readonly apiKey?: string;
  private readonly http: ZoteroHttp;
  private readonly timeoutMs?: number;
  /** Sent back as `Zotero-Server-ID` once known, so a different Zotero database answers 412. */
  serverId?: string;

  constructor(options: ZoteroApiOptions) {
    this.baseUrl = withoutTrailingSlashes(options.baseUrl);
    this.apiKey = options.apiKey;
    this.http = options.http;
    this.timeoutMs = options.timeoutMs;
  }

  /** `GET <base>/`: whether an API answers at all (the local API answers 403 when its setting is off). */
  async root(signal?: AbortSignal): Promise<ListingMeta & { status: number; apiVersion?: string }> {
    const response = await this.get(`${this.baseUrl}/`, signal);
    return { status: response.status, apiVersion: response.headers.get('Zotero-API-Version') ?? undefined, ...meta(response) };
  }

  /** One page of items (`format=json`), annotations left out; conditional on `ifModifiedSince` when given. */
  async items(library: ZoteroLibraryRef, query: ItemQuery, options: { ifModifiedSince?: number; signal?: AbortSignal } = {}): Promise<ItemPage> {
    const params = new URLSearchParams({ format: 'json', itemType: NO_ANNOTATIONS });
    if (query.include?.length) params.set('include', ['data', ...query.include].join(','));
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.sort) params.set('sort', query.sort);
    if (query.direction) params.set('direction', query.direction);
    if (query.start) params.set('start', String(query.start));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.includeTrashed) params.set('includeTrashed', '1');
    if (query.itemKey?.length) params.set('itemKey', query.itemKey.join(','));
    const url = `${this.baseUrl}/${libraryPath(library)}/items?${params}`;
    const headers = options.ifModifiedSince !== undefined ? { 'If-Modified-Since-Version': String(options.ifModifiedSince) } : undefined;
    const response = await this.get(url, options.signal, headers);
    if (response.status === 304) return { notModified: true, ...meta(response) };
    expectOk(response);
    return { notModified: false, items: jsonArray<ZoteroItem>(response), ...meta(response) };
  }

  /** Every item key with its version (`format=versions`), changed since `since` when given, trashed items included when asked. */
  async itemVersions(library: ZoteroLibraryRef, options: { since?: number; includeTrashed?: boolean; signal?: AbortSignal } = {}): Promise<ListingMeta & { versions: Record<string, number> }> {
    const params = new URLSearchParams({ format: 'versions', itemType: NO_ANNOTATIONS });
    if (options.since !== undefined) params.set('since', String(options.since));
    if (options.includeTrashed) params.set('includeTrashed', '1');
    const response = await this.get(`${this.baseUrl}/${libraryPath(library)}/items?${params}`, options.signal);
    expectOk(response);
    const versions = jsonValue(response);
    if (!versions || typeof versions !== 'object' || Array.isArray(versions)) throw badBody(response, 'an object of versions');
    return { versions: versions as Record<string, number>, ...meta(response) };
  }

  /** Every item key (`format=keys`), trashed items and annotations left out. */
  async itemKeys(library: ZoteroLibraryRef, signal?: AbortSignal): Promise<ListingMeta & { keys: string[] }> {
    const params = new URLSearchParams({ format: 'keys', itemType: NO_ANNOTATIONS });
    const response = await this.get(`${this.baseUrl}/${libraryPath(library)}/items?${params}`, signal);
    expectOk(response);
    return { keys: response.body.split('\n').map((k) => k.trim()).filter(Boolean), ...meta(response) };
  }

  /** All collections (changed since `since` when given), every page. */
  async collections(library: ZoteroLibraryRef, options: { since?: number; signal?: AbortSignal } = {}): Promise<ListingMeta & { collections: ZoteroCollection[] }> {
    const collections: ZoteroCollection[] = [];
    let first: ListingMeta | undefined;
    for (let start = 0; ; start += 100) {
      const params = new URLSearchParams({ format: 'json', limit: '100' });
      if (start) params.set('start', String(start));
      if (options.since !== undefined) params.set('since', String(options.since));
      const response = await this.get(`${this.baseUrl}/${libraryPath(library)}/collections?${params}`, options.signal);
      expectOk(response);
      const page = jsonArray<ZoteroCollection>(response);
      collections.push(...page);
      first ??= meta(response);
      const total = meta(response).total ?? 0;
      if (!page.length || start + page.length >= total) break;
    }
    return { collections, ...first };
  }

  /** Keys of items and collections deleted since a library version (`/deleted?since=`). */
  async deleted(library: ZoteroLibraryRef, since: number, signal?: AbortSignal): Promise<ListingMeta & { deleted: ZoteroDeleted }> {
    const response = await this.get(`${this.baseUrl}/${libraryPath(library)}/deleted?since=${since}`, signal);
    expectOk(response);
    const value = jsonValue(response);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw badBody(response, 'an object of deleted keys');
    return { deleted: value as ZoteroDeleted, ...meta(response) };
  }

  /** A group's name (`/groups/<id>`). */
  async groupName(groupId: string, signal?: AbortSignal): Promise<string | undefined> {
    const response = await this.get(`${this.baseUrl}/groups/${groupId}`, signal);
    expectOk(response);
    const value = jsonValue(response) as { data?: { name?: unknown } } | undefined;
    return typeof value?.data?.name === 'string' ? value.data.name : undefined;
  }

  /** The groups a user belongs to (`/users/<id>/groups`): id and name. */
  async groups(userId: string, signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
    const response = await this.get(`${this.baseUrl}/users/${userId}/groups?limit=100`, signal);
    expectOk(response);
    return jsonArray<{ id?: unknown; data?: { name?: unknown } }>(response)
      .filter((g) => g && (typeof g.id === 'number' || typeof g.id === 'string'))
      .map((g) => ({ id: String(g.id), name: typeof g.data?.name === 'string' ? g.data.name : String(g.id) }));
  }

  /** The web API key's owner (`/keys/current`): user id and name. */
  async keyOwner(signal?: AbortSignal): Promise<{ userId: string; username?: string }> {
    const response = await this.get(`${this.baseUrl}/keys/current`, signal);
    expectOk(response);
    const value = jsonValue(response) as { userID?: unknown; username?: unknown } | undefined;
    if (typeof value?.userID !== 'number' && typeof value?.userID !== 'string') throw badBody(response, 'a key description');
    return { userId: String(value.userID), username: typeof value.username === 'string' ? value.username : undefined };
  }

  private async get(url: string, signal?: AbortSignal, extra?: Record<string, string>): Promise<ZoteroResponse> {
    const headers: Record<string, string> = { 'Zotero-API-Version': '3', Accept: 'application/json', ...extra };
    if (this.apiKey) headers['Zotero-API-Key'] = this.apiKey;
    if (this.serverId) headers['Zotero-Server-ID'] = this.serverId;
    return this.http.request(url, { headers, signal, timeoutMs: this.timeoutMs });
  }
}

/** A base URL without its trailing `/` (a loop: a `/\/+$/` regex backtracks on long runs). */
export function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

function meta(response: ZoteroResponse): ListingMeta {
  const version = Number(response.headers.get('Last-Modified-Version'));
  const total = Number(response.headers.get('Total-Results'));
  const result: ListingMeta = {};
  if (response.headers.has('Last-Modified-Version') && Number.isFinite(version)) result.version = version;
  if (response.headers.has('Total-Results') && Number.isFinite(total)) result.total = total;
  const serverId = response.headers.get('Zotero-Server-ID');
  if (serverId) result.serverId = serverId;
  return result;
}

function expectOk(response: ZoteroResponse): void {
  if (response.status >= 200 && response.status < 300) return;
  const said = response.body.trim().slice(0, 120);
  throw new ZoteroApiError(response.status, `HTTP ${response.status}${said ? `: ${said}` : ''}`, response.url);
}

function jsonValue(response: ZoteroResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    throw badBody(response, 'JSON');
  }
}

function jsonArray<T>(response: ZoteroResponse): T[] {
  const value = jsonValue(response);
  if (!Array.isArray(value)) throw badBody(response, 'a JSON array');
  return value as T[];
}

function badBody(response: ZoteroResponse, expected: string): ZoteroApiError {
  return new ZoteroApiError(response.status, `the answer is not ${expected}`, response.url);
}

// A fake Zotero on 127.0.0.1 for the unit and integration tests and the bench: the desktop's local
// API (/api), Better BibTeX's JSON-RPC (/better-bibtex/json-rpc) and the web API (/web), over the
// libraries in test/fixtures/zotero/ (or generated ones). Written from Zotero's web API v3 and local
// API documentation: paging (start, limit, Total-Results, Link), library versions (since=,
// Last-Modified-Version, If-Modified-Since-Version → 304, /deleted), includeTrashed, itemType
// filters, 403 for a disabled local API or a bad key, 429 with Retry-After, Backoff.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import bbtFixture from '../fixtures/zotero/better-bibtex.json';
import groupFixture from '../fixtures/zotero/group-library.json';
import userFixture from '../fixtures/zotero/user-library.json';
import { FakeBetterBibtex, type BbtFixture } from './zotero-bbt';
import { attachmentFile, FakeLibrary, TINY_PDF, type FixtureLibrary, type Surface } from './zotero-store';

export { FakeLibrary } from './zotero-store';
export type { FixtureLibrary } from './zotero-store';

/** How the fake behaves; every option has the default of a well-set-up Zotero. */
export interface FakeZoteroOptions {
  /** Libraries to serve, the user's first; default the fixtures (a personal and a group library). */
  libraries?: FixtureLibrary[];
  /** Better BibTeX installed (default true); without it `/better-bibtex/…` answers 404. */
  betterBibtex?: boolean;
  /** The local API setting (default on); off, every `/api/…` request answers 403. */
  localApi?: boolean;
  /**
   * `local` (Zotero 10+): the local API has its own versions and a `Zotero-Server-ID`.
   * `synced` (Zotero 7–9): it reports the last *synced* versions, which local edits do not move.
   */
  localVersions?: 'local' | 'synced';
  /** The web API key that works (default `TESTKEYq4bY7vR2mN8xK3pL6w`). */
  apiKey?: string;
  /** Write a small PDF for every attachment so "open PDF" has a file (default true). */
  writeAttachmentFiles?: boolean;
  /** Milliseconds to wait before answering web API requests, so concurrency shows. */
  webLatencyMs?: number;
}

/** One request the fake saw. */
export interface FakeRequest {
  surface: Surface | 'bbt' | 'other';
  method: string;
  /** Path and query, as sent. */
  path: string;
  status: number;
  ifModifiedSinceVersion?: string;
  apiKey?: string;
  /** The JSON-RPC method, for Better BibTeX calls. */
  rpc?: string;
}

/** A running fake Zotero. */
export interface FakeZotero {
  /** `http://127.0.0.1:<port>/api`: the local API's base (`litcite.zotero.localApiUrl`). */
  localApiUrl: string;
  /** `http://127.0.0.1:<port>/web`: the web API's base (`litcite.zotero.webApiUrl`). */
  webApiUrl: string;
  betterBibtexUrl: string;
  apiKey: string;
  userId: number;
  /** The first group library's id. */
  groupId: number;
  /** Where attachment files are. */
  storageDir: string;
  requests: FakeRequest[];
  /** How many requests matched (all when no filter). */
  count(filter?: (request: FakeRequest) => boolean): number;
  clearRequests(): void;
  /** The most web API requests that were in flight at once. */
  readonly maxWebInFlight: number;
  /** A library by `users/<id>`, `users/0` or `groups/<id>`: change it to test syncing. */
  library(ref: string): FakeLibrary;
  setLocalApi(enabled: boolean): void;
  setBetterBibtex(installed: boolean): void;
  setLocalVersions(mode: 'local' | 'synced'): void;
  /** Answer `item.export` in Better BibTeX's pre-6.7 shape `[200, 'text/plain', text]`. */
  setLegacyBbtExport(legacy: boolean): void;
  /** The next `count` web API requests answer 429, with `Retry-After: seconds` when given. */
  rateLimit(count: number, retryAfterSeconds?: number): void;
  /** Send `Backoff: seconds` with every web API answer (undefined stops it). */
  setBackoff(seconds: number | undefined): void;
  /** What Better BibTeX's `item.export` answers for these keys (the bytes a test compares with). */
  bbtExport(citekeys: readonly string[], translator: string, libraryRef?: string): string;
  /** Better BibTeX's key for an item. */
  bbtCitekey(libraryRef: string, itemKey: string): string | undefined;
  /** Serialises every item ahead of time, so a bench measures the client, not the fake. */
  warm(): void;
  close(): Promise<void>;
}

const DEFAULT_KEY = 'TESTKEYq4bY7vR2mN8xK3pL6w';
const SERVER_ID = 'fakeZ0tero1D';
const WEB_PAGE_DEFAULT = 25;
const WEB_PAGE_MAX = 100;
const WEB_ITEM_KEYS_MAX = 50;

/** The fixture libraries, fresh copies (tests change them). */
export function fixtureLibraries(): FixtureLibrary[] {
  return JSON.parse(JSON.stringify([userFixture, groupFixture])) as FixtureLibrary[];
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeZotero(options: FakeZoteroOptions = {}): Promise<FakeZotero> {
  const libraries = (options.libraries ?? fixtureLibraries()).map((fixture) => new FakeLibrary(fixture));
  const firstUser = libraries.find((l) => l.type === 'user');
  if (!firstUser) throw new Error('fake Zotero: the first library must be a user library');
  const user: FakeLibrary = firstUser;
  // A user library's fixture name is the account's username (what the web API calls the library).
  const username = user.name;
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-fake-zotero-'));
  const bbt = new FakeBetterBibtex(bbtFixture as BbtFixture, libraries, storageDir);
  const state = {
    localApi: options.localApi ?? true,
    betterBibtex: options.betterBibtex ?? true,
    localVersions: options.localVersions ?? 'local',
    apiKey: options.apiKey ?? DEFAULT_KEY,
    rateLimited: 0,
    retryAfter: undefined as number | undefined,
    backoff: undefined as number | undefined,
    webInFlight: 0,
    maxWebInFlight: 0,
  };
  const requests: FakeRequest[] = [];
  let base = '';
  // Filtered, sorted listings by query (without start/limit), so paging a large library sorts it once.
  const listings = new Map<string, { generation: number; list: ReturnType<FakeLibrary['childrenOf']> }>();

  if (options.writeAttachmentFiles ?? true) {
    for (const library of libraries) {
      for (const item of library.items.values()) {
        if (item.data.itemType !== 'attachment' || item.data.linkMode === 'linked_url') continue;
        const file = attachmentFile(item.data, item.key, storageDir);
        if (!file) continue;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, TINY_PDF);
      }
    }
  }

  const findLibrary = (type: string, id: string, surface: Surface): FakeLibrary | 'bad-user' | undefined => {
    if (type === 'users') {
      if (id === String(user.id) || (surface === 'local' && id === '0')) return user;
      return 'bad-user';
    }
    return libraries.find((l) => l.type === 'group' && String(l.id) === id);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: FakeRequest = { surface: 'other', method: req.method ?? 'GET', path: url.pathname + url.search, status: 0 };
    const ims = req.headers['if-modified-since-version'];
    if (typeof ims === 'string') record.ifModifiedSinceVersion = ims;
    requests.push(record);
    const send = (status: number, headers: Record<string, string | number>, body: string): void => {
      record.status = status;
      res.writeHead(status, { 'Zotero-API-Version': '3', ...headers });
      res.end(body);
    };

    if (url.pathname === '/better-bibtex/json-rpc') {
      record.surface = 'bbt';
      if (!state.betterBibtex) return send(404, { 'Content-Type': 'text/plain' }, 'No endpoint found');
      if (req.method !== 'POST') return send(400, { 'Content-Type': 'text/plain' }, 'Endpoint does not support method');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(200, { 'Content-Type': 'application/json' }, JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }));
        }
        record.rpc = Array.isArray(body) ? 'batch' : String((body as { method?: unknown }).method);
        send(200, { 'Content-Type': 'application/json' }, JSON.stringify(bbt.handle(body)));
      });
      return;
    }

    const surface: Surface | undefined = url.pathname === '/api' || url.pathname.startsWith('/api/') ? 'local' : url.pathname === '/web' || url.pathname.startsWith('/web/') ? 'web' : undefined;
    if (!surface) return send(404, { 'Content-Type': 'text/plain' }, 'No endpoint found');
    record.surface = surface;
    const rest = url.pathname.slice(4).replace(/^\/+/, '');

    if (surface === 'local') {
      if (!state.localApi) return send(403, { 'Content-Type': 'text/plain' }, 'Local API is not enabled');
      const localHeaders: Record<string, string> = state.localVersions === 'local' ? { 'Zotero-Server-ID': SERVER_ID } : {};
      const askedServer = req.headers['zotero-server-id'];
      if (state.localVersions === 'local' && typeof askedServer === 'string' && askedServer !== SERVER_ID) {
        return send(412, { ...localHeaders, 'Content-Type': 'text/plain' }, 'Zotero-Server-ID does not match');
      }
      return answerLibrary(surface, rest, url, req, localHeaders, send);
    }

    // Web API: rate limits, Backoff and keys, then the same library answers.
    const key = typeof req.headers['zotero-api-key'] === 'string' ? req.headers['zotero-api-key']
      : /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (key) record.apiKey = key;
    state.webInFlight++;
    state.maxWebInFlight = Math.max(state.maxWebInFlight, state.webInFlight);
    res.on('close', () => { state.webInFlight--; });
    const answer = (): void => {
      const webHeaders: Record<string, string> = state.backoff !== undefined ? { Backoff: String(state.backoff) } : {};
      if (state.rateLimited > 0) {
        state.rateLimited--;
        const retry: Record<string, string> = state.retryAfter !== undefined ? { 'Retry-After': String(state.retryAfter) } : {};
        return send(429, { ...webHeaders, ...retry, 'Content-Type': 'text/plain' }, 'Too Many Requests');
      }
      if (key !== state.apiKey) return send(403, { ...webHeaders, 'Content-Type': 'text/plain' }, key ? 'Invalid key' : 'Forbidden');
      if (rest === 'keys/current') {
        return send(200, { ...webHeaders, 'Content-Type': 'application/json' }, JSON.stringify({
          key, userID: user.id, username,
          access: { user: { library: true, files: true, notes: true, write: false }, groups: { all: { library: true, write: false } } },
        }));
      }
      answerLibrary(surface, rest, url, req, webHeaders, send);
    };
    if (options.webLatencyMs) setTimeout(answer, options.webLatencyMs);
    else answer();
  });

  /** Answers `<users|groups>/<id>/…` for either API. */
  function answerLibrary(
    surface: Surface, rest: string, url: URL, req: http.IncomingMessage, headers: Record<string, string>,
    send: (status: number, headers: Record<string, string | number>, body: string) => void,
  ): void {
    if (!rest) return send(200, { ...headers, 'Content-Type': 'text/plain' }, 'Nothing to see here.');
    const match = /^(users|groups)\/(\d+)(?:\/(.*))?$/.exec(rest);
    if (!match) return send(404, { ...headers, 'Content-Type': 'text/plain' }, 'Not found');
    const found = findLibrary(match[1], match[2], surface);
    if (found === 'bad-user') {
      return surface === 'local'
        ? send(400, { ...headers, 'Content-Type': 'text/plain' }, 'Only data for the logged-in user is available locally')
        : send(403, { ...headers, 'Content-Type': 'text/plain' }, 'Forbidden');
    }
    if (!found) return send(404, { ...headers, 'Content-Type': 'text/plain' }, 'Group not found');
    const library = found;
    const sub = match[3] ?? '';
    const synced = surface === 'local' && state.localVersions === 'synced';
    const libraryVersion = synced ? library.syncedVersion : library.version;
    const versionHeaders = { ...headers, 'Last-Modified-Version': libraryVersion };
    const json = (body: unknown, extra: Record<string, string | number> = {}): void => send(200, { ...versionHeaders, ...extra, 'Content-Type': 'application/json' }, JSON.stringify(body));

    if (sub === '' && library.type === 'group') {
      return json({ id: library.id, version: library.version, data: { id: library.id, version: library.version, name: library.name, type: 'Private', description: '' } });
    }
    if (sub === 'groups' && library.type === 'user') {
      const groups = libraries.filter((l) => l.type === 'group').map((g) => ({ id: g.id, version: g.version, data: { id: g.id, version: g.version, name: g.name, type: 'Private' } }));
      return json(groups, { 'Total-Results': groups.length });
    }

    const multi = /^(items(\/top|\/trash)?|collections(\/top)?|deleted)$/.test(sub);
    const ims = req.headers['if-modified-since-version'];
    if (multi && typeof ims === 'string' && Number(ims) >= libraryVersion) return send(304, versionHeaders, '');

    const q = url.searchParams;
    const since = Number(q.get('since') ?? 0);
    if (sub === 'deleted') {
      if (!q.has('since')) return send(400, { ...headers, 'Content-Type': 'text/plain' }, "'since' parameter must be provided");
      const newer = (m: Map<string, number>): string[] => [...m].filter(([, v]) => v > since).map(([k]) => k);
      return json({ collections: newer(library.deletedCollections), searches: [], items: newer(library.deletedItems), tags: [], settings: [] });
    }
    if (sub === 'collections' || sub === 'collections/top') {
      let list = [...library.collections.values()].filter((c) => (synced ? c.syncedVersion : c.version) > since);
      if (sub === 'collections/top') list = list.filter((c) => !c.data.parentCollection);
      if (q.get('format') === 'versions') return json(Object.fromEntries(list.map((c) => [c.key, synced ? c.syncedVersion : c.version])));
      const page = paged(list, q, surface, url);
      return json(page.items.map((c) => ({ key: c.key, version: synced ? c.syncedVersion : c.version, data: { ...c.data, version: synced ? c.syncedVersion : c.version } })), page.headers);
    }
    const fileUrl = /^items\/([A-Z0-9]{8})\/file\/view\/url$/.exec(sub);
    if (fileUrl && surface === 'local') {
      const item = library.items.get(fileUrl[1]);
      const file = item && attachmentFile(item.data, item.key, storageDir);
      if (!file) return send(404, { ...headers, 'Content-Type': 'text/plain' }, 'Not found');
      return send(200, { ...headers, 'Content-Type': 'text/plain' }, `file://${file}`);
    }
    const single = /^items\/([A-Z0-9]{8})(\/children)?$/.exec(sub);
    if (!single && !/^items(\/top|\/trash)?$/.test(sub)) return send(404, { ...headers, 'Content-Type': 'text/plain' }, 'Not found');

    if (single && !single[2]) {
      const item = library.items.get(single[1]);
      if (!item) return send(404, { ...headers, 'Content-Type': 'text/plain' }, 'Item not found');
      return send(200, { ...versionHeaders, 'Content-Type': 'application/json' }, library.itemJson(item, surface, context(surface, q), synced));
    }
    const signature = [library.ref, surface, synced, sub, ...[...q].filter(([k]) => k !== 'start' && k !== 'limit').map(([k, v]) => `${k}=${v}`)].join('|');
    const cached = listings.get(signature);
    const list = cached?.generation === library.generation ? cached.list : listItems(library, single?.[1], sub, q, synced);
    if (!cached || cached.generation !== library.generation) {
      if (listings.size > 16) listings.clear();
      listings.set(signature, { generation: library.generation, list });
    }
    if (q.has('itemKey') && surface === 'web' && new Set(q.get('itemKey')!.split(',')).size > WEB_ITEM_KEYS_MAX) {
      return send(400, { ...headers, 'Content-Type': 'text/plain' }, `Cannot specify more than ${WEB_ITEM_KEYS_MAX} item keys`);
    }

    const format = q.get('format') ?? 'json';
    if (format === 'keys') return send(200, { ...versionHeaders, 'Content-Type': 'text/plain' }, list.map((i) => i.key).join('\n') + '\n');
    if (format === 'versions') return json(Object.fromEntries(list.map((i) => [i.key, synced ? i.syncedVersion : i.version])));
    if (format !== 'json') return send(400, { ...headers, 'Content-Type': 'text/plain' }, `Invalid 'format' value '${format}'`);
    const page = paged(list, q, surface, url);
    const ctx = context(surface, q);
    const body = `[${page.items.map((item) => library.itemJson(item, surface, ctx, synced)).join(',')}]`;
    send(200, { ...versionHeaders, ...page.headers, 'Content-Type': 'application/json' }, body);
  }

  function context(surface: Surface, q: URLSearchParams) {
    return {
      base: `${base}/${surface === 'local' ? 'api' : 'web'}`,
      storageDir,
      userId: user.id,
      username,
      includeCsl: (q.get('include') ?? '').split(',').includes('csljson'),
    };
  }

  /** One page of a listing, with `Total-Results` and `Link` as the API sends them. */
  function paged<T>(list: T[], q: URLSearchParams, surface: Surface, url: URL): { items: T[]; headers: Record<string, string | number> } {
    const start = Math.max(0, Number(q.get('start') ?? 0) || 0);
    let limit = q.has('limit') ? Math.max(1, Number(q.get('limit')) || 1) : surface === 'web' ? WEB_PAGE_DEFAULT : list.length;
    if (surface === 'web') limit = Math.min(limit, WEB_PAGE_MAX);
    const headers: Record<string, string | number> = { 'Total-Results': list.length };
    if (list.length > limit) {
      const link = (s: number): string => {
        const u = new URL(url.href.replace(/^http:\/\/127\.0\.0\.1/, base));
        u.searchParams.set('start', String(s));
        u.searchParams.set('limit', String(limit));
        return u.href;
      };
      const rels: string[] = [];
      if (start > 0) rels.push(`<${link(0)}>; rel="first"`, `<${link(Math.max(0, start - limit))}>; rel="prev"`);
      if (start + limit < list.length) rels.push(`<${link(start + limit)}>; rel="next"`);
      rels.push(`<${link(Math.floor((list.length - 1) / limit) * limit)}>; rel="last"`);
      headers.Link = rels.join(', ');
    }
    return { items: list.slice(start, start + limit), headers };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const group = libraries.find((l) => l.type === 'group');

  return {
    localApiUrl: `${base}/api`,
    webApiUrl: `${base}/web`,
    betterBibtexUrl: `${base}/better-bibtex/json-rpc`,
    apiKey: state.apiKey,
    userId: user.id,
    groupId: group?.id ?? 0,
    storageDir,
    requests,
    count: (filter) => (filter ? requests.filter(filter).length : requests.length),
    clearRequests: () => { requests.length = 0; },
    get maxWebInFlight() { return state.maxWebInFlight; },
    library(ref: string): FakeLibrary {
      const match = /^(users|groups)\/(\d+)$/.exec(ref);
      const found = match && findLibrary(match[1], match[2], 'local');
      if (!found || found === 'bad-user') throw new Error(`fake Zotero: no library ${ref}`);
      return found;
    },
    setLocalApi: (enabled) => { state.localApi = enabled; },
    setBetterBibtex: (installed) => { state.betterBibtex = installed; },
    setLocalVersions: (mode) => {
      state.localVersions = mode;
      for (const library of libraries) library.clearJson();
    },
    setLegacyBbtExport: (legacy) => { bbt.legacyExportShape = legacy; },
    rateLimit: (count, retryAfterSeconds) => {
      state.rateLimited = count;
      state.retryAfter = retryAfterSeconds;
    },
    setBackoff: (seconds) => { state.backoff = seconds; },
    bbtExport: (citekeys, translator, libraryRef) => bbt.exportText(citekeys, translator, libraryRef ? libraries.find((l) => l.ref === libraryRef) ?? user : user),
    bbtCitekey: (libraryRef, itemKey) => {
      const library = libraries.find((l) => l.ref === libraryRef);
      return library ? bbt.citekey(library, itemKey) : undefined;
    },
    warm: () => {
      for (const library of libraries) {
        for (const item of library.items.values()) {
          library.itemJson(item, 'local', context('local', new URLSearchParams()), state.localVersions === 'synced');
          library.itemJson(item, 'web', context('web', new URLSearchParams()), false);
        }
      }
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => {
        fs.rmSync(storageDir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}

/** The items a listing request asks for, filtered and sorted as the API does. */
function listItems(library: FakeLibrary, parentKey: string | undefined, sub: string, q: URLSearchParams, synced: boolean): ReturnType<FakeLibrary['childrenOf']> {
  let list = parentKey ? library.childrenOf(parentKey) : [...library.items.values()];
  if (sub === 'items/top') list = list.filter((i) => typeof i.data.parentItem !== 'string');
  const trashed = (i: { data: Record<string, unknown> }): boolean => i.data.deleted === 1 || i.data.deleted === true;
  if (sub === 'items/trash') list = list.filter(trashed);
  else if (q.get('includeTrashed') !== '1') list = list.filter((i) => !trashed(i));
  const types = q.get('itemType');
  if (types) list = list.filter((i) => matchesType(String(i.data.itemType), types));
  const since = Number(q.get('since') ?? 0);
  if (q.has('since')) list = list.filter((i) => (synced ? i.syncedVersion : i.version) > since);
  const itemKeys = q.get('itemKey');
  if (itemKeys) {
    const keys = new Set(itemKeys.split(','));
    list = list.filter((i) => keys.has(i.key));
  }
  const quick = q.get('q')?.toLowerCase();
  if (quick) list = list.filter((i) => JSON.stringify([i.data.title, i.data.creators]).toLowerCase().includes(quick));
  sortItems(list, q.get('sort') ?? 'dateModified', q.get('direction'));
  return list;
}

/** The API's itemType syntax: `book`, `-attachment`, `book || journalArticle`. */
function matchesType(itemType: string, expression: string): boolean {
  return expression.split('||').map((part) => part.trim()).some((part) => (part.startsWith('-') ? itemType !== part.slice(1) : itemType === part));
}

/** Sorts as the API does: dates newest first unless `direction=asc`, titles A–Z; ties by key so pages never overlap. */
function sortItems(list: { key: string; data: Record<string, unknown> }[], sort: string, direction: string | null): void {
  const field = sort === 'dateAdded' || sort === 'title' || sort === 'date' ? sort : 'dateModified';
  const descending = direction ? direction === 'desc' : field !== 'title';
  list.sort((a, b) => {
    const x = String(a.data[field] ?? '');
    const y = String(b.data[field] ?? '');
    const order = x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return descending ? -order : order;
  });
}

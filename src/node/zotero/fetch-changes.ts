/**
 * The requests that bring a stored copy of a library up to date, returned as a batch for the
 * pure `applyZoteroChanges`. A first sync pages the whole library (100 items a page, oldest first
 * so edits during the download do not shift pages; up to four pages in flight) and repairs the
 * copy from the full key list if the library changed meanwhile. A poll is one conditional
 * request while nothing changed.
 */
import { changedSince, compactCollection, compactItem, isUnchangedSince, keyDifferences, latestModified, versionDifferences, type SyncCursor, type ZoteroChanges } from '../../core/zotero/sync';
import type { ZoteroCollection, ZoteroItem, ZoteroLibraryRef } from '../../core/zotero/types';
import type { ItemPage, ItemQuery, ZoteroApiClient } from './api';

/** How changes are found: library versions, or (Zotero 7–9's local API) modification times. */
export type ChangeFeed = 'version' | 'modified';

/** What the fetch routines need. */
export interface FetchContext {
  api: ZoteroApiClient;
  library: ZoteroLibraryRef;
  feed: ChangeFeed;
  /** Items per page (the web API's maximum is 100). */
  pageSize: number;
  signal?: AbortSignal;
}

/** Item keys per `itemKey=` request (the web API's limit). */
const KEYS_PER_REQUEST = 50;

/** Every item and collection of the library, as a batch for an empty copy. */
export async function fetchWholeLibrary(context: FetchContext): Promise<ZoteroChanges> {
  const { api, library, pageSize, signal } = context;
  const query: ItemQuery = { sort: 'dateAdded', direction: 'asc', limit: pageSize };
  const [first, collections] = await Promise.all([api.items(library, { ...query, start: 0 }, { signal }), api.collections(library, { signal })]);
  const firstItems = itemsOf(first);
  const total = first.total ?? firstItems.length;
  const pages = await restOfPages(context, query, total);

  const items = new Map<string, ZoteroItem>();
  for (const item of firstItems) items.set(item.key, item);
  let consistent = true;
  for (const page of pages) {
    for (const item of itemsOf(page)) items.set(item.key, item);
    if (page.total !== first.total || (context.feed === 'version' && page.version !== first.version)) consistent = false;
  }
  if (items.size !== total) consistent = false;

  let version = first.version ?? 0;
  let count = total;
  if (!consistent) {
    // The library changed while it was paged: pages may have shifted past an item. Repair from the full list.
    if (context.feed === 'version') {
      const listing = await api.itemVersions(library, { signal });
      const { fetch, deleted } = versionDifferences(items, listing.versions);
      for (const key of deleted) items.delete(key);
      for (const item of await fetchByKey(context, fetch)) items.set(item.key, item);
      version = listing.version ?? version;
    } else {
      const listing = await api.itemKeys(library, signal);
      const { fetch, deleted } = keyDifferences(new Set(items.keys()), listing.keys);
      for (const key of deleted) items.delete(key);
      for (const item of await fetchByKey(context, fetch)) items.set(item.key, item);
      count = listing.keys.length;
    }
  }

  const all = [...items.values()];
  return { items: all, collections: collections.collections, cursor: cursorAfter(context.feed, version, all, count) };
}

function cursorAfter(feed: ChangeFeed, version: number, items: readonly ZoteroItem[], total: number): SyncCursor {
  if (feed === 'version') return { kind: 'version', version };
  const latest = latestModified(items);
  return { kind: 'modified', dateModified: latest.dateModified, total, topKey: latest.key };
}

/** What changed since the copy's cursor, or `unchanged` (one request when nothing did). */
export async function fetchChangesSince(
  context: FetchContext,
  cursor: SyncCursor,
  stored: { items: ReadonlyMap<string, ZoteroItem>; collections: ReadonlyMap<string, ZoteroCollection> },
): Promise<ZoteroChanges | 'unchanged'> {
  return cursor.kind === 'version' ? versionChanges(context, cursor.version) : modifiedChanges(context, cursor, stored);
}

/** Library versions: a conditional `since=` listing (304 when nothing changed), then deletions and collections. */
async function versionChanges(context: FetchContext, since: number): Promise<ZoteroChanges | 'unchanged'> {
  const { api, library, pageSize, signal } = context;
  // Trashed items are included: an item moved to the trash changes version but leaves the plain listing.
  const query: ItemQuery = { since, includeTrashed: true, sort: 'dateAdded', direction: 'asc', limit: pageSize };
  const first = await api.items(library, { ...query, start: 0 }, { ifModifiedSince: since, signal });
  if (first.notModified) return 'unchanged';
  const [pages, deleted, collections] = await Promise.all([
    restOfPages(context, query, first.total ?? 0),
    api.deleted(library, since, signal),
    api.collections(library, { since, signal }),
  ]);
  const items = [...itemsOf(first), ...pages.flatMap(itemsOf)];
  return {
    items,
    deletedItems: stringArray(deleted.deleted.items),
    collections: collections.collections,
    deletedCollections: stringArray(deleted.deleted.collections),
    cursor: { kind: 'version', version: first.version ?? since },
  };
}

/**
 * Modification times (Zotero 7–9's local API, whose versions do not move on local edits): one
 * request for the item count and the latest change; when either moved, the items changed since
 * (newest first, page by page until older ones), the full key list when the count says items
 * went away or came back, and all collections (they have no modification time).
 */
async function modifiedChanges(
  context: FetchContext,
  cursor: Extract<SyncCursor, { kind: 'modified' }>,
  stored: { items: ReadonlyMap<string, ZoteroItem>; collections: ReadonlyMap<string, ZoteroCollection> },
): Promise<ZoteroChanges | 'unchanged'> {
  const { api, library, pageSize, signal } = context;
  const newest: ItemQuery = { sort: 'dateModified', direction: 'desc' };
  const probe = await api.items(library, { ...newest, limit: 1 }, { signal });
  const top = itemsOf(probe)[0];
  const probeInfo = { total: probe.total ?? 0, topKey: top?.key, topDateModified: top?.data?.dateModified };
  if (isUnchangedSince(cursor, probeInfo)) return 'unchanged';

  const changed: ZoteroItem[] = [];
  for (let start = 0; start < probeInfo.total; start += pageSize) {
    const page = itemsOf(await api.items(library, { ...newest, start, limit: pageSize }, { signal }));
    const { items, more } = changedSince(page, cursor.dateModified);
    changed.push(...items);
    if (!more) break;
  }

  const known = new Set(stored.items.keys());
  for (const item of changed) known.add(item.key);
  let deletedItems: string[] = [];
  let total = probeInfo.total;
  if (known.size !== probeInfo.total) {
    const listing = await api.itemKeys(library, signal);
    const { fetch, deleted } = keyDifferences(known, listing.keys);
    deletedItems = deleted;
    changed.push(...(await fetchByKey(context, fetch)));
    total = listing.keys.length;
  }

  // Collections have no modification time here: compare names and parents with the stored ones.
  const collections = (await api.collections(library, { signal })).collections
    .filter((c) => c && typeof c.key === 'string' && c.data && typeof c.data === 'object')
    .map(compactCollection);
  const listed = new Set(collections.map((c) => c.key));
  const changedCollections = collections.filter((c) => {
    const old = stored.collections.get(c.key)?.data;
    return !old || old.name !== c.data.name || old.parentCollection !== c.data.parentCollection;
  });
  const deletedCollections = [...stored.collections.keys()].filter((key) => !listed.has(key));

  // The newest change seen: an edit after the probe is newer than its top item; otherwise the probe's
  // top item is what the next probe will show (ties within a second keep the server's order).
  const latest = latestModified(changed);
  const probeDate = probeInfo.topDateModified ?? '';
  const cursorAfterPoll: SyncCursor = latest.dateModified > probeDate
    ? { kind: 'modified', dateModified: latest.dateModified, total, topKey: latest.key }
    : { kind: 'modified', dateModified: probeDate || cursor.dateModified, total, topKey: probeInfo.topKey };
  return { items: changed, deletedItems, collections: changedCollections, deletedCollections, cursor: cursorAfterPoll };
}

/** Pages requested at once (the HTTP client lets at most four through; the rest wait their turn there). */
const PAGE_WORKERS = 4;

/**
 * The pages after the first of a listing of `total` items, four at a time in order; an empty page
 * ends the listing early, so a server that overstates `Total-Results` cannot make it request forever.
 */
async function restOfPages(context: FetchContext, query: ItemQuery, total: number): Promise<ItemPage[]> {
  const count = Math.max(0, Math.ceil(total / context.pageSize) - 1);
  const pages: ItemPage[] = [];
  let next = 0;
  let ended = false;
  const worker = async (): Promise<void> => {
    while (!ended && next < count) {
      const index = next++;
      const page = await context.api.items(context.library, { ...query, start: (index + 1) * context.pageSize }, { signal: context.signal });
      pages[index] = page;
      if (!itemsOf(page).length) ended = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PAGE_WORKERS, count) }, worker));
  return pages.filter(Boolean);
}

/** Items by key, 50 per request, trashed ones included (so a trashed item reads as deleted). */
async function fetchByKey(context: FetchContext, keys: readonly string[]): Promise<ZoteroItem[]> {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) batches.push(keys.slice(i, i + KEYS_PER_REQUEST));
  const pages = await Promise.all(batches.map((itemKey) => context.api.items(context.library, { itemKey, includeTrashed: true, limit: KEYS_PER_REQUEST }, { signal: context.signal })));
  return pages.flatMap(itemsOf);
}

/**
 * A page's well-formed items, compacted at once: the full answer then dies young (cheap to
 * collect) instead of living until the whole library is in, which in a 10,000-item first sync
 * cost garbage-collection pauses of 100 ms and more.
 */
function itemsOf(page: ItemPage): ZoteroItem[] {
  if (page.notModified) return [];
  if (!page.compacted) {
    page.items = page.items.filter((item) => item && typeof item.key === 'string' && item.data && typeof item.data === 'object').map(compactItem);
    page.compacted = true;
  }
  return page.items;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

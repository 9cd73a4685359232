/**
 * A Zotero library kept in step with the server, as data: the stored items and collections with
 * a cursor saying how far the copy goes, and the pure step that applies a batch of changes and
 * says which papers must be rebuilt. The HTTP side (src/node/zotero) only fetches batches.
 *
 * Two cursors, because the two APIs version differently:
 * - `version`: the library version of the web API, and of the local API from Zotero 10 on
 *   (`since=`, `If-Modified-Since-Version` → 304, `/deleted?since=`).
 * - `modified`: Zotero 7–9's local API reports *synced* versions, which do not move when an item
 *   is edited locally, so changes are found by `dateModified` and the item count instead.
 */
import { isWorkItemType } from './item-types';
import { isTrashed } from './map';
import type { ZoteroCollection, ZoteroItem } from './types';

/** How far a stored copy goes. */
export type SyncCursor =
  | { kind: 'version'; version: number }
  | {
    kind: 'modified';
    /** The latest `dateModified` among stored items (ISO 8601, compared as text). */
    dateModified: string;
    /** How many items the library had (`Total-Results`, annotations excluded). */
    total: number;
    /** The most recently modified item's key. */
    topKey?: string;
  };

/** A stored copy of one library: every item (works and their notes and attachments) and collection by key. */
export interface ZoteroSyncState {
  cursor?: SyncCursor;
  items: ReadonlyMap<string, ZoteroItem>;
  collections: ReadonlyMap<string, ZoteroCollection>;
}

/** A batch of changes fetched from the server, and the cursor it brings the copy to. */
export interface ZoteroChanges {
  /** New and changed items; an item in the trash counts as deleted. */
  items?: readonly ZoteroItem[];
  deletedItems?: readonly string[];
  collections?: readonly ZoteroCollection[];
  deletedCollections?: readonly string[];
  cursor: SyncCursor;
}

/** The copy after a batch, and which works' papers changed. */
export interface AppliedChanges {
  state: ZoteroSyncState;
  /** Keys of works whose paper must be (re)built: changed, or one of their notes, attachments or collections changed. */
  touched: Set<string>;
  /** Keys of works whose paper is gone (deleted, trashed, or no longer a top-level work). */
  removed: Set<string>;
}

/** A copy with nothing in it, before the first sync. */
export function emptySyncState(): ZoteroSyncState {
  return { items: new Map(), collections: new Map() };
}

/** Whether an item is a top-level work (not a note, attachment or annotation, not a child, not trashed). */
export function isWork(item: ZoteroItem): boolean {
  const data = item.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object') return false;
  return typeof data.itemType === 'string' && isWorkItemType(data.itemType) && typeof data.parentItem !== 'string' && !isTrashed(data);
}

/** The work a stored item belongs to: itself for a work, its parent for a note or attachment. */
export function workKeyOf(item: ZoteroItem): string | undefined {
  if (isWork(item)) return item.key;
  const parent = (item.data as Record<string, unknown> | undefined)?.parentItem;
  return typeof parent === 'string' ? parent : undefined;
}

/** Applies a batch to a copy, returning a new copy (the old one is not changed). */
export function applyZoteroChanges(state: ZoteroSyncState, changes: ZoteroChanges): AppliedChanges {
  const items = new Map(state.items);
  const collections = new Map(state.collections);
  const touched = new Set<string>();
  const removed = new Set<string>();
  const noteWork = (item: ZoteroItem | undefined): void => {
    if (!item) return;
    const work = workKeyOf(item);
    if (work) touched.add(work);
  };

  const removeItem = (key: string): void => {
    const old = items.get(key);
    if (!old) return;
    items.delete(key);
    if (isWork(old)) removed.add(key);
    else noteWork(old);
  };

  for (const item of changes.items ?? []) {
    if (!item || typeof item.key !== 'string' || !item.data || typeof item.data !== 'object') continue;
    if (isTrashed(item.data)) {
      removeItem(item.key);
      continue;
    }
    const old = items.get(item.key);
    items.set(item.key, item);
    // A child that moved to another parent changes both works; a work that became a child is gone as a paper.
    noteWork(old);
    if (old && isWork(old) && !isWork(item)) removed.add(item.key);
    noteWork(item);
  }
  for (const key of changes.deletedItems ?? []) removeItem(key);

  const changedCollections = new Set<string>();
  for (const collection of changes.collections ?? []) {
    if (!collection || typeof collection.key !== 'string' || !collection.data || typeof collection.data !== 'object') continue;
    collections.set(collection.key, collection);
    changedCollections.add(collection.key);
  }
  for (const key of changes.deletedCollections ?? []) {
    if (collections.delete(key) || state.collections.has(key)) changedCollections.add(key);
  }
  if (changedCollections.size) {
    // A renamed or moved collection changes the path of every collection below it, old tree or new.
    const affected = withDescendants(changedCollections, [state.collections, collections]);
    for (const [key, item] of items) {
      const member = item.data?.collections;
      if (Array.isArray(member) && member.some((c) => affected.has(c)) && isWork(item)) touched.add(key);
    }
  }

  for (const key of removed) touched.delete(key);
  for (const key of touched) {
    const item = items.get(key);
    if (!item || !isWork(item)) {
      touched.delete(key);
      if (state.items.has(key) && isWork(state.items.get(key)!)) removed.add(key);
    }
  }
  return { state: { cursor: changes.cursor, items, collections }, touched, removed };
}

/** The given collections and every collection below them in any of the trees. */
function withDescendants(roots: ReadonlySet<string>, trees: readonly ReadonlyMap<string, ZoteroCollection>[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const tree of trees) {
    for (const [key, collection] of tree) {
      const parent = collection.data?.parentCollection;
      if (typeof parent !== 'string') continue;
      const list = children.get(parent) ?? [];
      list.push(key);
      children.set(parent, list);
    }
  }
  const result = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const key = queue.pop()!;
    if (result.has(key)) continue;
    result.add(key);
    queue.push(...(children.get(key) ?? []));
  }
  return result;
}

/** Fields of a note or attachment that papers use; the rest (note HTML, md5, relations) is not kept. */
const CHILD_FIELDS = ['key', 'version', 'itemType', 'parentItem', 'deleted', 'dateAdded', 'dateModified', 'linkMode', 'contentType', 'filename', 'path', 'url', 'title'];
/** Work fields that hold lists; every other field is kept only when it is a string, number or boolean. */
const LIST_FIELDS = new Set(['creators', 'tags', 'collections']);
/** Zotero's own CSL-JSON: the variables the mapping fills gaps from. */
const CSL_KEPT = ['container-title', 'publisher', 'publisher-place', 'event-title', 'volume', 'issue', 'page', 'DOI', 'URL', 'ISBN', 'ISSN'];

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A list of flat records: each entry an object of scalar fields (creators, tags), or a string (collection keys). */
function flatList(value: unknown): unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list: unknown[] = [];
  for (const entry of value) {
    if (typeof entry === 'string') list.push(entry);
    else if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      const flat: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(entry)) if (isScalar(v)) flat[k] = v;
      list.push(flat);
    }
  }
  return list;
}

/**
 * An item with only what papers and syncing use, so a large library's copy (in memory and on disk)
 * stays small and flat: works keep their scalar fields and their creators, tags and collections;
 * notes and attachments keep what identifies them, their file and their parent; `links` keeps only
 * `enclosure`, `meta` only `parsedDate`, `csljson` only the variables the mapping reads. Nested
 * values the API never sends are dropped, so a hostile answer cannot make the copy unserialisable.
 */
export function compactItem(item: ZoteroItem): ZoteroItem {
  const data = item.data as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  if (data.itemType === 'note' || data.itemType === 'attachment' || data.itemType === 'annotation') {
    for (const field of CHILD_FIELDS) if (isScalar(data[field])) kept[field] = data[field];
  } else {
    for (const [field, value] of Object.entries(data)) {
      if (isScalar(value)) kept[field] = value;
      else if (LIST_FIELDS.has(field)) {
        const list = flatList(value);
        if (list) kept[field] = list;
      }
    }
  }
  const compact: ZoteroItem = { key: item.key, version: typeof item.version === 'number' ? item.version : 0, data: kept as ZoteroItem['data'] };
  const enclosure = item.links?.enclosure;
  if (enclosure && typeof enclosure === 'object') {
    const flat: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(enclosure)) if (isScalar(v)) flat[k] = v;
    compact.links = { enclosure: flat };
  }
  if (typeof item.meta?.parsedDate === 'string') compact.meta = { parsedDate: item.meta.parsedDate };
  const csl = item.csljson;
  if (csl && typeof csl === 'object') {
    const flat: Record<string, unknown> = {};
    for (const name of CSL_KEPT) if (isScalar(csl[name])) flat[name] = csl[name];
    const issued = (csl.issued as { 'date-parts'?: unknown } | undefined)?.['date-parts'];
    if (Array.isArray(issued) && Array.isArray(issued[0])) flat.issued = { 'date-parts': [issued[0].filter(isScalar).slice(0, 3)] };
    compact.csljson = flat;
  }
  return compact;
}

/** A collection with only its name and parent (flat, like `compactItem`). */
export function compactCollection(collection: ZoteroCollection): ZoteroCollection {
  const data = collection.data as unknown as Record<string, unknown>;
  const parent = data?.parentCollection;
  return {
    key: collection.key,
    version: typeof collection.version === 'number' ? collection.version : 0,
    data: { name: typeof data?.name === 'string' ? data.name : '', parentCollection: typeof parent === 'string' ? parent : false },
  };
}

/** Notes and attachments by the key of the work they belong to. */
export function childrenByWork(items: Iterable<ZoteroItem>): Map<string, ZoteroItem[]> {
  const result = new Map<string, ZoteroItem[]>();
  for (const item of items) {
    if (isWork(item)) continue;
    const parent = workKeyOf(item);
    if (!parent) continue;
    const list = result.get(parent);
    if (list) list.push(item);
    else result.set(parent, [item]);
  }
  return result;
}

/** Deeper collection trees than this are taken to be cycles in bad data; the path stops there. */
const MAX_COLLECTION_DEPTH = 64;

/** Each collection's path from the top, names joined by ` / ` (`Thesis / Chapter 2`); cycles and missing parents end a path. */
export function collectionPaths(collections: ReadonlyMap<string, ZoteroCollection>): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (key: string): string => {
    const known = paths.get(key);
    if (known !== undefined) return known;
    const names: string[] = [];
    const seen = new Set<string>();
    let current: string | undefined = key;
    while (current && !seen.has(current) && names.length < MAX_COLLECTION_DEPTH) {
      seen.add(current);
      const collection = collections.get(current);
      if (!collection) break;
      const cached = current !== key ? paths.get(current) : undefined;
      if (cached !== undefined) {
        names.push(cached);
        break;
      }
      const name = typeof collection.data?.name === 'string' ? collection.data.name.trim() : '';
      names.push(name || '(unnamed)');
      const parent = collection.data?.parentCollection;
      current = typeof parent === 'string' ? parent : undefined;
    }
    const path = names.reverse().join(' / ');
    paths.set(key, path);
    return path;
  };
  for (const key of collections.keys()) pathOf(key);
  return paths;
}

/**
 * Reconciles stored items against the server's list of every item key with its version
 * (`format=versions`): which keys to fetch (missing here or newer there) and which to delete.
 */
export function versionDifferences(stored: ReadonlyMap<string, ZoteroItem>, versions: Readonly<Record<string, unknown>>): { fetch: string[]; deleted: string[] } {
  const fetch: string[] = [];
  for (const [key, version] of Object.entries(versions)) {
    const item = stored.get(key);
    if (!item || typeof version !== 'number' || version > item.version) fetch.push(key);
  }
  const deleted = [...stored.keys()].filter((key) => !Object.hasOwn(versions, key));
  return { fetch, deleted };
}

/** Reconciles stored item keys against the server's list of every item key (`format=keys`): which to fetch and which to delete. */
export function keyDifferences(stored: ReadonlySet<string>, keys: readonly string[]): { fetch: string[]; deleted: string[] } {
  const listed = new Set(keys);
  return {
    fetch: keys.filter((key) => !stored.has(key)),
    deleted: [...stored].filter((key) => !listed.has(key)),
  };
}

/** The most recent `dateModified` of some items, and that item's key. */
export function latestModified(items: Iterable<ZoteroItem>): { dateModified: string; key?: string } {
  let latest = '';
  let key: string | undefined;
  for (const item of items) {
    const modified = item.data?.dateModified;
    if (typeof modified === 'string' && modified > latest) {
      latest = modified;
      key = item.key;
    }
  }
  return { dateModified: latest, key };
}

/** What one cheap request says about a library in the `modified` mode: its item count and most recently modified item. */
export interface ModifiedProbe {
  total: number;
  topKey?: string;
  topDateModified?: string;
}

/**
 * Whether the library is as the cursor left it: the same count and the same most recent change.
 * (Items modified in the same second may come back in either order; that reads as a change and
 * costs one page of refetching, never a missed change.)
 */
export function isUnchangedSince(cursor: SyncCursor | undefined, probe: ModifiedProbe): boolean {
  return cursor?.kind === 'modified'
    && cursor.total === probe.total
    && cursor.dateModified === (probe.topDateModified ?? '')
    && cursor.topKey === probe.topKey;
}

/**
 * Items of one page sorted by `dateModified`, newest first, that changed at or after `since`;
 * `more` says the page held nothing older, so the next page may hold changes too.
 * (`dateModified` has one-second resolution: items of the cursor's own second are fetched again.)
 */
export function changedSince(page: readonly ZoteroItem[], since: string): { items: ZoteroItem[]; more: boolean } {
  const items = page.filter((item) => typeof item.data?.dateModified === 'string' && item.data.dateModified >= since);
  return { items, more: items.length === page.length && page.length > 0 };
}

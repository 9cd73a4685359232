// The fake Zotero's libraries: items and collections with library versions, changes the tests make
// (each bumps the version as Zotero does), and the JSON the web and local APIs answer with.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** A library as the fixtures in test/fixtures/zotero/ hold it. */
export interface FixtureLibrary {
  library: { type: 'user' | 'group'; id: number; name: string };
  version: number;
  collections: FixtureCollection[];
  items: FixtureItem[];
}
export interface FixtureItem {
  key: string;
  version: number;
  meta?: Record<string, unknown>;
  data: Record<string, unknown>;
}
export interface FixtureCollection {
  key: string;
  version: number;
  data: Record<string, unknown>;
}

/** Which API a request came through: the local API and the web API word some answers differently. */
export type Surface = 'local' | 'web';

interface StoredItem {
  key: string;
  version: number;
  /** The version Zotero 7–9's local API reports: the last synced one, frozen until `syncLocal()`. */
  syncedVersion: number;
  meta?: Record<string, unknown>;
  data: Record<string, unknown>;
}

interface StoredCollection {
  key: string;
  version: number;
  syncedVersion: number;
  data: Record<string, unknown>;
}

const KEY_ALPHABET = '23456789ABCDEFGHIJKLMNPQRSTUVWXYZ';

/** One library of the fake: its objects, versions, deletions, and cached JSON. */
export class FakeLibrary {
  readonly type: 'user' | 'group';
  readonly id: number;
  name: string;
  version: number;
  syncedVersion: number;
  readonly items = new Map<string, StoredItem>();
  readonly collections = new Map<string, StoredCollection>();
  readonly deletedItems = new Map<string, number>();
  readonly deletedCollections = new Map<string, number>();
  /** Bumped on every change; cached JSON and listings older than it are stale. */
  generation = 0;
  private readonly json = new Map<string, string>();
  private childIndex?: { generation: number; byParent: Map<string, StoredItem[]> };
  private clock = 0;
  private nextKey = 0;

  constructor(fixture: FixtureLibrary) {
    this.type = fixture.library.type;
    this.id = fixture.library.id;
    this.name = fixture.library.name;
    this.version = fixture.version;
    this.syncedVersion = fixture.version;
    for (const c of fixture.collections) {
      this.collections.set(c.key, { key: c.key, version: c.version, syncedVersion: c.version, data: { ...c.data } });
    }
    for (const item of fixture.items) {
      this.items.set(item.key, { key: item.key, version: item.version, syncedVersion: item.version, meta: item.meta, data: { ...item.data } });
      const modified = Date.parse(String(item.data.dateModified ?? ''));
      if (modified > this.clock) this.clock = modified;
    }
  }

  /** `users/<id>` or `groups/<id>`. */
  get ref(): string {
    return `${this.type === 'user' ? 'users' : 'groups'}/${this.id}`;
  }

  /** A timestamp one second after every `dateModified` so far (Zotero's have one-second resolution). */
  private tick(): string {
    this.clock = Math.max(Date.now(), this.clock + 1000);
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private changed(): void {
    this.generation++;
  }

  /** Forgets the cached JSON of an item and of its parent (whose child count and links depend on it). */
  private forget(key: string): void {
    const parent = this.items.get(key)?.data.parentItem;
    for (const k of typeof parent === 'string' ? [key, parent] : [key]) {
      this.json.delete(`local:${k}`);
      this.json.delete(`web:${k}`);
    }
  }

  /** Changes fields of an item; returns the new library version. */
  updateItem(key: string, patch: Record<string, unknown>): number {
    const item = this.items.get(key);
    if (!item) throw new Error(`fake Zotero: no item ${key} in ${this.ref}`);
    this.version++;
    item.version = this.version;
    this.forget(key);
    item.data = { ...item.data, ...patch, version: this.version, dateModified: this.tick() };
    if ('date' in patch) item.meta = { ...item.meta, parsedDate: undefined };
    this.forget(key);
    this.changed();
    return this.version;
  }

  /** Adds an item (a new key unless `data.key` is given); returns its key. */
  addItem(data: Record<string, unknown>, meta?: Record<string, unknown>): string {
    const key = typeof data.key === 'string' ? data.key : this.newKey();
    this.version++;
    const now = this.tick();
    this.items.set(key, {
      key, version: this.version, syncedVersion: 0, meta,
      data: { tags: [], collections: [], relations: {}, dateAdded: now, ...data, key, version: this.version, dateModified: now },
    });
    this.deletedItems.delete(key);
    this.forget(key);
    this.changed();
    return key;
  }

  /** Deletes an item for good (emptied from the trash); it shows in `/deleted`. */
  deleteItem(key: string): number {
    if (!this.items.has(key)) throw new Error(`fake Zotero: no item ${key} in ${this.ref}`);
    this.forget(key);
    this.items.delete(key);
    this.version++;
    this.deletedItems.set(key, this.version);
    this.changed();
    return this.version;
  }

  /** Moves an item to the trash (`deleted: 1`); it leaves `/items` unless `includeTrashed=1`. */
  trashItem(key: string): number {
    return this.updateItem(key, { deleted: 1 });
  }

  /** Renames a collection; returns the new library version. */
  renameCollection(key: string, name: string): number {
    const collection = this.collections.get(key);
    if (!collection) throw new Error(`fake Zotero: no collection ${key} in ${this.ref}`);
    this.version++;
    collection.version = this.version;
    collection.data = { ...collection.data, name, version: this.version };
    this.changed();
    return this.version;
  }

  /** What a Zotero 7–9 sync does to the local API's versions: they catch up with the library. */
  syncLocal(): void {
    this.syncedVersion = this.version;
    for (const item of this.items.values()) item.syncedVersion = item.version;
    for (const c of this.collections.values()) c.syncedVersion = c.version;
    this.json.clear();
    this.changed();
  }

  private newKey(): string {
    let key: string;
    do {
      let n = this.nextKey++ * 7919 + 104729;
      key = '';
      for (let i = 0; i < 8; i++) {
        key += KEY_ALPHABET[n % KEY_ALPHABET.length];
        n = Math.floor(n / KEY_ALPHABET.length) + i * 31;
      }
    } while (this.items.has(key));
    return key;
  }

  /** The notes and attachments under an item. */
  childrenOf(key: string): StoredItem[] {
    if (this.childIndex?.generation !== this.generation) {
      const byParent = new Map<string, StoredItem[]>();
      for (const item of this.items.values()) {
        const parent = item.data.parentItem;
        if (typeof parent !== 'string') continue;
        byParent.set(parent, [...(byParent.get(parent) ?? []), item]);
      }
      this.childIndex = { generation: this.generation, byParent };
    }
    return this.childIndex.byParent.get(key) ?? [];
  }

  /** Serialised item JSON for a surface, cached until the item changes. */
  itemJson(item: StoredItem, surface: Surface, context: EnvelopeContext, syncedVersions: boolean): string {
    const cacheKey = `${surface}:${item.key}`;
    let json = context.includeCsl ? undefined : this.json.get(cacheKey);
    if (json === undefined) {
      json = JSON.stringify(this.envelope(item, surface, context, syncedVersions));
      if (!context.includeCsl) this.json.set(cacheKey, json);
    }
    return json;
  }

  /** Drops cached JSON (the base URL or version mode changed). */
  clearJson(): void {
    this.json.clear();
  }

  private envelope(item: StoredItem, surface: Surface, context: EnvelopeContext, syncedVersions: boolean): Record<string, unknown> {
    const version = surface === 'local' && syncedVersions ? item.syncedVersion : item.version;
    const data: Record<string, unknown> = { ...item.data, version };
    const site = this.type === 'user' ? `https://www.zotero.org/${context.username}` : `https://www.zotero.org/groups/${this.id}`;
    const self = `${context.base}/${this.ref}/items/${item.key}`;
    const links: Record<string, unknown> = {
      self: { href: self, type: 'application/json' },
      alternate: { href: `${site}/items/${item.key}`, type: 'text/html' },
    };
    if (typeof data.path === 'string') data.path = data.path.replace('${storage}', context.storageDir);
    const parent = data.parentItem;
    if (typeof parent === 'string') links.up = { href: `${context.base}/${this.ref}/items/${parent}`, type: 'application/json' };
    if (data.itemType === 'attachment' && data.linkMode !== 'linked_url') {
      const file = attachmentFile(data, item.key, context.storageDir);
      const size = file && fs.existsSync(file) ? fs.statSync(file).size : undefined;
      const enclosure: Record<string, unknown> = {
        type: data.contentType,
        href: surface === 'local' ? (file ? pathToFileURL(file).href : undefined) : `${self}/file/view`,
        title: typeof data.filename === 'string' ? data.filename : path.basename(file ?? ''),
      };
      if (size !== undefined) enclosure.length = size;
      links.enclosure = enclosure;
    }
    const children = this.childrenOf(item.key);
    const meta: Record<string, unknown> = { ...item.meta };
    if (meta.parsedDate === undefined) delete meta.parsedDate;
    if (Array.isArray(data.creators) && data.creators.length) meta.creatorSummary = creatorSummary(data.creators as Record<string, unknown>[]);
    if (typeof parent !== 'string' && data.itemType !== 'note' && data.itemType !== 'attachment') meta.numChildren = children.length;
    const pdf = children.find((c) => c.data.contentType === 'application/pdf');
    if (pdf) links.attachment = { href: `${context.base}/${this.ref}/items/${pdf.key}`, type: 'application/json', attachmentType: 'application/pdf' };
    const envelope: Record<string, unknown> = {
      key: item.key,
      version,
      library: { type: this.type, id: this.type === 'user' ? context.userId : this.id, name: this.type === 'user' ? context.username : this.name, links: { alternate: { href: site, type: 'text/html' } } },
      links,
      meta,
      data,
    };
    if (context.includeCsl) envelope.csljson = { id: `${this.id}/${item.key}`, type: 'document', title: data.title };
    return envelope;
  }
}

/** What an item's JSON depends on besides the item. */
export interface EnvelopeContext {
  base: string;
  storageDir: string;
  userId: number;
  username: string;
  includeCsl?: boolean;
}

/** Where an attachment's file is: the linked path, or Zotero's storage folder `storage/<key>/<filename>`. */
export function attachmentFile(data: Record<string, unknown>, key: string, storageDir: string): string | undefined {
  if (data.linkMode === 'linked_file') return typeof data.path === 'string' ? data.path.replace('${storage}', storageDir) : undefined;
  return typeof data.filename === 'string' ? path.join(storageDir, 'storage', key, data.filename) : undefined;
}

/** Zotero's creator summary: `Sutton`, `Hochreiter and Schmidhuber`, `Vaswani et al.` */
function creatorSummary(creators: Record<string, unknown>[]): string {
  const names = creators.map((c) => String(c.lastName ?? c.name ?? ''));
  if (names.length === 1) return names[0];
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names[0]} et al.`;
}

/** A minimal valid PDF, written for each attachment so "open PDF" has a real file to open. */
export const TINY_PDF = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

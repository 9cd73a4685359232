/**
 * One Zotero library kept in step for the extension and the CLI: a first sync, then cheap polls
 * (one request answering 304, or one small listing on Zotero 7–9), papers with stable keys, a
 * status the UI renders, Better BibTeX exports and PDF locations, and the copy saved to a folder
 * so the next start continues where this one stopped. `sync()` never throws: failures become the
 * status, and the papers already read stay.
 */
import * as fs from 'fs';
import { DEFAULT_KEY_TEMPLATE } from '../../core/citekey';
import type { Paper } from '../../core/types';
import type { ChosenKey } from '../../core/zotero/citekey';
import type { ZoteroStatus, ZoteroVia } from '../../core/zotero/status';
import { emptySyncState, isWork, type ZoteroChanges, type ZoteroSyncState } from '../../core/zotero/sync';
import { libraryPath, parseLibraryRef, type ZoteroCollection, type ZoteroItem, type ZoteroLibraryRef } from '../../core/zotero/types';
import { applyInChunks, compactChanges } from './apply';
import { ZoteroApiClient, ZoteroApiError, withoutTrailingSlashes } from './api';
import { BetterBibtexClient, betterBibtexUrlFor, type BetterBibtexTranslator } from './better-bibtex';
import { fetchChangesSince, fetchWholeLibrary, type ChangeFeed } from './fetch-changes';
import { ZoteroHttp, ZoteroHttpError } from './http';
import { ZoteroPaperSet } from './papers';
import { Slicer } from './slices';
import { readStateFile, stateFilePath, writeStateFile, type StateHeader, type StateLine } from './state-file';
import { pollDelay, statusForError } from './status-of';

/** Zotero's local API as the desktop app serves it. */
export const DEFAULT_LOCAL_API_URL = 'http://localhost:23119/api';
/** Zotero's web API. */
export const DEFAULT_WEB_API_URL = 'https://api.zotero.org';

/** How to reach a library and what to do with it. */
export interface ZoteroLibrarySyncOptions {
  /** `users/0` (the local user; on the web API, the key's owner), `users/<id>` or `groups/<id>`. */
  library: string;
  via: ZoteroVia;
  localApiUrl?: string;
  webApiUrl?: string;
  /** The web API key (from SecretStorage or `LITCITE_ZOTERO_API_KEY`). */
  apiKey?: string;
  /** Ask Better BibTeX for keys and exports (local API only; default true). */
  useBetterBibtex?: boolean;
  /** Better BibTeX's endpoint; default next to the local API URL. */
  betterBibtexUrl?: string;
  /** LitCite's key template for items without a key of their own. */
  keyTemplate?: string;
  /** Keys other sources use, which template keys avoid. */
  takenKeys?: () => ReadonlySet<string>;
  /** Folder for the saved copy (the extension's global storage, the CLI's cache folder); none: not saved. */
  stateDir?: string;
  /** Share one HTTP client between libraries on the same host (in-flight limit, back-off). */
  http?: ZoteroHttp;
  /** Per-request timeout (default 15 s for the web API, 10 s locally). */
  timeoutMs?: number;
  /** Longest synchronous stretch of mapping and key work (default 8 ms). */
  sliceMs?: number;
  /** Items per page (default 100, the web API's maximum). */
  pageSize?: number;
  /** `vscode.env.remoteName`, so "not running" can say why in a remote window. */
  remoteName?: string;
  now?: () => number;
}

/** What one `sync()` did. */
export interface ZoteroSyncResult {
  status: ZoteroStatus;
  /** The papers changed (added, edited, removed, re-keyed). */
  changed: boolean;
  papers: readonly Paper[];
  /** HTTP requests this sync made. */
  requests: number;
  /** A whole-library download ran (first sync, or a reset). */
  full: boolean;
}

/** Where to open an item's PDF: the file when it is on this machine, else Zotero's reader. */
export type PdfTarget = { kind: 'file'; path: string } | { kind: 'uri'; uri: string };

/** A Zotero library, synced. */
export class ZoteroLibrarySync {
  readonly via: ZoteroVia;
  private library: ZoteroLibraryRef;
  private readonly requested: string;
  private readonly baseUrl: string;
  private readonly api: ZoteroApiClient;
  private readonly bbt?: BetterBibtexClient;
  private readonly http: ZoteroHttp;
  private readonly keyTemplate: string;
  private readonly sliceMs: number;
  private readonly pageSize: number;
  private readonly now: () => number;
  private paperSet: ZoteroPaperSet;
  private state: ZoteroSyncState = emptySyncState();
  private feed: ChangeFeed;
  private currentStatus: ZoteroStatus;
  private libraryName = '';
  private betterBibtex: string | false | undefined;
  private bbtLibraryId?: number;
  private running?: Promise<ZoteroSyncResult>;
  private failures = 0;
  private bbtChecked = false;
  private dirty = false;
  private saving?: Promise<void>;
  private saveAgain = false;
  private readonly controller = new AbortController();

  constructor(private readonly options: ZoteroLibrarySyncOptions) {
    this.via = options.via;
    this.requested = options.library;
    const ref = parseLibraryRef(options.library);
    this.library = ref ?? { type: 'user', id: '0' };
    this.now = options.now ?? Date.now;
    this.http = options.http ?? new ZoteroHttp();
    const local = options.via === 'local';
    this.baseUrl = withoutTrailingSlashes(local ? options.localApiUrl ?? DEFAULT_LOCAL_API_URL : options.webApiUrl ?? DEFAULT_WEB_API_URL);
    const timeoutMs = options.timeoutMs ?? (local ? 10_000 : 15_000);
    this.api = new ZoteroApiClient({ baseUrl: this.baseUrl, apiKey: local ? undefined : options.apiKey, http: this.http, timeoutMs });
    if (local && options.useBetterBibtex !== false) {
      this.bbt = new BetterBibtexClient(options.betterBibtexUrl ?? betterBibtexUrlFor(this.baseUrl), this.http, timeoutMs);
    }
    this.keyTemplate = options.keyTemplate ?? DEFAULT_KEY_TEMPLATE;
    this.sliceMs = options.sliceMs ?? 8;
    this.pageSize = options.pageSize ?? 100;
    this.feed = local ? 'modified' : 'version';
    this.paperSet = this.newPaperSet();
    this.currentStatus = ref
      ? { code: 'connecting', via: this.via, library: libraryPath(this.library) }
      : { code: 'library-not-found', via: this.via, library: options.library };
  }

  private newPaperSet(): ZoteroPaperSet {
    return new ZoteroPaperSet({ library: this.library, keyTemplate: this.keyTemplate, localFiles: this.via === 'local', takenElsewhere: this.options.takenKeys });
  }

  /** The connection's state, for the status bar and the CLI. */
  get status(): ZoteroStatus {
    return this.currentStatus;
  }

  /** The library's papers (the last successful sync's, also while Zotero is unreachable). */
  get papers(): readonly Paper[] {
    return this.paperSet.papers;
  }

  /** The library as the API addresses it (`users/1234567` once the web API named the key's owner). */
  get libraryRef(): string {
    return libraryPath(this.library);
  }

  /** Collections with their paths, for a tree "by collection". */
  get collections(): { key: string; name: string; parentKey?: string }[] {
    return [...this.state.collections.values()].map((c) => ({
      key: c.key,
      name: typeof c.data?.name === 'string' ? c.data.name : '',
      ...(typeof c.data?.parentCollection === 'string' ? { parentKey: c.data.parentCollection } : {}),
    }));
  }

  /** Reads the saved copy, if there is one for this library; returns whether papers were restored. */
  async restore(): Promise<boolean> {
    const file = this.stateFile();
    if (!file || !parseLibraryRef(this.requested)) return false;
    const slicer = new Slicer(this.sliceMs);
    const stored = await readStateFile(file, this.identity(), slicer);
    if (!stored) return false;
    const { header, lines } = stored;
    const items = new Map<string, ZoteroItem>();
    const keys: [string, ChosenKey][] = [];
    const bbtKeys: [string, string][] = [];
    for (const line of lines) {
      items.set(line.item.key, line.item);
      if (line.key && line.source) keys.push([line.item.key, { key: line.key, source: line.source }]);
      if (line.bbt) bbtKeys.push([line.item.key, line.bbt]);
      if (slicer.due) await slicer.yield();
    }
    const collections = new Map<string, ZoteroCollection>(header.collections.map((c) => [c.key, c]));
    const resolved = parseLibraryRef(header.resolved);
    if (resolved && libraryPath(resolved) !== libraryPath(this.library)) {
      this.library = resolved;
      this.paperSet = this.newPaperSet();
    }
    this.state = { cursor: header.cursor, items, collections };
    this.feed = header.cursor.kind;
    this.api.serverId = header.serverId;
    this.libraryName = header.libraryName;
    this.betterBibtex = header.betterBibtex;
    // Template keys made with another template are not kept; user keys always are.
    this.paperSet.restoreKeys(header.keyTemplate === this.keyTemplate ? keys : keys.filter(([, k]) => k.source !== 'template'));
    for (const [itemKey, citekey] of bbtKeys) this.paperSet.betterBibtexKeys.set(itemKey, citekey);
    await this.paperSet.rebuild(this.state, { all: true }, slicer);
    this.currentStatus = this.connected();
    return true;
  }

  /**
   * Brings the papers up to date: the first time a whole-library download, then a poll that
   * fetches only what changed. Calls while one runs share it. Never throws.
   */
  sync(signal?: AbortSignal): Promise<ZoteroSyncResult> {
    this.running ??= this.run(signal).finally(() => { this.running = undefined; });
    return this.running;
  }

  /**
   * How long to wait before the next `sync()`: `intervalMs` while connected (longer when zotero.org
   * sent Backoff), until the rate limit ends, doubling from 5 s up to a minute while Zotero is not
   * running or its API is off, Infinity when only new settings can help (a missing or rejected key,
   * an unknown library).
   */
  nextPollDelay(intervalMs = this.via === 'local' ? 3000 : 60_000): number {
    return pollDelay(this.currentStatus, this.failures, intervalMs, this.http.backoffUntil, this.now());
  }

  private async run(signal?: AbortSignal): Promise<ZoteroSyncResult> {
    const before = this.http.requestCount;
    const combined = signal ? anySignal([signal, this.controller.signal]) : this.controller.signal;
    let changed = false;
    let full = false;
    try {
      if (!parseLibraryRef(this.requested)) {
        this.currentStatus = { code: 'library-not-found', via: this.via, library: this.requested };
      } else if (this.via === 'web' && !this.options.apiKey) {
        this.currentStatus = { code: 'web-key-missing', library: this.requested };
      } else if (this.http.rateLimitedUntil) {
        this.currentStatus = { code: 'rate-limited', via: this.via, until: this.http.rateLimitedUntil };
      } else if (this.state.cursor && this.http.backoffUntil && this.currentStatus.code === 'connected') {
        // zotero.org asked for a pause: the copy stays as it is until then.
      } else {
        ({ changed, full } = await this.step(combined));
        this.failures = 0;
        this.currentStatus = this.connected();
      }
    } catch (err) {
      this.failures++;
      this.currentStatus = this.statusFor(err);
    }
    if (this.dirty && this.options.stateDir) this.scheduleSave();
    return { status: this.currentStatus, changed, papers: this.papers, requests: this.http.requestCount - before, full };
  }

  /** One sync step against a reachable server. */
  private async step(signal: AbortSignal): Promise<{ changed: boolean; full: boolean }> {
    const slicer = new Slicer(this.sliceMs);
    if (!this.state.cursor) {
      await this.connect(signal);
      const changes = await fetchWholeLibrary({ api: this.api, library: this.library, feed: this.feed, pageSize: this.pageSize, signal });
      await this.applyAll(changes, slicer, signal);
      return { changed: true, full: true };
    }
    let changes: ZoteroChanges | 'unchanged';
    try {
      changes = await fetchChangesSince({ api: this.api, library: this.library, feed: this.feed, pageSize: this.pageSize, signal }, this.state.cursor, this.state);
    } catch (err) {
      // 412: another Zotero database answers now (Zotero 10+ sends its id); its versions mean nothing here.
      if (err instanceof ZoteroApiError && err.status === 412) {
        this.reset();
        return this.step(signal);
      }
      throw err;
    }
    let rekeyed = false;
    if (this.bbt && !this.bbtChecked) {
      // First poll of this session after a restore: Better BibTeX may have been installed or removed since.
      const before = this.betterBibtex;
      await this.checkBetterBibtex(signal);
      if (before !== this.betterBibtex) {
        if (this.betterBibtex) await this.loadBetterBibtexKeys([...this.state.items.keys()], signal);
        else this.paperSet.betterBibtexKeys.clear();
        await this.paperSet.rebuild(this.state, { all: true }, slicer);
        rekeyed = true;
      }
    }
    if (changes === 'unchanged') return { changed: rekeyed, full: false };
    const applied = await applyInChunks(this.state, compactChanges(changes), slicer);
    this.state = applied.state;
    const works = [...applied.touched];
    if (works.length) await this.loadBetterBibtexKeys(works, signal);
    await this.paperSet.rebuild(this.state, { all: false, touched: applied.touched, removed: applied.removed }, slicer);
    this.dirty = true;
    return { changed: rekeyed || applied.touched.size > 0 || applied.removed.size > 0, full: false };
  }

  /** Before a first sync: which feed the server supports, the library's name, Better BibTeX. */
  private async connect(signal: AbortSignal): Promise<void> {
    if (this.via === 'local') {
      const root = await this.api.root(signal);
      if (root.status === 403) throw new ZoteroApiError(403, 'the local API is disabled', this.baseUrl);
      if (root.status === 404) throw new ZoteroApiError(404, 'no local API', `${this.baseUrl}/`);
      // Zotero 10+ names its database and keeps local versions; before, versions are the last synced ones.
      this.feed = root.serverId ? 'version' : 'modified';
      this.api.serverId = root.serverId;
    } else if (this.library.type === 'user' && this.library.id === '0') {
      this.library = { type: 'user', id: (await this.api.keyOwner(signal)).userId };
      this.paperSet = this.newPaperSet();
    }
    this.libraryName = this.library.type === 'user' ? 'My Library' : (await this.api.groupName(this.library.id, signal)) ?? libraryPath(this.library);
    await this.checkBetterBibtex(signal);
  }

  private async checkBetterBibtex(signal: AbortSignal): Promise<void> {
    if (!this.bbt) return;
    this.bbtChecked = true;
    try {
      const ready = await this.bbt.ready(signal);
      this.betterBibtex = ready ? ready.betterbibtex : false;
      if (ready && this.library.type === 'group') {
        // Better BibTeX numbers libraries its own way; the group is found by name.
        const libraries = await this.bbt.libraries(signal);
        this.bbtLibraryId = libraries.find((l) => l.name === this.libraryName)?.id;
      }
    } catch (err) {
      if (err instanceof ZoteroHttpError && err.failure === 'aborted') throw err;
      this.betterBibtex = false;
    }
  }

  private async loadBetterBibtexKeys(itemKeys: readonly string[], signal: AbortSignal): Promise<void> {
    if (!this.bbt || !this.betterBibtex) return;
    const works = itemKeys.filter((key) => { const item = this.state.items.get(key); return item && isWork(item); });
    if (!works.length) return;
    try {
      const keys = await this.bbt.citationKeys(works, this.library.type === 'group' ? this.bbtLibraryId : undefined, signal);
      for (const key of works) {
        const citekey = keys.get(key);
        if (citekey) this.paperSet.betterBibtexKeys.set(key, citekey);
        else this.paperSet.betterBibtexKeys.delete(key);
      }
    } catch (err) {
      if (err instanceof ZoteroHttpError && err.failure === 'aborted') throw err;
      // Keys fall back for now; the next change asks again.
    }
  }

  private async applyAll(changes: ZoteroChanges, slicer: Slicer, signal: AbortSignal): Promise<void> {
    this.state = (await applyInChunks(emptySyncState(), compactChanges(changes), slicer)).state;
    const works = [...this.state.items.values()].filter(isWork).map((item) => item.key);
    await this.loadBetterBibtexKeys(works, signal);
    await this.paperSet.rebuild(this.state, { all: true }, slicer);
    this.dirty = true;
  }

  /** Forgets the copy (another database answered, or the state was unusable); the next step downloads everything. */
  private reset(): void {
    this.state = emptySyncState();
    this.api.serverId = undefined;
    this.paperSet.clear();
  }

  private connected(): ZoteroStatus {
    return {
      code: 'connected',
      via: this.via,
      library: libraryPath(this.library),
      libraryName: this.libraryName || libraryPath(this.library),
      itemCount: this.papers.length,
      ...(this.via === 'local' && this.bbt ? { betterBibtex: this.betterBibtex ?? false } : {}),
      ...(this.http.backoffUntil ? { backoffUntil: this.http.backoffUntil } : {}),
    };
  }

  private statusFor(err: unknown): ZoteroStatus {
    return statusForError(err, { via: this.via, baseUrl: this.baseUrl, library: libraryPath(this.library), remoteName: this.options.remoteName, now: this.now(), current: this.currentStatus });
  }

  /** The Zotero item key behind a citation key. */
  itemKeyFor(citekey: string): string | undefined {
    return this.paperSet.itemKeyFor(citekey);
  }

  /** The Zotero item type behind a citation key (for `bibEntryTypeForItem` when LitCite writes the entry). */
  itemTypeFor(citekey: string): string | undefined {
    const itemKey = this.paperSet.itemKeyFor(citekey);
    const type = itemKey ? this.state.items.get(itemKey)?.data.itemType : undefined;
    return typeof type === 'string' ? type : undefined;
  }

  /** Better BibTeX `tex.<field>` overrides from the item's Extra (for LitCite's own entry). */
  texFieldsFor(citekey: string): Record<string, string> | undefined {
    return this.paperSet.mappedFor(citekey)?.texFields;
  }

  /**
   * The BibTeX Better BibTeX exports for these keys, byte for byte, or undefined when Better
   * BibTeX is not there (or does not know a key): then LitCite writes the entry itself.
   */
  async betterBibtexExport(citekeys: readonly string[], translator: BetterBibtexTranslator = 'Better BibTeX', signal?: AbortSignal): Promise<string | undefined> {
    if (!this.bbt || this.betterBibtex === false || !citekeys.length) return undefined;
    const known = citekeys.every((key) => {
      const itemKey = this.paperSet.itemKeyFor(key);
      return itemKey && this.paperSet.betterBibtexKeys.get(itemKey) === key;
    });
    if (!known) return undefined;
    try {
      return await this.bbt.exportEntries(citekeys, translator, this.library.type === 'group' ? this.bbtLibraryId : undefined, signal);
    } catch {
      return undefined;
    }
  }

  /** Where to open a paper's first PDF: its file when it exists here, else `zotero://open-pdf/…`. */
  async pdfTarget(citekey: string): Promise<PdfTarget | undefined> {
    const itemKey = this.paperSet.itemKeyFor(citekey);
    const paper = itemKey ? this.paperSet.papers.find((p) => p.id === citekey) : undefined;
    for (const attachment of paper?.extra?.attachments ?? []) {
      if (attachment.path) {
        try {
          await fs.promises.access(attachment.path, fs.constants.R_OK);
          return { kind: 'file', path: attachment.path };
        } catch {
          // Not on this machine (synced elsewhere, or moved): Zotero's reader can still fetch it.
        }
      }
      if (attachment.uri) return { kind: 'uri', uri: attachment.uri };
    }
    return undefined;
  }

  /** Saves the copy in the background after a sync changed it; a save asked for during one runs after it. */
  private scheduleSave(): void {
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    this.saving = (async () => {
      do {
        this.saveAgain = false;
        await this.save().catch(() => undefined);
      } while (this.saveAgain);
    })().finally(() => { this.saving = undefined; });
  }

  /** Waits for a save in progress (the CLI calls this before it exits). */
  async flush(): Promise<void> {
    await this.saving;
  }

  /** Saves the copy now (sync saves by itself, in the background, after changes). */
  async save(): Promise<void> {
    const file = this.stateFile();
    if (!file || !this.state.cursor) return;
    this.dirty = false;
    const header: StateHeader = {
      format: 'litcite-zotero-state',
      formatVersion: 1,
      ...this.identity(),
      cursor: this.state.cursor,
      resolved: libraryPath(this.library),
      ...(this.api.serverId ? { serverId: this.api.serverId } : {}),
      libraryName: this.libraryName,
      ...(this.betterBibtex !== undefined ? { betterBibtex: this.betterBibtex } : {}),
      keyTemplate: this.keyTemplate,
      collections: [...this.state.collections.values()],
      savedAt: new Date(this.now()).toISOString(),
    };
    const paperSet = this.paperSet;
    const lines = (function* (items: Iterable<ZoteroItem>): Generator<StateLine> {
      for (const item of items) {
        const key = paperSet.keyOf(item.key);
        const bbt = paperSet.betterBibtexKeys.get(item.key);
        yield { item, ...(key ? { key: key.key, source: key.source } : {}), ...(bbt ? { bbt } : {}) };
      }
    })(this.state.items.values());
    await writeStateFile(file, header, lines, new Slicer(this.sliceMs));
  }

  /** Cancels a sync in progress. */
  dispose(): void {
    this.controller.abort();
  }

  private identity(): { via: ZoteroVia; baseUrl: string; library: string } {
    // Saved under the library as configured, so `users/0` on the web finds its copy before asking whose key it is.
    return { via: this.via, baseUrl: this.baseUrl, library: this.requested };
  }

  private stateFile(): string | undefined {
    return this.options.stateDir ? stateFilePath(this.options.stateDir, this.identity()) : undefined;
  }
}

/** An AbortSignal that aborts when any of the given ones does. */
function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  return controller.signal;
}

/**
 * Online search in the extension: whether it may run (the `litcite.onlineSearch` setting, the
 * user's answer when it is `ask`, workspace trust), the engine built from the settings and the
 * keys in SecretStorage, and the papers the user took from online results, kept as the library's
 * `fetched` source across sessions. The query text leaves the machine only through `search`,
 * and `search` only runs when `enabled` is true.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { keysForWorks, mergeOutcomes, type MergedWork } from '../core/online/merge-works';
import { describeFailure, describeOutcome, isOnlineSourceId, ONLINE_SOURCES, SOURCE_NAMES, type OnlineSourceId, type SourceOutcome } from '../core/online/types';
import { describeLookup, parseLookupInput, type LookupIdentifier } from '../core/online/lookup-input';
import { uniqueKey } from '../core/citekey';
import type { Paper } from '../core/types';
import { OnlineEngine } from '../node/online/engine';
import type { RelatedResult } from '../node/online/related';
import { SECRETS, SECTION, SETTINGS } from '../ids';
import type { ConfigDispatcher } from './config';
import { readConfig } from './config';
import type { LibraryService } from './library-service';
import type { Log } from './log';

export type OnlineSetting = 'ask' | 'on' | 'off';

/** What one online search has found so far. */
export interface OnlineProgress {
  /** Works not in the library, best first, each with the key it would be cited by. */
  works: Array<{ work: MergedWork; key: string }>;
  /** Works the library has already (shown among its own results). */
  inLibrary: number;
  /** One line per source: "OpenAlex: 12 results", "Crossref: rate-limited, retrying in 20 s". */
  statuses: string[];
  done: boolean;
}

const CONSENT_KEY = 'litcite.onlineSearch.consent';
const FETCHED_FILE = 'fetched-papers.json';

/** See the module comment. */
export class OnlineService implements vscode.Disposable {
  private engineValue: OnlineEngine | undefined;
  private fetched: Paper[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when online search was turned on or off. */
  readonly onDidChangeEnabled = this.changed.event;

  constructor(
    private readonly library: LibraryService,
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    private readonly storageDir: string,
    config: ConfigDispatcher,
    private readonly log: Log,
  ) {
    this.disposables.push(
      this.changed,
      config.on([SETTINGS.onlineSearch, SETTINGS.onlineSources, SETTINGS.contactEmail, SETTINGS.onlineCacheDays, SETTINGS.openAlexApiUrl, SETTINGS.crossrefApiUrl, SETTINGS.semanticScholarApiUrl, SETTINGS.arxivApiUrl, SETTINGS.doiApiUrl], () => this.reset()),
      secrets.onDidChange((event) => {
        if (event.key === SECRETS.openAlexApiKey || event.key === SECRETS.semanticScholarApiKey) this.reset();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    );
    void this.loadFetched();
  }

  /** The setting as the user chose it. */
  get setting(): OnlineSetting {
    const value = vscode.workspace.getConfiguration(SECTION).get<string>(SETTINGS.onlineSearch, 'ask');
    return value === 'on' || value === 'off' ? value : 'ask';
  }

  /** Whether searches go online now: the setting on (or `ask`, answered yes) in a trusted workspace. */
  get enabled(): boolean {
    if (!vscode.workspace.isTrusted) return false;
    const setting = this.setting;
    return setting === 'on' || (setting === 'ask' && this.globalState.get<boolean>(CONSENT_KEY) === true);
  }

  /** Whether the user could still be asked (the setting is `ask` and was never answered "never"). */
  get canAsk(): boolean {
    return vscode.workspace.isTrusted && this.setting === 'ask' && this.globalState.get<boolean>(CONSENT_KEY) === undefined;
  }

  /** Asks once whether queries may go to the services; the answer is kept. True when they may. */
  async askConsent(): Promise<boolean> {
    if (this.enabled) return true;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showInformationMessage('LitCite: online search is off in a workspace you have not trusted.');
      return false;
    }
    if (this.setting === 'off') {
      const turnOn = await vscode.window.showInformationMessage('LitCite: online search is turned off (litcite.onlineSearch).', 'Turn On');
      if (turnOn !== 'Turn On') return false;
      await vscode.workspace.getConfiguration(SECTION).update(SETTINGS.onlineSearch, 'on', vscode.ConfigurationTarget.Global);
      return true;
    }
    const names = this.sources().map((s) => SOURCE_NAMES[s]).join(', ');
    const answer = await vscode.window.showInformationMessage(
      'Search online too?',
      { modal: true, detail: `LitCite will send what you type in the search box to ${names} to find papers your library does not have. Nothing else leaves this machine. You can change this any time with "LitCite: Turn Online Search On or Off".` },
      'Search Online',
      'Not Now',
      'Never',
    );
    if (answer === 'Search Online') {
      await this.globalState.update(CONSENT_KEY, true);
      this.reset();
      return true;
    }
    if (answer === 'Never') await this.globalState.update(CONSENT_KEY, false);
    return false;
  }

  /** Sets the setting (and forgets a "never" answer when turned on or to ask). */
  async setSetting(value: OnlineSetting): Promise<void> {
    if (value !== 'off') await this.globalState.update(CONSENT_KEY, value === 'on' ? true : undefined);
    await vscode.workspace.getConfiguration(SECTION).update(SETTINGS.onlineSearch, value, vscode.ConfigurationTarget.Global);
    this.reset();
  }

  /**
   * Searches the services for `query`, calling `onProgress` as each source answers; library papers
   * are recognised and left to the local results. Does nothing unless online search is enabled.
   */
  async search(query: string, signal: AbortSignal, onProgress: (progress: OnlineProgress) => void): Promise<void> {
    const engine = await this.engine();
    if (!engine || !query.trim()) return;
    // A DOI, an arXiv id or their URLs: the record itself, not a search.
    const identifier = parseLookupInput(query);
    if (identifier) return this.resolve(engine, query, identifier, signal, onProgress);
    const outcomes: SourceOutcome[] = [];
    const local = (paper: Paper): Paper | undefined => this.library.find(paper);
    const report = (done: boolean): void => {
      if (signal.aborted) return;
      const merged = mergeOutcomes(outcomes, { local });
      const online = merged.filter((w) => !w.local);
      const keys = keysForWorks(online, new Set(this.library.papers.map((p) => p.id)), readConfig().keyTemplate);
      onProgress({
        works: online.map((work, i) => ({ work, key: keys[i]! })),
        inLibrary: merged.length - online.length,
        statuses: outcomes.map((o) => describeOutcome(o)),
        done,
      });
    };
    try {
      for await (const outcome of engine.searchOnline(query, { signal, limit: 20 })) {
        const at = outcomes.findIndex((o) => o.source === outcome.source);
        if (at >= 0) outcomes[at] = outcome;
        else outcomes.push(outcome);
        if (outcome.status !== 'ok' && outcome.status !== 'cancelled') this.log.info(`online search: ${describeOutcome(outcome)}`);
        report(false);
      }
    } finally {
      report(true);
    }
  }

  /** The paper an identifier names, as the one online result (or the library's paper, counted as in the library). */
  private async resolve(engine: OnlineEngine, query: string, identifier: LookupIdentifier, signal: AbortSignal, onProgress: (progress: OnlineProgress) => void): Promise<void> {
    const found = await engine.resolveIdentifier(query, { signal });
    if (signal.aborted) return;
    const where = describeLookup(identifier);
    if (!found.ok) {
      const why = found.reason === 'failed' ? describeFailure(SOURCE_NAMES[found.service], found.failure) : `${where}: not found`;
      onProgress({ works: [], inLibrary: 0, statuses: [why], done: true });
      return;
    }
    if (this.library.find(found.paper)) {
      onProgress({ works: [], inLibrary: 1, statuses: [`${where}: found`], done: true });
      return;
    }
    const key = keysForWorks([{ paper: found.paper, local: false, online: found.paper, sources: [], ranks: {}, score: 1 }], new Set(this.library.papers.map((p) => p.id)), readConfig().keyTemplate)[0]!;
    const sources = identifier.kind === 'arxiv' ? (['arxiv'] as OnlineSourceId[]) : identifier.kind === 'openalex' ? (['openalex'] as OnlineSourceId[]) : [];
    onProgress({
      works: [{ work: { paper: found.paper, local: false, online: found.paper, sources, ranks: {}, score: 1 }, key }],
      inLibrary: 0,
      statuses: [`${where}: found${found.fromCache ? ' (cached)' : ''}`],
      done: true,
    });
  }

  /**
   * Makes an online result a library paper under `key` (unique in the library): kept with the
   * fetched papers across sessions and remembered by DOI and arXiv id, so it can be cited, hovered
   * and completed offline from now on. Returns the library's paper.
   */
  async adopt(paper: Paper, key: string): Promise<Paper> {
    const existing = this.library.find(paper);
    if (existing) return existing;
    const taken = new Set(this.library.papers.map((p) => p.id));
    const id = taken.has(key) ? uniqueKey({ ...paper, id: '' }, taken, readConfig().keyTemplate) : key;
    const adopted: Paper = { ...paper, id, source: 'online', origin: 'online' };
    this.fetched = [...this.fetched.filter((p) => p.id !== id), adopted];
    this.publishFetched();
    await this.saveFetched();
    void this.engineValue?.rememberRecord(adopted);
    await this.library.settled();
    return this.library.byKey(id) ?? adopted;
  }

  /** Forgets every paper taken from online results (they leave the library; cited entries stay in their .bib). */
  async clearFetched(): Promise<void> {
    this.fetched = [];
    this.publishFetched();
    await this.saveFetched();
    await this.library.settled();
  }

  /** A paper's references, citing papers and recommendations, when online search is enabled. */
  async related(paper: Paper, signal?: AbortSignal): Promise<RelatedResult | undefined> {
    const engine = await this.engine();
    return engine?.related(paper, { signal });
  }

  /** The engine for the current settings, or undefined when online search is not enabled. */
  private async engine(): Promise<OnlineEngine | undefined> {
    if (!this.enabled) return undefined;
    if (this.engineValue) return this.engineValue;
    const c = vscode.workspace.getConfiguration(SECTION);
    const config = readConfig();
    const days = c.get<number>(SETTINGS.onlineCacheDays, 7);
    const [openAlexApiKey, semanticScholarApiKey] = await Promise.all([this.secrets.get(SECRETS.openAlexApiKey), this.secrets.get(SECRETS.semanticScholarApiKey)]);
    if (!this.enabled) return undefined;
    this.engineValue = new OnlineEngine({
      enabled: true,
      sources: this.sources(),
      urls: {
        arxiv: config.arxivApiUrl,
        doi: config.doiApiUrl,
        openalex: c.get<string>(SETTINGS.openAlexApiUrl) || undefined,
        crossref: c.get<string>(SETTINGS.crossrefApiUrl) || undefined,
        semanticscholar: c.get<string>(SETTINGS.semanticScholarApiUrl) || undefined,
      },
      contactEmail: c.get<string>(SETTINGS.contactEmail)?.trim() || undefined,
      openAlexApiKey: openAlexApiKey || undefined,
      semanticScholarApiKey: semanticScholarApiKey || undefined,
      cacheDir: path.join(this.storageDir, 'online'),
      cacheTtlMs: Math.max(0, Number.isFinite(days) ? days : 7) * 24 * 3600 * 1000,
    });
    return this.engineValue;
  }

  private sources(): OnlineSourceId[] {
    const listed = vscode.workspace.getConfiguration(SECTION).get<string[]>(SETTINGS.onlineSources, [...ONLINE_SOURCES]);
    const sources = (Array.isArray(listed) ? listed : []).filter((s): s is OnlineSourceId => typeof s === 'string' && isOnlineSourceId(s));
    return sources.length ? sources : [...ONLINE_SOURCES];
  }

  private reset(): void {
    this.engineValue = undefined;
    this.changed.fire();
  }

  private publishFetched(): void {
    if (this.fetched.length) this.library.setExtraSource({ id: 'fetched', kind: 'fetched', label: 'Fetched online', papers: this.fetched });
    else this.library.removeExtraSource('fetched');
  }

  private async loadFetched(): Promise<void> {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(this.storageDir, FETCHED_FILE)));
      const stored = JSON.parse(new TextDecoder().decode(bytes)) as { papers?: Paper[] };
      this.fetched = Array.isArray(stored.papers) ? stored.papers.filter((p) => p && typeof p.id === 'string' && typeof p.title === 'string' && Array.isArray(p.author)) : [];
      this.publishFetched();
    } catch {
      // None fetched yet, or an unreadable file: starts empty and is written again on the next adopt.
    }
  }

  private async saveFetched(): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(this.storageDir));
      await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(this.storageDir, FETCHED_FILE)), new TextEncoder().encode(JSON.stringify({ papers: this.fetched })));
    } catch (err) {
      this.log.warn(`could not keep the papers fetched online: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}

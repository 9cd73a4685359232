import * as vscode from 'vscode';
import * as path from 'path';
import { toBibtex } from '../core/bibtex';
import { mergeLibraries } from '../core/merge';
import { IndexSnapshot, SearchHit, SearchIndex } from '../core/search';
import { Paper, Problem } from '../core/types';
import { loadBundledLibrary } from '../node/seeds';
import { readConfig } from './config';
import { Log } from './log';

/** Papers read from one place (the bundled corpus, or one user file). */
export interface LibrarySource {
  /** `bundled` or the file's URI string. */
  id: string;
  /** Shown in the tree and in messages. */
  label: string;
  papers: Paper[];
  problems: Problem[];
}

export type LibraryState =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'empty'; reason: string }
  | { kind: 'failed'; reason: string };

/**
 * Owns the library: the bundled corpus plus the user's sources, merged and indexed once per
 * change. Everything that shows or searches papers asks this service.
 */
export class LibraryService implements vscode.Disposable {
  private index = new SearchIndex([]);
  private bundled: LibrarySource | undefined;
  private userSources: LibrarySource[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly reloadRequested = new vscode.EventEmitter<void>();
  private bibtexCache = new Map<string, string>();
  private stateValue: LibraryState = { kind: 'loading' };
  /** Fires after the indexed papers changed. */
  readonly onDidChange = this.changed.event;
  /** Fires when everything is to be re-read (Reload Library, settings): user files included. */
  readonly onDidRequestReload = this.reloadRequested.event;
  /** Resolves once the first load finished (successfully or not). */
  readonly ready: Promise<void>;
  /** Milliseconds from construction to the first index being ready. */
  readyAfterMs = 0;

  constructor(private readonly extensionPath: string, private readonly log: Log) {
    const started = performance.now();
    this.ready = Promise.resolve().then(() => {
      this.loadBundled();
      this.rebuild();
      this.readyAfterMs = performance.now() - started;
      this.log.info(`library ready in ${this.readyAfterMs.toFixed(1)} ms`);
    });
  }

  get state(): LibraryState {
    return this.stateValue;
  }

  get papers(): readonly Paper[] {
    return this.index.papers;
  }

  get sources(): readonly LibrarySource[] {
    return this.bundled ? [...this.userSources, this.bundled] : this.userSources;
  }

  /** (Re)reads the bundled corpus if the settings include it. */
  loadBundled(): void {
    const config = readConfig();
    if (!config.includeBundled) {
      this.bundled = undefined;
      this.bundledIndex = undefined;
      return;
    }
    const started = performance.now();
    try {
      const folder = path.join(this.extensionPath, 'seeds');
      const { papers, problems, index } = loadBundledLibrary(folder, { keyTemplate: config.keyTemplate });
      this.bundled = { id: 'bundled', label: 'Bundled library', papers, problems };
      this.bundledIndex = index;
      this.log.info(`bundled library: ${papers.length} papers from ${folder} in ${(performance.now() - started).toFixed(1)} ms`);
      for (const problem of problems) this.log.warn(`bundled library: ${problem.message}`);
    } catch (err) {
      this.bundled = undefined;
      this.stateValue = { kind: 'failed', reason: `The bundled library could not be read: ${(err as Error).message}` };
      this.log.error(this.stateValue.reason);
      void vscode.window.showErrorMessage(`LitCite: ${this.stateValue.reason}`, 'Show Log', 'Reload Library').then((choice) => {
        if (choice === 'Show Log') this.log.channel.show();
        if (choice === 'Reload Library') this.reload();
      });
    }
  }

  /** Replaces the user's sources (their own files first, in priority order) and re-indexes. */
  setUserSources(sources: LibrarySource[]): void {
    this.userSources = sources;
    this.rebuild();
  }

  /** Re-reads everything: used by the Reload command and when settings change. */
  reload(): void {
    this.loadBundled();
    this.rebuild();
    this.reloadRequested.fire();
  }

  /** Libraries up to this size are indexed at once; larger ones in slices between other work. */
  private static readonly SLICED_FROM = 2000;
  private generation = 0;
  /** The bundled corpus's index as built at build time, while the seeds match it. */
  private bundledIndex: IndexSnapshot | undefined;

  private rebuild(): void {
    const started = performance.now();
    const generation = ++this.generation;
    const { papers, duplicates } = mergeLibraries(this.sources.map((s) => s.papers), readConfig().keyTemplate);
    const keyClashes = duplicates.filter((d) => d.reason === 'key');
    if (duplicates.length > keyClashes.length) this.log.info(`${duplicates.length - keyClashes.length} duplicate paper(s) across sources shown once (the user's own entry kept)`);
    for (const clash of keyClashes.slice(0, 20)) {
      this.log.warn(`key \`${clash.dropped.id}\` in ${clash.dropped.source} is also used in ${clash.kept.source} for another paper ("${clash.kept.title}"); the library shows the first`);
    }
    const install = (index: SearchIndex) => {
      // A newer rebuild started while this one was indexing: its result wins.
      if (generation !== this.generation) return;
      this.index = index;
      this.bibtexCache = new Map();
      if (this.stateValue.kind !== 'failed' || papers.length) {
        this.stateValue = papers.length
          ? { kind: 'ready' }
          : { kind: 'empty', reason: readConfig().includeBundled ? 'No papers were found.' : 'The bundled library is turned off and no library files are configured.' };
      }
      this.log.info(`indexed ${papers.length} papers (${index.vocabularySize} words) in ${(performance.now() - started).toFixed(1)} ms`);
      void vscode.commands.executeCommand('setContext', 'litcite.libraryState', this.stateValue.kind);
      this.changed.fire();
      // The typo shortlist is built right after, off the path to a usable index.
      setTimeout(() => index.prepareFuzzy(), 0);
    };
    if (papers.length < LibraryService.SLICED_FROM) {
      const onlyBundled = this.bundledIndex && this.userSources.length === 0 ? SearchIndex.fromSnapshot(papers, this.bundledIndex) : undefined;
      install(onlyBundled ?? new SearchIndex(papers));
      return;
    }
    // The previous index keeps answering until the new one is complete.
    const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
    void SearchIndex.build(papers, pause).then(install, (err: unknown) => this.log.error(`indexing failed: ${(err as Error).message}`));
  }

  search(query: string, limit = readConfig().resultLimit): SearchHit[] {
    return this.index.search(query, { limit });
  }

  byKey(key: string): Paper | undefined {
    return this.index.byId(key);
  }

  /** The BibTeX entry of a paper, computed once per library version. */
  bibtex(paper: Paper): string {
    const cached = this.bibtexCache.get(paper.id);
    if (cached) return cached;
    const entry = toBibtex(paper);
    this.bibtexCache.set(paper.id, entry);
    return entry;
  }

  dispose(): void {
    this.changed.dispose();
    this.reloadRequested.dispose();
  }
}

/**
 * The library: every source (the user's files, Zotero, papers fetched online, the bundled
 * corpus) merged into one view with one index (core/library-view.ts), rebuilt when a source
 * changes. Everything that shows, searches or writes papers asks this service.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { toBibtex } from '../core/bibtex';
import { targetOf, writeBackEntry, type WriteBackTarget } from '../core/bibtex/write-back';
import { buildLibraryView, libraryViewSteps, LibraryView, SourceKind, ViewSource } from '../core/library-view';
import { runStepsSliced } from '../core/search';
import { localLookup, type LocalLookup } from '../core/online/merge-works';
import type { SearchHit } from '../core/search';
import { IndexSegment } from '../core/search/segment';
import type { Paper, Problem } from '../core/types';
import { decodeBibBytes } from '../core/encoding';
import { loadBundledLibrary } from '../node/seeds';
import { readConfig } from './config';
import { openDocument, readBytes } from './editor-io';
import type { Log } from './log';

/** Libraries up to this many papers are merged at once (a few milliseconds); larger ones in slices. */
const SLICE_ABOVE = 5000;

export type LibraryState =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'empty'; reason: string }
  | { kind: 'failed'; reason: string };

/** A source other than the user's files, as the features that own it hand it over. */
export interface ExtraSource {
  id: string;
  kind: Exclude<SourceKind, 'file'>;
  label: string;
  papers: readonly Paper[];
}

/** How a source is named in the tree and in messages. */
export interface SourceInfo {
  id: string;
  kind: SourceKind;
  label: string;
}

/** See the module comment. */
export class LibraryService implements vscode.Disposable {
  private view: LibraryView = buildLibraryView([]);
  private bundled: ViewSource | undefined;
  private files: ViewSource[] = [];
  private readonly extras = new Map<string, { source: ViewSource; label: string }>();
  private fileLabels = new Map<string, string>();
  private stateValue: LibraryState = { kind: 'loading' };
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly viewProblems = new vscode.EventEmitter<Map<string, Problem[]>>();
  private bundledReady = false;
  private generation = 0;
  private readonly entryWriters = new Map<string, (paper: Paper, options: { includeAbstract?: boolean }) => Promise<string>>();
  /** `find`'s tables, made on first use for the current view. */
  private lookup: { view: LibraryView; find: LocalLookup } | undefined;
  private building: Promise<void> = Promise.resolve();
  /** Fires after the shown papers changed. */
  readonly onDidChange = this.changed.event;
  /** Fires with the problems found across sources whenever the view is rebuilt. */
  readonly onDidFindProblems = this.viewProblems.event;
  /** Resolves once the bundled library is in (user files join as they load). */
  readonly ready: Promise<void>;
  /** Milliseconds from construction to the first view. */
  readyAfterMs = 0;

  constructor(private readonly extensionPath: string, private readonly log: Log) {
    const started = performance.now();
    this.ready = Promise.resolve().then(() => {
      this.loadBundled();
      this.rebuild();
      this.bundledReady = true;
      this.readyAfterMs = performance.now() - started;
      this.log.info(`library ready in ${this.readyAfterMs.toFixed(1)} ms`);
    });
  }

  get state(): LibraryState {
    return this.stateValue;
  }

  get papers(): readonly Paper[] {
    return this.view.papers;
  }

  /** The sources, in priority order. */
  get sources(): SourceInfo[] {
    const out: SourceInfo[] = this.files.map((s) => ({ id: s.id, kind: s.kind, label: this.fileLabels.get(s.id) ?? s.id }));
    for (const [id, extra] of this.extras) out.push({ id, kind: extra.source.kind, label: extra.label });
    if (this.bundled) out.push({ id: 'bundled', kind: 'bundled', label: 'Bundled library' });
    return out;
  }

  /** Replaces the user's file sources (in priority order) and rebuilds the view. */
  setFileSources(sources: Array<{ source: ViewSource; label: string }>): void {
    this.files = sources.map((s) => s.source);
    this.fileLabels = new Map(sources.map((s) => [s.source.id, s.label]));
    if (this.bundledReady) this.rebuild();
  }

  /** Adds or replaces a source that is not a file (Zotero, fetched papers). */
  setExtraSource(extra: ExtraSource): void {
    this.extras.set(extra.id, { source: { id: extra.id, kind: extra.kind, parts: extra.papers.length ? [{ papers: extra.papers, segment: IndexSegment.build(extra.papers) }] : [] }, label: extra.label });
    if (this.bundledReady) this.rebuild();
  }

  removeExtraSource(id: string): void {
    if (this.extras.delete(id) && this.bundledReady) this.rebuild();
  }

  /** Reads the bundled corpus again (settings changed) and rebuilds. */
  reloadBundled(): void {
    this.loadBundled();
    this.rebuild();
  }

  search(query: string, limit = readConfig().resultLimit): SearchHit[] {
    return this.view.index.search(query, { limit });
  }

  byKey(key: string): Paper | undefined {
    return this.view.index.byId(key);
  }

  /** The library's paper for a work found elsewhere (same DOI or arXiv id, or title, first author and year). */
  find(paper: Paper): Paper | undefined {
    if (!this.lookup || this.lookup.view !== this.view) this.lookup = { view: this.view, find: localLookup(this.view.papers) };
    return this.lookup.find(paper);
  }

  /**
   * The BibTeX to write for a paper. An entry from one of the user's .bib files is written as the
   * user wrote it, with the `@string` definitions and crossref parents it needs (those `target`
   * has already are left out); anything else through the mapping.
   */
  async entryText(paper: Paper, target: WriteBackTarget = {}, options: { includeAbstract?: boolean } = {}): Promise<string> {
    const source = paper.source;
    if (source && source !== 'bundled' && /\.(?:bib|bibtex|biblatex)$/i.test(source)) {
      const texts = await this.databaseTexts(source);
      const written = texts && writeBackEntry(texts, paper.id, target);
      if (written) return `${written.text}\n`;
    }
    for (const [prefix, write] of this.entryWriters) {
      if (source?.startsWith(prefix)) return write(paper, options);
    }
    return toBibtex(paper, options);
  }

  /** Papers whose source starts with `prefix` get their BibTeX from `write` (Zotero: Better BibTeX's export). */
  setEntryWriter(prefix: string, write: (paper: Paper, options: { includeAbstract?: boolean }) => Promise<string>): void {
    this.entryWriters.set(prefix, write);
  }

  /** The macros and keys of a .bib text, to pass to `entryText` as the target. */
  static targetOf(text: string): { macros: Set<string>; keys: Set<string> } {
    return targetOf(text);
  }

  /** The text of the file a paper came from, first, then the other .bib files read with it. */
  private async databaseTexts(source: string): Promise<string[] | undefined> {
    const uriOf = (s: string): vscode.Uri => (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? vscode.Uri.parse(s) : vscode.Uri.file(s));
    const own = await currentText(uriOf(source));
    if (own === undefined) return undefined;
    const others: string[] = [];
    for (const file of this.files) {
      const uri = vscode.Uri.parse(file.id);
      if (uri.fsPath === uriOf(source).fsPath || !/\.(?:bib|bibtex|biblatex)$/i.test(uri.path)) continue;
      const text = await currentText(uri);
      if (text !== undefined) others.push(text);
    }
    return [own, ...others];
  }

  private loadBundled(): void {
    const config = readConfig();
    if (!config.includeBundled) {
      this.bundled = undefined;
      return;
    }
    const started = performance.now();
    try {
      const folder = path.join(this.extensionPath, 'seeds');
      const { papers, problems, segment } = loadBundledLibrary(folder, { keyTemplate: config.keyTemplate });
      this.bundled = { id: 'bundled', kind: 'bundled', parts: [{ papers, segment: segment ?? IndexSegment.build(papers) }] };
      this.log.info(`bundled library: ${papers.length} papers in ${(performance.now() - started).toFixed(1)} ms`);
      for (const problem of problems) this.log.warn(`bundled library: ${problem.message}`);
    } catch (err) {
      this.bundled = undefined;
      this.stateValue = { kind: 'failed', reason: `The bundled library could not be read: ${(err as Error).message}` };
      this.log.error(this.stateValue.reason);
      void vscode.window.showErrorMessage(`LitCite: ${this.stateValue.reason}`, 'Show Log', 'Reload Library').then((choice) => {
        if (choice === 'Show Log') this.log.show();
        if (choice === 'Reload Library') this.reloadBundled();
      });
    }
  }

  private rebuild(): void {
    const sources: ViewSource[] = [...this.files];
    // Zotero is the user's own library too; papers fetched online and the bundled corpus come last.
    const extras = [...this.extras.values()].map((e) => e.source);
    sources.push(...extras.filter((s) => s.kind === 'zotero'), ...extras.filter((s) => s.kind !== 'zotero'));
    if (this.bundled) sources.push(this.bundled);
    const generation = ++this.generation;
    let total = 0;
    for (const source of sources) for (const part of source.parts) total += part.papers.length;
    const started = performance.now();
    if (total <= SLICE_ABOVE) {
      this.install(buildLibraryView(sources, readConfig().keyTemplate), sources.length, started);
      return;
    }
    // A large library is merged a slice at a time, so the editor never waits on it; the previous
    // view answers until the new one is complete, and a newer rebuild supersedes this one.
    const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    this.building = runStepsSliced(libraryViewSteps(sources, readConfig().keyTemplate), pause).then((view) => {
      if (generation === this.generation) this.install(view, sources.length, started);
    });
  }

  /** Resolves when the view reflects every change made so far. */
  async settled(): Promise<void> {
    let building: Promise<void> | undefined;
    while (building !== this.building) {
      building = this.building;
      await building;
    }
  }

  private install(view: LibraryView, sourceCount: number, started: number): void {
    this.view = view;
    const count = this.view.papers.length;
    if (this.stateValue.kind !== 'failed' || count) {
      this.stateValue = count
        ? { kind: 'ready' }
        : { kind: 'empty', reason: readConfig().includeBundled ? 'No papers were found.' : 'The bundled library is turned off and no library files are configured.' };
    }
    this.log.debug(`library view: ${count} papers from ${sourceCount} source(s)${this.view.mergedCount ? `, ${this.view.mergedCount} shown as the user's own entry` : ''} in ${(performance.now() - started).toFixed(1)} ms`);
    void vscode.commands.executeCommand('setContext', 'litcite.libraryState', this.stateValue.kind);
    this.viewProblems.fire(this.view.problems);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.viewProblems.dispose();
  }
}

/** A .bib file's text as the library read it: its open buffer, else its bytes decoded as the loader decodes them. */
async function currentText(uri: vscode.Uri): Promise<string | undefined> {
  const open = openDocument(uri);
  if (open) return open.getText();
  const bytes = await readBytes(uri);
  return bytes ? decodeBibBytes(bytes).text : undefined;
}

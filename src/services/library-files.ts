/**
 * The user's library files, loaded: each file the workspace model names is read in the library
 * worker (from the persistent cache when it still describes the file), kept current as it
 * changes (an edit is read incrementally), and handed to the library as a source. Problems go to
 * the Problems panel at their lines; a file that gives nothing is said once.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { MacroDefinition } from '../core/bibtex/read';
import type { SourceIdentity } from '../core/cache-format';
import { applyBibDelta, type ViewSource } from '../core/library-view';
import type { Problem } from '../core/types';
import { LibraryWorkerClient, LoadCancelled, LoadedSource, LoadFailed } from '../node/library-worker-client';
import { COMMANDS, SECTION, SETTINGS } from '../ids';
import { openDocument } from './editor-io';
import type { Log } from './log';
import type { LibraryFile, WorkspaceModel } from './workspace-model';

/** One loaded file, as the library uses it. */
export interface FileSource {
  file: LibraryFile;
  source: ViewSource;
  problems: Problem[];
  macros: Map<string, MacroDefinition>;
  externalMacros: string[];
  identity?: SourceIdentity;
  /** Set when the file gave nothing: the one message about it. */
  failure?: string;
}

/** Unsaved edits are read as typed only in files up to this many lines; larger ones on save. */
const LIVE_EDIT_LINES = 30_000;
/** Coalesces the bursts of events one save produces (change + watcher + buffer). */
const DEBOUNCE_MS = 150;
/** A load still running after this long shows a cancellable notification. */
const NOTIFY_AFTER_MS = 500;

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** See the module comment. */
export class LibraryFiles implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('litcite-library');
  private readonly loaded = new Map<string, FileSource>();
  private files: LibraryFile[] = [];
  private readonly watchers = new Map<string, vscode.Disposable>();
  private readonly dirty = new Set<string>();
  private rediscover = true;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private viewProblems = new Map<string, Problem[]>();
  private readonly notified = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private disposed = false;
  /** Resolves once the first load of every file finished. */
  readonly ready: Promise<void>;

  constructor(
    private readonly model: WorkspaceModel,
    private readonly worker: LibraryWorkerClient,
    private readonly cacheDir: string | undefined,
    private readonly log: Log,
    private readonly onSources: (sources: FileSource[]) => void,
  ) {
    this.disposables.push(
      model.onDidChangeDeclarations(() => this.schedule(true)),
      // The workspace's .bib watcher sees files in it change even before a file's own watcher exists.
      model.onDidChangeBibFileOnDisk((uri) => {
        if (this.loaded.has(uri.toString())) this.markDirty(uri);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && e.document.lineCount <= LIVE_EDIT_LINES && this.loaded.has(e.document.uri.toString())) this.markDirty(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.loaded.has(d.uri.toString())) this.markDirty(d.uri);
      }),
    );
    this.ready = this.refreshNow();
  }

  /** The files in the library, in priority order. */
  get libraryFiles(): readonly LibraryFile[] {
    return this.files;
  }

  /** What was loaded, in priority order. */
  get sources(): FileSource[] {
    return this.files.map((f) => this.loaded.get(f.uri.toString())).filter((s): s is FileSource => s !== undefined);
  }

  isLibraryFile(uri: vscode.Uri): boolean {
    return this.loaded.has(uri.toString()) || this.files.some((f) => f.uri.toString() === uri.toString());
  }

  /** Makes a file part of the library (remembered for this workspace); resolves when the library has it. */
  async include(uri: vscode.Uri): Promise<void> {
    // Remembered only when no setting or document names it already.
    if (!this.isLibraryFile(uri)) await this.model.rememberAddedFile(uri);
    this.markDirty(uri);
    return this.refreshNow();
  }

  /** Re-reads the file list and every changed file now; resolves when done. */
  refreshNow(): Promise<void> {
    this.rediscover = true;
    this.kick(0);
    return this.whenIdle();
  }

  /** Reads everything again, cache and all (Reload Library). */
  reloadAll(): Promise<void> {
    this.worker.cancel();
    this.loaded.clear();
    return this.refreshNow();
  }

  /** Resolves when nothing is pending or running. */
  whenIdle(): Promise<void> {
    if (!this.timer && !this.running && !this.dirty.size && !this.rediscover) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Problems the library found across files (keys defined twice, duplicates, missing parents), by source id. */
  setViewProblems(problems: Map<string, Problem[]>): void {
    this.viewProblems = problems;
    for (const source of this.loaded.values()) this.publish(source);
  }

  private markDirty(uri: vscode.Uri): void {
    this.dirty.add(uri.toString());
    this.kick(DEBOUNCE_MS);
  }

  private schedule(rediscover: boolean): void {
    this.rediscover ||= rediscover;
    this.kick(DEBOUNCE_MS);
  }

  private kick(delay: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, delay);
  }

  private start(): void {
    if (this.running) return;
    this.running = this.run()
      .catch((err: Error) => this.log.error(`reading library files failed: ${err.stack ?? err.message}`))
      .finally(() => {
        this.running = undefined;
        if ((this.dirty.size || this.rediscover) && !this.timer) this.start();
        else if (!this.timer) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((resolve) => resolve());
        }
      });
  }

  private async run(): Promise<void> {
    if (this.rediscover) {
      this.rediscover = false;
      this.files = await this.model.libraryFiles();
      this.updateWatchers();
      // A file created and deleted in quick succession may never reach a watcher (VS Code folds the
      // two events into none): each rediscovery checks that loaded files still exist.
      for (const key of this.loaded.keys()) {
        const uri = vscode.Uri.parse(key);
        if (uri.scheme === 'file' && !fs.existsSync(uri.fsPath)) this.dirty.add(key);
      }
    }
    const dirty = new Set(this.dirty);
    this.dirty.clear();
    const keep = new Set(this.files.map((f) => f.uri.toString()));
    let changed = false;
    for (const key of [...this.loaded.keys()]) {
      if (keep.has(key)) continue;
      this.loaded.delete(key);
      this.diagnostics.delete(vscode.Uri.parse(key));
      if (vscode.Uri.parse(key).scheme === 'file') this.worker.forget(vscode.Uri.parse(key).fsPath);
      changed = true;
    }
    // Files are read in order: each sees the @string macros of those before it, as BibTeX does.
    const external = new Map<string, MacroDefinition>();
    for (const file of this.files) {
      if (this.disposed) return;
      const key = file.uri.toString();
      const before = this.loaded.get(key);
      const macrosChanged = before && before.externalMacros.some((name) => external.get(name)?.value !== before.macros.get(name)?.value);
      if (!before || dirty.has(key) || macrosChanged) {
        const next = await this.read(file, before, new Map(external), dirty.has(key));
        if (next !== before) changed = true;
        if (next) this.loaded.set(key, next);
        else this.loaded.delete(key);
      }
      const loaded = this.loaded.get(key);
      for (const [name, definition] of loaded?.macros ?? []) if (!external.has(name)) external.set(name, definition);
    }
    if (changed || !this.running) this.onSources(this.sources);
  }

  /** Reads one file: incrementally when it was loaded before and changed; else whole. */
  private async read(file: LibraryFile, before: FileSource | undefined, external: Map<string, MacroDefinition>, edited: boolean): Promise<FileSource | undefined> {
    if (file.uri.scheme !== 'file') return before;
    const path = file.uri.fsPath;
    // A file deleted while a buffer still holds it (VS Code keeps the buffer, marked deleted) has left the library.
    if (!fs.existsSync(path)) return this.missing(file);
    const open = openDocument(file.uri);
    const text = open?.isDirty && open.lineCount <= LIVE_EDIT_LINES ? open.getText() : undefined;
    const started = performance.now();
    try {
      if (before && edited && before.source.parts.length) {
        const outcome = await this.worker.update(path, { text, cacheDir: this.cacheDir, external });
        if (outcome.kind === 'delta') {
          const next: FileSource = { ...before, source: { ...before.source, parts: applyBibDelta(before.source.parts, outcome.delta) }, problems: outcome.problems, identity: outcome.identity };
          this.publish(next);
          this.log.debug(`${file.label}: ${outcome.delta.added.length} entr${outcome.delta.added.length === 1 ? 'y' : 'ies'} read again after an edit in ${(performance.now() - started).toFixed(0)} ms`);
          return next;
        }
        return this.adopt(file, outcome.source, started);
      }
      const load = text === undefined ? this.worker.load(path, { cacheDir: this.cacheDir, external }) : this.worker.update(path, { text, external }).then((o) => (o.kind === 'loaded' ? o.source : Promise.reject(new Error('unexpected delta'))));
      const source = await this.withProgress(file, load);
      return this.adopt(file, source, started);
    } catch (err) {
      if (err instanceof LoadCancelled) {
        this.log.warn(`${file.label}: loading cancelled; its papers are left out until it changes or the library is reloaded`);
        this.diagnostics.delete(file.uri);
        return undefined;
      }
      if (err instanceof LoadFailed && err.missing) return this.missing(file);
      this.fail(file, `${file.label} could not be read: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** A library file that does not exist (yet): declared, bibFile and addTo files are created by the writing features. */
  private missing(file: LibraryFile): undefined {
    if (file.origin === 'setting') this.fail(file, `${file.label} was not found`);
    else {
      this.diagnostics.delete(file.uri);
      this.log.info(`${file.label}: not found; it is read once it exists`);
    }
    return undefined;
  }

  private adopt(file: LibraryFile, loaded: LoadedSource, started: number): FileSource {
    const next: FileSource = {
      file,
      source: { id: file.uri.toString(), kind: 'file', parts: [{ papers: loaded.papers, segment: loaded.segment }], xdata: loaded.xdata },
      problems: loaded.problems,
      macros: loaded.macros,
      externalMacros: loaded.externalMacros,
      identity: loaded.identity,
    };
    const fatal = !loaded.papers.length ? loaded.problems.find((p) => p.severity === 'error') : undefined;
    if (fatal) {
      next.failure = fatal.message;
      this.notify(file, fatal.message);
    } else this.notified.delete(file.uri.toString());
    this.publish(next);
    const errors = loaded.problems.filter((p) => p.severity === 'error').length;
    const how = loaded.fromCache ? 'from the cache' : `parsed in ${loaded.parseMs.toFixed(0)} ms`;
    this.log.info(`${file.label}: ${loaded.papers.length} paper${loaded.papers.length === 1 ? '' : 's'}${loaded.problems.length ? `, ${loaded.problems.length} problem(s) (${errors} error(s)), see the Problems panel` : ''}; ${how}, ready ${(performance.now() - started).toFixed(0)} ms after asking (longest pause of this thread ${loaded.timing.longestSliceMs.toFixed(1)} ms)`);
    return next;
  }

  /** Shows a cancellable notification for a load that takes a while. */
  private withProgress<T>(file: LibraryFile, work: Promise<T>): Promise<T> {
    let done = false;
    void work.then(() => { done = true; }, () => { done = true; });
    setTimeout(() => {
      if (done || this.disposed) return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `LitCite: loading ${file.label}`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => this.worker.cancel());
          return work.catch(() => undefined);
        },
      );
    }, NOTIFY_AFTER_MS);
    return work;
  }

  private publish(source: FileSource): void {
    const problems = [...source.problems, ...(this.viewProblems.get(source.source.id) ?? [])];
    this.diagnostics.set(source.file.uri, problems.map((problem) => {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      // The line's text is not at hand (it was read in the worker); the editor clamps the range to the line.
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 10_000), problem.message, SEVERITY[problem.severity]);
      diagnostic.source = 'LitCite';
      if (problem.code) diagnostic.code = problem.code;
      return diagnostic;
    }));
  }

  private fail(file: LibraryFile, message: string): void {
    this.diagnostics.set(file.uri, [Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 10_000), message, vscode.DiagnosticSeverity.Error), { source: 'LitCite' })]);
    this.log.warn(message);
    this.notify(file, message);
  }

  /** Says once (per message) that a file gave no papers, with what can be done. */
  private notify(file: LibraryFile, message: string): void {
    const key = file.uri.toString();
    if (this.notified.get(key) === message) return;
    this.notified.set(key, message);
    const actions = file.origin === 'setting' ? ['Open File', 'Show Log', 'Open Settings'] : ['Open File', 'Show Log'];
    void vscode.window.showWarningMessage(`LitCite: ${message}. Its papers are not in the library.`, ...actions).then((choice) => {
      if (choice === 'Show Log') void vscode.commands.executeCommand(COMMANDS.showLog);
      else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${SETTINGS.libraries}`);
      else if (choice === 'Open File') void vscode.window.showTextDocument(file.uri).then(undefined, () => undefined);
    });
  }

  /** One watcher per library file (changes on disk from other programs) and per glob (files appearing). */
  private updateWatchers(): void {
    const wanted = new Map<string, () => vscode.Disposable>();
    for (const pattern of this.model.libraryGlobs()) {
      wanted.set(`glob:${pattern.baseUri.toString()}|${pattern.pattern}`, () => {
        const watcher = vscode.workspace.createFileSystemWatcher(pattern);
        const again = (): void => this.schedule(true);
        return vscode.Disposable.from(watcher, watcher.onDidCreate(again), watcher.onDidDelete(again));
      });
    }
    for (const file of this.files) {
      if (file.uri.scheme !== 'file') continue;
      const name = file.uri.path.slice(file.uri.path.lastIndexOf('/') + 1);
      wanted.set(`file:${file.uri.toString()}`, () => {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file.uri, '..'), name));
        const changed = (): void => this.markDirty(file.uri);
        return vscode.Disposable.from(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
      });
    }
    for (const [key, watcher] of this.watchers) {
      if (wanted.has(key)) continue;
      watcher.dispose();
      this.watchers.delete(key);
    }
    for (const [key, create] of wanted) if (!this.watchers.has(key)) this.watchers.set(key, create());
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

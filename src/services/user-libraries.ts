import * as vscode from 'vscode';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { declaredBibliographies, quartoProjectBibliographies } from '../core/bib-file';
import { dirName, findTexRoot, joinPath } from '../core/tex-project';
import type { LibraryParse } from '../core/library';
import type { Problem } from '../core/types';
import { LibraryKind, LoadCancelled, libraryKind, loadLibrary, parseLibrary } from '../node/library-loader';
import { SECTION, SETTINGS } from '../ids';
import { readConfig } from './config';
import { LibraryService, LibrarySource } from './library-service';
import { Log } from './log';

/** Files above this size are parsed in a worker thread (a 1 MB .bib is ~500 entries with abstracts, ~80 ms to parse). */
const WORKER_BYTES = 1_000_000;
/** A load still running after this long shows a cancellable notification. */
const NOTIFY_AFTER_MS = 400;
/** Coalesces the bursts of events one save produces (change + watcher + buffer). */
const DEBOUNCE_MS = 200;
/**
 * Unsaved edits to a library file are indexed as typed only below this many lines (~1 MB);
 * larger files on save, as each re-index of a big library costs the main thread.
 */
const LIVE_EDIT_LINES = 30_000;
const DOCUMENT_GLOB = '**/*.{tex,ltx,md,markdown,qmd,rmd,Rmd}';
const QUARTO_GLOB = '**/_quarto.{yml,yaml}';
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
const MAX_DOCUMENTS = 5000;
const MAX_DOCUMENT_BYTES = 2_000_000;
/** workspaceState key: .bib files papers were added to that no setting or document names. */
const ADDED_FILES = 'litcite.addedToFiles';

/** Why a file is in the library. */
type Origin = 'setting' | 'declared' | 'addTo' | 'bibFile';

/** One library file to read. */
interface LibraryFile {
  uri: vscode.Uri;
  /** Workspace-relative path (or `~/…`), for the tree, messages and the log. */
  label: string;
  kind: LibraryKind;
  origin: Origin;
}

/** What was last read from a file, and how to tell whether it changed since. */
interface CacheEntry {
  /** `mtime:size` on disk, or `buffer:<version>` for unsaved edits. */
  stamp: string;
  hash?: string;
  source: LibrarySource;
  /** Set when nothing could be loaded: the one message the user sees about it. */
  failure?: string;
  cancelled?: boolean;
}

/** What one refresh is asked to do beyond re-checking every file. */
interface Pending {
  rediscover: boolean;
  force: boolean;
}

/**
 * The user's own library files: `litcite.libraries` (paths and globs), every bibliography a
 * document in the workspace declares, and the `bibFile`/`addTo` targets. Each is read into one
 * LibrarySource, re-read when it changes (file watchers, unsaved edits), and handed to the
 * LibraryService. Parse problems go to the Problems panel at their lines.
 */
export class UserLibraries implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('litcite-library');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly cache = new Map<string, CacheEntry>();
  private readonly notified = new Map<string, string>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  /** Document URI → the library files it declares (URI strings). */
  private readonly declared = new Map<string, string[]>();
  /** Path → text of the workspace's .tex files, for finding a part's root. */
  private texTexts = new Map<string, string>();
  private declaredScan: Promise<void> | undefined;
  private files: LibraryFile[] = [];
  private pending: Pending | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly jobs = new Set<{ cancel(): void }>();
  private disposed = false;
  /** Resolves once the first load of every file finished. */
  readonly ready: Promise<void>;

  constructor(
    private readonly library: LibraryService,
    private readonly log: Log,
    private readonly workerFile: string | undefined,
    private readonly state: vscode.Memento,
  ) {
    const documents = vscode.workspace.createFileSystemWatcher(DOCUMENT_GLOB);
    const quarto = vscode.workspace.createFileSystemWatcher(QUARTO_GLOB);
    const rescanDocument = (uri: vscode.Uri): void => void this.rescanDocument(uri);
    this.disposables.push(
      documents,
      quarto,
      documents.onDidChange(rescanDocument),
      documents.onDidCreate(rescanDocument),
      documents.onDidDelete(rescanDocument),
      quarto.onDidChange(rescanDocument),
      quarto.onDidCreate(rescanDocument),
      quarto.onDidDelete(rescanDocument),
      vscode.workspace.onDidChangeConfiguration((e) => {
        const ours = [SETTINGS.libraries, SETTINGS.addTo, SETTINGS.bibFile, SETTINGS.includeDeclared].some((s) => e.affectsConfiguration(`${SECTION}.${s}`));
        if (ours) this.schedule({ rediscover: true });
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.declaredScan = undefined;
        this.schedule({ rediscover: true });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.declaredScan = undefined;
        this.schedule({ rediscover: true });
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && e.document.lineCount <= LIVE_EDIT_LINES && this.isLibraryFile(e.document.uri)) this.schedule({});
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.isLibraryFile(d.uri)) this.schedule({});
      }),
      library.onDidRequestReload(() => {
        this.declaredScan = undefined;
        this.schedule({ rediscover: true, force: true }, 0);
      }),
    );
    this.ready = library.ready.then(() => {
      this.schedule({ rediscover: true }, 0);
      return this.whenIdle();
    });
  }

  /** The files currently in the library, in priority order. */
  get libraryFiles(): readonly { uri: vscode.Uri; label: string }[] {
    return this.files;
  }

  /** Whether `uri` is one of the library files. */
  isLibraryFile(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return this.files.some((f) => f.uri.toString() === key);
  }

  /** Resolves when no refresh is pending or running. */
  whenIdle(): Promise<void> {
    if (!this.timer && !this.running && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Makes `uri` a library file (remembered for this workspace) and re-reads it; resolves when the library has it. */
  async include(uri: vscode.Uri): Promise<void> {
    if (!this.isLibraryFile(uri)) {
      const added = this.state.get<string[]>(ADDED_FILES, []);
      if (!added.includes(uri.toString())) await this.state.update(ADDED_FILES, [...added, uri.toString()]);
    }
    return this.refreshNow();
  }

  /** Re-reads now (no debounce), re-resolving which files there are; resolves when the library has them. */
  refreshNow(): Promise<void> {
    this.schedule({ rediscover: true }, 0);
    return this.whenIdle();
  }

  private schedule(request: Partial<Pending>, delay = DEBOUNCE_MS): void {
    if (this.disposed) return;
    const pending = this.pending ?? { rediscover: false, force: false };
    pending.rediscover ||= request.rediscover ?? false;
    pending.force ||= request.force ?? false;
    this.pending = pending;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delay);
  }

  private kick(): void {
    if (this.running || !this.pending) return;
    const pending = this.pending;
    this.pending = undefined;
    this.running = this.run(pending)
      .catch((err: Error) => this.log.error(`reading library files failed: ${err.stack ?? err.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.pending && !this.timer) this.kick();
        if (!this.pending && !this.timer) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
  }

  private async run(pending: Pending): Promise<void> {
    if (pending.force) this.cache.clear();
    if (pending.rediscover || !this.files.length) {
      this.files = await this.resolveFiles();
      this.updateWatchers();
    }
    const files = this.files;
    const unseen = files.filter((f) => !this.cache.has(f.uri.toString()));
    const load = (): Promise<CacheEntry[]> => Promise.all(files.map((f) => this.load(f)));
    const entries = unseen.length
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'LitCite: reading library files' }, load)
      : await load();
    if (this.disposed) return;

    const keep = new Set(files.map((f) => f.uri.toString()));
    for (const key of [...this.cache.keys()]) {
      if (keep.has(key)) continue;
      this.cache.delete(key);
      this.diagnostics.delete(vscode.Uri.parse(key));
    }
    const sources = entries.map((e) => e.source).filter((s) => s.papers.length);
    // Compared with what the library holds (not what was last sent): re-indexing is the costly part.
    const held = this.library.sources.filter((s) => s.id !== 'bundled');
    if (sources.length !== held.length || sources.some((s, i) => s !== held[i])) this.library.setUserSources(sources);
  }

  // -------------------------------------------------------------------------------------------
  // Reading one file

  private async load(file: LibraryFile): Promise<CacheEntry> {
    const key = file.uri.toString();
    const cached = this.cache.get(key);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (open?.isDirty && open.lineCount <= LIVE_EDIT_LINES) {
      const stamp = `buffer:${open.version}`;
      if (cached?.stamp === stamp) return cached;
      const text = open.getText();
      // Hashed like the file's bytes (UTF-8), so saving these edits is not a second parse.
      return this.parse(file, { text }, stamp, createHash('sha1').update(text).digest('hex'));
    }

    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(file.uri);
    } catch {
      // Declared, bibFile and addTo files may not exist yet: the writing features create them.
      return this.fail(file, file.origin === 'setting' ? `${file.label} was not found` : undefined, `missing:${key}`);
    }
    if (stat.type & vscode.FileType.Directory) return this.fail(file, `${file.label} is a folder, not a library file`, 'folder');
    const stamp = `${stat.mtime}:${stat.size}`;
    if (cached?.stamp === stamp) return cached;

    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(file.uri);
    } catch (err) {
      return this.fail(file, `${file.label} could not be read: ${(err as Error).message}`, `unreadable:${stamp}`);
    }
    // A save that rewrote the same bytes (or a touch) changes the stamp but not the papers.
    const hash = createHash('sha1').update(bytes).digest('hex');
    if (cached && cached.hash === hash && !cached.cancelled) {
      const entry = { ...cached, stamp };
      this.cache.set(key, entry);
      return entry;
    }
    return this.parse(file, { bytes }, stamp, hash);
  }

  private async parse(file: LibraryFile, input: { bytes?: Uint8Array; text?: string }, stamp: string, hash: string | undefined): Promise<CacheEntry> {
    const key = file.uri.toString();
    const sourceName = file.uri.scheme === 'file' ? file.uri.fsPath : key;
    const size = input.bytes?.byteLength ?? input.text?.length ?? 0;
    const started = performance.now();
    let parsed: LibraryParse;
    let where = '';
    try {
      if (size > WORKER_BYTES && this.workerFile) {
        where = ' in a worker';
        parsed = await this.parseInWorker(file, { kind: file.kind, sourceName, ...input }, size);
      } else {
        parsed = parseLibrary({ kind: file.kind, sourceName, ...input });
      }
    } catch (err) {
      if (err instanceof LoadCancelled) {
        this.log.warn(`${file.label}: loading cancelled; its papers are left out until it changes or the library is reloaded`);
        const entry: CacheEntry = { stamp, hash, source: emptySource(file), cancelled: true };
        this.cache.set(key, entry);
        this.diagnostics.delete(file.uri);
        return entry;
      }
      return this.fail(file, `${file.label} could not be parsed: ${(err as Error).message}`, stamp);
    }
    const ms = performance.now() - started;

    const problems = parsed.problems.map((p) => ({ ...p, message: p.message.split(sourceName).join(file.label) }));
    const source: LibrarySource = { id: key, label: file.label, papers: parsed.papers, problems };
    const entry: CacheEntry = { stamp, hash, source };
    const fatal = !parsed.papers.length ? problems.find((p) => p.severity === 'error') : undefined;
    if (fatal) entry.failure = fatal.message;
    this.cache.set(key, entry);
    this.publish(file, problems);
    this.summarise(file, parsed.papers.length, problems, `${ms.toFixed(0)} ms${where}`);
    if (fatal) this.notify(file, fatal.message);
    else this.notified.delete(key);
    return entry;
  }

  private parseInWorker(file: LibraryFile, request: Parameters<typeof parseLibrary>[0], size: number): Promise<LibraryParse> {
    const job = loadLibrary(this.workerFile!, request);
    this.jobs.add(job);
    let done = false;
    void job.result.then(
      () => { done = true; },
      () => { done = true; },
    ).finally(() => this.jobs.delete(job));
    setTimeout(() => {
      if (done) return;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `LitCite: loading ${file.label} (${(size / 1e6).toFixed(1)} MB)`, cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => job.cancel());
          return job.result.catch(() => undefined);
        },
      );
    }, NOTIFY_AFTER_MS);
    return job.result;
  }

  /** A file that gave no papers at all: remembered (so it is not re-read until it changes) and told once. */
  private fail(file: LibraryFile, message: string | undefined, stamp: string): CacheEntry {
    const key = file.uri.toString();
    const entry: CacheEntry = { stamp, source: emptySource(file), failure: message };
    this.cache.set(key, entry);
    if (message) {
      if (stamp.startsWith('missing:')) this.diagnostics.delete(file.uri);
      else this.publish(file, [{ severity: 'error', message }]);
      this.log.warn(message);
      this.notify(file, message);
    } else {
      this.diagnostics.delete(file.uri);
      this.log.info(`${file.label}: not found; it is read once it exists`);
    }
    return entry;
  }

  private publish(file: LibraryFile, problems: readonly Problem[]): void {
    const diagnostics = problems.map((problem) => {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      // The line's text is not at hand (bytes may have been parsed elsewhere); the editor clamps the range to the line.
      const range = new vscode.Range(line, 0, line, 10_000);
      const diagnostic = new vscode.Diagnostic(range, problem.message, SEVERITY[problem.severity]);
      diagnostic.source = 'LitCite';
      return diagnostic;
    });
    this.diagnostics.set(file.uri, diagnostics);
  }

  private summarise(file: LibraryFile, count: number, problems: readonly Problem[], timing: string): void {
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    const issues = problems.length
      ? `, ${errors} entr${errors === 1 ? 'y' : 'ies'} skipped, ${warnings} warning${warnings === 1 ? '' : 's'} (see the Problems panel)`
      : '';
    this.log.info(`${file.label}: ${count} paper${count === 1 ? '' : 's'}${issues}; ${timing}`);
    for (const p of problems) this.log.info(`  ${file.label}${p.line ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`);
  }

  private notify(file: LibraryFile, message: string): void {
    const key = file.uri.toString();
    if (this.notified.get(key) === message) return;
    this.notified.set(key, message);
    const actions = file.origin === 'setting' ? ['Open File', 'Show Log', 'Open Settings'] : ['Open File', 'Show Log'];
    void vscode.window.showWarningMessage(`LitCite: ${message}. Its papers are not in the library.`, ...actions).then((choice) => {
      if (choice === 'Show Log') this.log.channel.show(true);
      else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${SETTINGS.libraries}`);
      else if (choice === 'Open File') void vscode.window.showTextDocument(file.uri).then(undefined, () => undefined);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Which files

  private async resolveFiles(): Promise<LibraryFile[]> {
    const found: LibraryFile[] = [];
    const seen = new Set<string>();
    const add = (uri: vscode.Uri, origin: Origin): void => {
      const key = uri.toString();
      if (seen.has(key)) return;
      seen.add(key);
      found.push({ uri, label: labelFor(uri), kind: libraryKind(uri.path), origin });
    };

    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const scope of folders.length ? folders : [undefined]) {
      const config = readConfig(scope?.uri);
      for (const entry of config.libraries) {
        for (const uri of await this.expandEntry(entry, scope)) add(uri, 'setting');
      }
    }
    for (const scope of folders.length ? folders : [undefined]) {
      const config = readConfig(scope?.uri);
      for (const [setting, origin] of [[config.bibFile, 'bibFile'], [config.addTo, 'addTo']] as const) {
        const uri = setting.trim() ? resolvePath(setting.trim(), scope) : undefined;
        if (uri && !hasGlob(setting)) add(uri, origin);
      }
    }
    if (vscode.workspace.isTrusted && readConfig().includeDeclared) {
      for (const uri of await this.declaredFiles()) add(uri, 'declared');
    }
    for (const uri of this.state.get<string[]>(ADDED_FILES, [])) add(vscode.Uri.parse(uri), 'addTo');
    return found;
  }

  /** A `litcite.libraries` entry as files: a glob is searched for, a path is taken as is (and reported if missing). */
  private async expandEntry(entry: string, scope: vscode.WorkspaceFolder | undefined): Promise<vscode.Uri[]> {
    const expanded = expandVariables(entry.trim(), scope);
    if (!expanded) {
      if (entry.trim()) this.log.warn(`library entry "${entry}" needs a workspace folder`);
      return [];
    }
    if (!hasGlob(expanded)) {
      const uri = resolvePath(expanded, scope);
      return uri ? [uri] : [];
    }
    const pattern = globPattern(expanded, scope);
    if (!pattern) {
      this.log.warn(`library entry "${entry}": a relative glob needs a workspace folder`);
      return [];
    }
    const uris = await vscode.workspace.findFiles(pattern, EXCLUDE);
    uris.sort((a, b) => a.path.localeCompare(b.path));
    if (!uris.length) this.log.info(`library entry "${entry}" matches no files yet`);
    return uris.filter((u) => /\.(?:bib|bibtex|biblatex|json)$/i.test(u.path));
  }

  private updateWatchers(): void {
    const wanted = new Map<string, () => vscode.Disposable>();
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const scope of folders.length ? folders : [undefined]) {
      for (const entry of readConfig(scope?.uri).libraries) {
        const expanded = expandVariables(entry.trim(), scope);
        const pattern = expanded && hasGlob(expanded) ? globPattern(expanded, scope) : undefined;
        if (pattern) wanted.set(`glob:${pattern.baseUri.toString()}|${pattern.pattern}`, () => this.watch(pattern, true));
      }
    }
    for (const file of this.files) {
      wanted.set(`file:${file.uri.toString()}`, () => this.watch(new vscode.RelativePattern(vscode.Uri.joinPath(file.uri, '..'), path.posix.basename(file.uri.path)), false));
    }
    for (const [key, watcher] of this.watchers) {
      if (wanted.has(key)) continue;
      watcher.dispose();
      this.watchers.delete(key);
    }
    for (const [key, create] of wanted) if (!this.watchers.has(key)) this.watchers.set(key, create());
  }

  /** A watcher whose events re-check the files; for globs, a created or deleted file changes which files there are. */
  private watch(pattern: vscode.RelativePattern, glob: boolean): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const changed = (): void => this.schedule({});
    const added = (): void => this.schedule({ rediscover: glob });
    return vscode.Disposable.from(watcher, watcher.onDidChange(changed), watcher.onDidCreate(added), watcher.onDidDelete(added));
  }

  // -------------------------------------------------------------------------------------------
  // Bibliographies documents declare

  private async declaredFiles(): Promise<vscode.Uri[]> {
    this.declaredScan ??= this.scanDocuments();
    await this.declaredScan;
    const all = [...this.declared.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, bibs]) => bibs);
    return [...new Set(all)].map((u) => vscode.Uri.parse(u));
  }

  /** Reads every LaTeX/Markdown document and Quarto project file once, for what they declare. */
  private async scanDocuments(): Promise<void> {
    this.declared.clear();
    const [documents, quarto] = await Promise.all([
      vscode.workspace.findFiles(DOCUMENT_GLOB, EXCLUDE, MAX_DOCUMENTS),
      vscode.workspace.findFiles(QUARTO_GLOB, EXCLUDE, 100),
    ]);
    const texts = new Map<string, string>();
    await Promise.all([...documents, ...quarto].map(async (uri) => {
      const text = await readSmallText(uri);
      if (text !== undefined) texts.set(uri.toString(), text);
    }));
    this.texTexts = new Map([...texts].filter(([k]) => /\.(?:tex|ltx)$/i.test(k)).map(([k, t]) => [vscode.Uri.parse(k).path, t]));
    for (const [key, text] of texts) this.declared.set(key, this.declarationsOf(vscode.Uri.parse(key), text));
  }

  private async rescanDocument(uri: vscode.Uri): Promise<void> {
    if (!this.declaredScan || !vscode.workspace.isTrusted) return;
    await this.declaredScan;
    const key = uri.toString();
    const text = await readSmallText(uri);
    if (/\.(?:tex|ltx)$/i.test(uri.path)) {
      if (text === undefined) this.texTexts.delete(uri.path);
      else this.texTexts.set(uri.path, text);
    }
    const before = this.declared.get(key) ?? [];
    const after = text === undefined ? [] : this.declarationsOf(uri, text);
    if (after.length) this.declared.set(key, after);
    else this.declared.delete(key);
    if (before.join('\n') !== after.join('\n')) this.schedule({ rediscover: true });
  }

  /** The library files a document declares, as URI strings; LaTeX paths resolve against the project root's folder. */
  private declarationsOf(uri: vscode.Uri, text: string): string[] {
    const name = path.posix.basename(uri.path);
    let bibs: string[];
    let base = dirName(uri.path);
    if (/^_quarto\.ya?ml$/i.test(name)) {
      bibs = quartoProjectBibliographies(text);
    } else if (/\.(?:tex|ltx)$/i.test(name)) {
      bibs = declaredBibliographies(text, 'latex');
      if (bibs.length) base = dirName(findTexRoot(uri.path, this.texTexts) ?? uri.path);
    } else {
      bibs = declaredBibliographies(text, 'markdown');
    }
    return bibs
      .filter((b) => /\.(?:bib|bibtex|json)$/i.test(b) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(b))
      .map((b) => uri.with({ path: joinPath(base, b) }).toString());
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const job of this.jobs) job.cancel();
    for (const watcher of this.watchers.values()) watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function emptySource(file: LibraryFile): LibrarySource {
  return { id: file.uri.toString(), label: file.label, papers: [], problems: [] };
}

function hasGlob(text: string): boolean {
  return /[*?[\]{}]/.test(text);
}

/** `~`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolder:name}` and `${env:NAME}` expanded; undefined when a folder is needed and missing. */
export function expandVariables(entry: string, scope: vscode.WorkspaceFolder | undefined): string | undefined {
  let missing = false;
  const expanded = entry
    .replace(/^~(?=$|[\\/])/, os.homedir())
    .replace(/\$\{(userHome|workspaceFolder|workspaceFolderBasename|workspaceFolder:([^}]+)|env:([^}]+))\}/g, (whole, name: string, folderName?: string, envName?: string) => {
      if (name === 'userHome') return os.homedir();
      if (envName) return process.env[envName] ?? '';
      const folder = folderName ? vscode.workspace.workspaceFolders?.find((f) => f.name === folderName) : scope;
      if (!folder) {
        missing = true;
        return whole;
      }
      return name === 'workspaceFolderBasename' ? folder.name : folder.uri.fsPath;
    });
  return missing ? undefined : expanded;
}

/** A path from a setting as a URI: absolute as is, relative against the workspace folder. */
export function resolvePath(text: string, scope: vscode.WorkspaceFolder | undefined): vscode.Uri | undefined {
  const expanded = expandVariables(text, scope);
  if (!expanded) return undefined;
  if (path.isAbsolute(expanded)) return vscode.Uri.file(expanded);
  const folder = scope ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, expanded.replace(/\\/g, '/')) : undefined;
}

/** A glob as a RelativePattern: relative globs under the folder, absolute ones under their fixed leading folders. */
function globPattern(expanded: string, scope: vscode.WorkspaceFolder | undefined): vscode.RelativePattern | undefined {
  const normal = expanded.replace(/\\/g, '/');
  if (!path.isAbsolute(expanded)) {
    const folder = scope ?? vscode.workspace.workspaceFolders?.[0];
    return folder ? new vscode.RelativePattern(folder, normal.replace(/^\.\//, '')) : undefined;
  }
  const parts = normal.split('/');
  const firstGlob = parts.findIndex((p) => hasGlob(p));
  const base = parts.slice(0, firstGlob).join('/') || '/';
  return new vscode.RelativePattern(vscode.Uri.file(base), parts.slice(firstGlob).join('/'));
}

/** How a file is named to the user: relative to the workspace, `~/…` under the home folder, else in full. */
export function labelFor(uri: vscode.Uri): string {
  const relative = vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  if (relative !== uri.fsPath && relative !== uri.toString()) return relative;
  const home = os.homedir();
  return uri.scheme === 'file' && uri.fsPath.startsWith(home + path.sep) ? `~${uri.fsPath.slice(home.length)}` : uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** A document's text when it is small enough to be a document (a generated 50 MB .md is not). */
async function readSmallText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_DOCUMENT_BYTES) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Registers the user's library files: reading, watching, diagnostics. */
export function registerUserLibraries(context: vscode.ExtensionContext, library: LibraryService, log: Log): UserLibraries {
  const workerFile = path.join(context.extensionPath, 'dist', 'load-worker.js');
  const libraries = new UserLibraries(library, log, fs.existsSync(workerFile) ? workerFile : undefined, context.workspaceState);
  context.subscriptions.push(libraries);
  return libraries;
}

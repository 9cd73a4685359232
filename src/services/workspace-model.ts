/**
 * The one model of the workspace: which bibliographies a document cites from, and which files
 * make up the user's library. It owns the texts of the workspace's LaTeX, Markdown and Quarto
 * files (read once, kept current by one set of watchers), LaTeX roots (`% !TEX root`, subfiles,
 * `\input` parents), declared bibliographies, and the resolution of paths in settings. Every
 * feature asks it; nothing else watches or resolves these files.
 */
import * as vscode from 'vscode';
import { declaredBibliographies, isBibtexPath, quartoProjectBibliographies } from '../core/declarations';
import { cslJsonEntries, scanBibEntries, yamlReferenceEntries, type BibEntrySummary } from '../core/bib-entries';
import { flavorForLanguage, type CiteFlavor } from '../core/cite-syntax';
import { dirName, findTexRoot, isTexRoot, joinPath, projectBibliographies } from '../core/tex-project';
import { readConfig } from './config';
import { labelFor, openDocument, readText } from './editor-io';
import { expandVariables, globPattern, hasGlob, resolveSettingPath, scopeOf } from './setting-paths';
import type { Log } from './log';

/** Where a document's bibliography comes from. */
export type BibliographyOrigin = 'setting' | 'document' | 'project' | 'quarto' | 'none';

/** The bibliography files a document uses: .bib, and for Markdown also CSL-JSON and YAML. */
export interface DocumentBibliography {
  flavor: CiteFlavor | undefined;
  /** In declaration order; new entries go into the first .bib among them. */
  files: vscode.Uri[];
  origin: BibliographyOrigin;
  /** LaTeX: the file the document is compiled from (itself when it is a root). */
  root?: vscode.Uri;
}

/** A .bib (or CSL-JSON, YAML) file as it is now: the open buffer when there is one, else the file on disk. */
export interface BibFileState {
  uri: vscode.Uri;
  exists: boolean;
  text: string;
  entries: BibEntrySummary[];
  /** Changes whenever the text may have changed; a cache key. */
  version: string;
}

/** Why a file is in the library. */
export type LibraryFileOrigin = 'setting' | 'declared' | 'addTo' | 'bibFile' | 'added';

/** One file of the user's library. */
export interface LibraryFile {
  uri: vscode.Uri;
  label: string;
  origin: LibraryFileOrigin;
}

const DOCUMENT_GLOB = '**/*.{tex,ltx,md,markdown,qmd,rmd,Rmd}';
const QUARTO_GLOB = '**/_quarto.{yml,yaml}';
const QUARTO_NAMES = ['_quarto.yml', '_quarto.yaml'];
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
/** A workspace with more documents than this is read up to it (a generated site is not a paper). */
const MAX_DOCUMENTS = 5000;
const MAX_DOCUMENT_BYTES = 2_000_000;
/** workspaceState key: .bib files papers were added to that no setting or document names. */
const ADDED_FILES = 'litcite.addedToFiles';

/** The workspace model; see the module comment. */
export class WorkspaceModel implements vscode.Disposable {
  /** Workspace documents by URI string: LaTeX, Markdown and Quarto project files. */
  private texts = new Map<string, string>();
  private scan: Promise<void> | undefined;
  private readonly bibStates = new Map<string, BibFileState>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly bibChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly bibChangedOnDisk = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.bibChanged, this.bibChangedOnDisk];
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  /** Fires (debounced) when what documents declare, or which files the settings name, may have changed. */
  readonly onDidChangeDeclarations = this.changed.event;
  /** Fires when a bibliography file's text changed (on disk or in its buffer). */
  readonly onDidChangeBibFile = this.bibChanged.event;
  /** Fires when a .bib in the workspace changed on disk (created, changed, deleted). */
  readonly onDidChangeBibFileOnDisk = this.bibChangedOnDisk.event;

  constructor(private readonly state: vscode.Memento, private readonly log: Log) {
    const documents = vscode.workspace.createFileSystemWatcher(DOCUMENT_GLOB);
    const quarto = vscode.workspace.createFileSystemWatcher(QUARTO_GLOB);
    const bibs = vscode.workspace.createFileSystemWatcher('**/*.{bib,bibtex}');
    const reread = (uri: vscode.Uri): void => void this.reread(uri);
    const bibEvent = (uri: vscode.Uri): void => {
      this.bibStates.delete(uri.toString());
      this.bibChanged.fire(uri);
    };
    const diskEvent = (uri: vscode.Uri): void => {
      bibEvent(uri);
      this.bibChangedOnDisk.fire(uri);
    };
    this.disposables.push(
      documents, quarto, bibs,
      documents.onDidChange(reread), documents.onDidCreate(reread), documents.onDidDelete(reread),
      quarto.onDidChange(reread), quarto.onDidCreate(reread), quarto.onDidDelete(reread),
      bibs.onDidChange(diskEvent), bibs.onDidCreate(diskEvent), bibs.onDidDelete(diskEvent),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!e.contentChanges.length) return;
        if (isBibliographyPath(e.document.uri.path)) bibEvent(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (isBibliographyPath(d.uri.path)) bibEvent(d.uri);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (isDocumentPath(d.uri.path)) void this.reread(d.uri);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescan()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.rescan()),
    );
  }

  /** Forgets every document text and reads the workspace again (Reload Library, folders changed). */
  rescan(): void {
    this.scan = undefined;
    this.bibStates.clear();
    this.fireChanged();
  }

  /** Settings that decide which files there are changed: the dispatcher calls this. */
  settingsChanged(): void {
    this.bibStates.clear();
    this.fireChanged();
  }

  // -------------------------------------------------------------------------------------------
  // Which bibliographies a document cites from

  /** The bibliography files `document` uses, first the one new entries go into. */
  async bibliographyOf(document: vscode.TextDocument): Promise<DocumentBibliography> {
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    const setting = readConfig(document.uri).bibFile.trim();
    const settingFile = setting ? resolveSettingPath(setting, scopeOf(document.uri)) : undefined;
    if (flavor === 'latex') {
      const texts = await this.texTexts(document);
      const rootPath = findTexRoot(document.uri.path, texts);
      const root = rootPath ? document.uri.with({ path: rootPath }) : undefined;
      if (settingFile) return { flavor, files: [settingFile], origin: 'setting', root };
      const from = rootPath ?? document.uri.path;
      const paths = projectBibliographies(from, texts);
      const origin: BibliographyOrigin = !paths.length ? 'none' : root && root.path !== document.uri.path ? 'project' : 'document';
      return { flavor, files: paths.map((p) => document.uri.with({ path: p })), origin, root };
    }
    if (settingFile) return { flavor, files: [settingFile], origin: 'setting' };
    if (flavor !== 'markdown') return { flavor, files: [], origin: 'none' };
    const dir = dirName(document.uri.path);
    const own = declaredBibliographies(document.getText(), 'markdown').map((p) => joinPath(dir, p));
    const project = await this.quartoBibliographies(document.uri);
    const paths = [...new Set([...own, ...project])];
    return { flavor, files: paths.map((p) => document.uri.with({ path: p })), origin: own.length ? 'document' : project.length ? 'quarto' : 'none' };
  }

  /** The current text and entries of a bibliography file: its open buffer, else the file, else empty. */
  async bibState(uri: vscode.Uri): Promise<BibFileState> {
    const key = uri.toString();
    const open = openDocument(uri);
    if (open) {
      const version = `open:${open.version}`;
      const cached = this.bibStates.get(key);
      if (cached?.version === version) return cached;
      return this.remember(uri, open.getText(), version);
    }
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      return { uri, exists: false, text: '', entries: [], version: 'missing' };
    }
    const version = `disk:${stat.mtime}:${stat.size}`;
    const cached = this.bibStates.get(key);
    if (cached?.version === version) return cached;
    const text = await readText(uri);
    if (text === undefined) {
      this.log.warn(`could not read ${labelFor(uri)}`);
      return { uri, exists: false, text: '', entries: [], version: 'unreadable' };
    }
    return this.remember(uri, text, version);
  }

  /** Forgets what was read of a file, e.g. after writing it. */
  forget(uri: vscode.Uri): void {
    this.bibStates.delete(uri.toString());
  }

  // -------------------------------------------------------------------------------------------
  // Which files make up the library

  /**
   * The user's library files in priority order: `litcite.libraries` (paths and globs), the
   * `bibFile` and `addTo` settings, every bibliography a workspace document declares (in a
   * trusted workspace, when `includeDeclaredBibliographies` is on), and files papers were added to.
   */
  async libraryFiles(): Promise<LibraryFile[]> {
    const found: LibraryFile[] = [];
    const seen = new Set<string>();
    const add = (uri: vscode.Uri, origin: LibraryFileOrigin): void => {
      const key = uri.toString();
      if (seen.has(key) || !/\.(?:bib|bibtex|biblatex|json)$/i.test(uri.path)) return;
      seen.add(key);
      found.push({ uri, label: labelFor(uri), origin });
    };
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const scope of folders.length ? folders : [undefined]) {
      for (const entry of readConfig(scope?.uri).libraries) {
        for (const uri of await this.expandLibraryEntry(entry, scope)) add(uri, 'setting');
      }
    }
    for (const scope of folders.length ? folders : [undefined]) {
      const config = readConfig(scope?.uri);
      for (const [setting, origin] of [[config.bibFile, 'bibFile'], [config.addTo, 'addTo']] as const) {
        // Variables first: `${workspaceFolder}` has braces, which are not a glob.
        const expanded = setting.trim() ? expandVariables(setting.trim(), scope) : undefined;
        const uri = expanded && !hasGlob(expanded) ? resolveSettingPath(setting, scope) : undefined;
        if (uri) add(uri, origin);
      }
    }
    if (vscode.workspace.isTrusted && readConfig().includeDeclared) {
      for (const uri of await this.declaredLibraryFiles()) add(uri, 'declared');
    }
    for (const uri of this.state.get<string[]>(ADDED_FILES, [])) add(vscode.Uri.parse(uri), 'added');
    return found;
  }

  /** The globs `litcite.libraries` names, to watch for files appearing and going. */
  libraryGlobs(): vscode.RelativePattern[] {
    const out: vscode.RelativePattern[] = [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const scope of folders.length ? folders : [undefined]) {
      for (const entry of readConfig(scope?.uri).libraries) {
        const expanded = expandVariables(entry.trim(), scope);
        const pattern = expanded && hasGlob(expanded) ? globPattern(expanded, scope) : undefined;
        if (pattern) out.push(pattern);
      }
    }
    return out;
  }

  /** Remembers a file papers were added to, so it stays in the library. */
  async rememberAddedFile(uri: vscode.Uri): Promise<void> {
    const added = this.state.get<string[]>(ADDED_FILES, []);
    if (added.includes(uri.toString())) return;
    await this.state.update(ADDED_FILES, [...added, uri.toString()]);
    this.fireChanged();
  }

  private async expandLibraryEntry(entry: string, scope: vscode.WorkspaceFolder | undefined): Promise<vscode.Uri[]> {
    const expanded = expandVariables(entry.trim(), scope);
    if (!expanded) {
      if (entry.trim()) this.log.warn(`library entry "${entry}" needs a workspace folder`);
      return [];
    }
    if (!hasGlob(expanded)) {
      const uri = resolveSettingPath(expanded, scope);
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
    return uris;
  }

  /** Every bibliography the workspace's documents and Quarto projects declare, resolved. */
  private async declaredLibraryFiles(): Promise<vscode.Uri[]> {
    await this.ensureScanned();
    const texTexts = this.texPaths();
    const out: vscode.Uri[] = [];
    for (const [key, text] of [...this.texts].sort(([a], [b]) => a.localeCompare(b))) {
      const uri = vscode.Uri.parse(key);
      const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
      let declared: string[];
      let base = dirName(uri.path);
      if (QUARTO_NAMES.includes(name)) declared = quartoProjectBibliographies(text);
      else if (/\.(?:tex|ltx)$/i.test(name)) {
        declared = declaredBibliographies(text, 'latex');
        // LaTeX resolves a part's paths against the folder of the file it is compiled from.
        if (declared.length) base = dirName(findTexRoot(uri.path, texTexts) ?? uri.path);
      } else declared = declaredBibliographies(text, 'markdown');
      for (const file of declared) {
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) continue;
        out.push(uri.with({ path: joinPath(base, file) }));
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Document texts

  private ensureScanned(): Promise<void> {
    this.scan ??= this.readWorkspace();
    return this.scan;
  }

  private async readWorkspace(): Promise<void> {
    const started = performance.now();
    const texts = new Map<string, string>();
    if (vscode.workspace.workspaceFolders?.length) {
      const [documents, quarto] = await Promise.all([
        vscode.workspace.findFiles(DOCUMENT_GLOB, EXCLUDE, MAX_DOCUMENTS),
        vscode.workspace.findFiles(QUARTO_GLOB, EXCLUDE, 100),
      ]);
      await Promise.all([...documents, ...quarto].map(async (uri) => {
        const text = await readText(uri, MAX_DOCUMENT_BYTES);
        if (text !== undefined) texts.set(uri.toString(), text);
      }));
    }
    this.texts = texts;
    this.log.debug(`read ${texts.size} workspace document(s) for their bibliographies in ${(performance.now() - started).toFixed(0)} ms`);
  }

  private async reread(uri: vscode.Uri): Promise<void> {
    if (!this.scan) return;
    await this.scan;
    const key = uri.toString();
    const before = this.texts.get(key);
    const text = await readText(uri, MAX_DOCUMENT_BYTES);
    if (text === undefined) this.texts.delete(key);
    else this.texts.set(key, text);
    if (before !== text) this.fireChanged();
  }

  /** LaTeX texts by path: the workspace's files with every open LaTeX buffer over them. */
  private async texTexts(document: vscode.TextDocument): Promise<Map<string, string>> {
    await this.ensureScanned();
    const files = this.texPaths();
    for (const open of vscode.workspace.textDocuments) {
      if (open.uri.scheme === document.uri.scheme && flavorForLanguage(open.languageId, open.fileName) === 'latex') files.set(open.uri.path, open.getText());
    }
    files.set(document.uri.path, document.getText());
    // A root created a moment ago may not have reached the watcher yet.
    const found = isTexRoot(document.getText()) ? document.uri.path : findTexRoot(document.uri.path, files);
    if (!found || !isTexRoot(files.get(found) ?? '')) {
      const root = await this.findUnseenRoot(document);
      if (root) files.set(root.path, root.text);
    }
    return files;
  }

  private texPaths(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, text] of this.texts) if (/\.(?:tex|ltx)$/i.test(key)) out.set(vscode.Uri.parse(key).path, text);
    return out;
  }

  private lastRootSearch = 0;

  /** A .tex file the scan has not seen that might be the document's root (searched at most every 2 s). */
  private async findUnseenRoot(document: vscode.TextDocument): Promise<{ path: string; text: string } | undefined> {
    if (!vscode.workspace.workspaceFolders?.length || Date.now() - this.lastRootSearch < 2000) return undefined;
    this.lastRootSearch = Date.now();
    const uris = await vscode.workspace.findFiles('**/*.{tex,ltx}', EXCLUDE, MAX_DOCUMENTS);
    let found = false;
    for (const uri of uris) {
      if (this.texts.has(uri.toString()) || uri.toString() === document.uri.toString()) continue;
      const text = await readText(uri, MAX_DOCUMENT_BYTES);
      if (text === undefined) continue;
      this.texts.set(uri.toString(), text);
      found = true;
    }
    // What they declare joins the library now, not when the watcher gets round to them.
    if (found) this.fireChanged();
    const files = this.texPaths();
    files.set(document.uri.path, document.getText());
    const root = findTexRoot(document.uri.path, files);
    return root ? { path: root, text: files.get(root) ?? '' } : undefined;
  }

  /** The nearest Quarto project file around a document, from what the model holds (synchronous: the Markdown preview asks). */
  quartoProjectOf(uri: vscode.Uri): { text: string; dir: string } | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || uri.scheme === 'untitled') return undefined;
    const top = folder.uri.path.replace(/\/$/, '');
    for (let dir = dirName(uri.path); dir.length >= top.length; dir = dirName(dir)) {
      for (const name of QUARTO_NAMES) {
        const candidate = uri.with({ path: joinPath(dir, name) });
        const text = openDocument(candidate)?.getText() ?? this.texts.get(candidate.toString());
        if (text !== undefined) return { text, dir: candidate.with({ path: dir }).fsPath };
      }
      if (dir === '/' || dir === top) break;
    }
    return undefined;
  }

  /** Bibliographies of the nearest Quarto project around a document, resolved against the project's folder. */
  private async quartoBibliographies(uri: vscode.Uri): Promise<string[]> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || uri.scheme === 'untitled') return [];
    await this.ensureScanned();
    const top = folder.uri.path.replace(/\/$/, '');
    for (let dir = dirName(uri.path); dir.length >= top.length; dir = dirName(dir)) {
      for (const name of QUARTO_NAMES) {
        const candidate = uri.with({ path: joinPath(dir, name) });
        const text = openDocument(candidate)?.getText() ?? this.texts.get(candidate.toString()) ?? (await this.readUnseen(candidate));
        if (text !== undefined) return quartoProjectBibliographies(text).map((p) => joinPath(dir, p));
      }
      if (dir === '/' || dir === top) break;
    }
    return [];
  }

  /** A project file created a moment ago, before the watcher told of it: read now and kept. */
  private async readUnseen(uri: vscode.Uri): Promise<string | undefined> {
    const text = await readText(uri, MAX_DOCUMENT_BYTES);
    if (text !== undefined && this.texts.get(uri.toString()) !== text) {
      this.texts.set(uri.toString(), text);
      this.fireChanged();
    }
    return text;
  }

  private remember(uri: vscode.Uri, text: string, version: string): BibFileState {
    const path = uri.path;
    const entries = /\.json$/i.test(path) ? cslJsonEntries(text) : /\.ya?ml$/i.test(path) ? yamlReferenceEntries(text) : scanBibEntries(text);
    const state: BibFileState = { uri, exists: true, text, entries, version };
    this.bibStates.set(uri.toString(), state);
    return state;
  }

  private fireChanged(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, 150);
  }

  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.disposables.forEach((d) => d.dispose());
  }
}

function isBibliographyPath(path: string): boolean {
  return isBibtexPath(path) || /\.(?:json|ya?ml)$/i.test(path);
}

function isDocumentPath(path: string): boolean {
  return /\.(?:tex|ltx|md|markdown|qmd|rmd)$/i.test(path) || /_quarto\.ya?ml$/i.test(path);
}

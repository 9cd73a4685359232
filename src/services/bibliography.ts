import * as vscode from 'vscode';
import { cslJsonEntries, declaredBibliographies, isBibtexPath, quartoProjectBibliographies, scanBibEntries, yamlReferenceEntries, type BibEntrySummary } from '../core/bib-file';
import { flavorForLanguage, type CiteFlavor } from '../core/cite-syntax';
import { parseBibtexLibrary, parseCslJsonLibrary } from '../core/library';
import { dirName, findTexRoot, isTexRoot, joinPath, projectBibliographies } from '../core/tex-project';
import type { Paper } from '../core/types';
import { SECTION, SETTINGS } from '../ids';
import { readConfig } from './config';
import { Log } from './log';

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

/** A .bib file as it is now: the open editor buffer when there is one, else the file on disk. */
export interface BibFileState {
  uri: vscode.Uri;
  exists: boolean;
  text: string;
  entries: BibEntrySummary[];
  /** Changes whenever the text may have changed; a cache key. */
  version: string;
}

/** .tex files above this size are not read while looking for a project's root. */
const MAX_TEX_BYTES = 2_000_000;
const MAX_TEX_FILES = 2000;
/** A part no root includes looks for new .tex files at most this often (it is checked after every typing pause). */
const RESCAN_INTERVAL_MS = 2000;
const QUARTO_PROJECT_FILES = ['_quarto.yml', '_quarto.yaml'];
const EXCLUDE = '{**/node_modules/**,**/.git/**}';

/**
 * Finds and reads the bibliography of LaTeX and Markdown documents: declarations in the document,
 * its LaTeX project root (magic comment, subfiles parent or the file that `\input`s it) or Quarto
 * project, or the `litcite.bibFile` setting. Reads each .bib from its open buffer or from disk,
 * caching what was scanned until the text changes.
 */
export class BibliographyService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when a .bib, a .tex project file, a Quarto project file or the setting changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly states = new Map<string, BibFileState>();
  private readonly parsed = new Map<string, { version: string; byKey: Map<string, Paper | null> }>();
  private texFiles: Promise<Map<string, string>> | undefined;
  private readonly quartoFiles = new Map<string, Promise<string | undefined>>();
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRescan = 0;

  constructor(private readonly log: Log) {
    const bibWatcher = vscode.workspace.createFileSystemWatcher('**/*.{bib,bibtex}');
    const texWatcher = vscode.workspace.createFileSystemWatcher('**/*.{tex,ltx}');
    const quartoWatcher = vscode.workspace.createFileSystemWatcher('**/_quarto.{yml,yaml}');
    const rereadTex = (uri: vscode.Uri): void => {
      void this.texFiles?.then(async (files) => {
        const text = await readText(uri, MAX_TEX_BYTES);
        if (text === undefined) files.delete(uri.path);
        else files.set(uri.path, text);
        this.fireChanged();
      });
    };
    const forgetQuarto = (): void => {
      this.quartoFiles.clear();
      this.fireChanged();
    };
    this.disposables.push(
      bibWatcher,
      texWatcher,
      quartoWatcher,
      bibWatcher.onDidChange(() => this.fireChanged()),
      bibWatcher.onDidCreate(() => this.fireChanged()),
      bibWatcher.onDidDelete(() => this.fireChanged()),
      texWatcher.onDidCreate(rereadTex),
      texWatcher.onDidDelete(rereadTex),
      texWatcher.onDidChange(rereadTex),
      quartoWatcher.onDidCreate(forgetQuarto),
      quartoWatcher.onDidDelete(forgetQuarto),
      quartoWatcher.onDidChange(forgetQuarto),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isBibUri(e.document.uri) && e.contentChanges.length) this.fireChanged();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (isBibUri(d.uri)) this.fireChanged();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${SETTINGS.bibFile}`)) this.fireChanged();
      }),
    );
  }

  /** The .bib files `document` uses, first the one new entries go into. */
  async resolve(document: vscode.TextDocument): Promise<DocumentBibliography> {
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    const setting = readConfig(document.uri).bibFile.trim();
    if (flavor === 'latex') {
      let files = await this.projectTexts(document);
      let rootPath = findTexRoot(document.uri.path, files);
      if (!rootPath && !isTexRoot(document.getText()) && Date.now() - this.lastRescan > RESCAN_INTERVAL_MS) {
        // a root created moments ago may not have reached the watcher yet
        this.lastRescan = Date.now();
        files = await this.projectTexts(document, true);
        rootPath = findTexRoot(document.uri.path, files);
      }
      const root = rootPath ? document.uri.with({ path: rootPath }) : undefined;
      if (setting) return { flavor, files: [this.settingUri(document, setting)], origin: 'setting', root };
      return this.latexBibliography(document, files, root);
    }
    if (setting) return { flavor, files: [this.settingUri(document, setting)], origin: 'setting' };
    if (flavor === 'markdown') return this.markdownBibliography(document);
    return { flavor, files: [], origin: 'none' };
  }

  /** The current text and entry summaries of a .bib: its open buffer, else the file on disk, else empty. */
  async read(uri: vscode.Uri): Promise<BibFileState> {
    const key = uri.toString();
    const open = openDocument(uri);
    if (open) {
      const version = `open:${open.version}`;
      const cached = this.states.get(key);
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
    const cached = this.states.get(key);
    if (cached?.version === version) return cached;
    try {
      const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      return this.remember(uri, text, version);
    } catch (err) {
      this.log.warn(`could not read ${uri.toString(true)}: ${(err as Error).message}`);
      return { uri, exists: false, text: '', entries: [], version: 'unreadable' };
    }
  }

  /**
   * The entries of a .bib whose keys `wanted` accepts, as papers (for hover and completion of keys
   * the library lacks). Each entry is parsed alone, once per version of the file: a 10,000-entry
   * .bib takes over a second to parse whole, and usually only a few entries are asked for.
   * `@string` macros defined elsewhere in the file stay unexpanded. A CSL-JSON file is parsed
   * whole; a YAML bibliography gives no papers (its keys are only read, see {@link entriesOf}).
   */
  async papers(uri: vscode.Uri, wanted: (key: string) => boolean): Promise<Paper[]> {
    const state = await this.read(uri);
    if (isJsonPath(uri.path)) return parseCslJsonLibrary(state.text, vscode.workspace.asRelativePath(uri)).papers.filter((p) => wanted(p.id));
    if (isYamlPath(uri.path)) return [];
    const cacheKey = uri.toString();
    let cache = this.parsed.get(cacheKey);
    if (cache?.version !== state.version) {
      cache = { version: state.version, byKey: new Map() };
      this.parsed.set(cacheKey, cache);
    }
    const name = vscode.workspace.asRelativePath(uri);
    const papers: Paper[] = [];
    for (const entry of state.entries) {
      if (!wanted(entry.key)) continue;
      let paper = cache.byKey.get(entry.key);
      if (paper === undefined) {
        const parsed = parseBibtexLibrary(state.text.slice(entry.span.start, entry.span.end), name).papers[0];
        paper = parsed ? { ...parsed, sourceLine: entry.line } : null;
        cache.byKey.set(entry.key, paper);
      }
      if (paper) papers.push(paper);
    }
    return papers;
  }

  /** Entry summaries of every .bib `document` uses, and whether it declares any. */
  async entriesFor(document: vscode.TextDocument): Promise<{ bibliography: DocumentBibliography; states: BibFileState[] }> {
    const bibliography = await this.resolve(document);
    const states = await Promise.all(bibliography.files.map((f) => this.read(f)));
    return { bibliography, states };
  }

  /** Forgets what was read from disk, e.g. after writing a file. */
  forget(uri: vscode.Uri): void {
    this.states.delete(uri.toString());
  }

  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.disposables.forEach((d) => d.dispose());
  }

  private remember(uri: vscode.Uri, text: string, version: string): BibFileState {
    const state: BibFileState = { uri, exists: true, text, entries: entriesOf(uri, text), version };
    this.states.set(uri.toString(), state);
    return state;
  }

  private fireChanged(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, 100);
  }

  private settingUri(document: vscode.TextDocument, setting: string): vscode.Uri {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const expanded = folder ? setting.replace(/\$\{workspaceFolder\}/g, folder.uri.path) : setting;
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(expanded)) return vscode.Uri.parse(expanded);
    if (/^(?:\/|[A-Za-z]:[\\/])/.test(expanded)) return vscode.Uri.file(expanded);
    const base = folder?.uri ?? document.uri.with({ path: dirName(document.uri.path) });
    return base.with({ path: joinPath(base.path, expanded) });
  }

  private async latexBibliography(
    document: vscode.TextDocument,
    files: Map<string, string>,
    root: vscode.Uri | undefined,
  ): Promise<DocumentBibliography> {
    const rootPath = root?.path ?? document.uri.path;
    if (root && !files.has(rootPath)) {
      const text = await readText(root);
      if (text !== undefined) files.set(rootPath, text);
    }
    const paths = projectBibliographies(rootPath, files);
    const origin = !paths.length ? 'none' : root && root.path !== document.uri.path ? 'project' : 'document';
    return { flavor: 'latex', files: paths.map((p) => document.uri.with({ path: p })), origin, root };
  }

  private async markdownBibliography(document: vscode.TextDocument): Promise<DocumentBibliography> {
    const dir = dirName(document.uri.path);
    const own = declaredBibliographies(document.getText(), 'markdown').map((p) => joinPath(dir, p));
    const project = await this.quartoBibliographies(document);
    const paths = [...new Set([...own, ...project])];
    return {
      flavor: 'markdown',
      files: paths.map((p) => document.uri.with({ path: p })),
      origin: own.length ? 'document' : project.length ? 'quarto' : 'none',
    };
  }

  /** Bibliographies of the nearest Quarto project around the document, resolved against the project folder. */
  private async quartoBibliographies(document: vscode.TextDocument): Promise<string[]> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder || document.uri.scheme === 'untitled') return [];
    const top = folder.uri.path.replace(/\/$/, '');
    for (let dir = dirName(document.uri.path); dir.length >= top.length; dir = dirName(dir)) {
      for (const name of QUARTO_PROJECT_FILES) {
        const uri = document.uri.with({ path: joinPath(dir, name) });
        const text = await this.quartoText(uri);
        if (text !== undefined) return quartoProjectBibliographies(text).map((p) => joinPath(dir, p));
      }
      if (dir === '/' || dir === top) break;
    }
    return [];
  }

  private quartoText(uri: vscode.Uri): Promise<string | undefined> {
    const key = uri.toString();
    let pending = this.quartoFiles.get(key);
    if (!pending) {
      pending = openDocument(uri) ? Promise.resolve(openDocument(uri)?.getText()) : readText(uri);
      this.quartoFiles.set(key, pending);
    }
    return pending;
  }

  /**
   * The workspace's .tex files by path (read once, then kept current file by file from the watcher),
   * with every open LaTeX buffer's current text over them.
   */
  private async projectTexts(document: vscode.TextDocument, rescan = false): Promise<Map<string, string>> {
    this.texFiles ??= this.readWorkspaceTex();
    if (rescan) await this.addUnseenTex(await this.texFiles);
    const files = new Map(await this.texFiles);
    for (const open of vscode.workspace.textDocuments) {
      if (open.uri.scheme === document.uri.scheme && flavorForLanguage(open.languageId, open.fileName) === 'latex') {
        files.set(open.uri.path, open.getText());
      }
    }
    files.set(document.uri.path, document.getText());
    return files;
  }

  private async readWorkspaceTex(): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    const started = performance.now();
    await this.addUnseenTex(files);
    this.log.info(`read ${files.size} .tex file(s) to find project roots in ${(performance.now() - started).toFixed(0)} ms`);
    return files;
  }

  /** Reads the workspace's .tex files that `files` does not hold yet. */
  private async addUnseenTex(files: Map<string, string>): Promise<void> {
    if (!vscode.workspace.workspaceFolders?.length) return;
    const uris = await vscode.workspace.findFiles('**/*.{tex,ltx}', EXCLUDE, MAX_TEX_FILES);
    await Promise.all(
      uris.filter((uri) => !files.has(uri.path)).map(async (uri) => {
        const text = await readText(uri, MAX_TEX_BYTES);
        if (text !== undefined) files.set(uri.path, text);
      }),
    );
  }
}

/** The open text document for a URI, if VS Code has it loaded. */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/** Whether a file shows in an editor tab (or has unsaved changes): then edits go into its buffer and stay unsaved. */
export function isOpenInEditor(uri: vscode.Uri): boolean {
  const key = uri.toString();
  if (openDocument(uri)?.isDirty) return true;
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key),
  );
}

function isBibUri(uri: vscode.Uri): boolean {
  return isBibtexPath(uri.path);
}

function isJsonPath(path: string): boolean {
  return /\.json$/i.test(path);
}

function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * The entries of a bibliography file by its kind: CSL-JSON items by `id`; a YAML bibliography's
 * `id:` keys, read line by line rather than parsed, so its keys count as present even though
 * LitCite cannot show their records; anything else as BibTeX.
 */
function entriesOf(uri: vscode.Uri, text: string): BibEntrySummary[] {
  if (isJsonPath(uri.path)) return cslJsonEntries(text);
  if (isYamlPath(uri.path)) return yamlReferenceEntries(text);
  return scanBibEntries(text);
}

async function readText(uri: vscode.Uri, maxBytes = Infinity): Promise<string | undefined> {
  try {
    if (maxBytes < Infinity && (await vscode.workspace.fs.stat(uri)).size > maxBytes) return undefined;
    return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

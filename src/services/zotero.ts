/**
 * The user's Zotero libraries as sources of the library: each configured library synced by a
 * ZoteroLibrarySync (src/node/zotero), restored from its saved copy at start, then polled (every
 * few seconds from the desktop app, every minute from zotero.org, backing off while Zotero is
 * away or asks for a pause). Papers go to the library view as `zotero:<library>` sources, filtered
 * by the configured collections; the status bar says how the connection is and what fixes it.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { toBibtex } from '../core/bibtex';
import type { Paper } from '../core/types';
import { describeZoteroStatus, isConnected, localApiReach, type ZoteroStatus } from '../core/zotero/status';
import { isInCollections } from '../core/zotero/map';
import { parseLibraryRef } from '../core/zotero/types';
import { ZoteroHttp } from '../node/zotero/http';
import { DEFAULT_LOCAL_API_URL, DEFAULT_WEB_API_URL, ZoteroLibrarySync, type PdfTarget } from '../node/zotero/library';
import { COMMANDS, CONTEXT, SECRETS, SECTION, SETTINGS } from '../ids';
import type { ConfigDispatcher } from './config';
import { readConfig } from './config';
import type { LibraryService } from './library-service';
import type { Log } from './log';

interface Connection {
  sync: ZoteroLibrarySync;
  timer?: ReturnType<typeof setTimeout>;
  lastStatus?: string;
}

/** See the module comment. */
export class ZoteroService implements vscode.Disposable {
  private connections: Connection[] = [];
  private readonly statusItem = vscode.window.createStatusBarItem('litcite.zotero', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a library's papers or the connection status changed. */
  readonly onDidChange = this.changed.event;
  private generation = 0;

  constructor(
    private readonly library: LibraryService,
    private readonly secrets: vscode.SecretStorage,
    private readonly storageDir: string,
    config: ConfigDispatcher,
    private readonly log: Log,
  ) {
    this.statusItem.name = 'LitCite Zotero';
    this.statusItem.command = COMMANDS.zoteroStatus;
    this.disposables.push(
      this.statusItem,
      this.changed,
      config.on([SETTINGS.zoteroEnabled, SETTINGS.zoteroSource, SETTINGS.zoteroLibraries, SETTINGS.zoteroCollections, SETTINGS.zoteroLocalApiUrl, SETTINGS.zoteroWebApiUrl, SETTINGS.keyTemplate], () => void this.restart()),
      secrets.onDidChange((event) => {
        if (event.key === SECRETS.zoteroApiKey) void this.restart();
      }),
      // Back in the window: anything changed in Zotero meanwhile shows at once.
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) this.pollSoon();
      }),
    );
    void this.restart();
  }

  get enabled(): boolean {
    return vscode.workspace.getConfiguration(SECTION).get<boolean>(SETTINGS.zoteroEnabled, false) === true;
  }

  /** Each configured library's status. */
  get statuses(): ZoteroStatus[] {
    return this.connections.map((c) => c.sync.status);
  }

  /** Syncs every library now; resolves when all are done. */
  async syncNow(): Promise<ZoteroStatus[]> {
    await Promise.all(this.connections.map((c) => this.poll(c, this.generation)));
    return this.statuses;
  }

  /** The connection a paper came from. */
  private connectionOf(paper: Paper): Connection | undefined {
    return this.connections.find((c) => paper.source === `zotero:${c.sync.libraryRef}`);
  }

  /** Where a Zotero paper's PDF opens: its file here, or Zotero's reader. */
  async pdfTarget(paper: Paper): Promise<PdfTarget | undefined> {
    const connection = this.connectionOf(paper);
    if (connection) return connection.sync.pdfTarget(paper.id);
    const attachment = paper.extra?.attachments?.find((a) => a.path || a.uri);
    if (attachment?.path) return { kind: 'file', path: attachment.path };
    return attachment?.uri ? { kind: 'uri', uri: attachment.uri } : undefined;
  }

  /**
   * The BibTeX for a Zotero paper: Better BibTeX's own export when it runs (byte for byte what the
   * user's Zotero would export), else LitCite's mapping.
   */
  async entryText(paper: Paper, options: { includeAbstract?: boolean } = {}): Promise<string> {
    const exported = await this.connectionOf(paper)?.sync.betterBibtexExport([paper.id]);
    if (exported?.trim()) return exported.endsWith('\n') ? exported : `${exported}\n`;
    return toBibtex(paper, options);
  }

  /** Stops every library and starts them again from the settings. */
  private async restart(): Promise<void> {
    const generation = ++this.generation;
    for (const connection of this.connections) {
      if (connection.timer) clearTimeout(connection.timer);
      connection.sync.dispose();
      this.library.removeExtraSource(`zotero:${connection.sync.libraryRef}`);
    }
    this.connections = [];
    void vscode.commands.executeCommand('setContext', CONTEXT.zoteroEnabled, this.enabled);
    if (!this.enabled) {
      this.statusItem.hide();
      this.changed.fire();
      return;
    }
    const c = vscode.workspace.getConfiguration(SECTION);
    const via = c.get<string>(SETTINGS.zoteroSource, 'local') === 'web' ? 'web' : 'local';
    const apiKey = via === 'web' ? (await this.secrets.get(SECRETS.zoteroApiKey)) || undefined : undefined;
    if (generation !== this.generation) return;
    const listed = c.get<string[]>(SETTINGS.zoteroLibraries, ['users/0']);
    const libraries = [...new Set((Array.isArray(listed) && listed.length ? listed : ['users/0']).filter((l) => typeof l === 'string' && l.trim()))];
    const http = new ZoteroHttp();
    const stateDir = path.join(this.storageDir, 'zotero');
    const reach = via === 'local' ? localApiReach(vscode.env.remoteName) : { likelyUnreachable: false };
    if (reach.likelyUnreachable && reach.message) this.log.warn(`Zotero: ${reach.message}`);
    for (const library of libraries) {
      if (!parseLibraryRef(library)) this.log.warn(`Zotero: "${library}" is not a library (users/<id> or groups/<id>)`);
      const sync = new ZoteroLibrarySync({
        library,
        via,
        localApiUrl: c.get<string>(SETTINGS.zoteroLocalApiUrl) || DEFAULT_LOCAL_API_URL,
        webApiUrl: c.get<string>(SETTINGS.zoteroWebApiUrl) || DEFAULT_WEB_API_URL,
        apiKey,
        keyTemplate: readConfig().keyTemplate,
        takenKeys: () => this.keysOutsideZotero(),
        stateDir,
        http,
        remoteName: vscode.env.remoteName,
      });
      this.connections.push({ sync });
    }
    this.showStatus();
    // The saved copies first (the library is searchable before Zotero answers), then live syncs.
    await Promise.all(this.connections.map(async (connection) => {
      try {
        if (await connection.sync.restore()) this.publish(connection);
      } catch (err) {
        this.log.warn(`Zotero: the saved copy of ${connection.sync.libraryRef} could not be read (${(err as Error).message}); syncing from scratch`);
      }
      if (generation === this.generation) await this.poll(connection, generation);
    }));
  }

  /** One sync of a library, then the next one scheduled as its status says. */
  private async poll(connection: Connection, generation: number): Promise<void> {
    if (connection.timer) clearTimeout(connection.timer);
    connection.timer = undefined;
    const result = await connection.sync.sync();
    if (generation !== this.generation) return;
    if (result.changed) this.publish(connection);
    const words = describeZoteroStatus(result.status);
    if (words.short !== connection.lastStatus) {
      connection.lastStatus = words.short;
      (isConnected(result.status) ? this.log.info : this.log.warn).call(this.log, `Zotero ${connection.sync.libraryRef}: ${words.detail}${words.fix ? ` ${words.fix}` : ''}`);
      this.changed.fire();
    }
    this.showStatus();
    const delay = connection.sync.nextPollDelay();
    if (Number.isFinite(delay)) connection.timer = setTimeout(() => void this.poll(connection, generation), delay);
  }

  private pollSoon(): void {
    for (const connection of this.connections) {
      if (connection.timer && isConnected(connection.sync.status)) void this.poll(connection, this.generation);
    }
  }

  /** Hands a library's papers (in the configured collections) to the library view. */
  private publish(connection: Connection): void {
    const wanted = collectionPaths(vscode.workspace.getConfiguration(SECTION).get<string[]>(SETTINGS.zoteroCollections, []));
    const papers = connection.sync.papers.filter((p) => isInCollections(p, wanted));
    const status = connection.sync.status;
    const name = status.code === 'connected' ? status.libraryName : connection.sync.libraryRef;
    this.library.setExtraSource({ id: `zotero:${connection.sync.libraryRef}`, kind: 'zotero', label: `Zotero: ${name}`, papers });
    this.changed.fire();
  }

  private keysOutsideZotero(): ReadonlySet<string> {
    const keys = new Set<string>();
    for (const paper of this.library.papers) if (!paper.source?.startsWith('zotero:')) keys.add(paper.id);
    return keys;
  }

  private showStatus(): void {
    if (!this.connections.length) {
      this.statusItem.hide();
      return;
    }
    const statuses = this.statuses;
    const problem = statuses.find((s) => !isConnected(s) && s.code !== 'connecting');
    const shown = problem ?? statuses[0]!;
    const words = describeZoteroStatus(shown);
    const connected = statuses.filter(isConnected);
    const total = connected.reduce((n, s) => n + (s.code === 'connected' ? s.itemCount : 0), 0);
    this.statusItem.text = problem
      ? `$(warning) ${words.short}`
      : statuses.length > 1 && connected.length === statuses.length
        ? `$(library) Zotero: ${statuses.length} libraries (${total.toLocaleString('en-US')})`
        : `$(library) ${words.short}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    for (const status of statuses) {
      const text = describeZoteroStatus(status);
      tooltip.appendText(`${text.detail}${text.fix ? `\n${text.fix}` : ''}\n\n`);
    }
    tooltip.appendMarkdown('Click for details and fixes.');
    this.statusItem.tooltip = tooltip;
    this.statusItem.backgroundColor = problem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.statusItem.show();
  }

  dispose(): void {
    this.generation++;
    for (const connection of this.connections) {
      if (connection.timer) clearTimeout(connection.timer);
      connection.sync.dispose();
    }
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Collection paths as the setting gives them (`Thesis/Chapter 2`) in the form papers carry (`Thesis / Chapter 2`). */
export function collectionPaths(listed: unknown): string[] {
  if (!Array.isArray(listed)) return [];
  return listed
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.split('/').map((part) => part.trim()).filter(Boolean).join(' / '))
    .filter(Boolean);
}

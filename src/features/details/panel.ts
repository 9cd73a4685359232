import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { venueAndYear } from '../../core/render';
import { displayName, Paper, Span } from '../../core/types';
import { COMMANDS, WEBVIEWS } from '../../ids';
import { sourceLabel } from '../../services/editor-io';
import type { LibraryService } from '../../services/library-service';
import type { Services } from '../../services/services';
import { FromWebview, PaperAction, PaperView, parseFromWebview, RelatedListView, ToWebview } from './protocol';
import { formattedHtmlToRuns } from '../../core/format/html';
import { keysForWorks } from '../../core/online/merge-works';
import { describeOutcome } from '../../core/online/types';
import { paperDescription } from '../../core/render';
import { readConfig } from '../../services/config';
import type { StyleInForce } from '../../services/formatting';

/** A nonce for the script tag: the CSP runs only the script carrying it. */
function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

/** The page shell: no paper text in it; the paper arrives by message and is set as text. */
function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'details.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'details.css'));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.css'));
  const n = nonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${codicons}" rel="stylesheet">
<link href="${style}" rel="stylesheet">
<title>Paper</title>
</head>
<body>
<main id="root" aria-live="polite"></main>
<div id="status" role="status"></div>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}

/** What the panel shows, kept so it can re-render after a library change. */
interface Shown {
  key: string;
  query?: string;
  highlights: Span[];
  /** A paper not in the library (found online), shown as given. */
  paper?: Paper;
}

/**
 * The one reusable paper panel, beside the editor. Survives window reloads through a serializer
 * and keeps its scroll position via the webview's own state.
 */
export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private shown: Shown | undefined;
  private webviewReady = false;
  /** What the page last reported showing (a `rendered` message). */
  lastRendered: Extract<FromWebview, { type: 'rendered' }> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** The style chosen in the panel's switcher (else the active document's style). */
  private style: string | undefined;
  /** Papers of the related lists shown, by key (most are not in the library). */
  private related = new Map<string, Paper>();
  private relatedRequest: AbortController | undefined;
  private readonly library: LibraryService;

  constructor(private readonly extensionUri: vscode.Uri, private readonly services: Services) {
    const library = services.library;
    this.library = library;
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(WEBVIEWS.details, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const key = typeof state === 'object' && state !== null && typeof (state as { key?: unknown }).key === 'string' ? (state as { key: string }).key : undefined;
          const query = typeof state === 'object' && state !== null && typeof (state as { query?: unknown }).query === 'string' ? (state as { query: string }).query : undefined;
          await this.library.ready;
          this.adopt(panel);
          if (key) this.shown = { key, query, highlights: [] };
        },
      }),
      library.onDidChange(() => this.post()),
    );
  }

  /** The panel currently open, for tests. */
  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  /** The key shown, if any. */
  get shownKey(): string | undefined {
    return this.shown?.key;
  }

  /** Shows a paper, opening the panel beside the editor or reusing it. */
  show(paper: Paper, query?: string, highlights: Span[] = []): void {
    this.relatedRequest?.abort();
    this.shown = { key: paper.id, query, highlights, ...(this.library.byKey(paper.id) === paper ? {} : { paper }) };
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(WEBVIEWS.details, paper.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
      this.adopt(panel);
    } else {
      this.panel.reveal(undefined, true);
      this.post();
    }
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.webviewReady = false;
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'paper.svg');
    panel.webview.html = pageHtml(panel.webview, this.extensionUri);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(parseFromWebview(raw))),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.webviewReady = false;
        subscriptions.forEach((d) => d.dispose());
      }),
    ];
  }

  private receive(message: FromWebview | undefined): void {
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        if (!this.shown && message.restoredKey) this.shown = { key: message.restoredKey, highlights: [] };
        this.post();
        break;
      case 'rendered':
        this.lastRendered = message;
        break;
      case 'setStyle':
        this.setStyle(message.style);
        break;
      case 'openRelated': {
        const paper = this.library.byKey(message.key) ?? this.related.get(message.key);
        if (paper) this.show(paper);
        break;
      }
      case 'action':
        void this.act(message.action, message.key);
        break;
    }
  }

  /** Shows the reference in another style (the switcher); the document's style when undefined. */
  setStyle(style: string | undefined): void {
    this.style = style;
    this.post();
  }

  /** The paper a webview message names: the library's, or the one shown from outside it. */
  private paperFor(key: string): Paper | undefined {
    return this.library.byKey(key) ?? (this.shown?.key === key ? this.shown.paper : undefined);
  }

  private async act(action: PaperAction, key: string): Promise<void> {
    let paper = this.paperFor(key);
    if (!paper) {
      void vscode.window.showWarningMessage(`LitCite: the paper "${key}" is no longer in the library.`);
      return;
    }
    switch (action) {
      case 'openDoi':
        if (paper.DOI) void vscode.env.openExternal(vscode.Uri.parse(`https://doi.org/${encodeURI(paper.DOI)}`, true));
        return;
      case 'findRelated':
        return this.findRelated(paper);
      case 'copyReference': {
        const style = this.styleInForce();
        await vscode.env.clipboard.writeText(this.services.formatting.formatEntry(paper, style, 'text'));
        this.send({ type: 'copied', what: 'reference' });
        return;
      }
      case 'addToLibrary':
      case 'insertCitation':
        // A paper from outside the library joins it (as a fetched paper) before it is cited.
        if (!this.library.byKey(paper.id) || this.shown?.paper) {
          paper = await this.services.online.adopt(paper, paper.id);
          if (this.shown?.key === key) this.shown = { key: paper.id, highlights: [] };
          this.post();
        }
        if (action === 'addToLibrary') return;
        void vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: [paper.id] });
        return;
      default: {
        const commandFor = {
          copyBibtex: COMMANDS.copyBibtex,
          copyKey: COMMANDS.copyKey,
          openArxiv: COMMANDS.openArxiv,
          openCode: COMMANDS.openCode,
          openPdf: COMMANDS.openPdf,
          showInZotero: COMMANDS.showInZotero,
        } as const;
        const argument = this.library.byKey(paper.id) ? paper.id : { paper };
        await vscode.commands.executeCommand(commandFor[action], argument);
        if (action === 'copyBibtex' || action === 'copyKey') this.send({ type: 'copied', what: action === 'copyBibtex' ? 'bibtex' : 'key' });
      }
    }
  }

  /** Looks up the paper's references, citing papers and recommendations and lists them in the panel. */
  private async findRelated(paper: Paper): Promise<void> {
    this.relatedRequest?.abort();
    const controller = new AbortController();
    this.relatedRequest = controller;
    if (!this.services.online.enabled && !(await this.services.online.askConsent())) return;
    this.send({ type: 'related', key: paper.id, lists: [], message: 'Looking up related papers…' });
    const result = await this.services.online.related(paper, controller.signal);
    if (controller.signal.aborted || this.shown?.key !== paper.id) return;
    if (!result) return this.send({ type: 'related', key: paper.id, lists: [], message: 'Online search is off.' });
    if (!result.ok) return this.send({ type: 'related', key: paper.id, lists: [], message: 'This paper has no DOI or arXiv id to look it up by.' });
    this.related = new Map();
    const taken = new Set(this.library.papers.map((p) => p.id));
    const titles = { references: 'References', citing: 'Cited by', recommended: 'Recommended' } as const;
    const lists: RelatedListView[] = (['references', 'citing', 'recommended'] as const).map((kind) => {
      const list = result.lists[kind];
      const keys = keysForWorks(list.works, taken, readConfig().keyTemplate);
      const items = list.works.map((work, i) => {
        const key = keys[i]!;
        const shown = work.local ? work.paper : { ...work.paper, id: key };
        this.related.set(shown.id, shown);
        return { key: shown.id, title: shown.title, description: paperDescription(shown, 2), inLibrary: work.local };
      });
      return { kind, title: titles[kind], items, status: list.outcomes.map((o) => describeOutcome(o)).join(' · ') };
    });
    this.send({ type: 'related', key: paper.id, lists });
  }

  /** The style the reference is shown in: the switcher's, else the active document's. */
  private styleInForce(): StyleInForce {
    const document = vscode.window.activeTextEditor?.document;
    const documentStyle = this.services.formatting.styleFor(document?.uri, document?.getText());
    if (!this.style || this.style === documentStyle.name) return documentStyle;
    return this.services.formatting.bundledStyle(this.style) ?? documentStyle;
  }

  private send(message: ToWebview): void {
    if (this.panel && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  private post(): void {
    void this.postNow();
  }

  private async postNow(): Promise<void> {
    if (!this.panel || !this.shown || !this.webviewReady) return;
    const shown = this.shown;
    const paper = this.library.byKey(shown.key) ?? shown.paper;
    if (!paper) return;
    this.panel.title = paper.title.length > 40 ? `${paper.title.slice(0, 38)}…` : paper.title;
    // Opened from a search: the words that matched are highlighted in the abstract.
    let highlights = shown.highlights;
    if (!highlights.length && shown.query) {
      const hit = this.library.search(shown.query, 500).find((h) => h.paper.id === paper.id);
      highlights = hit?.matches.find((m) => m.field === 'abstract')?.ranges ?? [];
    }
    const bibtex = await this.library.entryText(paper);
    if (this.shown !== shown) return;
    const view = toPaperView(paper, bibtex, highlights);
    try {
      const style = this.styleInForce();
      view.reference = { style: style.name, runs: formattedHtmlToRuns(this.services.formatting.formatEntry(paper, style, 'html')), ...(style.notice ? { notice: style.notice } : {}) };
    } catch (err) {
      this.services.log.warn(`formatting ${paper.id} for the details panel failed: ${(err as Error).message}`);
    }
    view.styles = this.services.formatting.bundledStyles();
    view.online = Boolean(shown.paper);
    view.related = Boolean((paper.DOI || paper.arxiv) && (this.services.online.enabled || this.services.online.canAsk));
    this.send({ type: 'show', paper: view, query: shown.query });
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function toPaperView(paper: Paper, bibtex: string, highlights: Span[]): PaperView {
  return {
    key: paper.id,
    title: paper.title,
    authors: paper.author.map(displayName),
    published: venueAndYear(paper) || 'Unknown',
    arxiv: paper.arxiv,
    doi: paper.DOI,
    url: paper.URL,
    code: paper.code,
    titleRuns: paper.titleRich,
    source: `${sourceLabel(paper.source)}${paper.sourceLine && paper.source !== 'bundled' ? `, line ${paper.sourceLine}` : ''}`,
    abstract: paper.abstract ?? '',
    highlights,
    bibtex,
    styles: [],
    related: false,
    ...(paper.extra?.tags?.length ? { tags: paper.extra.tags } : {}),
    ...(paper.extra?.collections?.length ? { collections: paper.extra.collections } : {}),
    ...(paper.extra?.notesCount ? { notesCount: paper.extra.notesCount } : {}),
    ...(paper.extra?.attachments?.length ? { attachments: paper.extra.attachments.map((a) => a.title) } : {}),
    pdf: Boolean(paper.extra?.attachments?.some((a) => a.path || a.uri)),
    zotero: Boolean(paper.extra?.selectUri),
  };
}

/** Registers the details panel (and its serializer, so it survives window reloads). */
export function registerDetails(context: vscode.ExtensionContext, services: Services): void {
  const details = new DetailsPanel(context.extensionUri, services);
  services.views.details = details;
  context.subscriptions.push(details);
}

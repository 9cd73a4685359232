import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { venueAndYear } from '../../core/render';
import { displayName, Paper, Span } from '../../core/types';
import { COMMANDS, WEBVIEWS } from '../../ids';
import { LibraryService } from '../../services/library-service';
import { FromWebview, PaperView, parseFromWebview, ToWebview } from './protocol';

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

  constructor(private readonly extensionUri: vscode.Uri, private readonly library: LibraryService) {
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
    this.shown = { key: paper.id, query, highlights };
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
      case 'action': {
        const paper = this.library.byKey(message.key);
        if (!paper) {
          void vscode.window.showWarningMessage(`LitCite: the paper "${message.key}" is no longer in the library.`);
          return;
        }
        if (message.action === 'openDoi') {
          if (paper.DOI) void vscode.env.openExternal(vscode.Uri.parse(`https://doi.org/${encodeURI(paper.DOI)}`, true));
          return;
        }
        const commandFor = {
          insertCitation: COMMANDS.insertCitation,
          copyBibtex: COMMANDS.copyBibtex,
          copyKey: COMMANDS.copyKey,
          openArxiv: COMMANDS.openArxiv,
          openCode: COMMANDS.openCode,
        } as const;
        const args = message.action === 'insertCitation' ? { keys: [paper.id] } : paper.id;
        void vscode.commands.executeCommand(commandFor[message.action], args).then(() => {
          if (message.action === 'copyBibtex' || message.action === 'copyKey') {
            this.send({ type: 'copied', what: message.action === 'copyBibtex' ? 'bibtex' : 'key' });
          }
        });
        break;
      }
    }
  }

  private send(message: ToWebview): void {
    if (this.panel && this.webviewReady) void this.panel.webview.postMessage(message);
  }

  private post(): void {
    if (!this.panel || !this.shown || !this.webviewReady) return;
    const paper = this.library.byKey(this.shown.key);
    if (!paper) return;
    this.panel.title = paper.title.length > 40 ? `${paper.title.slice(0, 38)}…` : paper.title;
    let highlights = this.shown.highlights;
    if (!highlights.length && this.shown.query) {
      const hit = this.library.search(this.shown.query, 500).find((h) => h.paper.id === paper.id);
      highlights = hit?.matches.find((m) => m.field === 'abstract')?.ranges ?? [];
    }
    this.send({ type: 'show', paper: toPaperView(paper, this.library.bibtex(paper), highlights), query: this.shown.query });
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
    source: paper.source === 'bundled' || !paper.source ? 'Bundled library' : paper.source,
    abstract: paper.abstract ?? '',
    highlights,
    bibtex,
  };
}

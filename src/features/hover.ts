import * as vscode from 'vscode';
import { isDifferentWork } from '../core/bib-entries';
import { flavorForLanguage, keyAt } from '../core/cite-syntax';
import { escapeMarkdown, paperMarkdown } from '../core/render';
import { formattedHtmlToMarkdown } from '../core/format/html';
import type { Paper } from '../core/types';
import { COMMANDS } from '../ids';
import { toRange } from '../services/convert';
import { labelFor } from '../services/editor-io';
import type { Services } from '../services/services';
import { CITING_DOCUMENTS, commandUri } from './selectors';

const LINK_COMMANDS = [COMMANDS.openDetails, COMMANDS.copyBibtex, COMMANDS.openPdf, COMMANDS.showInZotero];

/**
 * Hover on a cited key: the library's summary of the paper with Open details / Copy BibTeX links,
 * or what the document's .bib says and a link to it when the library lacks the key or uses it for
 * a different paper (the .bib is what the document prints).
 */
export function registerHover(context: vscode.ExtensionContext, services: Services): void {
  const { library, bibLookup } = services;
  const provider: vscode.HoverProvider = {
    async provideHover(document, position) {
      const flavor = flavorForLanguage(document.languageId, document.fileName);
      if (!flavor) return undefined;
      const found = keyAt(document.getText(), document.offsetAt(position), flavor);
      if (!found) return undefined;
      const range = toRange(document, found.span);
      await library.ready;
      const libraryPaper = library.byKey(found.key);
      const fromBib = await bibLookup.entry(document, found.key);
      const paper = libraryPaper && !(fromBib && isDifferentWork(identity(libraryPaper), identity(fromBib.paper))) ? libraryPaper : undefined;
      if (paper) {
        const md = new vscode.MarkdownString(
          formattedReference(services, document, paper) + paperMarkdown(paper, {
            abstractChars: 400,
            links: [
              ['Open details', commandUri(COMMANDS.openDetails, [paper.id])],
              ['Copy BibTeX', commandUri(COMMANDS.copyBibtex, [paper.id])],
              // A Zotero paper: its PDF, and the item in the Zotero app.
              ...(paper.extra?.attachments?.length ? [['Open PDF', commandUri(COMMANDS.openPdf, [paper.id])] as [string, string]] : []),
              ...(paper.extra?.selectUri ? [['Show in Zotero', commandUri(COMMANDS.showInZotero, [paper.id])] as [string, string]] : []),
            ],
          }),
        );
        md.isTrusted = { enabledCommands: LINK_COMMANDS };
        return new vscode.Hover(md, range);
      }
      if (!fromBib) return undefined;
      const { paper: entry, uri } = fromBib;
      const where = `${labelFor(uri)}${entry.sourceLine ? `, line ${entry.sourceLine}` : ''}`;
      const target = entry.sourceLine ? uri.with({ fragment: `L${entry.sourceLine}` }) : uri;
      const md = new vscode.MarkdownString(formattedReference(services, document, entry) + paperMarkdown(entry, { abstractChars: 400, links: [[`Open in ${where}`, target.toString()]] }));
      return new vscode.Hover(md, range);
    },
  };
  context.subscriptions.push(vscode.languages.registerHoverProvider(CITING_DOCUMENTS, provider));
}

/**
 * The paper as the document's reference list will print it (its style: front matter, Quarto
 * project, settings), then a rule. Empty when formatting fails: the summary below still helps.
 */
function formattedReference(services: Services, document: vscode.TextDocument, paper: Paper): string {
  try {
    const style = services.formatting.styleFor(document.uri, document.getText());
    const html = services.formatting.formatEntry(paper, style, 'html');
    const label = `${style.name.toUpperCase()} style${style.notice ? ` (${style.notice})` : ''}`;
    return `${formattedHtmlToMarkdown(html, escapeMarkdown)}\n\n_${escapeMarkdown(label)}_\n\n---\n\n`;
  } catch (err) {
    services.log.warn(`formatting ${paper.id} for a hover failed: ${(err as Error).message}`);
    return '';
  }
}

function identity(paper: Paper): { doi?: string; arxiv?: string; title?: string } {
  return { doi: paper.DOI, arxiv: paper.arxiv, title: paper.title };
}

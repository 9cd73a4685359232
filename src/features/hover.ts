import * as vscode from 'vscode';
import { isDifferentWork } from '../core/bib-file';
import { flavorForLanguage, keyAt } from '../core/cite-syntax';
import { paperMarkdown } from '../core/render';
import type { Paper } from '../core/types';
import { COMMANDS } from '../ids';
import { BibliographyService } from '../services/bibliography';
import { toRange } from '../services/convert';
import { LibraryService } from '../services/library-service';

/** Documents LitCite reads citations in. */
export const CITING_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'latex' },
  { language: 'tex' },
  { language: 'markdown' },
  { language: 'quarto' },
  { language: 'rmd' },
  { pattern: '**/*.{tex,ltx}' },
  // .qmd and .Rmd files open as plain text without a Quarto or R extension
  { scheme: 'file', pattern: '**/*.{md,qmd,Rmd,rmd}' },
  { scheme: 'untitled', pattern: '**/*.{md,qmd,Rmd,rmd}' },
];

const LINK_COMMANDS = [COMMANDS.openDetails, COMMANDS.copyBibtex];

/** A `command:` link running `command` with `args`. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/**
 * Hover on a cited key: the library's summary of the paper with Open details / Copy BibTeX links,
 * or what the document's .bib says and a link to it when the library lacks the key or uses it for
 * a different paper (the .bib is what the document prints).
 */
export function registerHover(context: vscode.ExtensionContext, library: LibraryService, bibs: BibliographyService): void {
  const provider: vscode.HoverProvider = {
    async provideHover(document, position) {
      const flavor = flavorForLanguage(document.languageId, document.fileName);
      if (!flavor) return undefined;
      const found = keyAt(document.getText(), document.offsetAt(position), flavor);
      if (!found) return undefined;
      const range = toRange(document, found.span);
      await library.ready;
      const libraryPaper = library.byKey(found.key);
      const fromBib = await bibPaper(bibs, document, found.key);
      const paper = libraryPaper && !(fromBib && isDifferentWork(identity(libraryPaper), identity(fromBib.paper))) ? libraryPaper : undefined;
      if (paper) {
        const md = new vscode.MarkdownString(
          paperMarkdown(paper, {
            abstractChars: 400,
            links: [
              ['Open details', commandUri(COMMANDS.openDetails, [paper.id])],
              ['Copy BibTeX', commandUri(COMMANDS.copyBibtex, [paper.id])],
            ],
          }),
        );
        md.isTrusted = { enabledCommands: LINK_COMMANDS };
        return new vscode.Hover(md, range);
      }
      if (!fromBib) return undefined;
      const { paper: entry, uri } = fromBib;
      const where = `${vscode.workspace.asRelativePath(uri)}${entry.sourceLine ? `, line ${entry.sourceLine}` : ''}`;
      const target = entry.sourceLine ? uri.with({ fragment: `L${entry.sourceLine}` }) : uri;
      const md = new vscode.MarkdownString(paperMarkdown(entry, { abstractChars: 400, links: [[`Open in ${where}`, target.toString()]] }));
      return new vscode.Hover(md, range);
    },
  };
  context.subscriptions.push(vscode.languages.registerHoverProvider(CITING_DOCUMENTS, provider));
}

function identity(paper: Paper): { doi?: string; arxiv?: string; title?: string } {
  return { doi: paper.DOI, arxiv: paper.arxiv, title: paper.title };
}

/** The entry for `key` in the document's .bib files, first file first; keys compare case-insensitively as in BibTeX. */
async function bibPaper(bibs: BibliographyService, document: vscode.TextDocument, key: string): Promise<{ paper: Paper; uri: vscode.Uri } | undefined> {
  const { files } = await bibs.resolve(document);
  const lower = key.toLowerCase();
  for (const uri of files) {
    const papers = await bibs.papers(uri, (k) => k.toLowerCase() === lower);
    const paper = papers.find((p) => p.id === key) ?? papers[0];
    if (paper) return { paper, uri };
  }
  return undefined;
}

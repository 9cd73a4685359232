import * as path from 'path';
import * as vscode from 'vscode';
import type MarkdownIt from 'markdown-it';
import { findCitations, flavorForLanguage } from '../core/cite-syntax';
import { pandocCitations, type PandocCitationOptions, type ReferenceRequest } from '../core/markdown/pandoc-citations';
import type { Paper } from '../core/types';
import { COMMANDS, SETTINGS } from '../ids';
import type { Services } from '../services/services';
import { resolvePaper, type PaperArgument } from './paper-commands';

/**
 * Copy Formatted Reference (one paper) and Copy Formatted Bibliography (the papers the active
 * document cites), in the document's citation style; and the Pandoc citations of VS Code's
 * Markdown preview (see `markdownItPlugin`).
 */
export function registerFormattedReferences(context: vscode.ExtensionContext, services: Services): void {
  const { library, picker, formatting, config } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.copyFormattedReference, async (arg: PaperArgument & { format?: 'text' | 'html' }) => {
      const paper = await resolvePaper(library, picker, arg, 'Copy the formatted reference of…');
      if (!paper) return undefined;
      const document = vscode.window.activeTextEditor?.document;
      const style = formatting.styleFor(document?.uri, document?.getText());
      const text = formatting.formatEntry(paper, style, typeof arg === 'object' && arg?.format === 'html' ? 'html' : 'text');
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage(`$(check) ${style.name.toUpperCase()} reference for ${paper.id} copied`, 3000);
      return text;
    }),
    vscode.commands.registerCommand(COMMANDS.copyFormattedBibliography, async (arg?: { format?: 'text' | 'html' }) => {
      const document = vscode.window.activeTextEditor?.document;
      const flavor = document ? flavorForLanguage(document.languageId, document.fileName) : undefined;
      if (!document || !flavor) {
        void vscode.window.showInformationMessage('LitCite: open the LaTeX or Markdown document whose cited papers should be copied as a bibliography.');
        return undefined;
      }
      await library.ready;
      const keys = [...new Set(findCitations(document.getText(), flavor).flatMap((c) => c.keys.map((k) => k.key)))];
      const papers = keys.map((k) => library.byKey(k)).filter((p): p is Paper => p !== undefined);
      if (!papers.length) {
        void vscode.window.showInformationMessage(`LitCite: ${path.basename(document.fileName)} cites no paper the library has.`);
        return undefined;
      }
      const style = formatting.styleFor(document.uri, document.getText());
      const entries = formatting.formatBibliography(papers, style, arg?.format === 'html' ? 'html' : 'text');
      const text = entries.join(arg?.format === 'html' ? '\n' : '\n\n');
      await vscode.env.clipboard.writeText(text);
      const missing = keys.length - papers.length;
      vscode.window.setStatusBarMessage(`$(check) ${papers.length} reference${papers.length === 1 ? '' : 's'} (${style.name.toUpperCase()}) copied${missing ? `; ${missing} key${missing === 1 ? '' : 's'} not in the library` : ''}`, 4000);
      return text;
    }),
    // The preview renders citations from memory: a change of library or style shows on the next render.
    library.onDidChange(() => void vscode.commands.executeCommand('markdown.preview.refresh')),
    config.on([SETTINGS.citationStyle, SETTINGS.citationLocale, SETTINGS.markdownPreviewCitations], () => void vscode.commands.executeCommand('markdown.preview.refresh')),
  );
}

/**
 * The plugin VS Code's Markdown preview runs (`extendMarkdownIt`): Pandoc citations formatted in
 * the document's style, each linking to its entry, and a References section. Keys resolve
 * against the document's inline `references:` (the plugin's own), then the library, which holds
 * the document's declared bibliographies.
 */
export function markdownItPlugin(services: Services): (md: MarkdownIt.MarkdownIt) => MarkdownIt.MarkdownIt {
  const { library, formatting } = services;
  return (md) => {
    const options: PandocCitationOptions = {
      resolve(request: ReferenceRequest, env: unknown) {
        const out: Paper[] = [];
        for (const key of request.keys) {
          const paper = library.byKey(key);
          if (paper) out.push(paper);
        }
        if (request.all) {
          // `nocite: '@*'`: every entry of the document's bibliography files.
          const document = documentOf(env);
          const files = new Set((request.meta.bibliography ?? []).map((p) => (document ? path.resolve(path.dirname(document.fsPath), p) : p)));
          for (const paper of library.papers) if (paper.source && files.has(paper.source) && !out.includes(paper)) out.push(paper);
        }
        return out;
      },
      style(meta, env) {
        if (!vscode.workspace.getConfiguration('litcite').get<boolean>(SETTINGS.markdownPreviewCitations, true)) return undefined;
        const style = formatting.styleFor(documentOf(env), undefined, meta);
        return { formatter: style.formatter, notice: style.notice };
      },
      linkCitations: true,
      budgetMs: 150,
      onPending(resume) {
        // Citations formatted in the background a slice at a time, then the preview is drawn again.
        const step = (): void => {
          if (resume(40)) void vscode.commands.executeCommand('markdown.preview.refresh');
          else setTimeout(step, 0);
        };
        setTimeout(step, 0);
      },
    };
    md.use(pandocCitations, options);
    return md;
  };
}

/** The document the preview renders (VS Code passes it as `env.currentDocument`). */
function documentOf(env: unknown): vscode.Uri | undefined {
  const current = (env as { currentDocument?: unknown } | undefined)?.currentDocument;
  return current instanceof vscode.Uri ? current : undefined;
}

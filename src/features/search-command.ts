import * as vscode from 'vscode';
import { flavorForLanguage } from '../core/cite-syntax';
import { COMMANDS } from '../ids';
import type { Services } from '../services/services';

/**
 * `LitCite: Search Papers`: the search QuickPick. Enter cites the chosen papers when a LaTeX or
 * Markdown editor is active; otherwise it opens the first one's details. Either way the Papers
 * view shows the results of the last query.
 */
export function registerSearchCommand(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.search, async (initialQuery?: unknown) => {
      const editor = vscode.window.activeTextEditor;
      const writing = editor !== undefined && flavorForLanguage(editor.document.languageId, editor.document.fileName) !== undefined;
      const picked = await services.picker.pick({
        title: writing ? 'LitCite: Search Papers — Enter cites the selected papers' : 'LitCite: Search Papers',
        canPickMany: true,
        initialQuery: typeof initialQuery === 'string' ? initialQuery : undefined,
      });
      if (picked.query.trim()) services.views.tree?.setQuery(picked.query);
      if (!picked.papers?.length) return;
      if (writing && editor) {
        await vscode.window.showTextDocument(editor.document, editor.viewColumn);
        await vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: picked.papers.map((p) => p.id) });
      } else {
        await vscode.commands.executeCommand(COMMANDS.openDetails, { key: picked.papers[0].id, query: picked.query });
      }
    }),
  );
}

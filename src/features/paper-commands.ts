import * as vscode from 'vscode';
import { Paper } from '../core/types';
import { COMMANDS } from '../ids';
import type { LibraryService } from '../services/library-service';
import type { Services } from '../services/services';
import type { SearchPicker } from './search-picker';

/**
 * What a paper command may be given: a key (command links, webview, scripts), a tree item or
 * QuickPick item carrying a paper, or nothing (then the user picks one).
 */
export type PaperArgument = string | { paper?: Paper; key?: string; query?: string } | undefined;

/** The paper an argument names; asks the user when none is given. */
export async function resolvePaper(library: LibraryService, picker: SearchPicker, arg: PaperArgument, title: string): Promise<Paper | undefined> {
  await library.ready;
  if (typeof arg === 'string') {
    const paper = library.byKey(arg);
    if (!paper) void vscode.window.showWarningMessage(`LitCite: no paper with the key "${arg}" in the library.`);
    return paper;
  }
  if (arg?.paper) return library.byKey(arg.paper.id) ?? arg.paper;
  if (arg?.key) return resolvePaper(library, picker, arg.key, title);
  return (await picker.pick({ title, canPickMany: false })).papers?.[0];
}

/**
 * Opens a link from a paper record in the browser. Records come from any .bib or CSL-JSON file in
 * the workspace, so only web links are opened: a `file:`, `command:` or `vscode:` URL from a
 * library file must not reach the OS or another extension's URI handler with one click.
 */
async function openWebLink(link: string, what: string): Promise<void> {
  let uri: vscode.Uri | undefined;
  try {
    uri = vscode.Uri.parse(link.trim(), true);
  } catch {
    uri = undefined;
  }
  if (!uri || (uri.scheme !== 'https' && uri.scheme !== 'http')) {
    void vscode.window.showWarningMessage(`LitCite: not opening the ${what} link "${link}": only http and https links are opened.`);
    return;
  }
  await vscode.env.openExternal(uri);
}

/** Copy BibTeX / key, open arXiv / code / details: commands on one paper. */
export function registerPaperCommands(context: vscode.ExtensionContext, services: Services): void {
  const { library, picker } = services;
  const register = (id: string, title: string, run: (paper: Paper, arg: PaperArgument) => unknown) =>
    vscode.commands.registerCommand(id, async (arg: PaperArgument) => {
      const paper = await resolvePaper(library, picker, arg, title);
      if (paper) await run(paper, arg);
    });
  context.subscriptions.push(
    register(COMMANDS.copyBibtex, 'Copy BibTeX for…', async (paper) => {
      await vscode.env.clipboard.writeText(await library.entryText(paper));
      vscode.window.setStatusBarMessage(`$(check) BibTeX for ${paper.id} copied`, 3000);
    }),
    register(COMMANDS.copyKey, 'Copy the key of…', async (paper) => {
      await vscode.env.clipboard.writeText(paper.id);
      vscode.window.setStatusBarMessage(`$(check) Copied ${paper.id}`, 3000);
    }),
    register(COMMANDS.openArxiv, 'Open the arXiv page of…', (paper) => {
      const target = paper.arxiv ? `https://arxiv.org/abs/${paper.arxiv}` : paper.URL;
      if (!target) return vscode.window.showInformationMessage(`LitCite: "${paper.title}" has no arXiv id or URL.`);
      return openWebLink(target, 'paper');
    }),
    register(COMMANDS.openCode, 'Open the code of…', (paper) => {
      if (!paper.code) return vscode.window.showInformationMessage(`LitCite: no code link is known for "${paper.title}".`);
      return openWebLink(paper.code, 'code');
    }),
    register(COMMANDS.openDetails, 'Open details of…', (paper, arg) => services.views.details?.show(paper, typeof arg === 'object' ? arg.query : undefined)),
  );
}

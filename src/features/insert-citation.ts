import * as vscode from 'vscode';
import type { Paper } from '../core/types';
import { COMMANDS } from '../ids';
import type { CiteResult } from '../services/citing';
import { baseName } from '../services/editor-io';
import type { Services } from '../services/services';
import type { SearchPicker } from './search-picker';

/** What the writing commands accept besides nothing (then the user picks papers). */
export interface CiteArguments {
  /** Keys to cite or add, without asking. */
  keys?: string[];
  key?: string;
  /** The document to add entries for (URI string); the active editor's when absent. */
  uri?: string;
  /** Say nothing when there is nothing to do (completion adds entries after every accepted item). */
  quiet?: boolean;
  /** A tree or QuickPick item carrying its paper. */
  paper?: Paper;
}

/**
 * Insert Citation (`{ keys }` cites without asking; else the search QuickPick, several papers at
 * once) at every cursor; Add BibTeX Entry (`{ key | keys, uri }`, used by completion and quick
 * fixes) and Add All Missing BibTeX Entries for a document. Each returns a {@link CiteResult}.
 */
export function registerInsertCitation(context: vscode.ExtensionContext, services: Services): void {
  const { picker, citing } = services;
  const lastEditor = trackLastTextEditor(context);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.insertCitation, async (arg?: unknown): Promise<CiteResult | undefined> => {
      const editor = vscode.window.activeTextEditor ?? (await lastEditor());
      if (!editor) {
        void vscode.window.showInformationMessage('LitCite: open a LaTeX or Markdown document and place the cursor where the citation goes.');
        return undefined;
      }
      const keys = keysOf(arg) ?? (await pickKeys(picker, 'LitCite: Insert Citation — pick one or more papers'));
      if (!keys?.length) return undefined;
      return citing.insert(editor, keys);
    }),
    vscode.commands.registerCommand(COMMANDS.addBibEntry, async (arg?: unknown): Promise<CiteResult | undefined> => {
      const document = await documentOf(arg);
      if (!document) return undefined;
      const keys = keysOf(arg) ?? (await pickKeys(picker, 'LitCite: Add BibTeX Entries to the Bibliography'));
      if (!keys?.length) return undefined;
      return citing.addEntries(document, keys, { quiet: isArguments(arg) && arg.quiet === true });
    }),
    vscode.commands.registerCommand(COMMANDS.addAllBibEntries, async (arg?: unknown): Promise<CiteResult | undefined> => {
      const document = await documentOf(arg);
      if (!document) return undefined;
      const { problems } = await citing.check(document);
      const missing = [...new Set(problems.filter((p) => p.kind === 'missing-entry').map((p) => p.key))];
      if (!missing.length) {
        void vscode.window.showInformationMessage(`LitCite: every library paper ${baseName(document.uri)} cites is in its bibliography already.`);
        return undefined;
      }
      return citing.addEntries(document, missing);
    }),
  );
}

/**
 * The text editor the user was last in, brought back to the front with its cursors. Buttons in
 * the paper webview make the webview the active editor, so `activeTextEditor` is undefined when
 * they run; the citation belongs where the writer left the cursor.
 */
function trackLastTextEditor(context: vscode.ExtensionContext): () => Promise<vscode.TextEditor | undefined> {
  let last: { document: vscode.TextDocument; column: vscode.ViewColumn | undefined; selections: readonly vscode.Selection[] } | undefined;
  const remember = (editor: vscode.TextEditor | undefined) => {
    if (editor && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled' || editor.document.uri.scheme === 'vscode-remote')) {
      last = { document: editor.document, column: editor.viewColumn, selections: editor.selections };
    }
  };
  remember(vscode.window.activeTextEditor);
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(remember),
    vscode.window.onDidChangeTextEditorSelection((e) => remember(e.textEditor)),
  );
  return async () => {
    if (!last || last.document.isClosed) return undefined;
    const editor = await vscode.window.showTextDocument(last.document, { viewColumn: last.column, preserveFocus: false });
    if (last.selections.every((s) => editor.document.validateRange(s).isEqual(s))) editor.selections = [...last.selections];
    return editor;
  };
}

function isArguments(arg: unknown): arg is CiteArguments {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg);
}

/** The keys an argument names: `{ keys }`, `{ key }`, `{ paper }`, a key, or a list of keys. */
function keysOf(arg: unknown): string[] | undefined {
  if (typeof arg === 'string') return [arg];
  if (Array.isArray(arg)) return arg.every((k) => typeof k === 'string') ? (arg as string[]) : undefined;
  if (!isArguments(arg)) return undefined;
  if (Array.isArray(arg.keys)) return arg.keys.filter((k): k is string => typeof k === 'string');
  if (typeof arg.key === 'string') return [arg.key];
  if (arg.paper && typeof arg.paper.id === 'string') return [arg.paper.id];
  return undefined;
}

async function pickKeys(picker: SearchPicker, title: string): Promise<string[] | undefined> {
  const { papers } = await picker.pick({ title, canPickMany: true });
  return papers?.map((p) => p.id);
}

/** The document an argument's `uri` names (loaded if needed), else the active editor's. */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (isArguments(arg) && typeof arg.uri === 'string') {
    const uri = vscode.Uri.parse(arg.uri);
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? vscode.workspace.openTextDocument(uri);
  }
  const document = vscode.window.activeTextEditor?.document;
  if (!document) void vscode.window.showInformationMessage('LitCite: open the LaTeX or Markdown document whose bibliography should get the entries.');
  return document;
}

/**
 * The one place LitCite asks VS Code about files and editors: the open buffer of a URI, whether
 * it shows in a tab, a file's text or bytes, how a path is named to the user, and the line
 * ending a new file gets.
 */
import * as vscode from 'vscode';
import * as os from 'os';

/** The open text document for a URI, if VS Code has it loaded. */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/** Whether a file shows in an editor tab. */
export function isShownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === key));
}

/**
 * Whether a file is open in an editor the writer works in: shown in a tab or with unsaved
 * changes. Edits to such a file go into its buffer and stay unsaved, undoable there.
 */
export function isOpenInEditor(uri: vscode.Uri): boolean {
  return openDocument(uri)?.isDirty === true || isShownInTab(uri);
}

/** A file's bytes, or undefined when it cannot be read (missing, a folder, unreadable). */
export async function readBytes(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

/** A file's text as it is now: its open buffer, else the file as UTF-8; undefined when missing or larger than `maxBytes`. */
export async function readText(uri: vscode.Uri, maxBytes = Number.POSITIVE_INFINITY): Promise<string | undefined> {
  const open = openDocument(uri);
  if (open) return open.getText();
  try {
    if (maxBytes < Number.POSITIVE_INFINITY && (await vscode.workspace.fs.stat(uri)).size > maxBytes) return undefined;
    return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** The last path segment of a URI. */
export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** `to` relative to the folder of `from`, POSIX-style, as a declaration writes it. */
export function relativePath(from: vscode.Uri, to: vscode.Uri): string {
  const a = from.path.split('/').slice(0, -1).filter(Boolean);
  const b = to.path.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** How a file is named to the user: relative to the workspace, `~/…` under the home folder, else in full. */
export function labelFor(uri: vscode.Uri): string {
  const relative = vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  if (relative !== uri.fsPath && relative !== uri.toString()) return relative;
  const home = os.homedir();
  if (uri.scheme !== 'file') return uri.toString(true);
  return uri.fsPath.startsWith(`${home}/`) ? `~${uri.fsPath.slice(home.length)}` : uri.fsPath;
}

/** A paper's `source` (a file path or URI string) as the user knows the file. */
export function sourceLabel(source: string | undefined): string {
  if (!source || source === 'bundled') return 'Bundled library';
  if (source === 'fetched') return 'Fetched papers';
  if (source.startsWith('zotero:')) return `Zotero (${source.slice('zotero:'.length)})`;
  return labelFor(/^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? vscode.Uri.parse(source) : vscode.Uri.file(source));
}

/** The line ending VS Code gives a new file there (`files.eol`, `auto` meaning the platform's). */
export function newFileEol(uri: vscode.Uri): string {
  const eol = vscode.workspace.getConfiguration('files', uri).get<string>('eol', 'auto');
  if (eol === '\r\n' || eol === '\n') return eol;
  return process.platform === 'win32' ? '\r\n' : '\n';
}

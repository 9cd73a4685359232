import * as vscode from 'vscode';
import { appendEntryEdit } from '../core/bib-file';
import { addToWorkspaceEdit } from './convert';
import { Log } from './log';

/**
 * Appends BibTeX entries to a .bib that is not shown in an editor, then saves it, without changing
 * a byte of what the file already holds: through its document and an undoable WorkspaceEdit when
 * that keeps every byte, else straight after the file's exact bytes (see `rawAppendReason`).
 * Insert Citation, the quick fixes and Add Paper all append through here.
 */
export async function appendToClosedBib(uri: vscode.Uri, entries: string, log: Log): Promise<boolean> {
  const raw = await rawAppendReason(uri);
  if (raw) return appendBytes(uri, raw.bytes, entries, raw.reason, log);
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  addToWorkspaceEdit(edit, document, appendEntryEdit(document.getText(), entries));
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  if (!(await document.save())) log.warn(`could not save ${uri.toString(true)}`);
  return true;
}

/** Appends `entries` after the file's exact bytes, written straight to disk. */
async function appendBytes(uri: vscode.Uri, bytes: Uint8Array, entries: string, reason: string, log: Log): Promise<boolean> {
  // latin1 maps each byte to one character, so the tail the edit looks at is the file's own, whatever its encoding
  const text = new TextDecoder('latin1').decode(bytes);
  const added = new TextEncoder().encode(appendEntryEdit(text, entries).text);
  const out = new Uint8Array(bytes.length + added.length);
  out.set(bytes);
  out.set(added, bytes.length);
  try {
    await vscode.workspace.fs.writeFile(uri, out);
  } catch (err) {
    log.warn(`could not write ${uri.toString(true)}: ${(err as Error).message}`);
    return false;
  }
  log.info(`appended to ${uri.toString(true)} byte for byte (${reason})`);
  return true;
}

/**
 * Why a closed .bib must be appended to on disk rather than through its document, with its bytes;
 * undefined when the document path keeps every existing byte. Loading a file into a document
 * decodes it (a file that is not UTF-8 would be re-encoded on save) and gives it one line ending
 * (mixed endings would be normalised); saving runs the participants the user enabled, which
 * rewrite lines the append did not touch.
 */
async function rawAppendReason(uri: vscode.Uri): Promise<{ bytes: Uint8Array; reason: string } | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { bytes, reason: 'not UTF-8' };
  }
  if (hasMixedLineEndings(bytes)) return { bytes, reason: 'mixed line endings' };
  const files = vscode.workspace.getConfiguration('files', uri);
  const editor = vscode.workspace.getConfiguration('editor', uri);
  if (files.get<boolean>('trimTrailingWhitespace')) return { bytes, reason: 'files.trimTrailingWhitespace' };
  if (files.get<boolean>('insertFinalNewline')) return { bytes, reason: 'files.insertFinalNewline' };
  if (editor.get<boolean>('formatOnSave')) return { bytes, reason: 'editor.formatOnSave' };
  return undefined;
}

/** Whether the bytes hold both CRLF and bare LF (or bare CR) line breaks. */
function hasMixedLineEndings(bytes: Uint8Array): boolean {
  let crlf = false;
  let lf = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13) {
      if (bytes[i + 1] === 10) {
        crlf = true;
        i++;
      } else lf = true;
    } else if (b === 10) lf = true;
    if (crlf && lf) return true;
  }
  return false;
}

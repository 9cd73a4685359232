/**
 * The one way LitCite writes to a .bib: entries are appended, never anything else changed, and
 * never a key the file already has. Insert Citation, the quick fixes, Add Paper and every source
 * that writes entries go through `write`; it returns what happened and says nothing to the user
 * (callers decide that).
 *
 * - The .bib is open in an editor (shown in a tab, or with unsaved changes): the append goes into
 *   its buffer in the same WorkspaceEdit as the document's citation, so one undo takes back both,
 *   and stays unsaved, like any edit made there.
 * - The .bib is not open: the citation is applied first, then the append, saved. When saving
 *   through a document would change bytes the append did not touch (the file is not UTF-8, mixes
 *   or uses old-Mac line breaks, or save participants are on), the entry is appended straight
 *   after the file's exact bytes, in its encoding and with its line break.
 * - The .bib does not exist: it is created with the entries, with the line break `files.eol` gives.
 */
import * as vscode from 'vscode';
import { appendEntryEdit } from '../core/bib-edits';
import { decodeBibBytes, encodeForFile } from '../core/encoding';
import type { TextEdit } from '../core/types';
import { addToWorkspaceEdit } from './convert';
import { baseName, isOpenInEditor, labelFor, newFileEol, openDocument, readBytes } from './editor-io';
import type { Log } from './log';
import type { WorkspaceModel } from './workspace-model';

/** What to write: citation edits in a document, entries for a .bib, or both. */
export interface WriteRequest {
  document?: vscode.TextDocument;
  documentEdits?: readonly TextEdit[];
  bib?: { uri: vscode.Uri; entries: string };
}

/** What `write` did. */
export type WriteOutcome =
  | { ok: true; how: 'none' | 'buffer' | 'document' | 'bytes' | 'created' }
  | { ok: false; reason: 'changed' | 'encoding' | 'io'; message: string };

/** See the module comment. */
export class BibWriter {
  constructor(private readonly model: WorkspaceModel, private readonly log: Log) {}

  /**
   * Applies the document edits and the .bib append. Edits are made right before they are applied,
   * with no wait in between, so they match the texts they change.
   */
  async write(request: WriteRequest): Promise<WriteOutcome> {
    const docEdit = new vscode.WorkspaceEdit();
    if (request.document) for (const e of request.documentEdits ?? []) addToWorkspaceEdit(docEdit, request.document, e);
    const hasDocEdits = (request.documentEdits?.length ?? 0) > 0;
    const bib = request.bib;
    if (!bib || !bib.entries.trim()) {
      if (!hasDocEdits) return { ok: true, how: 'none' };
      return (await vscode.workspace.applyEdit(docEdit)) ? { ok: true, how: 'none' } : changed('the document');
    }
    const { uri, entries } = bib;

    if (isOpenInEditor(uri)) {
      const document = openDocument(uri) ?? (await vscode.workspace.openTextDocument(uri));
      addToWorkspaceEdit(docEdit, document, appendEntryEdit(document.getText(), entries));
      if (!(await vscode.workspace.applyEdit(docEdit))) return changed(baseName(uri));
      this.model.forget(uri);
      return { ok: true, how: 'buffer' };
    }
    if (hasDocEdits && !(await vscode.workspace.applyEdit(docEdit))) return changed('the document');

    const bytes = await readBytes(uri);
    let outcome: WriteOutcome;
    if (bytes === undefined) outcome = await this.create(uri, entries);
    else {
      const raw = this.rawAppendReason(uri, bytes);
      outcome = raw ? await this.appendBytes(uri, bytes, entries, raw) : await this.appendThroughDocument(uri, entries);
    }
    this.model.forget(uri);
    return outcome;
  }

  private async create(uri: vscode.Uri, entries: string): Promise<WriteOutcome> {
    const content = appendEntryEdit('', entries).text.replace(/\n/g, newFileEol(uri));
    const create = new vscode.WorkspaceEdit();
    create.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(content) });
    if (!(await vscode.workspace.applyEdit(create))) return { ok: false, reason: 'io', message: `${labelFor(uri)} could not be created` };
    this.log.info(`created ${labelFor(uri)}`);
    return { ok: true, how: 'created' };
  }

  private async appendThroughDocument(uri: vscode.Uri, entries: string): Promise<WriteOutcome> {
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    addToWorkspaceEdit(edit, document, appendEntryEdit(document.getText(), entries));
    if (!(await vscode.workspace.applyEdit(edit))) return changed(baseName(uri));
    if (!(await document.save())) {
      this.log.warn(`could not save ${labelFor(uri)}`);
      return { ok: false, reason: 'io', message: `${labelFor(uri)} could not be saved` };
    }
    return { ok: true, how: 'document' };
  }

  /** Appends after the file's exact bytes, in its encoding and with its own line break. */
  private async appendBytes(uri: vscode.Uri, bytes: Uint8Array, entries: string, reason: string): Promise<WriteOutcome> {
    const decoded = decodeBibBytes(bytes);
    const appended = appendEntryEdit(decoded.text, entries).text;
    const encoded = encodeForFile(appended, decoded.encoding);
    if (!encoded) {
      const message = `${labelFor(uri)} is in ${decoded.encoding}, which cannot hold every character of the entry; nothing was written (save the file as UTF-8 to add it)`;
      this.log.warn(message);
      return { ok: false, reason: 'encoding', message };
    }
    const out = new Uint8Array(bytes.length + encoded.length);
    out.set(bytes);
    out.set(encoded, bytes.length);
    try {
      await vscode.workspace.fs.writeFile(uri, out);
    } catch (err) {
      this.log.warn(`could not write ${labelFor(uri)}: ${(err as Error).message}`);
      return { ok: false, reason: 'io', message: `${labelFor(uri)} could not be written` };
    }
    this.log.info(`appended to ${labelFor(uri)} byte for byte (${reason})`);
    return { ok: true, how: 'bytes' };
  }

  /**
   * Why a closed .bib must be appended to on disk rather than through its document; undefined
   * when the document path keeps every existing byte. Loading a file into a document decodes it
   * (a file that is not UTF-8 would be re-encoded on save) and gives it one line ending (mixed or
   * old-Mac endings would be rewritten); saving runs the participants the user enabled, which
   * rewrite lines the append did not touch.
   */
  private rawAppendReason(uri: vscode.Uri, bytes: Uint8Array): string | undefined {
    const decoded = decodeBibBytes(bytes);
    if (decoded.encoding !== 'utf-8' || decoded.bom) return decoded.encoding === 'utf-8' ? 'byte-order mark' : decoded.encoding;
    const endings = lineEndings(bytes);
    if (endings.cr) return 'old-Mac line breaks';
    if (endings.crlf && endings.lf) return 'mixed line endings';
    const files = vscode.workspace.getConfiguration('files', uri);
    const editor = vscode.workspace.getConfiguration('editor', uri);
    if (files.get<boolean>('trimTrailingWhitespace')) return 'files.trimTrailingWhitespace';
    if (files.get<boolean>('insertFinalNewline')) return 'files.insertFinalNewline';
    if (editor.get<boolean>('formatOnSave')) return 'editor.formatOnSave';
    return undefined;
  }
}

function changed(what: string): WriteOutcome {
  return { ok: false, reason: 'changed', message: `${what} changed meanwhile` };
}

/** Which line breaks the bytes hold. */
function lineEndings(bytes: Uint8Array): { crlf: boolean; lf: boolean; cr: boolean } {
  const out = { crlf: false, lf: false, cr: false };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13) {
      if (bytes[i + 1] === 10) {
        out.crlf = true;
        i++;
      } else out.cr = true;
    } else if (b === 10) out.lf = true;
  }
  return out;
}

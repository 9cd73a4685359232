import * as vscode from 'vscode';
import { Span, TextEdit } from '../core/types';

/** The one place core offsets become VS Code positions and edits. */
export function toRange(document: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
}

/** Adds a core edit to a WorkspaceEdit for a document. */
export function addToWorkspaceEdit(workspaceEdit: vscode.WorkspaceEdit, document: vscode.TextDocument, edit: TextEdit): void {
  workspaceEdit.replace(document.uri, toRange(document, edit), edit.text);
}

import * as vscode from 'vscode';

/** Entry point: builds the library service once, then registers every feature. */
export function activate(context: vscode.ExtensionContext): void {
  void context;
}

export function deactivate(): void {}

import * as vscode from 'vscode';

/** The `LitCite` output channel: what was loaded, warnings, timings. */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('LitCite');

  info(message: string): void {
    this.channel.appendLine(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
  }

  warn(message: string): void {
    this.info(`warning: ${message}`);
  }

  error(message: string): void {
    this.info(`error: ${message}`);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

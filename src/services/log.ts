import * as vscode from 'vscode';

/**
 * The `LitCite` log: VS Code's log output channel, so levels, timestamps and the user's log-level
 * setting (Developer: Set Log Level…) work as for VS Code's own logs.
 */
export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('LitCite', { log: true });

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  /** Details the user rarely needs (timings, per-file counts). */
  debug(message: string): void {
    this.channel.debug(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

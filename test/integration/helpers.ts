// Utilities for the integration tests, which run in VS Code's extension host (see
// test/harness/run-integration.ts for the environment they run in).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';

/** The log line that asks the harness for a screenshot; keep in sync with run-integration.ts. */
export const SCREENSHOT_MARKER = '[litcite-screenshot]';
const SCREENSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `predicate` until it returns a truthy value, and returns that value. Exceptions
 * thrown by the predicate count as "not yet"; the last one is quoted if time runs out.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${(lastError as Error)?.message ?? String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** The writable copy of test/workspace/ that the test window has open. */
export function testWorkspace(): string {
  const fromEnv = process.env.LITCITE_TEST_WORKSPACE;
  if (fromEnv) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri.fsPath;
}

/** URI of a file in the test workspace, e.g. workspaceFile('paper.tex'). */
export function workspaceFile(relativePath: string): vscode.Uri {
  return vscode.Uri.file(path.join(testWorkspace(), relativePath));
}

/**
 * Saves a PNG of the whole VS Code window as test/screenshots/NAME.png and returns its path.
 * The tests run on the server and cannot reach the browser, so this logs a marker line that
 * the harness acts on, then waits for the file to appear (the harness renames it into place
 * whole). `settleMs` gives the workbench time to paint the last change first.
 */
export async function screenshot(name: string, settleMs = 300): Promise<string> {
  if (!SCREENSHOT_NAME.test(name)) throw new Error(`bad screenshot name ${JSON.stringify(name)}: use letters, digits, . _ -`);
  const dir = process.env.LITCITE_SCREENSHOT_DIR;
  if (!dir) throw new Error('LITCITE_SCREENSHOT_DIR is not set: screenshots need the harness (npm run test:integration)');
  const file = path.join(dir, `${name}.png`);
  fs.rmSync(file, { force: true }); // so an old picture is not mistaken for the new one
  if (settleMs > 0) await sleep(settleMs);
  console.log(`${SCREENSHOT_MARKER} ${name}`);
  await waitFor(() => fs.existsSync(file), 30_000, `the harness to save ${file}`, 100);
  return file;
}

/** The kind VS Code gives a built-in theme, judged by its name. */
function themeKind(themeName: string): vscode.ColorThemeKind {
  const hc = /high contrast/i.test(themeName);
  if (/light/i.test(themeName)) return hc ? vscode.ColorThemeKind.HighContrastLight : vscode.ColorThemeKind.Light;
  return hc ? vscode.ColorThemeKind.HighContrast : vscode.ColorThemeKind.Dark;
}

/**
 * Switches the colour theme (user setting `workbench.colorTheme`), e.g. 'Default Dark Modern'
 * or 'Default Light Modern', and waits until it has been applied and painted.
 */
export async function setTheme(themeName: string): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
  const kind = themeKind(themeName);
  await waitFor(() => vscode.window.activeColorTheme.kind === kind, 10_000, `theme "${themeName}" to apply`);
  await sleep(500); // webviews and editors repaint after the theme event
}

/** Activates LitCite and waits until the bundled library and the user's library files are loaded. */
export async function activateLitCite(): Promise<LitCiteApi> {
  const ext = vscode.extensions.getExtension<LitCiteApi>('litcite.litcite');
  if (!ext) throw new Error('litcite.litcite is not loaded');
  const api = await ext.activate();
  await api.testing.library.ready;
  await api.testing.files.ready;
  return api;
}

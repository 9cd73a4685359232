/**
 * Paths and globs from settings as files: `~`, `${userHome}`, `${workspaceFolder}`,
 * `${workspaceFolder:name}`, `${workspaceFolderBasename}` and `${env:NAME}` expanded; relative
 * paths against the workspace folder the setting belongs to (multi-root), else the first one.
 * The library reads and the writer writes the same file for the same setting.
 */
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

/** The setting's text with its variables expanded; undefined when it names a folder the workspace lacks. */
export function expandVariables(entry: string, scope: vscode.WorkspaceFolder | undefined): string | undefined {
  let missing = false;
  const expanded = entry
    .replace(/^~(?=$|[\\/])/, os.homedir())
    .replace(/\$\{(userHome|workspaceFolder|workspaceFolderBasename|workspaceFolder:([^}]+)|env:([^}]+))\}/g, (whole, name: string, folderName?: string, envName?: string) => {
      if (name === 'userHome') return os.homedir();
      if (envName) return process.env[envName] ?? '';
      const folder = folderName ? vscode.workspace.workspaceFolders?.find((f) => f.name === folderName) : scope ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        missing = true;
        return whole;
      }
      return name === 'workspaceFolderBasename' ? folder.name : folder.uri.fsPath;
    });
  return missing ? undefined : expanded;
}

/** Whether a setting's text is a glob rather than one path. */
export function hasGlob(text: string): boolean {
  return /[*?[\]{}]/.test(text);
}

/** A path from a setting as a URI: a URI as is, absolute as is, relative against the scope's folder. */
export function resolveSettingPath(text: string, scope: vscode.WorkspaceFolder | undefined): vscode.Uri | undefined {
  const expanded = expandVariables(text.trim(), scope);
  if (!expanded) return undefined;
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(expanded)) return vscode.Uri.parse(expanded);
  if (path.isAbsolute(expanded) || /^[A-Za-z]:[\\/]/.test(expanded)) return vscode.Uri.file(expanded);
  const folder = scope ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, expanded.replace(/\\/g, '/')) : undefined;
}

/** The workspace folder a resource's settings come from. */
export function scopeOf(uri: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** A glob as a RelativePattern: relative globs under the folder, absolute ones under their fixed leading folders. */
export function globPattern(expanded: string, scope: vscode.WorkspaceFolder | undefined): vscode.RelativePattern | undefined {
  const normal = expanded.replace(/\\/g, '/');
  if (!path.isAbsolute(expanded)) {
    const folder = scope ?? vscode.workspace.workspaceFolders?.[0];
    return folder ? new vscode.RelativePattern(folder, normal.replace(/^\.\//, '')) : undefined;
  }
  const parts = normal.split('/');
  const firstGlob = parts.findIndex((p) => hasGlob(p));
  const base = parts.slice(0, firstGlob).join('/') || '/';
  return new vscode.RelativePattern(vscode.Uri.file(base), parts.slice(firstGlob).join('/'));
}

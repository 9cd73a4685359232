/** Where LitCite's caches live outside VS Code (the CLI): one folder for library files, online answers and Zotero copies. */
import * as os from 'os';
import * as path from 'path';

/**
 * `LITCITE_CACHE_DIR` when set, else the platform's user cache folder: `$XDG_CACHE_HOME/litcite`
 * or `~/.cache/litcite`, `~/Library/Caches/litcite`, `%LOCALAPPDATA%\litcite\Cache`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const chosen = env.LITCITE_CACHE_DIR?.trim();
  if (chosen) return chosen;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim();
    return path.win32.join(local || path.win32.join(home, 'AppData', 'Local'), 'litcite', 'Cache');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Caches', 'litcite');
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and to be ignored.
  return path.posix.join(xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.cache'), 'litcite');
}

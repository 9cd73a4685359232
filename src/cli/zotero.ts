/**
 * The `--zotero` side of the `litcite` command line: which library to read from the environment,
 * the library's papers (synced into the cache folder, so the next run is one cheap request),
 * search, list and BibTeX (Better BibTeX's export when it is there). Every function answers with
 * a value or with one line naming the cause and the fix, for the CLI to print before exiting 2.
 *
 *   LITCITE_ZOTERO_LIBRARY    users/0 (default; the local user, or the key's owner on the web), users/<id>, groups/<id>
 *   LITCITE_ZOTERO_API_KEY    set: read through the web API; unset: through the Zotero app's local API
 *   LITCITE_ZOTERO_LOCAL_URL  default http://localhost:23119/api
 *   LITCITE_ZOTERO_WEB_URL    default https://api.zotero.org
 *   LITCITE_CACHE_DIR         where the synced copy is kept (default the platform's cache folder)
 */
import { toBibtexFile } from '../core/bibtex';
import { SearchIndex, type SearchHit } from '../core/search';
import type { Paper } from '../core/types';
import { zoteroStatusLine, type ZoteroStatus, type ZoteroVia } from '../core/zotero/status';
import { parseLibraryRef } from '../core/zotero/types';
import { defaultCacheDir } from '../node/cache-dir';
import type { ZoteroHttp } from '../node/zotero/http';
import { DEFAULT_LOCAL_API_URL, DEFAULT_WEB_API_URL, ZoteroLibrarySync } from '../node/zotero/library';

/** The environment variables read (any others are ignored). */
export interface ZoteroCliEnvironment {
  LITCITE_ZOTERO_LIBRARY?: string;
  LITCITE_ZOTERO_API_KEY?: string;
  LITCITE_ZOTERO_LOCAL_URL?: string;
  LITCITE_ZOTERO_WEB_URL?: string;
  LITCITE_CACHE_DIR?: string;
  XDG_CACHE_HOME?: string;
  LOCALAPPDATA?: string;
}

/** Where and how the CLI reads Zotero. */
export interface ZoteroCliSettings {
  via: ZoteroVia;
  library: string;
  localApiUrl: string;
  webApiUrl: string;
  apiKey?: string;
  cacheDir: string;
}

/** A value, or the one line to print on stderr (then exit 2). */
export type ZoteroCliResult<T> = { ok: true; value: T; status: ZoteroStatus } | { ok: false; error: string };

/** Options for tests and callers that share an HTTP client. */
export interface ZoteroCliOptions {
  keyTemplate?: string;
  http?: ZoteroHttp;
  signal?: AbortSignal;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}


/** Reads the settings from the environment, or the line saying what is wrong with them. */
export function zoteroCliSettings(env: ZoteroCliEnvironment = process.env): ZoteroCliSettings | { error: string } {
  const library = (env.LITCITE_ZOTERO_LIBRARY ?? '').trim() || 'users/0';
  if (!parseLibraryRef(library)) {
    return { error: `LITCITE_ZOTERO_LIBRARY must be users/<id> or groups/<id> (e.g. groups/12345), not '${library}'` };
  }
  const apiKey = env.LITCITE_ZOTERO_API_KEY?.trim() || undefined;
  for (const name of ['LITCITE_ZOTERO_LOCAL_URL', 'LITCITE_ZOTERO_WEB_URL'] as const) {
    const value = env[name]?.trim();
    if (value && !/^https?:\/\/[^\s/]/i.test(value)) return { error: `${name} must be an http(s) URL, not '${value}'` };
  }
  return {
    via: apiKey ? 'web' : 'local',
    library,
    localApiUrl: env.LITCITE_ZOTERO_LOCAL_URL?.trim() || DEFAULT_LOCAL_API_URL,
    webApiUrl: env.LITCITE_ZOTERO_WEB_URL?.trim() || DEFAULT_WEB_API_URL,
    apiKey,
    cacheDir: defaultCacheDir(env as NodeJS.ProcessEnv),
  };
}

/** A synced library for the settings: the cached copy restored, then brought up to date. */
async function syncedLibrary(env: ZoteroCliEnvironment, options: ZoteroCliOptions): Promise<{ ok: true; library: ZoteroLibrarySync; status: ZoteroStatus } | { ok: false; error: string }> {
  const settings = zoteroCliSettings(env);
  if ('error' in settings) return { ok: false, error: settings.error };
  const library = new ZoteroLibrarySync({
    library: settings.library,
    via: settings.via,
    localApiUrl: settings.localApiUrl,
    webApiUrl: settings.webApiUrl,
    apiKey: settings.apiKey,
    stateDir: settings.cacheDir,
    keyTemplate: options.keyTemplate,
    http: options.http,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  await library.restore();
  const { status } = await library.sync(options.signal);
  await library.flush();
  const problem = zoteroStatusLine(status);
  if (problem) return { ok: false, error: problem };
  return { ok: true, library, status };
}

/** The library's papers (`litcite list --zotero`, and the papers `search`/`bibtex --zotero` add to the library). */
export async function loadZoteroPapers(env: ZoteroCliEnvironment = process.env, options: ZoteroCliOptions = {}): Promise<ZoteroCliResult<Paper[]>> {
  const synced = await syncedLibrary(env, options);
  if (!synced.ok) return synced;
  return { ok: true, value: [...synced.library.papers], status: synced.status };
}

/** The papers newest first, then by title (`litcite list --zotero`). */
export async function listZotero(env: ZoteroCliEnvironment = process.env, options: ZoteroCliOptions = {}): Promise<ZoteroCliResult<Paper[]>> {
  const loaded = await loadZoteroPapers(env, options);
  if (!loaded.ok) return loaded;
  const year = (p: Paper): number => p.issued?.['date-parts']?.[0]?.[0] ?? 0;
  const value = [...loaded.value].sort((a, b) => year(b) - year(a) || a.title.localeCompare(b.title));
  return { ...loaded, value };
}

/** Ranked papers for a query over the Zotero library alone (`litcite search … --zotero`). */
export async function searchZotero(query: string, env: ZoteroCliEnvironment = process.env, options: ZoteroCliOptions & { limit?: number } = {}): Promise<ZoteroCliResult<SearchHit[]>> {
  const loaded = await loadZoteroPapers(env, options);
  if (!loaded.ok) return loaded;
  return { ...loaded, value: new SearchIndex(loaded.value).search(query, { limit: options.limit ?? 10 }) };
}

/**
 * BibTeX for keys (`litcite bibtex KEY --zotero`): Better BibTeX's own export when it knows every
 * key (byte for byte what the user's exports contain), else LitCite's entries. An unknown key is
 * the error line.
 */
export async function zoteroBibtex(keys: readonly string[], env: ZoteroCliEnvironment = process.env, options: ZoteroCliOptions & { biblatex?: boolean } = {}): Promise<ZoteroCliResult<string>> {
  const synced = await syncedLibrary(env, options);
  if (!synced.ok) return synced;
  const { library, status } = synced;
  const unknown = keys.filter((key) => !library.itemKeyFor(key));
  if (unknown.length) return { ok: false, error: `unknown key${unknown.length > 1 ? 's' : ''} in the Zotero library: ${unknown.join(', ')}` };
  const exported = await library.betterBibtexExport(keys, options.biblatex ? 'Better BibLaTeX' : 'Better BibTeX', options.signal);
  if (exported !== undefined) return { ok: true, value: exported, status };
  const papers = keys.map((key) => library.papers.find((p) => p.id === key)!);
  return { ok: true, value: toBibtexFile(papers), status };
}

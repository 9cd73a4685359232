/**
 * The online commands of the `litcite` CLI, as functions that return data and text for
 * src/cli.ts to print (they write no files and no output themselves):
 *  - `litcite search QUERY --online [--sources arxiv,openalex,crossref,semanticscholar] [--json]`
 *  - `litcite add <arXiv id|DOI|URL> --to refs.bib` (the entry and key; the caller appends it)
 *  - `litcite related <key|DOI|arXiv id> [--json]`
 * Settings come from the environment (`onlineOptionsFromEnv`); the library is passed in, as an
 * array of papers or a lookup, so this file does not care how the CLI loads files.
 */
import * as os from 'os';
import { toBibtex } from '../core/bibtex';
import { DEFAULT_KEY_TEMPLATE } from '../core/citekey';
import { describeLookup, type LookupIdentifier, parseLookupInput } from '../core/online/lookup-input';
import { keyForOnlinePaper, keysForWorks, type LocalLookup, localLookup, type MergedWork } from '../core/online/merge-works';
import { describeFailure, describeOutcome, isOnlineSourceId, ONLINE_SOURCES, type OnlineSourceId, SOURCE_NAMES, type SourceOutcome } from '../core/online/types';
import { formatAuthors, venueAndYear } from '../core/render';
import { displayName, type Paper, type PaperOrigin, paperVenue, paperYear } from '../core/types';
import { OnlineEngine, type OnlineEngineOptions } from '../node/online/engine';
import { RELATED_KINDS, type RelatedKind } from '../node/online/related';
import { defaultCacheDir } from '../node/cache-dir';

// ---------------------------------------------------------------------------------------------
// Settings from the environment

/**
 * Engine options from `LITCITE_*` variables: base URLs (`LITCITE_ARXIV_API_URL`,
 * `LITCITE_OPENALEX_API_URL`, `LITCITE_CROSSREF_API_URL`, `LITCITE_SEMANTIC_SCHOLAR_API_URL`,
 * `LITCITE_DOI_API_URL`), keys (`LITCITE_OPENALEX_API_KEY`, `LITCITE_SEMANTIC_SCHOLAR_API_KEY`),
 * `LITCITE_CONTACT_EMAIL` and `LITCITE_CACHE_DIR` (default: the user cache folder).
 */
export function onlineOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): Omit<OnlineEngineOptions, 'enabled'> {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const urls: NonNullable<OnlineEngineOptions['urls']> = {};
  const urlVariables: [keyof typeof urls, string][] = [
    ['arxiv', 'LITCITE_ARXIV_API_URL'], ['openalex', 'LITCITE_OPENALEX_API_URL'], ['crossref', 'LITCITE_CROSSREF_API_URL'],
    ['semanticscholar', 'LITCITE_SEMANTIC_SCHOLAR_API_URL'], ['doi', 'LITCITE_DOI_API_URL'],
  ];
  for (const [service, name] of urlVariables) {
    const url = value(name);
    if (url) urls[service] = url;
  }
  const options: Omit<OnlineEngineOptions, 'enabled'> = { urls, cacheDir: defaultCacheDir(env, platform, home) };
  const email = value('LITCITE_CONTACT_EMAIL');
  if (email) options.contactEmail = email;
  const openAlexKey = value('LITCITE_OPENALEX_API_KEY');
  if (openAlexKey) options.openAlexApiKey = openAlexKey;
  const s2Key = value('LITCITE_SEMANTIC_SCHOLAR_API_KEY');
  if (s2Key) options.semanticScholarApiKey = s2Key;
  return options;
}


/**
 * An engine for one CLI run. Typing `--online` is the user's consent to send the query to the
 * sources; the CLI must not call this otherwise.
 */
export function createCliEngine(sources: readonly OnlineSourceId[] = ONLINE_SOURCES, env: NodeJS.ProcessEnv = process.env): OnlineEngine {
  return new OnlineEngine({ ...onlineOptionsFromEnv(env), sources, enabled: true });
}

/** `--sources arxiv,openalex`: the sources named (also `s2`, `semantic-scholar`), or what is wrong with the list. */
export function parseSourcesOption(value: string | undefined): { ok: true; sources: OnlineSourceId[] } | { ok: false; message: string } {
  if (value === undefined || !value.trim()) return { ok: true, sources: [...ONLINE_SOURCES] };
  const sources: OnlineSourceId[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase().replace(/[\s_-]/g, '');
    if (!name) continue;
    const source = name === 's2' ? 'semanticscholar' : name;
    if (!isOnlineSourceId(source)) return { ok: false, message: `unknown source '${raw.trim()}' in --sources (sources: ${ONLINE_SOURCES.join(', ')})` };
    if (!sources.includes(source)) sources.push(source);
  }
  return sources.length ? { ok: true, sources } : { ok: false, message: '--sources names no source' };
}

// ---------------------------------------------------------------------------------------------
// The library, however the CLI loaded it

/** What the online commands need of the local library. */
export interface LibraryAccess {
  byKey(key: string): Paper | undefined;
  /** The library's paper for a work (DOI, arXiv id, title + author + year). */
  find: LocalLookup;
  keys(): Iterable<string>;
}

/** An array of papers or a ready lookup. */
export type LocalLibrary = readonly Paper[] | LibraryAccess;

/** A lookup over an array of papers (built once), or the lookup given. */
export function libraryAccess(library: LocalLibrary): LibraryAccess {
  if (!Array.isArray(library)) return library as LibraryAccess;
  const papers = library as readonly Paper[];
  const byKey = new Map<string, Paper>();
  for (const paper of papers) if (!byKey.has(paper.id)) byKey.set(paper.id, paper);
  return { byKey: (key) => byKey.get(key), find: localLookup(papers), keys: () => byKey.keys() };
}

// ---------------------------------------------------------------------------------------------
// search --online

/** One result as `--json` prints it. */
export interface SearchItem {
  key: string;
  title: string;
  authors: string[];
  year: number | null;
  venue: string | null;
  doi: string | null;
  arxiv: string | null;
  abstract: string | null;
  /** The online services that found it; empty for a library paper no service returned. */
  sources: string[];
  origin: 'bundled' | 'library' | 'online';
}

function originOf(paper: Paper, online: boolean): SearchItem['origin'] {
  if (online) return 'online';
  const origin: PaperOrigin | undefined = paper.origin;
  if (origin === 'bundled' || paper.source === 'bundled') return 'bundled';
  return 'library';
}

/** A paper as a JSON item under `key`. */
export function searchItem(paper: Paper, key: string, sources: readonly string[], online: boolean): SearchItem {
  return {
    key,
    title: paper.title,
    authors: paper.author.map(displayName),
    year: paperYear(paper) ?? null,
    venue: paperVenue(paper) ?? null,
    doi: paper.DOI ?? null,
    arxiv: paper.arxiv ?? null,
    abstract: paper.abstract ?? null,
    sources: [...sources],
    origin: originOf(paper, online),
  };
}

export interface OnlineSearchOptions {
  engine: OnlineEngine;
  library: LocalLibrary;
  /** The local search's hits, best first; they come first in the list. */
  localHits?: readonly Paper[];
  sources?: readonly OnlineSourceId[];
  /** Results asked of each source, and the most online results listed (default 10). */
  limit?: number;
  keyTemplate?: string;
  signal?: AbortSignal;
  /** Each source's outcome as it arrives (for a progress line on stderr). */
  onOutcome?: (outcome: SourceOutcome) => void;
}

export interface OnlineSearchResult {
  items: SearchItem[];
  outcomes: SourceOutcome[];
  /** One line per source ("Crossref: rate-limited, try again in 20 s"), for stderr. */
  status: string[];
  /** No source answered: the caller may exit non-zero when there are no local hits either. */
  allFailed: boolean;
}

/**
 * The merged list: the local hits first, then the online works best first — a work the library
 * has appears once, as the library's paper under its key; online works carry the key they would
 * be added under (unique against the library's keys).
 */
export async function onlineSearch(query: string, options: OnlineSearchOptions): Promise<OnlineSearchResult> {
  const library = libraryAccess(options.library);
  const limit = options.limit ?? 10;
  const { works, outcomes } = await options.engine.search(query, { sources: options.sources, limit, signal: options.signal, local: library.find, onOutcome: options.onOutcome });
  // The CLI may exit right after printing: the answers must be on disk by then.
  await options.engine.idle();
  const localHits = options.localHits ?? [];
  const shown = new Set(localHits);
  const items: SearchItem[] = [];
  const sourcesOf = new Map<Paper, string[]>();
  for (const work of works) if (work.local) sourcesOf.set(work.paper, work.sources);
  for (const paper of localHits) items.push(searchItem(paper, paper.id, sourcesOf.get(paper) ?? [], false));
  const fresh = works.filter((work) => !(work.local && shown.has(work.paper))).slice(0, limit);
  const keys = keysForWorks(fresh, new Set(library.keys()), options.keyTemplate ?? DEFAULT_KEY_TEMPLATE);
  fresh.forEach((work, i) => items.push(searchItem(work.paper, keys[i], work.sources, !work.local)));
  return {
    items,
    outcomes,
    status: outcomes.map((outcome) => describeOutcome(outcome)),
    allFailed: outcomes.length > 0 && outcomes.every((o) => o.status !== 'ok'),
  };
}

/** The list as the terminal shows it: numbered titles, then key · authors · venue year · where from. */
export function formatSearchText(items: readonly SearchItem[]): string {
  const lines: string[] = [];
  items.forEach((item, i) => {
    const paper = itemPaper(item);
    const from = item.origin === 'online' ? `online: ${item.sources.map(sourceName).join(', ')}` : item.origin;
    lines.push(`${String(i + 1).padStart(2)}. ${item.title}`);
    lines.push(`    ${item.key} · ${formatAuthors(paper)} · ${venueAndYear(paper)} · ${from}`);
  });
  return lines.join('\n');
}

function sourceName(source: string): string {
  return isOnlineSourceId(source) || source === 'doi' ? SOURCE_NAMES[source as OnlineSourceId | 'doi'] : source;
}

/** Enough of a Paper back from an item for the shared formatters. */
function itemPaper(item: SearchItem): Paper {
  const paper: Paper = { id: item.key, type: 'article', title: item.title, author: item.authors.map((literal) => ({ literal })) };
  if (item.year !== null) paper.issued = { 'date-parts': [[item.year]] };
  if (item.venue !== null) paper['container-title'] = item.venue;
  return paper;
}

// ---------------------------------------------------------------------------------------------
// add

export interface AddOptions {
  engine: OnlineEngine;
  /** Keys already in the target .bib (the new key must differ from all of them). */
  targetKeys: Iterable<string>;
  /** The target's papers, to refuse adding one it already has. */
  targetPapers?: readonly Paper[];
  /** The library: a paper it has keeps the key it shows there when the target does not use it. */
  library?: LocalLibrary;
  keyTemplate?: string;
  /** Whether the entry gets the abstract (default true, as Add Paper writes it). */
  includeAbstract?: boolean;
  /** The entry writer (default `toBibtex`); the project's .bib writer may pass its own. */
  formatEntry?: (paper: Paper) => string;
  signal?: AbortSignal;
}

/** What `litcite add` came to: the entry to append and its key, or why there is none. */
export type AddResult =
  | { ok: true; key: string; entry: string; paper: Paper; fromCache: boolean }
  | { ok: false; reason: 'not-an-identifier' | 'not-found' | 'failed'; message: string }
  | { ok: false; reason: 'duplicate'; key: string; message: string };

/** Fetches the paper an identifier names and makes its entry under a key unique in the target. */
export async function addPaper(input: string, options: AddOptions): Promise<AddResult> {
  const identifier = parseLookupInput(input);
  if (!identifier) return { ok: false, reason: 'not-an-identifier', message: `'${input.trim()}' is not an arXiv id, a DOI or a URL with one` };
  const inTarget = localLookup(options.targetPapers ?? []);
  // The identifier alone may show the target has it: then nothing is fetched.
  const already = inTarget(probeFor(identifier));
  if (already) return duplicate(identifier, already.id);

  const resolved = await options.engine.resolveIdentifier(input, { signal: options.signal });
  await options.engine.idle();
  if (!resolved.ok) {
    if (resolved.reason === 'not-an-identifier') return { ok: false, reason: 'not-an-identifier', message: `'${input.trim()}' is not an arXiv id, a DOI or a URL with one` };
    if (resolved.reason === 'not-found') return { ok: false, reason: 'not-found', message: `no paper found for ${describeLookup(resolved.identifier)}` };
    return { ok: false, reason: 'failed', message: `could not look up ${describeLookup(resolved.identifier)}: ${describeFailure(SOURCE_NAMES[resolved.service], resolved.failure)}` };
  }
  const found = inTarget(resolved.paper);
  if (found) return duplicate(identifier, found.id);

  const taken = new Set(options.targetKeys);
  const library = options.library ? libraryAccess(options.library) : undefined;
  const known = library?.find(resolved.paper);
  const template = options.keyTemplate ?? DEFAULT_KEY_TEMPLATE;
  let key: string;
  if (known && !taken.has(known.id)) key = known.id;
  else {
    for (const libraryKey of library?.keys() ?? []) taken.add(libraryKey);
    key = keyForOnlinePaper(resolved.paper, taken, template);
  }
  const paper: Paper = { ...resolved.paper, id: key };
  const entry = options.formatEntry ? options.formatEntry(paper) : toBibtex(paper, { includeAbstract: options.includeAbstract ?? true });
  return { ok: true, key, entry, paper, fromCache: resolved.fromCache };
}

function duplicate(identifier: LookupIdentifier, key: string): AddResult {
  return { ok: false, reason: 'duplicate', key, message: `${describeLookup(identifier)} is already in the file as ${key}` };
}

/** A paper carrying only the identifier, to match against papers that have it. */
function probeFor(identifier: LookupIdentifier): Paper {
  const probe: Paper = { id: '', type: 'article', title: '', author: [] };
  if (identifier.kind === 'doi') probe.DOI = identifier.doi;
  if (identifier.kind === 'arxiv') probe.arxiv = identifier.id;
  return probe;
}

// ---------------------------------------------------------------------------------------------
// related

export interface RelatedCommandOptions {
  engine: OnlineEngine;
  library: LocalLibrary;
  limit?: number;
  keyTemplate?: string;
  signal?: AbortSignal;
}

export type RelatedCommandResult =
  | { ok: true; paper: SearchItem; lists: Record<RelatedKind, SearchItem[]>; outcomes: SourceOutcome[]; status: string[] }
  | { ok: false; reason: 'unknown' | 'no-identifier'; message: string };

/** References, citing papers and recommendations for a library key, a DOI or an arXiv id. */
export async function relatedPapers(target: string, options: RelatedCommandOptions): Promise<RelatedCommandResult> {
  const library = libraryAccess(options.library);
  let anchor = library.byKey(target.trim());
  let anchorOnline = false;
  if (!anchor) {
    const identifier = parseLookupInput(target);
    if (!identifier) return { ok: false, reason: 'unknown', message: `'${target.trim()}' is not a key in the library, a DOI or an arXiv id` };
    const probe = probeFor(identifier);
    anchor = library.find(probe);
    if (!anchor) {
      // The record gives the paper's title for the heading and its other identifier; without it the bare id still works.
      const resolved = await options.engine.resolveIdentifier(target, { signal: options.signal });
      anchor = resolved.ok ? resolved.paper : identifier.kind === 'openalex' ? undefined : { ...probe, title: describeLookup(identifier) };
      anchorOnline = true;
    }
    if (!anchor) return { ok: false, reason: 'no-identifier', message: `${describeLookup(identifier)} could not be looked up, and related papers need its DOI or arXiv id` };
  }
  const result = await options.engine.related(anchor, { local: library.find, limit: options.limit, signal: options.signal });
  await options.engine.idle();
  if (!result.ok) return { ok: false, reason: 'no-identifier', message: `${anchor.id || anchor.title} has neither a DOI nor an arXiv id, which related papers need` };
  const taken = new Set(library.keys());
  const template = options.keyTemplate ?? DEFAULT_KEY_TEMPLATE;
  const lists = {} as Record<RelatedKind, SearchItem[]>;
  const outcomes: SourceOutcome[] = [];
  for (const kind of RELATED_KINDS) {
    const { works, outcomes: kindOutcomes } = result.lists[kind];
    lists[kind] = itemsFor(works, taken, template);
    outcomes.push(...kindOutcomes);
  }
  const anchorKey = anchorOnline ? keyForOnlinePaper(anchor, taken, template) : anchor.id;
  return {
    ok: true,
    paper: searchItem(anchor, anchorKey, anchor.sources ?? [], anchorOnline),
    lists,
    outcomes,
    status: RELATED_KINDS.flatMap((kind) => result.lists[kind].outcomes.map((o) => `${RELATED_TITLES[kind]}: ${describeOutcome(o)}`)),
  };
}

function itemsFor(works: readonly MergedWork[], taken: ReadonlySet<string>, template: string): SearchItem[] {
  const keys = keysForWorks(works, taken, template);
  return works.map((work, i) => searchItem(work.paper, keys[i], work.sources, !work.local));
}

const RELATED_TITLES: Record<RelatedKind, string> = { references: 'References', citing: 'Cited by', recommended: 'Recommended' };

/** The three lists as the terminal shows them, each under its heading. */
export function formatRelatedText(result: Extract<RelatedCommandResult, { ok: true }>): string {
  const sections = [`${result.paper.title}`, `    ${result.paper.key}`];
  for (const kind of RELATED_KINDS) {
    sections.push('', `${RELATED_TITLES[kind]} (${result.lists[kind].length})`);
    if (result.lists[kind].length) sections.push(formatSearchText(result.lists[kind]));
  }
  return sections.join('\n');
}

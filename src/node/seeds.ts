import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_KEY_TEMPLATE } from '../core/citekey';
import { buildBundledLibrary, SeedSource } from '../core/corpus';
import { IndexSnapshot, SearchIndex } from '../core/search';
import { Paper, Problem } from '../core/types';

/** The folder of the bundled corpus, shipped beside `dist/`. */
export function defaultSeedFolder(): string {
  return path.join(__dirname, '..', 'seeds');
}

/**
 * Reads a seed folder: every `.txt` is a listing page (titles with abstracts), every `.json` an
 * array of paper metadata. Files are read in name order so keys come out the same every run.
 */
export function readSeedFolder(folder: string): { listings: SeedSource[]; metadata: SeedSource[] } {
  const names = fs.readdirSync(folder).sort();
  const read = (name: string): SeedSource => ({ name, text: fs.readFileSync(path.join(folder, name), 'utf8') });
  return {
    listings: names.filter((n) => n.toLowerCase().endsWith('.txt')).map(read),
    metadata: names.filter((n) => n.toLowerCase().endsWith('.json')).map(read),
  };
}

/** The bundled corpus parsed at build time, shipped beside the bundles. */
export function defaultCacheFile(): string {
  return path.join(__dirname, 'seeds-cache.json');
}

interface CorpusCache {
  fingerprint: string;
  keyTemplate: string;
  papers: Paper[];
  problems: Problem[];
  /** The search index over `papers`, so activation does not tokenise the abstracts either. */
  index: IndexSnapshot;
}

/** Identifies the exact seed files: names and contents. */
function fingerprint(listings: SeedSource[], metadata: SeedSource[]): string {
  const hash = createHash('sha1');
  for (const file of [...listings, ...metadata]) hash.update(`${file.name}\u0000${file.text}\u0000`);
  return hash.digest('hex');
}

/**
 * The bundled library from a seed folder, with what went wrong reading it. The listing format is
 * parsed at build time into `cacheFile`; that result is used while the folder still holds exactly
 * the files it was made from (and keys use the default template). A file dropped into the folder,
 * or any change, means parsing at load time as usual.
 */
export function loadBundledLibrary(
  folder = defaultSeedFolder(),
  options: { keyTemplate?: string; cacheFile?: string } = {},
): { papers: Paper[]; problems: Problem[]; fromCache: boolean; index?: IndexSnapshot } {
  const { listings, metadata } = readSeedFolder(folder);
  const keyTemplate = options.keyTemplate ?? DEFAULT_KEY_TEMPLATE;
  const cacheFile = options.cacheFile ?? defaultCacheFile();
  if (keyTemplate === DEFAULT_KEY_TEMPLATE && fs.existsSync(cacheFile)) {
    try {
      const cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as CorpusCache;
      if (cache.keyTemplate === keyTemplate && cache.fingerprint === fingerprint(listings, metadata)) {
        return { papers: cache.papers, problems: cache.problems, fromCache: true, index: cache.index };
      }
    } catch {
      // An unreadable cache is only a missed shortcut: parse the files below.
    }
  }
  return { ...buildBundledLibrary(listings, metadata, { keyTemplate }), fromCache: false };
}

/** Parses a seed folder and writes the result where `loadBundledLibrary` looks for it (the build does this). */
export function writeCorpusCache(folder: string, cacheFile: string): number {
  const { listings, metadata } = readSeedFolder(folder);
  const { papers, problems } = buildBundledLibrary(listings, metadata);
  const index = new SearchIndex(papers).snapshot();
  const cache: CorpusCache = { fingerprint: fingerprint(listings, metadata), keyTemplate: DEFAULT_KEY_TEMPLATE, papers, problems, index };
  fs.writeFileSync(cacheFile, JSON.stringify(cache));
  return papers.length;
}

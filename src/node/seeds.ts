import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_KEY_TEMPLATE } from '../core/citekey';
import { buildBundledLibrary, SeedSource } from '../core/corpus';
import { encodeCache, openCache } from '../core/cache-format';
import { IndexSegment } from '../core/search/segment';
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

/** The bundled corpus parsed and indexed at build time, shipped beside the bundles (the library cache format). */
export function defaultCacheFile(): string {
  return path.join(__dirname, 'seeds-cache.bin');
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
): { papers: Paper[]; problems: Problem[]; fromCache: boolean; segment?: IndexSegment } {
  const { listings, metadata } = readSeedFolder(folder);
  const keyTemplate = options.keyTemplate ?? DEFAULT_KEY_TEMPLATE;
  const cacheFile = options.cacheFile ?? defaultCacheFile();
  if (keyTemplate === DEFAULT_KEY_TEMPLATE && fs.existsSync(cacheFile)) {
    const reader = openCache(fs.readFileSync(cacheFile));
    // An unreadable or outdated cache is only a missed shortcut: the files are parsed below.
    if (typeof reader !== 'string' && reader.identity.hash === fingerprint(listings, metadata)) {
      const papers: Paper[] = [];
      for (let i = 0; i < reader.chunkCount; i++) papers.push(...reader.papers(i));
      return { papers, problems: reader.problems(), fromCache: true, segment: new IndexSegment(reader.segment()) };
    }
  }
  return { ...buildBundledLibrary(listings, metadata, { keyTemplate }), fromCache: false };
}

/** Parses and indexes a seed folder and writes the result where `loadBundledLibrary` looks for it (the build does this). */
export function writeCorpusCache(folder: string, cacheFile: string): number {
  const { listings, metadata } = readSeedFolder(folder);
  const { papers, problems } = buildBundledLibrary(listings, metadata);
  const segment = IndexSegment.build(papers);
  const bytes = encodeCache({
    identity: { path: 'bundled', size: 0, mtimeMs: 0, hash: fingerprint(listings, metadata) },
    papers,
    problems,
    extra: {},
    segment: segment.data,
  });
  fs.writeFileSync(cacheFile, bytes);
  return papers.length;
}

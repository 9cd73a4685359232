/**
 * One library file on disk → its papers, problems and index segment, through the persistent
 * cache: a file whose identity (path, size, mtime, content hash, and the macros it borrowed from
 * other files) matches its cache entry is not parsed again. Used as is by the CLI and inside
 * the extension's library worker.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { resolveWithinFile } from '../core/bibtex/database';
import type { BibState } from '../core/bibtex/incremental';
import { BibFileParse, MacroDefinition, parseBibtexFile } from '../core/bibtex/read';
import { CachePayload, CacheReader, encodeCache, openCache, SourceIdentity } from '../core/cache-format';
import { parseCslJson } from '../core/csl-read';
import { decodeBibBytes } from '../core/encoding';
import { IndexSegment, SegmentBuilder } from '../core/search/segment';
import type { Paper, Problem } from '../core/types';

/** The two library formats: BibTeX/BibLaTeX and CSL-JSON. */
export type LibraryKind = 'bibtex' | 'csl-json';

/** The format a library file's name says it is in: `.json` is CSL-JSON, anything else BibTeX. */
export function libraryKind(fileName: string): LibraryKind {
  return /\.json$/i.test(fileName) ? 'csl-json' : 'bibtex';
}

/** What a load of one file gives: the parse and, separately, what crossref resolution needs. */
export interface LibraryFileResult {
  identity: SourceIdentity;
  papers: Paper[];
  problems: Problem[];
  /** `@xdata` entries (fields others take in). */
  xdata: Paper[];
  /** The macros the file defines, for the files read after it. */
  macros: Array<[string, MacroDefinition]>;
  /** Macros the file used without defining them. */
  externalMacros: string[];
  segment: IndexSegment;
  /** The cache file's bytes (to hand to another thread without encoding again). */
  encoded: Uint8Array;
  fromCache: boolean;
  parseMs: number;
  /** The text and raw parse (BibTeX files read now, not from the cache): what an edit is compared with. */
  state?: BibState;
}

export interface LoadFileOptions {
  /** Where cache files go; no caching without it. */
  cacheDir?: string;
  /** Macros of the files read before this one. */
  external?: ReadonlyMap<string, MacroDefinition>;
}

/** Filesystems record mtimes as coarsely as 2 s (FAT); a file modified that close to its entry is checked by content. */
const RACY_MS = 2000;


/** The cache file of a library file. */
export function cacheFileFor(cacheDir: string, file: string): string {
  return path.join(cacheDir, 'libraries', `${createHash('sha1').update(path.resolve(file)).digest('hex')}.bin`);
}

/** A file in the cache format, from its cache entry or parsed now (then with the parse at hand). */
export interface EncodedLibraryFile {
  identity: SourceIdentity;
  /** The cache file's bytes. */
  encoded: Uint8Array;
  fromCache: boolean;
  parseMs: number;
  /** Parsed now: the result, and what an edit is compared with. */
  parsed?: Omit<LibraryFileResult, 'encoded' | 'fromCache' | 'parseMs'>;
  /** From the cache: the open entry. */
  reader?: CacheReader;
}

/** Loads a file from its cache entry when that still describes it, else parses it and writes the entry. */
export function loadLibraryFile(file: string, options: LoadFileOptions = {}): LibraryFileResult {
  const loaded = loadEncodedLibraryFile(file, options);
  if (loaded.parsed) return { ...loaded.parsed, encoded: loaded.encoded, fromCache: false, parseMs: loaded.parseMs };
  return { ...fromReader(loaded.reader!, loaded.encoded), identity: loaded.identity };
}

/**
 * The file in the cache format without decoding its papers when the cache entry still describes
 * it: the library worker only passes the bytes on, and the extension decodes them in slices.
 */
export function loadEncodedLibraryFile(file: string, options: LoadFileOptions = {}): EncodedLibraryFile {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  const cacheFile = options.cacheDir ? cacheFileFor(options.cacheDir, file) : undefined;
  const cached = cacheFile ? readCache(cacheFile) : undefined;
  const borrowedMacros = (reader: CacheReader): string[] => (reader.extra() as { externalMacros?: string[] }).externalMacros ?? [];
  // Size and mtime vouch for the content unless the file was modified too close to when the entry
  // was made for its timestamp to tell two versions apart (as git treats "racily clean" files).
  const racy = !cached?.identity.writtenAt || stat.mtimeMs >= cached.identity.writtenAt - RACY_MS;
  if (cached && !racy && cached.identity.path === path.resolve(file) && cached.identity.size === stat.size && cached.identity.mtimeMs === stat.mtimeMs) {
    if (externalHash(borrowedMacros(cached.reader), options.external) === (cached.identity.externalMacrosHash ?? '')) {
      return { identity: cached.identity, encoded: cached.bytes, fromCache: true, parseMs: 0, reader: cached.reader };
    }
  }
  const bytes = fs.readFileSync(file);
  const hash = createHash('sha1').update(bytes).digest('hex');
  if (cached && cached.identity.hash === hash && externalHash(borrowedMacros(cached.reader), options.external) === (cached.identity.externalMacrosHash ?? '')) {
    // Touched but unchanged: the entry stands, under the file's new mtime.
    const identity = { ...cached.identity, mtimeMs: stat.mtimeMs, size: stat.size, writtenAt: Date.now() };
    const result = fromReader(cached.reader, cached.bytes);
    const encoded = encodeCache({ ...payloadOf(result), identity });
    if (cacheFile) writeCacheBytes(cacheFile, encoded);
    const reader = openCache(encoded, false);
    if (typeof reader !== 'string') return { identity, encoded, fromCache: true, parseMs: 0, reader };
  }
  const started = performance.now();
  const parsed = parseBytes(bytes, path.resolve(file), libraryKind(file), options.external);
  const identity: SourceIdentity = {
    path: path.resolve(file), size: stat.size, mtimeMs: stat.mtimeMs, hash, writtenAt: Date.now(),
    externalMacrosHash: externalHash(parsed.externalMacros, options.external), encoding: parsed.encoding, bom: parsed.bom,
  };
  const payload: CachePayload = {
    identity,
    papers: parsed.papers,
    problems: parsed.problems,
    extra: { xdata: parsed.xdata, macros: parsed.macros, externalMacros: parsed.externalMacros },
    segment: parsed.segment.data,
  };
  const encoded = encodeCache(payload);
  if (cacheFile) writeCacheBytes(cacheFile, encoded);
  const { raw, text, encoding: _encoding, bom: _bom, ...rest } = parsed;
  const state = raw && text !== undefined ? { text, sourceName: path.resolve(file), parse: raw } : undefined;
  return { identity, encoded, fromCache: false, parseMs: performance.now() - started, parsed: { ...rest, identity, ...(state ? { state } : {}) } };
}

/** Parses a file's bytes (no cache). */
export function parseBytes(bytes: Uint8Array, sourceName: string, kind: LibraryKind, external?: ReadonlyMap<string, MacroDefinition>): ParsedBytes {
  return parseText(decodeBibBytes(bytes), sourceName, kind, external);
}

/** What parsing a file's text gives, with the raw BibTeX parse for later incremental reads. */
export type ParsedBytes = Omit<LibraryFileResult, 'identity' | 'encoded' | 'fromCache' | 'parseMs' | 'state'> & { encoding: string; bom: boolean; raw?: BibFileParse; text?: string };

/** Parses decoded text (the worker uses it for unsaved buffers too). */
export function parseText(decoded: { text: string; encoding: string; bom: boolean; problem?: Problem }, sourceName: string, kind: LibraryKind, external?: ReadonlyMap<string, MacroDefinition>): ParsedBytes {
  const problems: Problem[] = decoded.problem ? [decoded.problem] : [];
  let papers: Paper[];
  let xdata: Paper[] = [];
  let macros: Array<[string, MacroDefinition]> = [];
  let externalMacros: string[] = [];
  let raw: BibFileParse | undefined;
  if (kind === 'csl-json') {
    const parse = parseCslJson(decoded.text, sourceName);
    papers = parse.papers;
    problems.push(...parse.problems);
  } else {
    const parse = parseBibtexFile(decoded.text, sourceName, { external });
    // Cross-references within the file are resolved here; across files the library does it.
    const resolved = resolveWithinFile(parse);
    papers = resolved.papers;
    problems.push(...parse.problems, ...resolved.problems);
    xdata = parse.xdata;
    macros = [...parse.macros];
    externalMacros = parse.externalMacros;
    raw = parse;
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const builder = new SegmentBuilder();
  for (const paper of papers) builder.add(paper);
  return { papers, problems, xdata, macros, externalMacros, segment: builder.finish(), encoding: decoded.encoding, bom: decoded.bom, raw, text: raw ? decoded.text : undefined };
}

/** A load result from an open cache (its segment viewed in place). */
export function fromReader(reader: CacheReader, bytes: Uint8Array): LibraryFileResult {
  const papers: Paper[] = [];
  for (let i = 0; i < reader.chunkCount; i++) papers.push(...reader.papers(i));
  const extra = reader.extra() as { xdata?: Paper[]; macros?: Array<[string, MacroDefinition]>; externalMacros?: string[] };
  return {
    identity: reader.identity,
    papers,
    problems: reader.problems(),
    xdata: extra.xdata ?? [],
    macros: extra.macros ?? [],
    externalMacros: extra.externalMacros ?? [],
    segment: new IndexSegment(reader.segment()),
    encoded: bytes,
    fromCache: true,
    parseMs: 0,
  };
}

function payloadOf(result: LibraryFileResult): CachePayload {
  return { identity: result.identity, papers: result.papers, problems: result.problems, extra: { xdata: result.xdata, macros: result.macros, externalMacros: result.externalMacros }, segment: result.segment.data };
}

/** The macros a file borrowed, as they are now: a file is parsed again when one of them changed. */
function externalHash(names: readonly string[], external: ReadonlyMap<string, MacroDefinition> | undefined): string {
  if (!names.length) return '';
  const values = names.map((name) => `${name}=${external?.get(name)?.value ?? '\u0000'}`).sort();
  return createHash('sha1').update(values.join('\n')).digest('hex');
}

function readCache(cacheFile: string): { reader: CacheReader; identity: SourceIdentity; bytes: Uint8Array } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const reader = openCache(bytes);
  // A cache file from another version, cut short or garbled is rebuilt, never trusted.
  if (typeof reader === 'string') return undefined;
  return { reader, identity: reader.identity, bytes };
}


/** Writes a cache file whole or not at all: to a temporary name, then renamed over the old one. */
export function writeCacheBytes(cacheFile: string, bytes: Uint8Array): void {
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const temp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(temp, bytes);
    fs.renameSync(temp, cacheFile);
  } catch {
    // A cache that cannot be written only costs the next start a parse.
  }
}

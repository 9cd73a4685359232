/*
 * Entry point of dist/library-worker.js: reads library files off the extension host's main
 * thread. A file is loaded from its cache entry or parsed and indexed; its text and parse are
 * kept, so an edit is read incrementally (only the entries it touched) and the cache entry is
 * brought up to date in the background, in slices that let the next request through.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parentPort } from 'worker_threads';
import { createHash } from 'crypto';
import { resolveWithinFile } from '../core/bibtex/database';
import { BibState, updateBibState } from '../core/bibtex/incremental';
import { MacroDefinition, parseBibtexFile } from '../core/bibtex/read';
import { encodeCache, SourceIdentity } from '../core/cache-format';
import { decodeBibBytes } from '../core/encoding';
import { SegmentBuilder } from '../core/search/segment';
import type { Problem } from '../core/types';
import { cacheFileFor, libraryKind, loadEncodedLibraryFile, parseText, writeCacheBytes } from './library-file';
import type { WorkerReply, WorkerRequest } from './library-worker-protocol';

interface Known {
  state?: BibState;
  identity: SourceIdentity;
  external?: Map<string, MacroDefinition>;
  cacheDir?: string;
}

const known = new Map<string, Known>();
/** Bumped by every request: a background rewrite started earlier gives up. */
let generation = 0;
const port = parentPort;

port?.on('message', (request: WorkerRequest) => {
  generation++;
  try {
    if (request.type === 'load') load(request);
    else if (request.type === 'update') update(request);
    else if (request.type === 'forget') known.delete(request.file);
  } catch (err) {
    if (request.type !== 'forget') reply({ type: 'failed', id: request.id, message: (err as Error).message, missing: (err as NodeJS.ErrnoException).code === 'ENOENT' });
  }
});

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

/** Bytes in a buffer of their own, so they can be transferred rather than copied. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

function load(request: Extract<WorkerRequest, { type: 'load' }>): void {
  const external = request.external ? new Map(request.external) : undefined;
  const result = loadEncodedLibraryFile(request.file, { cacheDir: request.cacheDir, external });
  const state = result.parsed?.state;
  const bytes = own(result.encoded);
  reply({ type: 'loaded', id: request.id, bytes, fromCache: result.fromCache, parseMs: result.parseMs }, [bytes.buffer as ArrayBuffer]);
  known.set(request.file, { state, identity: result.identity, external, cacheDir: request.cacheDir });
  // Loaded from the cache: the parse an edit is compared with is made while nothing else is asked.
  if (!state && libraryKind(request.file) === 'bibtex') {
    const started = generation;
    setTimeout(() => {
      if (generation !== started) return;
      const entry = known.get(request.file);
      if (!entry || entry.state) return;
      try {
        const decoded = decodeBibBytes(fs.readFileSync(request.file));
        entry.state = { text: decoded.text, sourceName: path.resolve(request.file), parse: parseBibtexFile(decoded.text, path.resolve(request.file), { external }) };
      } catch {
        // The next edit then reads the file whole.
      }
    }, 200);
  }
}

function update(request: Extract<WorkerRequest, { type: 'update' }>): void {
  const entry = known.get(request.file);
  const external = request.external ? new Map(request.external) : entry?.external;
  let bytes: Uint8Array | undefined;
  let text = request.text;
  let encoding = entry?.identity.encoding ?? 'utf-8';
  let bom = entry?.identity.bom ?? false;
  let decodeProblem: Problem | undefined;
  if (text === undefined) {
    bytes = fs.readFileSync(request.file);
    const decoded = decodeBibBytes(bytes);
    text = decoded.text;
    encoding = decoded.encoding;
    bom = decoded.bom;
    decodeProblem = decoded.problem;
  }
  const stat = fs.statSync(request.file, { throwIfNoEntry: false });
  const identity: SourceIdentity = {
    path: path.resolve(request.file),
    size: stat?.size ?? 0,
    mtimeMs: request.text === undefined ? stat?.mtimeMs ?? 0 : -1,
    hash: bytes ? createHash('sha1').update(bytes).digest('hex') : `buffer:${createHash('sha1').update(text).digest('hex')}`,
    encoding,
    bom,
  };
  const sameMacros = !request.external || sameMap(entry?.external, external);
  const updated = entry?.state && sameMacros && !decodeProblem && libraryKind(request.file) === 'bibtex' ? updateBibState(entry.state, text) : undefined;
  if (entry && updated) {
    entry.state = updated.state;
    entry.identity = identity;
    const problems = withinFileProblems(updated.state);
    reply({ type: 'delta', id: request.id, delta: updated.delta, problems, identity });
    // Saved edits go to the cache entry too (an unsaved buffer's never does).
    if (request.text === undefined && entry.cacheDir) scheduleRewrite(request.file, entry);
    return;
  }
  // Not a local edit: the whole text is read again.
  const parsed = parseText({ text, encoding, bom, problem: decodeProblem }, path.resolve(request.file), libraryKind(request.file), external);
  const payloadIdentity = { ...identity };
  const encoded = own(encodeCache({
    identity: payloadIdentity,
    papers: parsed.papers,
    problems: parsed.problems,
    extra: { xdata: parsed.xdata, macros: parsed.macros, externalMacros: parsed.externalMacros },
    segment: parsed.segment.data,
  }));
  known.set(request.file, { state: parsed.raw && parsed.text !== undefined ? { text: parsed.text, sourceName: path.resolve(request.file), parse: parsed.raw } : undefined, identity, external, cacheDir: entry?.cacheDir ?? request.cacheDir });
  if (request.text === undefined && (entry?.cacheDir ?? request.cacheDir)) writeCacheBytes(cacheFileFor((entry?.cacheDir ?? request.cacheDir)!, request.file), encoded);
  reply({ type: 'loaded', id: request.id, bytes: encoded, fromCache: false, parseMs: 0 }, [encoded.buffer as ArrayBuffer]);
}

/** The problems of a file as a load reports them (cross-references within it resolved). */
function withinFileProblems(state: BibState): Problem[] {
  return [...state.parse.problems, ...resolveWithinFile(state.parse).problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

const rewrites = new Map<string, ReturnType<typeof setTimeout>>();

/** Rebuilds a file's cache entry a while after its last edit, yielding between slices. */
function scheduleRewrite(file: string, entry: Known): void {
  const pending = rewrites.get(file);
  if (pending) clearTimeout(pending);
  rewrites.set(file, setTimeout(() => {
    rewrites.delete(file);
    void rewrite(file, entry, generation);
  }, 2000));
}

async function rewrite(file: string, entry: Known, started: number): Promise<void> {
  const state = entry.state;
  if (!state || !entry.cacheDir) return;
  const resolved = resolveWithinFile(state.parse);
  const papers = resolved.papers;
  const builder = new SegmentBuilder();
  for (let i = 0; i < papers.length; i++) {
    builder.add(papers[i]);
    if (i % 500 === 499) {
      await new Promise((resolve) => setImmediate(resolve));
      if (generation !== started) return;
    }
  }
  const bytes = encodeCache({
    identity: entry.identity,
    papers,
    problems: [...state.parse.problems, ...resolved.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    extra: { xdata: state.parse.xdata, macros: [...state.parse.macros], externalMacros: state.parse.externalMacros },
    segment: builder.finish().data,
  });
  if (generation === started) writeCacheBytes(cacheFileFor(entry.cacheDir, file), bytes);
}

function sameMap(a: ReadonlyMap<string, MacroDefinition> | undefined, b: ReadonlyMap<string, MacroDefinition> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [name, value] of a ?? []) if (b?.get(name)?.value !== value.value) return false;
  return true;
}

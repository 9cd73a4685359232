import * as os from 'os';
import { Worker } from 'worker_threads';
import { LibraryParse, parseBibtexLibrary, parseCslJsonLibrary } from '../core/library';
import { BibPart, bibtexPartText, bibtexParts, joinPartParses } from '../core/library-split';
import type { Paper, Problem } from '../core/types';

/** The two library formats: BibTeX/BibLaTeX and CSL-JSON. */
export type LibraryKind = 'bibtex' | 'csl-json';

/**
 * What the load worker is asked to read: raw bytes (transferred, not copied), text already in
 * memory, or one part of a file whose bytes all parts' workers share.
 */
export interface LoadRequest {
  kind: LibraryKind;
  sourceName: string;
  bytes?: Uint8Array;
  text?: string;
  shared?: {
    buffer: SharedArrayBuffer;
    part: BibPart;
    /** Look for `crossref`/`xdata` first and, when found, read the whole file instead (sent to the first part's worker). */
    wholeIfCrossEntry?: boolean;
  };
}

/** Messages from the load worker, in order: `papers` batches (each after a `next` from this side), then `done` or `failed`. */
export type LoadMessage =
  | { type: 'papers'; papers: Paper[] }
  | { type: 'whole' }
  | { type: 'done'; problems: Problem[]; parseMs: number; firstLine: number }
  | { type: 'failed'; message: string };

/** A load in progress. `cancel()` stops it at once; the promise then rejects with {@link LoadCancelled}. */
export interface LoadJob {
  result: Promise<LibraryParse>;
  cancel(): void;
}

/** The rejection of a cancelled load. */
export class LoadCancelled extends Error {
  constructor() {
    super('loading was cancelled');
  }
}

/**
 * Papers per message back from the worker. Receiving a message costs the main thread its
 * deserialisation: 10,000 papers with abstracts in one message stall it ~100 ms; batches of 250
 * cost a few ms each, and the worker sends the next only when asked, so the event loop runs between.
 */
export const BATCH_SIZE = 250;

/** Below this a .bib is parsed by one worker: starting more costs more than it saves. */
const SPLIT_BYTES = 4_000_000;
const MAX_PARTS = 4;
const CROSS_ENTRY_SPELLINGS = ['crossref', 'Crossref', 'CrossRef', 'crossRef', 'CROSSREF', 'xdata', 'XData', 'Xdata', 'XDATA'];
/** The library's warning for a crossref whose parent it did not see. */
const MISSING_PARENT = /^entry `[^`]*`: crossref `[^`]*` is not in this file$/;

/** The format a library file's name says it is in: `.json` is CSL-JSON, anything else BibTeX. */
export function libraryKind(fileName: string): LibraryKind {
  return /\.json$/i.test(fileName) ? 'csl-json' : 'bibtex';
}

/** Parses on the calling thread: for small files, where starting a worker costs more than it saves. */
export function parseLibrary(request: LoadRequest): LibraryParse & { firstLine: number } {
  let text = request.text;
  let firstLine = 1;
  if (request.shared && isWhole(request)) {
    text = decode(new Uint8Array(request.shared.buffer).slice());
  } else if (request.shared) {
    // TextDecoder refuses views of shared memory; the copies are this part's own.
    const { buffer, part } = request.shared;
    const before = decode(new Uint8Array(buffer).slice(0, part.start));
    text = bibtexPartText(before, decode(new Uint8Array(buffer).slice(part.start, part.end)));
    firstLine = (before.match(/\n/g)?.length ?? 0) + 1;
  }
  text ??= decode(request.bytes ?? new Uint8Array());
  const parse = request.kind === 'csl-json' ? parseCslJsonLibrary(text, request.sourceName) : parseBibtexLibrary(text, request.sourceName);
  return { ...parse, firstLine };
}

/** UTF-8 text of a file's bytes; a BOM is left for the parsers, which skip it. */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** Whether a part's worker should read the whole file: asked to check, and the file has cross-entry fields. */
function isWhole(request: LoadRequest): boolean {
  const shared = request.shared;
  return Boolean(shared?.wholeIfCrossEntry && mentionsCrossEntryFields(new Uint8Array(shared.buffer)));
}

/**
 * Parses off the calling thread: a large .bib in parts, one worker per core (up to four), joined
 * into the same result one parse gives; anything else in one worker. `workerFile` is the bundled
 * `dist/load-worker.js`. Bytes are transferred, so the request's buffer is unusable afterwards.
 */
export function loadLibrary(workerFile: string, request: LoadRequest, cores = availableCores()): LoadJob {
  const bytes = request.bytes;
  // Whether entries depend on each other is checked by the first part's worker, not here: a
  // search of 16 MB would cost this thread ~50 ms.
  const parts = bytes && request.kind === 'bibtex' && bytes.byteLength > SPLIT_BYTES
    ? bibtexParts(bytes, Math.min(MAX_PARTS, cores, Math.floor(bytes.byteLength / (SPLIT_BYTES / 2))), false)
    : [];
  if (!bytes || parts.length < 2) return loadInWorker(workerFile, request);

  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  const others = (): void => jobs.slice(1).forEach((j) => j.cancel());
  const jobs = parts.map((part, i) => startWorker(workerFile, { kind: request.kind, sourceName: request.sourceName, shared: { buffer, part, wholeIfCrossEntry: i === 0 } }, others));
  // Parts cancelled because the first worker read everything are not waited for.
  for (const job of jobs) job.result.catch(() => undefined);
  let whole: LoadJob | undefined;
  let cancelled = false;
  const result = (async (): Promise<LibraryParse> => {
    const first = await jobs[0].result;
    if (first.whole) return first.parse;
    const joined = joinPartParses(await Promise.all(jobs.map((j) => j.result)));
    // A parent in another part (spelt in a way the first worker's search missed): read the file whole.
    if (cancelled || !joined.problems.some((p) => MISSING_PARENT.test(p.message))) return joined;
    whole = loadInWorker(workerFile, { kind: request.kind, sourceName: request.sourceName, bytes: new Uint8Array(buffer).slice() });
    return whole.result;
  })();
  const cancel = (): void => {
    cancelled = true;
    jobs.forEach((j) => j.cancel());
    whole?.cancel();
  };
  result.catch(cancel);
  return { result, cancel };
}

/** Parses one file (or part) in one worker thread. */
export function loadInWorker(workerFile: string, request: LoadRequest): LoadJob {
  const job = startWorker(workerFile, request);
  return { result: job.result.then(({ parse }) => parse), cancel: job.cancel };
}

/** Whether `crossref` or `xdata` appears anywhere, in the spellings files use; Buffer's search is native. */
export function mentionsCrossEntryFields(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return CROSS_ENTRY_SPELLINGS.some((word) => buffer.indexOf(word) >= 0);
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

interface WorkerOutcome {
  parse: LibraryParse;
  firstLine: number;
  /** The worker read the whole file rather than its part. */
  whole: boolean;
}

function startWorker(workerFile: string, request: LoadRequest, onWhole?: () => void): { result: Promise<WorkerOutcome>; cancel(): void } {
  const worker = new Worker(workerFile);
  const papers: Paper[] = [];
  let whole = false;
  let settle: { resolve(value: WorkerOutcome): void; reject(err: Error): void } | undefined;
  const result = new Promise<WorkerOutcome>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (outcome: WorkerOutcome | Error): void => {
    if (!settle) return;
    const { resolve, reject } = settle;
    settle = undefined;
    void worker.terminate();
    if (outcome instanceof Error) reject(outcome);
    else resolve(outcome);
  };
  worker.on('message', (message: LoadMessage) => {
    if (message.type === 'papers') {
      for (const paper of message.papers) papers.push(paper);
      // Whatever else is queued on this thread runs before the next batch arrives.
      setImmediate(() => {
        if (settle) worker.postMessage('next');
      });
    } else if (message.type === 'whole') {
      whole = true;
      onWhole?.();
    } else if (message.type === 'done') finish({ parse: { papers, problems: message.problems }, firstLine: message.firstLine, whole });
    else finish(new Error(message.message));
  });
  worker.on('error', (err) => finish(err));
  worker.on('exit', (code) => finish(new Error(`the load worker stopped (exit code ${code})`)));
  const bytes = request.bytes;
  const transfer = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer) ? [bytes.buffer as ArrayBuffer] : [];
  worker.postMessage(request, transfer);
  return { result, cancel: () => finish(new LoadCancelled()) };
}

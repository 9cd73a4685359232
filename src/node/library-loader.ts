import { Worker } from 'worker_threads';
import { LibraryParse, parseBibtexLibrary, parseCslJsonLibrary } from '../core/library';
import type { Paper, Problem } from '../core/types';

/** The two library formats: BibTeX/BibLaTeX and CSL-JSON. */
export type LibraryKind = 'bibtex' | 'csl-json';

/** What the load worker is asked to read: raw bytes (transferred, not copied), or text already in memory. */
export interface LoadRequest {
  kind: LibraryKind;
  sourceName: string;
  bytes?: Uint8Array;
  text?: string;
}

/** Messages from the load worker, in order: `papers` batches (each after a `next` from this side), then `done` or `failed`. */
export type LoadMessage =
  | { type: 'papers'; papers: Paper[] }
  | { type: 'done'; problems: Problem[]; parseMs: number }
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

/** The format a library file's name says it is in: `.json` is CSL-JSON, anything else BibTeX. */
export function libraryKind(fileName: string): LibraryKind {
  return /\.json$/i.test(fileName) ? 'csl-json' : 'bibtex';
}

/** Parses on the calling thread: for small files, where starting a worker costs more than it saves. */
export function parseLibrary(request: LoadRequest): LibraryParse {
  const text = request.text ?? decode(request.bytes ?? new Uint8Array());
  return request.kind === 'csl-json' ? parseCslJsonLibrary(text, request.sourceName) : parseBibtexLibrary(text, request.sourceName);
}

/** UTF-8 text of a file's bytes; a BOM is left for the parsers, which skip it. */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** Parses off the calling thread, in one worker. `workerFile` is the bundled `dist/load-worker.js`; the request's bytes are transferred. */
export function loadLibrary(workerFile: string, request: LoadRequest): LoadJob {
  return loadInWorker(workerFile, request);
}

/** Parses one file (or part) in one worker thread. */
export function loadInWorker(workerFile: string, request: LoadRequest): LoadJob {
  const job = startWorker(workerFile, request);
  return { result: job.result.then(({ parse }) => parse), cancel: job.cancel };
}

interface WorkerOutcome {
  parse: LibraryParse;
}

function startWorker(workerFile: string, request: LoadRequest): { result: Promise<WorkerOutcome>; cancel(): void } {
  const worker = new Worker(workerFile);
  const papers: Paper[] = [];
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
    } else if (message.type === 'done') finish({ parse: { papers, problems: message.problems } });
    else finish(new Error(message.message));
  });
  worker.on('error', (err) => finish(err));
  worker.on('exit', (code) => finish(new Error(`the load worker stopped (exit code ${code})`)));
  const bytes = request.bytes;
  const transfer = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
  worker.postMessage(request, transfer);
  return { result, cancel: () => finish(new LoadCancelled()) };
}

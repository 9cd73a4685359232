/**
 * The main thread's side of the library worker: requests go out, files come back in the cache
 * format and are decoded a chunk of papers at a time, pausing between chunks, so loading a large
 * library never holds the extension host's thread for long.
 */
import { Worker } from 'worker_threads';
import type { BibDelta } from '../core/bibtex/incremental';
import type { MacroDefinition } from '../core/bibtex/read';
import { openCache, SourceIdentity } from '../core/cache-format';
import { IndexSegment } from '../core/search/segment';
import type { Paper, Problem } from '../core/types';
import type { WorkerReply, WorkerRequest } from './library-worker-protocol';

/** A library file as loaded: its papers, problems, what other files may use, and its index segment. */
export interface LoadedSource {
  identity: SourceIdentity;
  papers: Paper[];
  problems: Problem[];
  xdata: Paper[];
  macros: Map<string, MacroDefinition>;
  externalMacros: string[];
  segment: IndexSegment;
  fromCache: boolean;
  parseMs: number;
  /** Wall time from request to decoded, and the longest stretch spent decoding without a pause. */
  timing: { totalMs: number; longestSliceMs: number };
}

/** What an update gives: the edit alone, or the whole file again. */
export type UpdateOutcome =
  | { kind: 'delta'; delta: BibDelta; problems: Problem[]; identity: SourceIdentity }
  | { kind: 'loaded'; source: LoadedSource };

/** The rejection of requests cut off by `cancel()`. */
export class LoadCancelled extends Error {
  constructor() {
    super('loading was cancelled');
  }
}

/** A failure reading a file; `missing` when it does not exist. */
export class LoadFailed extends Error {
  constructor(message: string, readonly missing: boolean) {
    super(message);
  }
}

export interface LoadOptions {
  cacheDir?: string;
  external?: ReadonlyMap<string, MacroDefinition>;
  /** An unsaved buffer's text, read instead of the file (updates only). */
  text?: string;
}

type Pending = { resolve(reply: WorkerReply): void; reject(err: Error): void; started: number };

/** A long-lived worker thread reading library files. */
export class LibraryWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly workerFile: string, private readonly pause: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))) {}

  /** Loads a file (from its cache entry when that still describes it). */
  async load(file: string, options: LoadOptions = {}): Promise<LoadedSource> {
    const started = performance.now();
    const reply = await this.request({ type: 'load', id: 0, file, cacheDir: options.cacheDir, external: options.external ? [...options.external] : undefined });
    return this.toSource(reply, started);
  }

  /** Reads a file (or its unsaved buffer) again after it changed. */
  async update(file: string, options: LoadOptions = {}): Promise<UpdateOutcome> {
    const started = performance.now();
    const reply = await this.request({ type: 'update', id: 0, file, text: options.text, cacheDir: options.cacheDir, external: options.external ? [...options.external] : undefined });
    if (reply.type === 'delta') return { kind: 'delta', delta: reply.delta, problems: reply.problems, identity: reply.identity };
    return { kind: 'loaded', source: await this.toSource(reply, started) };
  }

  /** Stops keeping a file's text (it left the library). */
  forget(file: string): void {
    this.worker?.postMessage({ type: 'forget', file } satisfies WorkerRequest);
  }

  /** Stops everything in flight at once: the worker is ended (a new one starts with the next request). */
  cancel(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new LoadCancelled());
    this.pending.clear();
    void worker?.terminate();
  }

  dispose(): void {
    this.cancel();
  }

  private async toSource(reply: WorkerReply, started: number): Promise<LoadedSource> {
    if (reply.type === 'failed') throw new LoadFailed(reply.message, reply.missing);
    if (reply.type !== 'loaded') throw new Error(`unexpected reply ${reply.type}`);
    return decodeLoaded(reply.bytes, this.pause, { fromCache: reply.fromCache, parseMs: reply.parseMs, started });
  }

  private request(message: WorkerRequest & { id: number }): Promise<WorkerReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, started: performance.now() });
      worker.postMessage({ ...message, id });
    }).then((reply) => {
      if (reply.type === 'failed') throw new LoadFailed(reply.message, reply.missing);
      return reply;
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerFile);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      pending.resolve(reply);
    });
    const fail = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the library worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** A file in the cache format, decoded a chunk of papers at a time with `pause()` between chunks. */
export async function decodeLoaded(bytes: Uint8Array, pause: () => Promise<void>, meta: { fromCache: boolean; parseMs: number; started?: number }): Promise<LoadedSource> {
  const started = meta.started ?? performance.now();
  let longest = 0;
  let sliceStart = performance.now();
  const endSlice = async (): Promise<void> => {
    longest = Math.max(longest, performance.now() - sliceStart);
    await pause();
    sliceStart = performance.now();
  };
  // The worker checked the bytes it sent; they are not walked again here.
  const reader = openCache(bytes, false);
  if (typeof reader === 'string') throw new Error(`the library worker sent an unreadable file (${reader})`);
  const papers: Paper[] = [];
  for (let i = 0; i < reader.chunkCount; i++) {
    const chunk = reader.papers(i);
    for (const paper of chunk) papers.push(paper);
    await endSlice();
  }
  const extra = reader.extra() as { xdata?: Paper[]; macros?: Array<[string, MacroDefinition]>; externalMacros?: string[] };
  const problems = reader.problems();
  await endSlice();
  const segment = new IndexSegment(reader.segment());
  longest = Math.max(longest, performance.now() - sliceStart);
  return {
    identity: reader.identity,
    papers,
    problems,
    xdata: extra.xdata ?? [],
    macros: new Map(extra.macros ?? []),
    externalMacros: extra.externalMacros ?? [],
    segment,
    fromCache: meta.fromCache,
    parseMs: meta.parseMs,
    timing: { totalMs: performance.now() - started, longestSliceMs: longest },
  };
}

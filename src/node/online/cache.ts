/**
 * The online engine's disk cache, in a directory the caller chooses (the extension's global
 * storage, the CLI's user cache folder). Two kinds of entry:
 *  - `query`: a source's answer to a search or a related-papers list, kept for a TTL (7 days);
 *  - `record`: a paper fetched to be cited, kept without expiry.
 *
 * One file per entry, named by a hash of its key, under a format-version folder (`v1/`). A file is
 * a header line (format, version, kind, key, times, byte length and SHA-256 of the body) and the
 * JSON body. Writes go to a temporary file renamed into place, so a reader sees the old file or the
 * new one; a file cut short, edited or written by another version fails the header check and is
 * ignored (and removed). The cache is best-effort: any I/O error is a miss, never an exception.
 * Reads are synchronous (see `read`); writes are not.
 */
import { createHash, randomBytes } from 'crypto';
import { promises as fs, readFileSync } from 'fs';
import * as path from 'path';

/** Bumped when the file layout or the body's meaning changes; old folders are simply not read. */
export const CACHE_FORMAT_VERSION = 1;
const FORMAT = 'litcite-online-cache';
/** Query answers are kept a week unless the caller says otherwise. */
export const DEFAULT_QUERY_TTL_MS = 7 * 24 * 3600 * 1000;

export type CacheKind = 'query' | 'record';

interface Header {
  format: string;
  version: number;
  kind: CacheKind;
  key: string;
  storedAt: number;
  /** Null for records, which do not expire. */
  expiresAt: number | null;
  bytes: number;
  sha256: string;
}

/** A cached value with when it was stored. */
export interface CacheHit<T> {
  value: T;
  storedAt: number;
}

export interface OnlineCacheOptions {
  /** How long query answers stay fresh. */
  ttlMs?: number;
  now?: () => number;
}

export class OnlineCache {
  private readonly root: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly madeDirs = new Set<string>();
  /** Entries being written, answered from memory so a repeat right after a store does not miss. */
  private readonly writing = new Map<string, { value: unknown; storedAt: number; expiresAt: number | null }>();

  constructor(directory: string, options: OnlineCacheOptions = {}) {
    this.root = path.join(directory, `v${CACHE_FORMAT_VERSION}`);
    this.ttlMs = options.ttlMs ?? DEFAULT_QUERY_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A fresh query answer stored under `key`, or undefined (missing, expired, corrupt). */
  getQuery<T>(key: string): Promise<CacheHit<T> | undefined> {
    return this.read<T>('query', key);
  }

  /** Stores a query answer for the TTL. Resolves to whether it was written. */
  putQuery(key: string, value: unknown): Promise<boolean> {
    return this.write('query', key, value, this.now() + this.ttlMs);
  }

  /** A record stored under `key` (no expiry). */
  getRecord<T>(key: string): Promise<CacheHit<T> | undefined> {
    return this.read<T>('record', key);
  }

  /** Stores a record without expiry. */
  putRecord(key: string, value: unknown): Promise<boolean> {
    return this.write('record', key, value, null);
  }

  /** Removes expired query answers and unreadable files; returns how many files went. */
  async prune(): Promise<number> {
    const dir = path.join(this.root, 'query');
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      const header = name.endsWith('.json') ? await this.readHeader(file) : undefined;
      if (!header || (header.expiresAt !== null && header.expiresAt <= this.now())) {
        await fs.rm(file, { force: true }).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  private fileFor(kind: CacheKind, key: string): string {
    const name = createHash('sha256').update(key).digest('hex').slice(0, 40);
    return path.join(this.root, kind, `${name}.json`);
  }

  private async read<T>(kind: CacheKind, key: string): Promise<CacheHit<T> | undefined> {
    const inFlight = this.writing.get(`${kind}\u0000${key}`);
    if (inFlight) {
      if (inFlight.expiresAt !== null && inFlight.expiresAt <= this.now()) return undefined;
      // A copy, as a file read would give: callers may change what they get.
      return { value: structuredClone(inFlight.value) as T, storedAt: inFlight.storedAt };
    }
    const file = this.fileFor(kind, key);
    let text: string;
    try {
      // Entries are tens of KB on local disk: a synchronous read takes ~0.05 ms, the promise API's
      // round trip through the thread pool 0.2–0.5 ms, and four sources are read per query.
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const parsed = parseEntry(text, kind, key);
    if (parsed === 'corrupt') {
      await fs.rm(file, { force: true }).catch(() => undefined);
      return undefined;
    }
    if (parsed.header.expiresAt !== null && parsed.header.expiresAt <= this.now()) return undefined;
    return { value: parsed.value as T, storedAt: parsed.header.storedAt };
  }

  private async readHeader(file: string): Promise<Header | undefined> {
    try {
      const text = await fs.readFile(file, 'utf8');
      const header = parseHeader(text.slice(0, Math.max(0, text.indexOf('\n'))));
      return header && checkBody(text.slice(text.indexOf('\n') + 1), header) ? header : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(kind: CacheKind, key: string, value: unknown, expiresAt: number | null): Promise<boolean> {
    const file = this.fileFor(kind, key);
    const dir = path.dirname(file);
    const body = JSON.stringify(value);
    const header: Header = {
      format: FORMAT,
      version: CACHE_FORMAT_VERSION,
      kind,
      key,
      storedAt: this.now(),
      expiresAt,
      bytes: Buffer.byteLength(body, 'utf8'),
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const pendingKey = `${kind}\u0000${key}`;
    const pending = { value: JSON.parse(body) as unknown, storedAt: header.storedAt, expiresAt };
    this.writing.set(pendingKey, pending);
    try {
      if (!this.madeDirs.has(dir)) {
        await fs.mkdir(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      await fs.writeFile(temp, `${JSON.stringify(header)}\n${body}`, 'utf8');
      await fs.rename(temp, file);
      return true;
    } catch {
      this.madeDirs.delete(dir);
      await fs.rm(temp, { force: true }).catch(() => undefined);
      return false;
    } finally {
      if (this.writing.get(pendingKey) === pending) this.writing.delete(pendingKey);
    }
  }
}

/** A file's header and body, checked against the kind and key asked for; `corrupt` for anything else. */
function parseEntry(text: string, kind: CacheKind, key: string): { header: Header; value: unknown } | 'corrupt' {
  const newline = text.indexOf('\n');
  if (newline < 0) return 'corrupt';
  const header = parseHeader(text.slice(0, newline));
  // A different key in the file means a hash collision or a moved file: not this entry.
  if (!header || header.kind !== kind || header.key !== key) return 'corrupt';
  const body = text.slice(newline + 1);
  if (!checkBody(body, header)) return 'corrupt';
  try {
    return { header, value: JSON.parse(body) as unknown };
  } catch {
    return 'corrupt';
  }
}

function parseHeader(line: string): Header | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const h = value as Partial<Header>;
  const ok = h.format === FORMAT && h.version === CACHE_FORMAT_VERSION && (h.kind === 'query' || h.kind === 'record')
    && typeof h.key === 'string' && typeof h.storedAt === 'number' && (h.expiresAt === null || typeof h.expiresAt === 'number')
    && typeof h.bytes === 'number' && typeof h.sha256 === 'string';
  return ok ? (h as Header) : undefined;
}

/** The body is exactly what was written: its length, then its hash. */
function checkBody(body: string, header: Header): boolean {
  if (Buffer.byteLength(body, 'utf8') !== header.bytes) return false;
  return createHash('sha256').update(body).digest('hex') === header.sha256;
}

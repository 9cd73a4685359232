/**
 * The persistent cache's file format: what reading one library file gave (papers, problems,
 * macros) and its index segment, in one buffer that loads without re-parsing or re-tokenising.
 *
 *   "LITCITE-CACHE\n" · u32 header length · header JSON · padding · sections
 *
 * The header names the format version, the source file's identity and every section's offset
 * and length; papers are stored in JSON chunks so a caller can decode them a slice at a time.
 * A checksum over the sections catches a truncated or garbled file, which is then rebuilt,
 * never trusted. Pure: bytes in, data out.
 */
import type { SegmentData } from './search/segment';
import type { Paper, Problem } from './types';

/** Bump when the stored shape of papers, problems or segments changes: older files are then rebuilt. */
export const CACHE_FORMAT_VERSION = 6;
const MAGIC = 'LITCITE-CACHE\n';
/** Papers per JSON chunk: small enough to decode well inside one 30 ms slice. */
export const PAPERS_PER_CHUNK = 250;

/** What identifies the source a cache was made from. */
export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** Content hash of the source's bytes. */
  hash: string;
  /** When the entry was made: a file modified within a timestamp's granularity of it is hashed again ("racy" mtimes). */
  writtenAt?: number;
  /** Hash of the macros from other files the parse used (empty when none). */
  externalMacrosHash?: string;
  /** The encoding the source was read in, and whether it had a byte-order mark. */
  encoding?: string;
  bom?: boolean;
}

/** Everything a cache file holds. */
export interface CachePayload {
  identity: SourceIdentity;
  papers: Paper[];
  problems: Problem[];
  /** Anything else small the reader returned (macros, xdata entries, …), stored as JSON. */
  extra: Record<string, unknown>;
  segment: SegmentData;
}

interface Section {
  offset: number;
  length: number;
}

interface Header {
  version: number;
  identity: SourceIdentity;
  paperCount: number;
  chunks: Array<Section & { count: number }>;
  problems: Section;
  extra: Section;
  text: Record<'vocabulary' | 'titlePhrases', Section>;
  ints: Record<(typeof INT_NAMES)[number], Section>;
  paperCountOfSegment: number;
  checksum: number;
}

/** A decoded header: enough to check identity and decode the rest piece by piece. */
export interface CacheReader {
  identity: SourceIdentity;
  paperCount: number;
  chunkCount: number;
  /** Papers of chunk `i`. */
  papers(i: number): Paper[];
  problems(): Problem[];
  extra(): Record<string, unknown>;
  segment(): SegmentData;
}

const INT_NAMES = ['termStarts', 'postingStarts', 'postings', 'titleStarts', 'trigramCodes', 'trigramStarts', 'trigramTerms'] as const;

/** The cache file for `payload`. */
export function encodeCache(payload: CachePayload): Uint8Array {
  const encoder = new TextEncoder();
  const pieces: Uint8Array[] = [];
  let offset = 0;
  const add = (bytes: Uint8Array, align = 1): Section => {
    const pad = (align - (offset % align)) % align;
    if (pad) {
      pieces.push(new Uint8Array(pad));
      offset += pad;
    }
    pieces.push(bytes);
    const section = { offset, length: bytes.byteLength };
    offset += bytes.byteLength;
    return section;
  };
  const chunks: Header['chunks'] = [];
  for (let i = 0; i < payload.papers.length; i += PAPERS_PER_CHUNK) {
    const slice = payload.papers.slice(i, i + PAPERS_PER_CHUNK);
    chunks.push({ ...add(encoder.encode(JSON.stringify(slice))), count: slice.length });
  }
  const problems = add(encoder.encode(JSON.stringify(payload.problems)));
  const extra = add(encoder.encode(JSON.stringify(payload.extra)));
  const text = {
    vocabulary: add(encoder.encode(payload.segment.vocabulary)),
    titlePhrases: add(encoder.encode(payload.segment.titlePhrases)),
  };
  const ints = {} as Header['ints'];
  for (const name of INT_NAMES) {
    const array = payload.segment[name];
    ints[name] = add(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), 4);
  }
  const body = concat(pieces, offset);
  const header: Header = {
    version: CACHE_FORMAT_VERSION,
    identity: payload.identity,
    paperCount: payload.papers.length,
    chunks,
    problems,
    extra,
    text,
    ints,
    paperCountOfSegment: payload.segment.paperCount,
    checksum: checksum(body),
  };
  const headerBytes = encoder.encode(JSON.stringify(header));
  const magic = encoder.encode(MAGIC);
  // The body starts 4-aligned so its integer sections can be viewed in place.
  const prefix = magic.byteLength + 4 + headerBytes.byteLength;
  const pad = (4 - (prefix % 4)) % 4;
  const out = new Uint8Array(prefix + pad + body.byteLength);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.byteLength, headerBytes.byteLength, true);
  out.set(headerBytes, magic.byteLength + 4);
  out.set(body, prefix + pad);
  return out;
}

/** Why a cache file cannot be used. */
export type CacheRejection = 'not-a-cache' | 'old-version' | 'truncated' | 'corrupt';

/**
 * A reader for a cache file, or why it cannot be used. `verify` recomputes the checksum (a pass
 * over every byte: done where there is time for it, off the main thread).
 */
export function openCache(bytes: Uint8Array, verify = true): CacheReader | CacheRejection {
  const decoder = new TextDecoder();
  const magicLength = MAGIC.length;
  if (bytes.byteLength < magicLength + 4 || decoder.decode(bytes.subarray(0, magicLength)) !== MAGIC) return 'not-a-cache';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(magicLength, true);
  if (magicLength + 4 + headerLength > bytes.byteLength) return 'truncated';
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(magicLength + 4, magicLength + 4 + headerLength))) as Header;
  } catch {
    return 'corrupt';
  }
  if (header.version !== CACHE_FORMAT_VERSION) return 'old-version';
  const prefix = magicLength + 4 + headerLength;
  const bodyStart = prefix + ((4 - (prefix % 4)) % 4);
  const body = bytes.subarray(bodyStart);
  const sections = [...header.chunks, header.problems, header.extra, ...Object.values(header.text), ...Object.values(header.ints)];
  if (sections.some((s) => s.offset + s.length > body.byteLength)) return 'truncated';
  if (verify && checksum(body) !== header.checksum) return 'corrupt';
  const json = <T>(section: Section): T => JSON.parse(decoder.decode(body.subarray(section.offset, section.offset + section.length))) as T;
  const ints = (section: Section): Int32Array => {
    // A view when the bytes are aligned (they are, in a buffer of their own); a copy otherwise.
    const start = body.byteOffset + section.offset;
    if (start % 4 === 0) return new Int32Array(body.buffer, start, section.length / 4);
    return new Int32Array(body.slice(section.offset, section.offset + section.length).buffer);
  };
  return {
    identity: header.identity,
    paperCount: header.paperCount,
    chunkCount: header.chunks.length,
    papers: (i) => json<Paper[]>(header.chunks[i]),
    problems: () => json<Problem[]>(header.problems),
    extra: () => json<Record<string, unknown>>(header.extra),
    segment: () => ({
      paperCount: header.paperCountOfSegment,
      vocabulary: decoder.decode(body.subarray(header.text.vocabulary.offset, header.text.vocabulary.offset + header.text.vocabulary.length)),
      titlePhrases: decoder.decode(body.subarray(header.text.titlePhrases.offset, header.text.titlePhrases.offset + header.text.titlePhrases.length)),
      termStarts: ints(header.ints.termStarts),
      postingStarts: ints(header.ints.postingStarts),
      postings: ints(header.ints.postings),
      titleStarts: ints(header.ints.titleStarts),
      trigramCodes: ints(header.ints.trigramCodes),
      trigramStarts: ints(header.ints.trigramStarts),
      trigramTerms: ints(header.ints.trigramTerms),
    }),
  };
}

function concat(pieces: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** FNV-1a over the bytes, four at a time: a corruption check, not a cryptographic hash. */
export function checksum(bytes: Uint8Array): number {
  // FNV-1a over 32-bit little-endian words (then the last bytes): a quarter of the steps of a
  // byte-wise pass, which matters for a cache read on every CLI start.
  let hash = 0x811c9dc5;
  const n = bytes.byteLength;
  const words = n & ~3;
  let i = 0;
  for (; i < words; i += 4) {
    hash ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    hash = Math.imul(hash, 0x01000193);
  }
  for (; i < n; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

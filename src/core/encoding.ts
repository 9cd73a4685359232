/**
 * A bibliography file's bytes → text, and text → bytes in the same encoding for appends. UTF-8
 * (with or without a byte-order mark) and UTF-16 (by its mark) are read as such; other bytes
 * follow a JabRef-style `% Encoding: …` line, else Windows-1252, which decodes every byte — with
 * a problem saying so, never silent replacement characters in keys and names.
 */
import { problem } from './problems';
import type { Problem } from './types';

/** The encodings LitCite reads and appends in (WHATWG labels). */
export type FileEncoding = string;

export interface DecodedFile {
  /** The text without its byte-order mark. */
  text: string;
  encoding: FileEncoding;
  /** The file starts with a byte-order mark (kept on writes). */
  bom: boolean;
  /** How the encoding was chosen, when the user should know. */
  problem?: Problem;
}

/** JabRef's and Java's names for encodings, as WHATWG labels. */
const DECLARED_NAMES: Record<string, string> = {
  utf8: 'utf-8', 'utf-8': 'utf-8', cp1252: 'windows-1252', 'windows-1252': 'windows-1252', iso8859_1: 'windows-1252',
  'iso-8859-1': 'windows-1252', latin1: 'windows-1252', iso8859_15: 'iso-8859-15', 'iso-8859-15': 'iso-8859-15',
  iso8859_2: 'iso-8859-2', 'iso-8859-2': 'iso-8859-2', cp1250: 'windows-1250', 'windows-1250': 'windows-1250',
  cp1251: 'windows-1251', 'windows-1251': 'windows-1251', macroman: 'macintosh', 'x-mac-roman': 'macintosh',
  'utf-16': 'utf-16le', 'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be',
};

/** Reads a file's bytes as text, choosing the encoding as described above. */
export function decodeBibBytes(bytes: Uint8Array): DecodedFile {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8(bytes.subarray(3)), encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', bom: true };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), encoding: 'utf-8', bom: false };
  } catch {
    // not UTF-8: below
  }
  const declared = declaredEncoding(bytes);
  if (declared && declared !== 'utf-8') {
    try {
      const text = decodeWith(declared, bytes);
      return { text, encoding: declared, bom: false, problem: problem('encoding-declared', 1, { encoding: declared }) };
    } catch {
      // an encoding this runtime does not know: fall back
    }
  }
  return { text: decodeCp1252(bytes), encoding: 'windows-1252', bom: false, problem: problem('encoding-fallback', undefined, { encoding: 'Windows-1252' }) };
}

/**
 * Windows-1252's characters for bytes 0x80–0x9F (the rest is Latin-1). Written out because
 * Node 20's TextDecoder reads `windows-1252` as Latin-1, giving C1 control characters there.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeCp1252(bytes: Uint8Array): string {
  let out = '';
  const chunk: number[] = [];
  const flush = (): void => {
    out += String.fromCharCode(...chunk);
    chunk.length = 0;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    chunk.push(b >= 0x80 && b < 0xa0 ? CP1252_HIGH.charCodeAt(b - 0x80) : b);
    if (chunk.length === 8192) flush();
  }
  flush();
  return out;
}

/** A decoder for `encoding`, with Windows-1252 done here (see CP1252_HIGH). */
function decodeWith(encoding: string, bytes: Uint8Array): string {
  return encoding === 'windows-1252' ? decodeCp1252(bytes) : new TextDecoder(encoding).decode(bytes);
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** The encoding a `% Encoding: …` line near the top names (JabRef writes one), as a WHATWG label. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = decodeCp1252(bytes.subarray(0, 2048));
  const m = /^%[ \t]*encoding:[ \t]*([\w.-]{1,40})/im.exec(head);
  if (!m) return undefined;
  return DECLARED_NAMES[m[1].toLowerCase()] ?? m[1].toLowerCase();
}

/**
 * `text` in a file's encoding, for appending after its bytes; undefined when a character has no
 * byte in that encoding (the caller says so instead of writing a `?`).
 */
export function encodeForFile(text: string, encoding: FileEncoding): Uint8Array | undefined {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const out = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const [first, second] = encoding === 'utf-16le' ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff];
      out[2 * i] = first;
      out[2 * i + 1] = second;
    }
    return out;
  }
  const table = singleByteTable(encoding);
  if (!table) return undefined;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = table.get(text[i]);
    if (byte === undefined) return undefined;
    out[i] = byte;
  }
  return out;
}

const tables = new Map<string, Map<string, number> | undefined>();

/** Character → byte for a single-byte encoding, from the runtime's own decoder. */
function singleByteTable(encoding: string): Map<string, number> | undefined {
  if (tables.has(encoding)) return tables.get(encoding);
  let table: Map<string, number> | undefined;
  try {
    table = new Map();
    for (let b = 0; b < 256; b++) {
      const ch = decodeWith(encoding, new Uint8Array([b]));
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, b);
    }
  } catch {
    table = undefined;
  }
  tables.set(encoding, table);
  return table;
}

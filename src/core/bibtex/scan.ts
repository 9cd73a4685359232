/**
 * The one BibTeX scanner: a .bib text → its blocks (entries, `@string`, `@preamble`, `@comment`)
 * with offsets, lines, keys and fields whose values are kept as spans of the text (nothing is
 * decoded here). It reads what BibTeX reads: an `@` anywhere outside an entry starts one (also
 * after other text on the line), `{…}` and `(…)` delimiters, quoted values containing `)`, `#`
 * concatenation, bare numbers and macro names. One broken entry costs that entry only: when a
 * line starting with `@type{` turns up inside an unclosed entry, the entry is reported and reading
 * resumes there. `\r\n`, `\n` and a lone `\r` are all line breaks. Linear in the text.
 */
import { problem } from '../problems';
import type { Problem } from '../types';

/** How a value part was written. */
export const enum PartKind {
  Braced = 0,
  Quoted = 1,
  Number = 2,
  Macro = 3,
}

/** One piece of a `#`-concatenated value: its content's offsets (delimiters excluded). */
export interface BibPart {
  kind: PartKind;
  start: number;
  end: number;
}

/** A field of an entry (or the one definition of an `@string`). */
export interface BibField {
  /** Lower-case field (or macro) name. */
  name: string;
  /** 1-based line of the name. */
  line: number;
  parts: BibPart[];
}

/** A block of a .bib file: an entry or one of the special `@` commands. */
export interface BibBlock {
  kind: 'entry' | 'string' | 'preamble' | 'comment';
  /** Lower-case entry type (`article`, `string`, …). */
  type: string;
  /** Offset of the `@`. */
  start: number;
  /** Offset just past the closing delimiter. */
  end: number;
  /** 1-based line of the `@`. */
  line: number;
  /** The key as written (entries only). */
  key: string;
  fields: BibField[];
}

export interface BibScan {
  blocks: BibBlock[];
  problems: Problem[];
}

const AT = 64;
const LBRACE = 123;
const RBRACE = 125;
const LPAREN = 40;
const RPAREN = 41;
const QUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const HASH = 35;
const LF = 10;
const CR = 13;

/** Counts lines up to increasing offsets, so every lookup together costs one pass. */
class Lines {
  private offset: number;
  private line: number;

  constructor(private readonly text: string, from: number, firstLine: number) {
    this.offset = from;
    this.line = firstLine;
  }

  /** 1-based line of `offset` (offsets must not decrease between calls, except to re-ask the last). */
  at(offset: number): number {
    const text = this.text;
    let line = this.line;
    for (let i = this.offset; i < offset; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) line++;
      else if (c === CR && text.charCodeAt(i + 1) !== LF) line++;
    }
    if (offset > this.offset) {
      this.offset = offset;
      this.line = line;
    }
    return line;
  }
}

/**
 * Scans `text` (or `[from, to)` of it, whose first line is `firstLine`) into blocks. Problems name
 * their lines; entries that cannot be read are left out of `blocks`.
 */
export function scanBib(text: string, from = 0, to = text.length, firstLine = 1): BibScan {
  return new Scanner(text, from, to, firstLine).run();
}

/** Thrown inside an entry to stop reading it; `resume` is where scanning goes on. */
class EntryFailure {
  constructor(readonly resume: number, readonly reason: 'unbalanced' | 'syntax', readonly detail?: string) {}
}

class Scanner {
  private readonly blocks: BibBlock[] = [];
  private readonly problems: Problem[] = [];
  private readonly lines: Lines;
  /** The entry being read, once its key is known: kept with its fields so far when it breaks off. */
  private partial: BibBlock | undefined;
  /** Where the field being read starts, for the line a truncation is reported at. */
  private lastOffset = 0;

  constructor(private readonly text: string, private readonly from: number, private readonly to: number, firstLine: number) {
    this.lines = new Lines(text, from, firstLine);
  }

  run(): BibScan {
    const text = this.text;
    let pos = this.from;
    while (pos < this.to) {
      const at = text.indexOf('@', pos);
      if (at < 0 || at >= this.to) break;
      pos = this.block(at);
    }
    return { blocks: this.blocks, problems: this.problems };
  }

  /** Reads the block starting at the `@` at `at`; returns where scanning goes on. */
  private block(at: number): number {
    const text = this.text;
    let p = this.skipSpace(at + 1);
    const typeStart = p;
    if (!isTypeStart(text.charCodeAt(p))) return at + 1;
    while (p < this.to && isTypeChar(text.charCodeAt(p))) p++;
    const type = text.slice(typeStart, p).toLowerCase();
    p = this.skipSpace(p);
    const open = text.charCodeAt(p);
    // `@` followed by a word and no delimiter is text (an e-mail address in a comment, say).
    if (open !== LBRACE && open !== LPAREN) return p;
    const closer = open === LBRACE ? RBRACE : RPAREN;
    const line = this.lines.at(at);
    if (type === 'comment' || type === 'preamble') {
      const end = this.skipBalanced(p, closer);
      if (end < 0) {
        if (type === 'preamble') this.problems.push(problem('unbalanced-entry', line, { key: '@preamble' }));
        return this.resumeAfterFailure(p);
      }
      this.blocks.push({ kind: type, type, start: at, end, line, key: '', fields: [] });
      return end;
    }
    this.partial = undefined;
    try {
      if (type === 'string') return this.stringBlock(at, p + 1, closer, line);
      return this.entry(at, p + 1, closer, type, line);
    } catch (err) {
      if (!(err instanceof EntryFailure)) throw err;
      const partial = this.partial as BibBlock | undefined;
      if (partial) {
        // BibTeX keeps an entry whose fields break off: its key stays citable with what was read.
        partial.end = Math.max(partial.start + 1, this.trimEnd(err.resume));
        this.blocks.push(partial);
        const fieldLine = this.lines.at(Math.max(this.lastOffset, at));
        this.problems.push(problem('entry-truncated', line, { key: partial.key, line: fieldLine, reason: err.reason === 'unbalanced' ? 'unbalanced braces' : err.detail }));
        return err.resume;
      }
      const key = this.keyForMessage(p + 1);
      if (err.reason === 'unbalanced') this.problems.push(problem('unbalanced-entry', line, key ? { key } : {}));
      else if (type === 'string') this.problems.push(problem('string-syntax', line, { reason: err.detail }));
      else this.problems.push(problem('entry-syntax', line, { key, reason: err.detail }));
      return err.resume;
    }
  }

  private entry(at: number, afterOpen: number, closer: number, type: string, line: number): number {
    const text = this.text;
    let p = this.skipSpace(afterOpen);
    const keyStart = p;
    while (p < this.to) {
      const c = text.charCodeAt(p);
      if (c === COMMA || isSpaceCode(c) || c === closer || (closer === RBRACE && c === LBRACE)) break;
      p++;
    }
    const key = text.slice(keyStart, p);
    p = this.skipSpace(p);
    if (!key) {
      this.problems.push(problem('missing-key', line, { type }));
      const end = this.skipBalanced(afterOpen - 1, closer);
      return end < 0 ? this.resumeAfterFailure(afterOpen) : end;
    }
    const fields: BibField[] = [];
    // From here a failure keeps the entry with the fields read so far.
    this.partial = { kind: 'entry', type, start: at, end: p, line, key, fields };
    this.lastOffset = p;
    const c = text.charCodeAt(p);
    if (c === closer) {
      this.blocks.push({ kind: 'entry', type, start: at, end: p + 1, line, key, fields });
      return p + 1;
    }
    if (c !== COMMA) throw new EntryFailure(this.failureResume(p, closer), 'syntax', `expected "," after the key, found ${describe(text, p)}`);
    p++;
    const seen = new Set<string>();
    for (;;) {
      p = this.skipSpaceAndCommas(p);
      if (p >= this.to) throw new EntryFailure(this.to, 'unbalanced');
      if (text.charCodeAt(p) === closer) {
        this.blocks.push({ kind: 'entry', type, start: at, end: p + 1, line, key, fields });
        return p + 1;
      }
      this.lastOffset = p;
      const field = this.field(p, closer, key);
      p = field.end;
      if (seen.has(field.field.name)) {
        this.problems.push(problem('duplicate-field', field.field.line, { key, field: field.field.name }));
      } else {
        seen.add(field.field.name);
        fields.push(field.field);
      }
      p = this.skipSpace(p);
      const next = text.charCodeAt(p);
      if (next === COMMA || next === closer) continue;
      // An `@` where a comma or the end should be: the entry was never closed; the next one starts here.
      if (next === AT) throw new EntryFailure(p, 'unbalanced');
      if (isNameChar(next)) {
        // `title = {A} author = {B}`: BibTeX stops here; reading on loses nothing.
        this.problems.push(problem('missing-comma', this.lines.at(p), { key, field: this.nameAt(p) }));
        continue;
      }
      if (p >= this.to) throw new EntryFailure(this.to, 'unbalanced');
      throw new EntryFailure(this.failureResume(p, closer), 'syntax', `expected "," or the end of the entry after field \`${field.field.name}\`, found ${describe(text, p)}`);
    }
  }

  /** `@string{name = value}`: kept as a block with one field. */
  private stringBlock(at: number, afterOpen: number, closer: number, line: number): number {
    const p = this.skipSpace(afterOpen);
    const { field, end } = this.field(p, closer, '');
    const q = this.skipSpaceAndCommas(end);
    if (this.text.charCodeAt(q) !== closer) throw new EntryFailure(this.failureResume(q, closer), 'syntax', `expected the end of @string, found ${describe(this.text, q)}`);
    this.blocks.push({ kind: 'string', type: 'string', start: at, end: q + 1, line, key: field.name, fields: [field] });
    return q + 1;
  }

  /** `name = part # part …` at `p`. */
  private field(p: number, closer: number, key: string): { field: BibField; end: number } {
    const text = this.text;
    const nameStart = p;
    while (p < this.to && isNameChar(text.charCodeAt(p))) p++;
    if (p === nameStart) throw new EntryFailure(this.failureResume(p, closer), 'syntax', `expected a field name, found ${describe(text, p)}${key ? '' : ''}`);
    const name = text.slice(nameStart, p).toLowerCase();
    const line = this.lines.at(nameStart);
    p = this.skipSpace(p);
    if (text.charCodeAt(p) !== EQUALS) {
      throw new EntryFailure(this.failureResume(p, closer), 'syntax', `expected "=" after \`${name}\`, found ${describe(text, p)}${text.charCodeAt(p) === RBRACE || text.charCodeAt(p) === COMMA ? ' (missing value?)' : ''}`);
    }
    p = this.skipSpace(p + 1);
    const parts: BibPart[] = [];
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === LBRACE) {
        const close = this.valueEnd(p + 1, -1);
        parts.push({ kind: PartKind.Braced, start: p + 1, end: close });
        p = close + 1;
      } else if (c === QUOTE) {
        const close = this.valueEnd(p + 1, QUOTE);
        parts.push({ kind: PartKind.Quoted, start: p + 1, end: close });
        p = close + 1;
      } else if (c >= 48 && c <= 57) {
        const start = p;
        while (p < this.to && isNameChar(text.charCodeAt(p))) p++;
        parts.push({ kind: /^\d+$/.test(text.slice(start, p)) ? PartKind.Number : PartKind.Macro, start, end: p });
      } else if (isNameChar(c)) {
        const start = p;
        while (p < this.to && isNameChar(text.charCodeAt(p))) p++;
        parts.push({ kind: PartKind.Macro, start, end: p });
      } else {
        if (p >= this.to) throw new EntryFailure(this.to, 'unbalanced');
        throw new EntryFailure(this.failureResume(p, closer), 'syntax', `field \`${name}\` has no value (found ${describe(text, p)})`);
      }
      const q = this.skipSpace(p);
      if (text.charCodeAt(q) !== HASH) break;
      p = this.skipSpace(q + 1);
    }
    return { field: { name, line, parts }, end: p };
  }

  /**
   * The offset of the `}` (or, for a quoted value, the `"` outside braces) ending a value whose
   * content starts at `p`. A line that starts a new entry inside it means the value never closed.
   */
  private valueEnd(p: number, quote: number): number {
    const text = this.text;
    const to = this.to;
    let depth = 0;
    for (let i = p; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === LBRACE) depth++;
      else if (c === RBRACE) {
        if (depth === 0) {
          if (quote < 0) return i;
          // a stray `}` in a quoted value: BibTeX stops the entry here
          throw new EntryFailure(this.failureResume(i, -1), 'unbalanced');
        }
        depth--;
      } else if (c === quote && depth === 0) return i;
      else if (c === LF || c === CR) {
        const next = this.entryLineAt(i + 1);
        if (next >= 0) throw new EntryFailure(next, 'unbalanced');
      }
    }
    throw new EntryFailure(to, 'unbalanced');
  }

  /** The end (just past the closer) of a group opened at `open`, braces counted; -1 when a new entry line comes first. */
  private skipBalanced(open: number, closer: number): number {
    const text = this.text;
    let depth = 0;
    for (let i = open + 1; i < this.to; i++) {
      const c = text.charCodeAt(i);
      if (c === LBRACE) depth++;
      else if (c === RBRACE) {
        if (depth === 0 && closer === RBRACE) return i + 1;
        depth = Math.max(0, depth - 1);
      } else if (c === closer && depth === 0) return i + 1;
      else if ((c === LF || c === CR) && this.entryLineAt(i + 1) >= 0) return -1;
    }
    return -1;
  }

  /** `p` moved back over the white space before it. */
  private trimEnd(p: number): number {
    while (p > 0 && isSpaceCode(this.text.charCodeAt(p - 1))) p--;
    return p;
  }

  /** Where to go on after a broken entry: the next entry line or the end. */
  private resumeAfterFailure(p: number): number {
    const text = this.text;
    for (let i = p; i < this.to; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) {
        const next = this.entryLineAt(i + 1);
        if (next >= 0) return next;
      }
    }
    return this.to;
  }

  /** After a syntax error at `p`: just past the entry's closing delimiter when it is balanced, else the next entry line. */
  private failureResume(p: number, closer: number): number {
    const text = this.text;
    let depth = 0;
    let quoted = false;
    for (let i = p; i < this.to; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE && depth === 0) quoted = !quoted;
      else if (c === LBRACE) depth++;
      else if (c === RBRACE) {
        if (depth === 0 && (closer === RBRACE || closer < 0) && !quoted) return i + 1;
        depth = Math.max(0, depth - 1);
      } else if (c === closer && depth === 0 && !quoted) return i + 1;
      else if ((c === LF || c === CR) && this.entryLineAt(i + 1) >= 0) return this.entryLineAt(i + 1);
    }
    return this.to;
  }

  /** If a line starting at `p` opens an entry (`  @type{`), the offset of its `@`; else -1. */
  private entryLineAt(p: number): number {
    const text = this.text;
    while (p < this.to && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    if (text.charCodeAt(p) !== AT) return -1;
    let q = p + 1;
    while (q < this.to && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
    if (!isTypeStart(text.charCodeAt(q))) return -1;
    while (q < this.to && isTypeChar(text.charCodeAt(q))) q++;
    while (q < this.to && isSpaceCode(text.charCodeAt(q))) q++;
    const c = text.charCodeAt(q);
    return c === LBRACE || c === LPAREN ? p : -1;
  }

  private skipSpace(p: number): number {
    const text = this.text;
    while (p < this.to && isSpaceCode(text.charCodeAt(p))) p++;
    return p;
  }

  private skipSpaceAndCommas(p: number): number {
    const text = this.text;
    while (p < this.to) {
      const c = text.charCodeAt(p);
      if (!isSpaceCode(c) && c !== COMMA) break;
      p++;
    }
    return p;
  }

  private nameAt(p: number): string {
    const text = this.text;
    let q = p;
    while (q < this.to && q - p < 100 && isNameChar(text.charCodeAt(q))) q++;
    return text.slice(p, q);
  }

  /** The key of an entry for a message, when it looks like one. */
  private keyForMessage(p: number): string {
    const text = this.text;
    p = this.skipSpace(p);
    let q = p;
    while (q < this.to && q - p < 200) {
      const c = text.charCodeAt(q);
      if (c === COMMA || isSpaceCode(c) || c === LBRACE || c === RBRACE || c === LPAREN || c === RPAREN || c === QUOTE || c === EQUALS) break;
      q++;
    }
    return text.slice(p, q);
  }
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === LF || c === CR || c === 12 || c === 11;
}

function isTypeStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isTypeChar(c: number): boolean {
  return isTypeStart(c) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

/** Characters BibTeX allows in field names, macro names and bare values. */
function isNameChar(c: number): boolean {
  if (c <= 32 || c === 127 || Number.isNaN(c)) return false;
  return c !== QUOTE && c !== HASH && c !== 37 && c !== 39 && c !== LPAREN && c !== RPAREN && c !== COMMA && c !== EQUALS && c !== LBRACE && c !== RBRACE;
}

function describe(text: string, p: number): string {
  if (p >= text.length) return 'the end of the file';
  const c = text[p];
  if (c === '\n' || c === '\r') return 'the end of the line';
  return `"${c}"`;
}

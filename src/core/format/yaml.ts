/**
 * A small YAML reader for front matter and `_quarto.yml`: enough for Pandoc metadata and inline
 * CSL-YAML `references:`, in one pass over the text (each line and character is visited a bounded
 * number of times, nesting is capped), so hostile input costs linear time.
 *
 * Reads: block mappings and sequences (also `- key: value` items and `key:` followed by a list at
 * the same indent), flow collections `[…]` `{…}` over several lines, plain scalars (continued on
 * more-indented lines), single- and double-quoted scalars (escapes, line folding), literal `|` and
 * folded `>` block scalars with chomping indicators, comments. Plain scalars are typed as YAML 1.2's
 * core schema does (`true`, `null`, `12`, `1.5`); quoted ones are always strings.
 * Not supported (reported as problems, the value read as null or text): anchors and aliases,
 * complex keys (`? `), multiple documents. Tags (`!!str`) are ignored.
 */
import { foldLines, typedPlain, unescapeDouble } from './yaml-scalars';

/** A YAML value as this reader produces it. */
export type YamlValue = string | number | boolean | null | YamlValue[] | YamlMap;

/** A YAML mapping; keys are always strings. */
export interface YamlMap {
  [key: string]: YamlValue;
}

/** What {@link readYaml} found, and what it could not read (1-based lines). */
export interface YamlResult {
  value: YamlValue;
  problems: YamlProblem[];
}

export interface YamlProblem {
  line: number;
  message: string;
}

/** Parses `text` as one YAML document (a `---` line ends it). Never throws. */
export function readYaml(text: string): YamlResult {
  const reader = new Reader(text);
  const value = reader.document();
  return { value, problems: reader.problems };
}

/** Whether a value is a mapping. */
export function isYamlMap(value: YamlValue | undefined): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deeper nesting than this is read as null with a problem (protects the stack). */
const MAX_DEPTH = 64;

interface Line {
  /** Offset of the line's first character in the text. */
  start: number;
  /** Offset of the line end (before `\r\n` / `\n`). */
  end: number;
  /** Column of the first non-space character (may be raised by `- ` items, see {@link Reader.enterItem}). */
  indent: number;
  /** True for blank and comment-only lines. */
  blank: boolean;
}

class Reader {
  readonly problems: YamlProblem[] = [];
  private readonly lines: Line[] = [];
  /** Index of the current line: always a non-blank one, or `lines.length`. */
  private i = 0;

  constructor(private readonly text: string) {
    let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (p <= text.length) {
      let eol = text.indexOf('\n', p);
      if (eol < 0) eol = text.length;
      const end = eol > p && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      let q = p;
      while (q < end && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
      const blank = q === end || text.charCodeAt(q) === 35; /* # */
      this.lines.push({ start: p, end, indent: q - p, blank });
      if (eol === text.length) break;
      p = eol + 1;
    }
  }

  document(): YamlValue {
    this.skipBlank();
    if (this.i < this.lines.length && this.isDocumentMarker(this.lines[this.i]!)) {
      this.i++;
      this.skipBlank();
    }
    if (this.i >= this.lines.length) return null;
    const value = this.block(this.lines[this.i]!.indent, 0);
    this.skipBlank();
    if (this.i < this.lines.length && !this.isDocumentMarker(this.lines[this.i]!)) {
      this.problem(this.i, 'unexpected content after the document; ignored');
    }
    return value;
  }

  // -----------------------------------------------------------------------------------------
  // Blocks

  /** The block node whose first line is the current one, indented exactly `indent`. */
  private block(indent: number, depth: number): YamlValue {
    if (depth > MAX_DEPTH) return this.skipDeep(indent);
    const line = this.lines[this.i]!;
    const p = line.start + line.indent;
    if (this.isSequenceItem(p, line.end)) return this.sequence(indent, depth);
    if (this.keyEnd(p, line.end) >= 0) return this.mapping(indent, depth);
    return this.inlineValue(p, line.end, indent - 1, depth);
  }

  private sequence(indent: number, depth: number): YamlValue[] {
    const items: YamlValue[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent !== indent || this.isDocumentMarker(line)) break;
      const dash = line.start + line.indent;
      if (!this.isSequenceItem(dash, line.end)) break;
      const after = this.skipSpaces(dash + 1, line.end);
      if (after >= line.end || this.text.charCodeAt(after) === 35) {
        // `-` alone: the item is the block below (or null)
        this.i++;
        this.skipBlank();
        const next = this.lines[this.i];
        items.push(next && next.indent > indent && !this.isDocumentMarker(next) ? this.block(next.indent, depth + 1) : null);
        continue;
      }
      items.push(this.enterItem(line, after, depth));
    }
    return items;
  }

  /** A `- item` whose content starts at `contentStart`: read as if the line began there. */
  private enterItem(line: Line, contentStart: number, depth: number): YamlValue {
    const savedIndent = line.indent;
    line.indent = contentStart - line.start;
    const value = this.block(line.indent, depth + 1);
    line.indent = savedIndent;
    return value;
  }

  private mapping(indent: number, depth: number): YamlMap {
    const map: YamlMap = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent !== indent || this.isDocumentMarker(line)) break;
      const p = line.start + line.indent;
      const colon = this.keyEnd(p, line.end);
      if (colon < 0) {
        this.problem(this.i, 'expected `key: value`; line ignored');
        this.i++;
        this.skipBlank();
        continue;
      }
      const key = this.keyText(p, colon);
      const after = this.skipSpaces(colon + 1, line.end);
      if (after >= line.end || this.text.charCodeAt(after) === 35) {
        this.i++;
        this.skipBlank();
        const next = this.lines[this.i];
        if (next && !this.isDocumentMarker(next) && (next.indent > indent
          || (next.indent === indent && this.isSequenceItem(next.start + next.indent, next.end)))) {
          map[key] = this.block(next.indent, depth + 1);
        } else map[key] = null;
        continue;
      }
      map[key] = this.inlineValue(after, line.end, indent, depth);
    }
    return map;
  }

  /**
   * A value starting at `p` on the current line (after `key: ` or `- `, or a whole line), within a
   * node indented more than `parentIndent`. Consumes its lines and leaves `i` on the next one.
   */
  private inlineValue(p: number, end: number, parentIndent: number, depth: number): YamlValue {
    p = this.skipProperties(p, end);
    if (p >= end || this.text.charCodeAt(p) === 35) {
      this.i++;
      this.skipBlank();
      return null;
    }
    const c = this.text[p];
    if (c === '*') {
      this.problem(this.i, 'aliases are not supported; read as null');
      this.i++;
      this.skipBlank();
      return null;
    }
    if (c === '|' || c === '>') return this.blockScalar(p, end, parentIndent);
    if (c === '[' || c === '{') return this.flowAt(p, depth);
    if (c === '"' || c === "'") return this.quotedAt(p, parentIndent);
    if (c === '-' && this.isSequenceItem(p, end)) {
      // `- - a`: a sequence starting mid-line
      const line = this.lines[this.i]!;
      const saved = line.indent;
      line.indent = p - line.start;
      const value = this.sequence(line.indent, depth + 1);
      line.indent = saved;
      return value;
    }
    return this.plainAt(p, end, parentIndent);
  }

  /** Skips `!tag` and `&anchor` properties before a value. */
  private skipProperties(p: number, end: number): number {
    for (;;) {
      const c = this.text[p];
      if (c !== '!' && c !== '&') return p;
      if (c === '&') this.problem(this.i, 'anchors are not supported; ignored');
      while (p < end && !this.isSpace(this.text.charCodeAt(p))) p++;
      p = this.skipSpaces(p, end);
    }
  }

  /** A plain scalar from `p`, continued on following lines indented more than `parentIndent`. */
  private plainAt(p: number, end: number, parentIndent: number): YamlValue {
    const parts = [this.plainPart(p, end)];
    this.i++;
    this.skipBlank();
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent <= parentIndent || this.isDocumentMarker(line)) break;
      const q = line.start + line.indent;
      if (this.keyEnd(q, line.end) >= 0 || this.isSequenceItem(q, line.end)) break;
      parts.push(this.plainPart(q, line.end));
      this.i++;
      this.skipBlank();
    }
    return typedPlain(parts.filter(Boolean).join(' '));
  }

  /** The text of a plain scalar on one line, without a trailing ` # comment`. */
  private plainPart(p: number, end: number): string {
    let stop = end;
    for (let q = p + 1; q < end; q++) {
      if (this.text.charCodeAt(q) === 35 && this.isSpace(this.text.charCodeAt(q - 1))) {
        stop = q;
        break;
      }
    }
    return this.text.slice(p, stop).trim();
  }

  private blockScalar(p: number, end: number, parentIndent: number): string {
    const folded = this.text[p] === '>';
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    let explicitIndent = 0;
    for (let q = p + 1; q < end; q++) {
      const c = this.text[q]!;
      if (c === '-') chomp = 'strip';
      else if (c === '+') chomp = 'keep';
      else if (c >= '1' && c <= '9') explicitIndent = Number(c);
      else break;
    }
    // the body: following lines more indented than the parent, blank lines included
    let n = this.i + 1;
    let contentIndent = explicitIndent ? parentIndent + explicitIndent : -1;
    const body: string[] = [];
    for (; n < this.lines.length; n++) {
      const line = this.lines[n]!;
      const empty = line.indent === line.end - line.start;
      if (empty) {
        body.push('');
        continue;
      }
      if (contentIndent < 0) {
        if (line.indent <= Math.max(parentIndent, -1)) break;
        contentIndent = line.indent;
      }
      if (line.indent < contentIndent) break;
      body.push(this.text.slice(line.start + contentIndent, line.end));
    }
    // trailing blank lines belong to the scalar only for chomping
    let last = body.length;
    while (last > 0 && body[last - 1] === '') last--;
    const trailing = body.length - last;
    n -= trailing;
    const content = body.slice(0, last);
    let value = folded ? foldLines(content) : content.join('\n');
    if (content.length) {
      if (chomp === 'clip') value += '\n';
      else if (chomp === 'keep') value += '\n' + '\n'.repeat(trailing);
    }
    this.i = n;
    this.skipBlank();
    return value;
  }

  // -----------------------------------------------------------------------------------------
  // Quoted scalars and flow collections work on offsets into the whole text, across lines.

  private quotedAt(p: number, parentIndent: number): YamlValue {
    const r = this.quoted(p);
    if (!r) {
      this.problem(this.i, 'unterminated quoted string; read to the end of the line');
      const line = this.lines[this.i]!;
      const value = this.text.slice(p + 1, line.end);
      this.i++;
      this.skipBlank();
      return value;
    }
    this.continueAfter(r.end, parentIndent);
    return r.value;
  }

  /** A quoted scalar opened at `p`: its value and the offset after the closing quote. */
  private quoted(p: number): { value: string; end: number } | undefined {
    const text = this.text;
    const q = text[p];
    let out = '';
    let i = p + 1;
    while (i < text.length) {
      const c = text[i]!;
      if (c === q) {
        if (q === "'" && text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        return { value: out, end: i + 1 };
      }
      if (c === '\\' && q === '"') {
        const r = unescapeDouble(text, i);
        out += r.text;
        i = r.end;
        continue;
      }
      if (c === '\n' || c === '\r') {
        // line folding: the break and the next line's indentation become one space, blank lines a newline
        while (out.endsWith(' ') || out.endsWith('\t')) out = out.slice(0, -1);
        let breaks = 0;
        while (i < text.length && (text[i] === '\n' || text[i] === '\r' || text[i] === ' ' || text[i] === '\t')) {
          if (text[i] === '\n') breaks++;
          i++;
        }
        out += breaks > 1 ? '\n'.repeat(breaks - 1) : ' ';
        continue;
      }
      out += c;
      i++;
    }
    return undefined;
  }

  private flowAt(p: number, depth: number): YamlValue {
    const state = { p, ok: true };
    const value = this.flowValue(state, depth + 1);
    if (!state.ok) this.problem(this.lineAt(p), 'unterminated or malformed flow collection');
    this.continueAfter(state.p, -1);
    return value;
  }

  /** One flow node at `state.p`; advances past it. */
  private flowValue(state: { p: number; ok: boolean }, depth: number): YamlValue {
    const text = this.text;
    state.p = this.skipFlowSpace(state.p);
    const c = text[state.p];
    if (c === '[' || c === '{') {
      if (depth > MAX_DEPTH) {
        state.ok = false;
        state.p = text.length;
        return null;
      }
      return c === '[' ? this.flowSequence(state, depth + 1) : this.flowMapping(state, depth + 1);
    }
    if (c === '"' || c === "'") {
      const r = this.quoted(state.p);
      if (!r) {
        state.ok = false;
        state.p = text.length;
        return null;
      }
      state.p = r.end;
      return r.value;
    }
    // plain scalar in flow context: up to `,` `]` `}` or `: `
    const start = state.p;
    let i = start;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === ',' || ch === ']' || ch === '}' || ch === '\n' || ch === '\r') break;
      if (ch === ':' && (i + 1 >= text.length || /[\s,\]}]/.test(text[i + 1]!))) break;
      if (ch === '#' && i > start && this.isSpace(text.charCodeAt(i - 1))) break;
      i++;
    }
    state.p = i;
    const raw = text.slice(start, i).trim();
    return raw === '' ? null : typedPlain(raw);
  }

  private flowSequence(state: { p: number; ok: boolean }, depth: number): YamlValue[] {
    const items: YamlValue[] = [];
    this.flowEntries(state, ']', () => {
      const value = this.flowValue(state, depth);
      state.p = this.skipFlowSpace(state.p);
      if (this.text[state.p] === ':') {
        // `[a: b]`: a single-pair mapping
        state.p++;
        const pair: YamlMap = {};
        pair[String(value)] = this.flowValue(state, depth);
        items.push(pair);
      } else items.push(value);
    });
    return items;
  }

  private flowMapping(state: { p: number; ok: boolean }, depth: number): YamlMap {
    const map: YamlMap = {};
    this.flowEntries(state, '}', () => {
      const key = this.flowValue(state, depth);
      state.p = this.skipFlowSpace(state.p);
      let value: YamlValue = null;
      if (this.text[state.p] === ':') {
        state.p++;
        value = this.flowValue(state, depth);
      }
      map[key === null ? '' : String(key)] = value;
    });
    return map;
  }

  /**
   * The entries of a flow collection opened at `state.p`, each read by `entry`, up to `close`;
   * commas and comments between them skipped. Unclosed: `state.ok` is false.
   */
  private flowEntries(state: { p: number; ok: boolean }, close: ']' | '}', entry: () => void): void {
    state.p++;
    for (;;) {
      state.p = this.skipFlowSpace(state.p);
      const c = this.text[state.p];
      if (c === undefined) {
        state.ok = false;
        return;
      }
      if (c === close) {
        state.p++;
        return;
      }
      if (c === ',') {
        state.p++;
        continue;
      }
      const before = state.p;
      entry();
      if (state.p === before) state.p++; // never stall on a stray character
    }
  }

  private skipFlowSpace(p: number): number {
    const text = this.text;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else if (c === 35 && (p === 0 || this.isSpace(text.charCodeAt(p - 1)))) {
        const eol = text.indexOf('\n', p);
        p = eol < 0 ? text.length : eol;
      } else break;
    }
    return p;
  }

  /** After a value that ended at `end`: the rest of that line must be blank or a comment. */
  private continueAfter(end: number, _parentIndent: number): void {
    const line = this.lineAt(end);
    const rest = this.skipSpaces(end, this.lines[line]!.end);
    if (rest < this.lines[line]!.end && this.text.charCodeAt(rest) !== 35) {
      this.problem(line, 'unexpected text after a value; ignored');
    }
    this.i = line + 1;
    this.skipBlank();
  }

  // -----------------------------------------------------------------------------------------
  // Helpers

  /** Offset of the `:` ending a mapping key that starts at `p`, or -1 when the line holds no key. */
  private keyEnd(p: number, end: number): number {
    const text = this.text;
    const c = text[p];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, p + 1);
      if (close < 0 || close >= end) return -1;
      const q = this.skipSpaces(close + 1, end);
      return text[q] === ':' && (q + 1 >= end || this.isSpace(text.charCodeAt(q + 1))) ? q : -1;
    }
    if (c === undefined || c === '[' || c === '{' || c === '#' || c === '|' || c === '>') return -1;
    if (c === '-' && this.isSequenceItem(p, end)) return -1;
    if (c === '?' && (p + 1 >= end || this.isSpace(text.charCodeAt(p + 1)))) return -1;
    for (let q = p; q < end; q++) {
      const ch = text.charCodeAt(q);
      if (ch === 58 /* : */ && (q + 1 >= end || this.isSpace(text.charCodeAt(q + 1)))) return q;
      if (ch === 35 /* # */ && q > p && this.isSpace(text.charCodeAt(q - 1))) return -1;
    }
    return -1;
  }

  private keyText(p: number, colon: number): string {
    const c = this.text[p];
    if (c === '"' || c === "'") return this.quoted(p)?.value ?? '';
    return this.text.slice(p, colon).trim();
  }

  private isSequenceItem(p: number, end: number): boolean {
    return this.text.charCodeAt(p) === 45 /* - */ && (p + 1 >= end || this.isSpace(this.text.charCodeAt(p + 1)));
  }

  private isDocumentMarker(line: Line): boolean {
    if (line.indent !== 0) return false;
    const head = this.text.slice(line.start, Math.min(line.end, line.start + 4));
    return /^(?:---|\.\.\.)(?:\s|$)/.test(head);
  }

  private isSpace(c: number): boolean {
    return c === 32 || c === 9;
  }

  private skipSpaces(p: number, end: number): number {
    while (p < end && this.isSpace(this.text.charCodeAt(p))) p++;
    return p;
  }

  private skipBlank(): void {
    while (this.i < this.lines.length && this.lines[this.i]!.blank) this.i++;
  }

  /** Skips the lines of a node nested too deeply to read. */
  private skipDeep(indent: number): null {
    this.problem(this.i, `nesting deeper than ${MAX_DEPTH} levels; read as null`);
    this.i++;
    while (this.i < this.lines.length && (this.lines[this.i]!.blank || this.lines[this.i]!.indent >= indent)) this.i++;
    return null;
  }

  /** Index of the line holding offset `p` (binary search). */
  private lineAt(p: number): number {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid]!.start <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private problem(lineIndex: number, message: string): void {
    if (this.problems.length < 50) this.problems.push({ line: lineIndex + 1, message });
  }
}

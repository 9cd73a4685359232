/**
 * The Pandoc Markdown citation grammar: `[@a; @b, p. 4]`, bare `@a`, `@{braced key}`, with code,
 * front matter, HTML comments and tags, autolinks and link destinations skipped. The rules are
 * listed in `cite-syntax.ts`.
 */
import type { Span, TextEdit } from '../types';
import { BACKSLASH, LF, CR, SPACE, TAB, BACKTICK, TILDE, AT, LBRACKET, RBRACKET, LBRACE, RBRACE, LPAREN, RPAREN, LT, GT, SEMICOLON, BANG, SLASH, NEAR, FAR, MAX_GROUP, isSpaceCode, isLetterCode, isWordCharBefore, lineEnd, lineStartBounded, type Citation, type CiteKeyRef, type CompletionContext } from './common';

interface Fence {
  ch: number;
  len: number;
}

interface MarkdownState {
  fence: Fence | null;
  inComment: boolean;
}

const MD_KEY = /[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&+?<>~/-](?=[\p{L}\p{N}_])|[:/](?=\/))*/uy;
const MD_KEY_WHOLE = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&+?<>~/-](?=[\p{L}\p{N}_])|[:/](?=\/))*$/u;
export const MD_KEY_CHAR = /^[\p{L}\p{N}_:.#$%&+?<>~/-]$/u;

export function markdownKey(key: string): string {
  return MD_KEY_WHOLE.test(key) ? `@${key}` : `@{${key}}`;
}

/** The key starting at `p` (just after `@`), ending by `limit`: plain or `{braced}`. */
function markdownKeyAt(text: string, p: number, limit: number): { key: string; span: Span; end: number } | undefined {
  if (text.charCodeAt(p) === LBRACE) {
    let depth = 0;
    const stop = Math.min(limit, p + MAX_GROUP);
    for (let i = p + 1; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) return undefined;
      if (c === LBRACE) depth++;
      else if (c === RBRACE) {
        if (depth > 0) {
          depth--;
          continue;
        }
        if (i === p + 1) return undefined;
        return { key: text.slice(p + 1, i), span: { start: p + 1, end: i }, end: i + 1 };
      }
    }
    return undefined;
  }
  MD_KEY.lastIndex = p;
  const m = MD_KEY.exec(text);
  if (!m) return undefined;
  const end = Math.min(limit, p + m[0].length);
  if (end <= p) return undefined;
  return { key: text.slice(p, end), span: { start: p, end }, end };
}

/** Offset just past the front matter's closing line, or -1 when the text has none. */
export function frontMatterEnd(text: string, maxLength: number): number {
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (!text.startsWith('---', p)) return -1;
  let eol = lineEnd(text, p);
  if (text.slice(p + 3, eol).trim() !== '') return -1;
  p = eol + 1;
  // Pandoc: a blank line right after the opening `---` makes it a horizontal rule
  if (p >= text.length || text.slice(p, lineEnd(text, p)).trim() === '') return -1;
  const stop = Math.min(text.length, maxLength);
  while (p < stop) {
    eol = lineEnd(text, p);
    const line = text.slice(p, eol).trimEnd();
    if (line === '---' || line === '...') return Math.min(text.length, eol + 1);
    p = eol + 1;
  }
  return -1;
}

function openingFence(text: string, p: number, eol: number): Fence | null {
  const ch = text.charCodeAt(p);
  if (ch !== BACKTICK && ch !== TILDE) return null;
  let q = p;
  while (q < eol && text.charCodeAt(q) === ch) q++;
  if (q - p < 3) return null;
  if (ch === BACKTICK && text.slice(q, eol).includes('`')) return null;
  return { ch, len: q - p };
}

function isClosingFence(text: string, pos: number, eol: number, fence: Fence): boolean {
  let p = pos;
  while (p < eol && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB)) p++;
  let q = p;
  while (q < eol && text.charCodeAt(q) === fence.ch) q++;
  return q - p >= fence.len && text.slice(q, eol).trim() === '';
}

const LIST_MARKER = /(?:[-*+]|\d{1,9}[.)])(?:[ \t]|\r?$)/y;

/**
 * Block pass over Markdown from the line start `from`: collects paragraphs (runs of text lines)
 * and hands them to the inline pass; code, front matter and HTML comments are skipped and, when
 * `dead` is given, recorded. Starts no paragraph after `stopAt`.
 */
export function scanMarkdown(
  text: string,
  from: number,
  stopAt: number,
  out: Citation[],
  state: MarkdownState,
  dead: Span[] | undefined,
): void {
  const len = text.length;
  let pos = from;
  let fence = state.fence;
  let prevBlank = true;
  let inList = false;
  let inIndented = false;
  let para = -1;
  let finished = false;

  const resumeAfterComment = (open: number): void => {
    const close = text.indexOf('-->', open);
    if (close < 0) {
      dead?.push({ start: open, end: len });
      finished = true;
      return;
    }
    dead?.push({ start: open, end: close + 3 });
    para = close + 3;
    pos = lineEnd(text, close + 3) + 1;
    fence = null;
    prevBlank = false;
    inIndented = false;
  };
  /** Runs the inline pass over the pending paragraph; true when an HTML comment moved `pos`. */
  const flush = (end: number): boolean => {
    if (para < 0) return false;
    const open = scanInline(text, para, end, out, dead);
    para = -1;
    if (open < 0) return false;
    resumeAfterComment(open + 4);
    return true;
  };

  if (from === 0) {
    const fm = frontMatterEnd(text, Infinity);
    if (fm > 0) {
      dead?.push({ start: 0, end: fm });
      pos = fm;
    }
  }
  if (state.inComment) resumeAfterComment(pos);

  while (!finished && pos < len) {
    if (para < 0 && pos > stopAt) return;
    const eol = lineEnd(text, pos);
    const nextLine = eol + 1;
    if (fence) {
      if (isClosingFence(text, pos, eol, fence)) fence = null;
      dead?.push({ start: pos, end: eol });
      pos = nextLine;
      continue;
    }
    let p = pos;
    let col = 0;
    for (; p < eol; p++) {
      const c = text.charCodeAt(p);
      if (c === SPACE) col++;
      else if (c === TAB) col += 4 - (col % 4);
      else break;
    }
    const blank = p === eol || (p === eol - 1 && text.charCodeAt(p) === CR);
    if (blank) {
      if (flush(pos)) continue;
      prevBlank = true;
      inIndented = false;
      pos = nextLine;
      continue;
    }
    if (col >= 4 && (prevBlank || inIndented) && !inList) {
      if (flush(pos)) continue;
      dead?.push({ start: pos, end: eol });
      inIndented = true;
      prevBlank = false;
      pos = nextLine;
      continue;
    }
    const opened = col < 4 || inList ? openingFence(text, p, eol) : null;
    if (opened) {
      if (flush(pos)) continue;
      fence = opened;
      dead?.push({ start: pos, end: eol });
      prevBlank = false;
      inIndented = false;
      pos = nextLine;
      continue;
    }
    if (col < 4) {
      LIST_MARKER.lastIndex = p;
      if (LIST_MARKER.test(text)) inList = true;
      else if (prevBlank) inList = false;
    }
    if (para < 0) para = pos;
    prevBlank = false;
    inIndented = false;
    pos = nextLine;
  }
  if (!finished) flush(len);
}

/** Index of the closing run of exactly `n` backticks in `[from, e)`, or -1. */
function findCodeSpanClose(text: string, from: number, e: number, n: number): number {
  for (let j = from; j < e; ) {
    if (text.charCodeAt(j) !== BACKTICK) {
      j++;
      continue;
    }
    let k = j;
    while (k < e && text.charCodeAt(k) === BACKTICK) k++;
    if (k - j === n) return j;
    j = k;
  }
  return -1;
}

function backtickRun(text: string, i: number, e: number): number {
  let k = i;
  while (k < e && text.charCodeAt(k) === BACKTICK) k++;
  return k - i;
}

/** End of an HTML tag or autolink opened by `<` at `i` within `[i, e)`, or -1 when `<` is just text. */
function tagEnd(text: string, i: number, e: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === SLASH) j++;
  if (!isLetterCode(text.charCodeAt(j))) return -1;
  const stop = Math.min(e, i + MAX_GROUP);
  for (; j < stop; j++) {
    const c = text.charCodeAt(j);
    if (c === GT) return j + 1;
    if (c === LT) return -1;
  }
  return -1;
}

/**
 * What the inline pass of one paragraph `[s, e)` looks up more than once, computed so the pass
 * stays linear on any input: the matching `]` of every `[` and `)` of every `(` (one stack pass,
 * escapes and code spans respected, as the scan from each opener would find them), and the
 * backtick runs by length (the closer of a code span is the next run of the same length).
 */
class InlineContext {
  private brackets: Map<number, number> | undefined;
  private parens: Map<number, number> | undefined;
  private runs: Map<number, number[]> | undefined;

  constructor(readonly text: string, readonly s: number, readonly e: number) {}

  /** Index of the closing run of exactly `n` backticks in `[from, e)`, or -1 (`from` is the end of an opening run). */
  codeSpanClose(from: number, n: number): number {
    if (!this.runs) {
      // Every run of backticks by length, in text order: one pass, then a binary search per lookup.
      this.runs = new Map();
      const { text, e } = this;
      for (let j = this.text.indexOf('`', this.s); j >= 0 && j < e; j = text.indexOf('`', j)) {
        const length = backtickRun(text, j, e);
        let list = this.runs.get(length);
        if (!list) this.runs.set(length, (list = []));
        list.push(j);
        j += length;
      }
    }
    const list = this.runs.get(n);
    if (!list) return -1;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo]! : -1;
  }

  /** Index of the `]` matching the `[` at `i` (at most {@link MAX_GROUP} on), or -1. */
  bracketClose(i: number): number {
    this.brackets ??= this.matchAll(LBRACKET, RBRACKET, true);
    const k = this.brackets.get(i) ?? -1;
    return k >= 0 && k - i < MAX_GROUP ? k : -1;
  }

  /** End (after the `)`) of the parenthesised group opened at `p` (at most {@link MAX_GROUP} long), or -1. */
  parenEnd(p: number): number {
    this.parens ??= this.matchAll(LPAREN, RPAREN, false);
    const k = this.parens.get(p) ?? -1;
    return k >= 0 && k - p < MAX_GROUP ? k + 1 : -1;
  }

  private matchAll(open: number, close: number, codeSpans: boolean): Map<number, number> {
    const { text, e } = this;
    const matches = new Map<number, number>();
    const stack: number[] = [];
    for (let j = this.s; j < e; j++) {
      const c = text.charCodeAt(j);
      if (c === BACKSLASH) j++;
      else if (c === BACKTICK && codeSpans) {
        const n = backtickRun(text, j, e);
        const end = this.codeSpanClose(j + n, n);
        j = (end < 0 ? j + n : end + n) - 1;
      } else if (c === open) stack.push(j);
      else if (c === close && stack.length) matches.set(stack.pop()!, j);
    }
    return matches;
  }
}

/**
 * Inline pass over one paragraph `[s, e)`. Returns -1, or the offset of an `<!--` whose
 * `-->` lies beyond the paragraph (the caller skips to it).
 */
function scanInline(text: string, s: number, e: number, out: Citation[], dead: Span[] | undefined): number {
  const context = new InlineContext(text, s, e);
  /**
   * Brackets opened before this offset lie inside an outer `[…]` found to hold no citation, so
   * they hold none either; except one closed right after an empty `@` (`[@]`, typing in progress),
   * whose `]` the outer check lists in `emptyKeyCloses`.
   */
  let noCiteBefore = -1;
  let emptyKeyCloses = new Set<number>();
  let i = s;
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
    } else if (c === BACKTICK) {
      const n = backtickRun(text, i, e);
      const close = context.codeSpanClose(i + n, n);
      if (close < 0) i += n;
      else {
        dead?.push({ start: i, end: close + n });
        i = close + n;
      }
    } else if (c === LT) {
      if (text.startsWith('<!--', i)) {
        const close = text.indexOf('-->', i + 4);
        if (close < 0 || close + 3 > e) return i;
        dead?.push({ start: i, end: close + 3 });
        i = close + 3;
      } else {
        const t = tagEnd(text, i, e);
        if (t > 0) dead?.push({ start: i, end: t });
        i = t > 0 ? t : i + 1;
      }
    } else if (c === LBRACKET) {
      const known = i < noCiteBefore && !emptyKeyCloses.has(context.bracketClose(i));
      const found = known || (i > 0 && text.charCodeAt(i - 1) === BANG) ? undefined : bracketedAt(context, i);
      if (found && 'citation' in found) {
        out.push(found.citation);
        i = found.citation.span.end;
      } else {
        if (found && i >= noCiteBefore) ({ noCiteBefore, emptyKeyCloses } = found);
        i++;
      }
    } else if (c === RBRACKET) {
      // a link destination is a URL, not text: `(https://x.org/@user)` cites nobody
      const d = text.charCodeAt(i + 1) === LPAREN ? context.parenEnd(i + 1) : -1;
      if (d > 0) dead?.push({ start: i + 1, end: d });
      i = d > 0 ? d : i + 1;
    } else if (c === AT) {
      const cite = bareAt(text, i, e);
      if (cite) {
        out.push(cite);
        i = cite.span.end;
      } else i++;
    } else {
      i++;
    }
  }
  return -1;
}

function bareAt(text: string, i: number, e: number): Citation | undefined {
  if (isWordCharBefore(text, i)) return undefined;
  const k = markdownKeyAt(text, i + 1, e);
  if (!k) return undefined;
  return {
    flavor: 'markdown',
    span: { start: i, end: k.end },
    keys: [{ key: k.key, span: k.span }],
    bodySpan: { start: i, end: k.end },
    bracketed: false,
  };
}

/**
 * The bracketed citation opened at `i`, if `[…]` is not a link and holds at least one `@` at a key
 * position: with a key, or an empty one right before `;` or `]` (typing in progress).
 */
function bracketedAt(
  context: InlineContext,
  i: number,
): { citation: Citation } | { noCiteBefore: number; emptyKeyCloses: Set<number> } | undefined {
  const { text } = context;
  const k = context.bracketClose(i);
  if (k < 0) return undefined;
  const after = text.charCodeAt(k + 1);
  if (after === LPAREN || after === LBRACKET) return undefined;
  if (after === 58 /* : */ && (i === 0 || text.charCodeAt(i - 1) === LF)) return undefined;
  const keys: CiteKeyRef[] = [];
  const emptyKeyCloses = new Set<number>();
  let cites = false;
  for (let j = i + 1; j < k; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === BACKTICK) {
      const n = backtickRun(text, j, k);
      const close = context.codeSpanClose(j + n, n);
      j = (close < 0 || close > k ? j + n : close + n) - 1;
    } else if (c === AT && !isWordCharBefore(text, j)) {
      const key = markdownKeyAt(text, j + 1, k);
      if (key) {
        keys.push({ key: key.key, span: key.span });
        cites = true;
        j = key.end - 1;
      } else {
        let q = j + 1;
        while (q < k && (text.charCodeAt(q) === SPACE || text.charCodeAt(q) === TAB)) q++;
        if (q === k || text.charCodeAt(q) === SEMICOLON) cites = true;
        else if (text.charCodeAt(q) === RBRACKET) emptyKeyCloses.add(q);
      }
    }
  }
  if (!cites) return { noCiteBefore: k, emptyKeyCloses };
  return {
    citation: {
      flavor: 'markdown',
      span: { start: i, end: k + 1 },
      keys,
      bodySpan: { start: i + 1, end: k },
      bracketed: true,
    },
  };
}

/** Markdown citations from a bounded local scan around `at`; `dead` collects the skipped regions of that scan. */
export function markdownCitationsNear(text: string, at: number, dead: Span[] | undefined): Citation[] {
  const out: Citation[] = [];
  let near = paragraphStartBounded(text, lineStartBounded(text, Math.max(0, at - NEAR), NEAR), NEAR);
  if (near === 0) {
    scanMarkdown(text, 0, at, out, { fence: null, inComment: false }, dead);
    return out;
  }
  const fm = frontMatterEnd(text, FAR);
  if (fm > 0 && at < fm) {
    dead?.push({ start: 0, end: fm });
    return out;
  }
  if (fm > near) near = fm;
  const lo = fm > 0 && at - FAR < fm ? fm : lineStartBounded(text, Math.max(0, at - FAR), NEAR);
  scanMarkdown(text, near, at, out, inferMarkdownState(text, lo, near), dead);
  return out;
}

/**
 * Start of the top-level paragraph holding line start `p`: a line indented less than four
 * columns that follows a blank line (so the block pass can start there with no list or
 * indented-code context). Looks back at most `limit` characters.
 */
function paragraphStartBounded(text: string, p: number, limit: number): number {
  const stop = Math.max(0, p - limit);
  let lineStart = p;
  while (lineStart > stop) {
    const prevStart = lineStartBounded(text, lineStart - 1, limit);
    if (text.slice(prevStart, lineStart).trim() === '' && !/^(?: {4}| {0,3}\t)/.test(text.slice(lineStart, lineStart + 4))) {
      return lineStart;
    }
    if (prevStart <= stop) return prevStart;
    lineStart = prevStart;
  }
  return lineStart;
}

// The run of fence characters is taken whole (the info string cannot start with the same
// character), so no part of the line is matched two ways.
const FENCE_LINE = /^[ \t]*(?:(`{3,})([^`\n][^\n]*)?|(~{3,})([^~\n][^\n]*)?)$/gm;

/**
 * The code-fence and comment state at `near`, replayed from the fence lines in `[lo, near)`.
 * Exact when `lo` is outside any block (text start, end of front matter). Otherwise the first
 * fence seen may be a closer taken for an opener, but the count falls back into step at the
 * first fence with an info string (```` ```python ````), which can only open.
 */
function inferMarkdownState(text: string, lo: number, near: number): MarkdownState {
  const slice = text.slice(lo, near);
  let fence: Fence | null = null;
  FENCE_LINE.lastIndex = 0;
  for (let m = FENCE_LINE.exec(slice); m; m = FENCE_LINE.exec(slice)) {
    const run = m[1] ?? m[3] ?? '';
    const ch = run.charCodeAt(0);
    const info = (m[2] ?? m[4] ?? '').trim();
    if (!fence) {
      if (!(ch === BACKTICK && info.includes('`'))) fence = { ch, len: run.length };
    } else if (ch === fence.ch && run.length >= fence.len && info === '') fence = null;
  }
  if (fence) return { fence, inComment: false };
  const open = slice.lastIndexOf('<!--');
  return { fence: null, inComment: open >= 0 && open > slice.lastIndexOf('-->') };
}

function isInside(spans: Span[], p: number): boolean {
  return spans.some((s) => s.start <= p && p < s.end);
}

export function markdownCompletion(text: string, at: number): CompletionContext | undefined {
  let p = at;
  const stop = Math.max(0, at - 256);
  while (p > stop && MD_KEY_CHAR.test(text[p - 1] ?? '')) p--;
  const atSign = p - 1;
  if (atSign < 0 || text.charCodeAt(atSign) !== AT) return undefined;
  if (isWordCharBefore(text, atSign)) return undefined;
  let slashes = 0;
  while (text.charCodeAt(atSign - 1 - slashes) === BACKSLASH) slashes++;
  if (slashes % 2 === 1) return undefined;
  if (p < at) {
    MD_KEY.lastIndex = p;
    if (!MD_KEY.test(text)) return undefined;
  }
  const dead: Span[] = [];
  markdownCitationsNear(text, at, dead);
  if (isInside(dead, atSign)) return undefined;
  MD_KEY.lastIndex = p;
  const m = MD_KEY.exec(text);
  const end = Math.max(at, m ? p + m[0].length : p);
  return { prefix: text.slice(p, at), span: { start: p, end } };
}

/** Adds `added` to a Markdown citation: after the cursor's item (`; @k`), or into the cursor's keyless item. */
export function markdownAddition(text: string, at: number, c: Citation, added: string[]): TextEdit {
  const tail = added.map(markdownKey).join('; ');
  if (!c.bracketed) {
    const end = c.bodySpan.end;
    return { start: end, end, text: '; ' + tail };
  }
  const { start: bs, end: be } = c.bodySpan;
  let itemStart = bs;
  let itemEnd = be;
  for (let j = bs; j < be; j++) {
    const ch = text.charCodeAt(j);
    if (ch === BACKSLASH) j++;
    else if (ch === BACKTICK) {
      const n = backtickRun(text, j, be);
      const close = findCodeSpanClose(text, j + n, be, n);
      j = (close < 0 ? j + n : close + n) - 1;
    } else if (ch === SEMICOLON) {
      if (j < at) itemStart = j + 1;
      else {
        itemEnd = j;
        break;
      }
    }
  }
  const itemKeys = c.keys.filter((k) => k.span.start >= itemStart && k.span.end <= itemEnd);
  if (itemKeys.length > 0) {
    let p = itemEnd;
    const lastKeyEnd = itemKeys[itemKeys.length - 1]!.span.end;
    while (p > lastKeyEnd && isSpaceCode(text.charCodeAt(p - 1))) p--;
    return { start: p, end: p, text: '; ' + tail };
  }
  const prev = at > bs ? text.charCodeAt(at - 1) : LBRACKET;
  if (prev === AT) {
    // an `@` (or `-@`) is already typed: the first key goes after it
    return { start: at, end: at, text: tail.slice(1) };
  }
  const lead = prev === LBRACKET || isSpaceCode(prev) ? '' : ' ';
  return { start: at, end: at, text: lead + tail };
}
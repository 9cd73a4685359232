/**
 * Re-reading a .bib after an edit without reading all of it: the text before and after the
 * edited stretch is unchanged, so only the entries the edit touched are scanned and read again;
 * entries after it move by the edit's length and line count. When the edit could change what
 * other entries mean (an `@string`, a `crossref`/`xdata` link, a repeated key, an undefined
 * macro, an entry left open), the caller reads the whole file instead: the result must always
 * be what a full read gives.
 */
import { problem as makeProblem, ProblemCode } from '../problems';
import type { Paper, Problem, ProblemData } from '../types';
import { BibFileParse, EntryReader } from './read';
import { scanBib } from './scan';

/** A file's text and what reading it gave. */
export interface BibState {
  text: string;
  sourceName: string;
  parse: BibFileParse;
}

/** What an edit changed, for a caller holding the old papers. */
export interface BibDelta {
  /** Keys of the old entries the edit replaced or removed. */
  removed: string[];
  /** The entries read from the edited stretch (new or changed). */
  added: Paper[];
  /** Entries at or after this old offset moved by `by` characters and `lines` lines. */
  shift: { from: number; by: number; lines: number };
}

/** Characters compared at once while looking for where two texts differ. */
const BLOCK = 4096;

/** Problem codes whose presence in an edited stretch means the whole file is read again. */
const NON_LOCAL = new Set(['undefined-macro', 'duplicate-key', 'unbalanced-entry', 'entry-truncated', 'missing-key', 'entry-syntax']);

/**
 * The state after `newText` replaced the old text, and the change, when the edit can be read on
 * its own; undefined when the whole file must be read. When a state comes back, `old` is used up:
 * the entries after the edit were moved in place.
 */
export function updateBibState(old: BibState, newText: string): { state: BibState; delta: BibDelta } | undefined {
  const oldText = old.text;
  if (oldText === newText) return { state: old, delta: { removed: [], added: [], shift: { from: oldText.length, by: 0, lines: 0 } } };
  // The edited stretch: [prefix, oldText.length - suffix) in the old text.
  // Compared a block at a time first: comparing strings is native, a loop over characters is not.
  const shortest = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix + BLOCK <= shortest && oldText.slice(prefix, prefix + BLOCK) === newText.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < shortest && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const oldEnd = oldText.length;
  const newEnd = newText.length;
  while (suffix + BLOCK <= shortest - prefix && oldText.slice(oldEnd - suffix - BLOCK, oldEnd - suffix) === newText.slice(newEnd - suffix - BLOCK, newEnd - suffix)) suffix += BLOCK;
  while (suffix < shortest - prefix && oldText.charCodeAt(oldEnd - 1 - suffix) === newText.charCodeAt(newEnd - 1 - suffix)) suffix++;
  let from = prefix;
  let to = oldText.length - suffix;

  // Widen it to whole lines and whole blocks, until it no longer grows: every entry (or comment
  // block) the edit touches or abuts is read again, and the stretch starts and ends where the
  // full scanner is outside any block.
  const { papers, macros, xdata } = old.parse;
  if (xdata.length) return undefined;
  const others = old.parse.otherBlocks ?? [];
  let first = -1;
  let last = -1;
  for (let grew = true; grew;) {
    grew = false;
    const lineStart = lineStartBefore(oldText, from);
    const lineEnd = lineEndAfter(oldText, to);
    if (lineStart < from || lineEnd > to) grew = true;
    from = lineStart;
    to = lineEnd;
    for (let i = 0; i < papers.length; i++) {
      const span = papers[i].sourceSpan;
      if (!span || span.end <= from || span.start >= to) continue;
      if (first < 0 || i < first) first = i;
      if (i > last) last = i;
      if (span.start < from || span.end > to) {
        from = Math.min(from, span.start);
        to = Math.max(to, span.end);
        grew = true;
      }
    }
    for (const span of others) {
      if (span.end <= from || span.start >= to || (span.start >= from && span.end <= to)) continue;
      from = Math.min(from, span.start);
      to = Math.max(to, span.end);
      grew = true;
    }
  }
  for (const macro of macros.values()) if (macro.span.start < to && macro.span.end > from) return undefined;
  // A problem in the stretch, or in the entry just before it (an entry that breaks off reaches to
  // the next one), may hide an entry the scanner could not close: read it all again.
  const fromLine = lineOf(oldText, papers, from);
  const toLine = lineOf(oldText, papers, to);
  const before = first > 0 ? papers[first - 1] : papers[insertionPoint(papers, from) - 1];
  const checkFrom = before?.sourceLine ?? 1;
  if (old.parse.problems.some((p) => p.line !== undefined && p.line >= checkFrom && p.line <= toLine && NON_LOCAL.has(p.code ?? ''))) return undefined;

  const by = newText.length - oldText.length;
  const newTo = to + by;
  const removedPapers = first >= 0 ? papers.slice(first, last + 1) : [];
  if (removedPapers.some((p) => p.crossref || p.xdata)) return undefined;

  const scan = scanBib(newText, from, newTo, fromLine);
  if (scan.blocks.some((b) => b.kind === 'string' || b.type === 'xdata')) return undefined;
  if (scan.blocks.length && scan.blocks[scan.blocks.length - 1].end > newTo) return undefined;
  const problems: Problem[] = [...scan.problems];
  const reader = new EntryReader(newText, old.sourceName, problems);
  for (const [name, definition] of macros) reader.macros.set(name, definition);
  for (const block of scan.blocks) reader.read(block);
  if (problems.some((p) => NON_LOCAL.has(p.code ?? ''))) return undefined;
  const added = reader.papers;
  if (added.some((p) => p.crossref || p.xdata) || reader.externalUsed.size) return undefined;
  // A key the rest of the file has already (a duplicate), or links into the stretch from outside
  // it, change other entries: not a local edit. One pass over the other entries, no allocation.
  const addedKeys = new Set(added.map((p) => p.id.toLowerCase()));
  const changedKeys = new Set([...removedPapers.map((p) => p.id.toLowerCase()), ...addedKeys]);
  const keyLengths = new Set([...changedKeys].map((k) => k.length));
  const mentions = (key: string | undefined, keys: Set<string>): boolean => key !== undefined && keyLengths.has(key.length) && keys.has(key.toLowerCase());
  for (let i = 0; i < papers.length; i++) {
    if (i >= first && i <= last && first >= 0) continue;
    const paper = papers[i]!;
    if (mentions(paper.id, addedKeys) || mentions(paper.crossref, changedKeys) || paper.xdata?.some((k) => mentions(k, changedKeys))) return undefined;
  }

  const lines = countLines(newText, from, newTo) - countLines(oldText, from, to);
  const shift = { from: to, by, lines };
  // The entries after the edit move in place (copying thousands of papers per keystroke would
  // cost more than the edit): `old` is consumed.
  const unchanged = papers.slice(0, Math.max(0, first < 0 ? insertionPoint(papers, from) : first));
  const after = papers.slice(first < 0 ? insertionPoint(papers, from) : last + 1);
  if (by || lines) {
    for (const paper of after) {
      const span = paper.sourceSpan!;
      paper.sourceSpan = { start: span.start + by, end: span.end + by };
      paper.sourceLine = (paper.sourceLine ?? 0) + lines;
    }
  }
  const oldProblems = old.parse.problems.filter((p) => p.line === undefined || p.line < fromLine || p.line > toLine);
  const shiftedProblems = oldProblems.map((p) => shiftProblem(p, toLine, lines));
  const parse: BibFileParse = {
    ...old.parse,
    papers: [...unchanged, ...added, ...after],
    problems: [...shiftedProblems, ...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  };
  return {
    state: { text: newText, sourceName: old.sourceName, parse },
    delta: { removed: removedPapers.map((p) => p.id), added, shift },
  };
}

/** The start of the line holding `offset` (any line break counts). */
function lineStartBefore(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text.charCodeAt(i - 1) !== 10 && text.charCodeAt(i - 1) !== 13) i--;
  return i;
}

/** Just past the line break ending the line that holds `offset - 1` (the text's end when none). */
function lineEndAfter(text: string, offset: number): number {
  const previous = text.charCodeAt(offset - 1);
  if (offset > 0 && (previous === 10 || (previous === 13 && text.charCodeAt(offset) !== 10))) return offset;
  let i = Math.max(offset, 0);
  while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
  if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) return i + 2;
  return Math.min(text.length, i + 1);
}

/** The index of the first paper starting at or after `offset`. */
function insertionPoint(papers: readonly Paper[], offset: number): number {
  let i = 0;
  while (i < papers.length && (papers[i].sourceSpan?.start ?? 0) < offset) i++;
  return i;
}

/** The 1-based line of `offset`, counted from the nearest entry before it. */
function lineOf(text: string, papers: readonly Paper[], offset: number): number {
  let base = 0;
  let line = 1;
  for (const paper of papers) {
    const span = paper.sourceSpan;
    if (!span || span.start > offset) break;
    base = span.start;
    line = paper.sourceLine ?? 1;
  }
  return line + countLines(text, base, offset);
}

/** Line breaks in `[from, to)`: `\r\n`, `\n` and a lone `\r` each count once. */
function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) lines++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) lines++;
  }
  return lines;
}

/** A problem after lines were added or removed above it: its line and the lines its message names move. */
function shiftProblem(found: Problem, afterLine: number, lines: number): Problem {
  if (!lines) return found;
  const moves = (line: number | undefined): boolean => line !== undefined && line > afterLine;
  const data: ProblemData = { ...found.data };
  let changed = moves(found.line);
  for (const field of ['line', 'firstLine', 'otherLine'] as const) {
    const value = data[field];
    if (value !== undefined && moves(value)) {
      data[field] = value + lines;
      changed = true;
    }
  }
  if (!changed) return found;
  const line = found.line !== undefined && moves(found.line) ? found.line + lines : found.line;
  if (!found.code) return { ...found, line };
  return makeProblem(found.code as ProblemCode, line, data);
}

/**
 * Cutting a large .bib into parts that can be parsed at the same time (one worker each) and put
 * back together into what one parse of the whole file gives: the same papers, keys, lines and
 * problems. A part is parsed with the lines before it blanked, except `@string` definitions,
 * so macros resolve and every line number is the file's own. Files using `crossref` or `xdata`
 * are not cut: an entry there may depend on one in another part.
 */
import type { LibraryParse } from './library';
import type { Problem } from './types';

/** A part of a .bib: bytes `[start, end)` of the file, starting at an entry's `@`. */
export interface BibPart {
  start: number;
  end: number;
}

const AT = 64;
/** A line the library's scanner takes as the start of a new entry. */
const ENTRY_LINE = /^[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t\r\n]*[{(]/;
const LF = 10;

/**
 * Up to `parts` byte ranges covering the file, each after the first starting at a line that opens
 * an entry (not `@string`, `@comment` or `@preamble`). One range when the file must not be cut:
 * `mayDependAcross` says an entry may take fields from another (the caller looks for `crossref`
 * and `xdata` with a native search; a byte loop here would cost the main thread ~100 ms on 16 MB).
 */
export function bibtexParts(bytes: Uint8Array, parts: number, mayDependAcross: boolean): BibPart[] {
  const whole = [{ start: 0, end: bytes.length }];
  if (parts < 2 || mayDependAcross) return whole;
  const cuts: number[] = [];
  for (let k = 1; k < parts; k++) {
    const cut = entryLineAfter(bytes, Math.floor((k * bytes.length) / parts));
    if (cut > (cuts[cuts.length - 1] ?? 0) && cut < bytes.length) cuts.push(cut);
  }
  if (!cuts.length) return whole;
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(1).map((end, i) => ({ start: bounds[i], end }));
}

/** Field names by which one entry takes fields from another. */
export const CROSS_ENTRY_FIELDS = ['crossref', 'xdata'];

/** The offset of the first line at or after `from` that starts an entry, or the file's length. */
function entryLineAfter(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    let p = i + 1;
    while (bytes[p] === 32 || bytes[p] === 9) p++;
    if (bytes[p] !== AT) continue;
    let q = p + 1;
    while (bytes[q] === 32 || bytes[q] === 9) q++;
    let type = '';
    while (q < bytes.length && isWordByte(bytes[q])) type += String.fromCharCode(bytes[q++] | 0x20);
    while (bytes[q] === 32 || bytes[q] === 9 || bytes[q] === 13 || bytes[q] === LF) q++;
    if (type && /^[a-z]/.test(type) && (bytes[q] === 123 || bytes[q] === 40) && !['string', 'comment', 'preamble'].includes(type)) return i + 1;
  }
  return bytes.length;
}

function isWordByte(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95 || b === 45;
}

/**
 * The text one part is parsed as: `before` (the file up to the part) reduced to its line breaks
 * and `@string` definitions, each on its own line, then `body`.
 */
export function bibtexPartText(before: string, body: string): string {
  if (!before) return body;
  const out: string[] = [];
  let line = 0;
  const header = /^[ \t]*@[ \t]*string[ \t\r\n]*([{(])/gim;
  for (let m = header.exec(before); m; m = header.exec(before)) {
    const start = m.index;
    const end = blockEnd(before, start + m[0].length - 1, m[1] === '(');
    if (end < 0) continue;
    const startLine = countLines(before, 0, start);
    out.push('\n'.repeat(startLine - line), before.slice(start, end + 1));
    line = startLine + countLines(before, start, end + 1);
    header.lastIndex = end + 1;
  }
  out.push('\n'.repeat(countLines(before, 0, before.length) - line), body);
  return out.join('');
}

/** The closing delimiter of a group opened at `open`, or -1 when a line starting with `@` comes first. */
function blockEnd(text: string, open: number, paren: boolean): number {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125) {
      if (depth === 0 && !paren) return i;
      depth--;
    } else if (c === 41 && paren && depth === 0) return i;
    else if (c === LF && ENTRY_LINE.test(text.slice(i + 1, i + 200))) return -1;
  }
  return -1;
}

function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

const DUPLICATE = /^duplicate key `([^`]+)` \(first at line (\d+)(?: as `[^`]+`)?\); the first is kept$/;

/**
 * Joins the parses of consecutive parts (each with the 1-based line its part starts on) into the
 * parse of the whole file. Keys repeat across parts are resolved as within one parse (the first
 * is kept, BibTeX's case-insensitive comparison, the same wording); problems a later part found
 * in the blanked lines before it (a bad `@string`) were already reported by an earlier part.
 */
export function joinPartParses(parts: readonly { parse: LibraryParse; firstLine: number }[]): LibraryParse {
  const papers: LibraryParse['papers'] = [];
  const problems: Problem[] = [];
  const kept = new Map<string, { key: string; line: number }>();
  parts.forEach(({ parse, firstLine }, index) => {
    const dropped = new Map<number, { key: string; line: number }>();
    for (const paper of parse.papers) {
      const folded = paper.id.toLowerCase();
      const earlier = kept.get(folded);
      if (earlier) {
        dropped.set(paper.sourceLine ?? -1, earlier);
        const same = earlier.key === paper.id ? '' : ` as \`${earlier.key}\``;
        problems.push({ severity: 'warning', line: paper.sourceLine, message: `duplicate key \`${paper.id}\` (first at line ${earlier.line}${same}); the first is kept` });
        continue;
      }
      kept.set(folded, { key: paper.id, line: paper.sourceLine ?? 0 });
      papers.push(paper);
    }
    for (const problem of parse.problems) {
      if (index > 0 && (problem.line === undefined || problem.line < firstLine)) continue;
      // A repeat of a key this part kept but an earlier part had first: point at the earlier one.
      const repeat = DUPLICATE.exec(problem.message);
      const first = repeat ? dropped.get(Number(repeat[2])) : undefined;
      if (repeat && first) {
        const same = first.key === repeat[1] ? '' : ` as \`${first.key}\``;
        problems.push({ ...problem, message: `duplicate key \`${repeat[1]}\` (first at line ${first.line}${same}); the first is kept` });
      } else problems.push(problem);
    }
  });
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { papers, problems };
}

/**
 * CSL-JSON (Zotero's and Better BibTeX's exports, DOI resolvers' answers) → papers. Keys are
 * `citation-key`, else `id`; rich-text titles keep their emphasis apart from the plain text;
 * an invalid file is one problem at the line where the JSON breaks (found without recursion, so
 * 10,000-deep nesting is a message, not a crash).
 */
import { problem } from './problems';
import { parseRichText } from './rich-text';
import type { CslDate, CslName, Paper, Problem } from './types';

/** Papers read from one library file, and what was wrong in it. */
export interface CslParse {
  papers: Paper[];
  problems: Problem[];
}

/** String variables copied as they are (numbers become strings). */
const STRING_VARIABLES = [
  'abstract', 'URL', 'DOI', 'ISBN', 'ISSN', 'PMID', 'PMCID', 'container-title', 'container-title-short',
  'collection-title', 'collection-number', 'publisher', 'publisher-place', 'authority', 'volume', 'number-of-volumes',
  'issue', 'page', 'number-of-pages', 'edition', 'chapter-number', 'number', 'genre', 'medium', 'status', 'version',
  'language', 'keyword', 'note', 'title-short', 'event-place',
] as const;
const NAME_VARIABLES = ['editor', 'translator', 'container-author'] as const;
const DATE_VARIABLES = ['accessed', 'event-date', 'original-date'] as const;

const ARXIV_ID = String.raw`(\d{4}\.\d{4,5}|[a-z][a-z-]{0,30}(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?`;
const ARXIV_IN_URL = new RegExp(String.raw`arxiv\.org/(?:abs|pdf|html)/${ARXIV_ID}`, 'i');
const ARXIV_IN_DOI = new RegExp(String.raw`^10\.48550/arxiv\.${ARXIV_ID}$`, 'i');
const ARXIV_IN_TEXT = new RegExp(String.raw`\barxiv:[ \t]{0,3}${ARXIV_ID}`, 'i');
const PREPRINT_CONTAINER = /^(?:arxiv\b|corr$|biorxiv|medrxiv)/i;
const PREPRINT_TYPES = new Set(['article', 'article-journal', 'document', 'manuscript', 'webpage', 'post', 'post-weblog']);

/** Papers of a CSL-JSON text (first of a repeated key wins); invalid JSON is one problem at its line. */
export function parseCslJson(text: string, sourceName: string): CslParse {
  const problems: Problem[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!src.trim()) return { papers: [], problems };
  const depth = maxNesting(src);
  if (depth > MAX_NESTING) {
    // CSL-JSON nests a few levels; deeper input is not a library, and parsing it costs seconds.
    problems.push(problem('not-csl-json', undefined, { file: sourceName }));
    return { papers: [], problems };
  }
  let data: unknown;
  try {
    data = JSON.parse(src);
  } catch {
    const { line, column, found } = jsonErrorPosition(src);
    problems.push(problem('not-json', line, { file: sourceName, line, column, found }));
    return { papers: [], problems };
  }
  const items = Array.isArray(data) ? data : isObject(data) ? [data] : undefined;
  if (!items) {
    problems.push(problem('not-csl-json', undefined, { file: sourceName }));
    return { papers: [], problems };
  }
  const lines = topLevelItemLines(src, items.length);
  const papers: Paper[] = [];
  const firstLine = new Map<string, number | undefined>();
  items.forEach((item: unknown, i) => {
    const line = lines[i];
    if (!isObject(item)) {
      problems.push(problem('csl-item-not-object', line, { index: i + 1 }));
      return;
    }
    const keyValue = item['citation-key'] ?? item.id;
    const key = typeof keyValue === 'string' || typeof keyValue === 'number' ? String(keyValue).trim() : '';
    if (!key) {
      problems.push(problem('csl-item-no-key', line, { index: i + 1 }));
      return;
    }
    if (firstLine.has(key)) {
      problems.push(problem('csl-duplicate-key', line, { key, firstLine: firstLine.get(key) }));
      return;
    }
    firstLine.set(key, line);
    const paper = paperFromCslItem(item, key);
    paper.source = sourceName;
    if (line !== undefined) paper.sourceLine = line;
    papers.push(paper);
  });
  return { papers, problems };
}

/** One CSL-JSON item as a paper under `key` (no source set). */
export function paperFromCslItem(item: Record<string, unknown>, key: string): Paper {
  const title = str(item.title);
  const rich = title ? parseRichText(title) : undefined;
  const paper: Paper = { id: key, type: str(item.type) ?? 'document', title: rich?.text ?? '', author: names(item.author) };
  if (rich?.runs) paper.titleRich = rich.runs;
  const issued = date(item.issued);
  if (issued) paper.issued = issued;
  for (const variable of STRING_VARIABLES) {
    const value = str(item[variable]);
    if (value) paper[variable] = variable === 'container-title' ? parseRichText(value).text : value;
  }
  for (const variable of NAME_VARIABLES) {
    const list = names(item[variable]);
    if (list.length) paper[variable] = list;
  }
  for (const variable of DATE_VARIABLES) {
    const value = date(item[variable]);
    if (value) paper[variable] = value;
  }
  const event = str(item['event-title']) ?? str(item.event);
  if (event) paper.event = event;
  const code = str(item.code);
  if (code) paper.code = code;
  const arxiv = arxivIn([str(item.arxiv), paper.number, str(item.archive_location), paper.URL, paper.DOI, paper['container-title'], paper.note]);
  if (arxiv) paper.arxiv = arxiv;
  return finishPreprint(paper);
}

function finishPreprint(paper: Paper): Paper {
  if (!paper.arxiv || !PREPRINT_TYPES.has(paper.type)) return paper;
  const container = paper['container-title'];
  if (container && PREPRINT_CONTAINER.test(container)) delete paper['container-title'];
  if (!paper['container-title'] && !paper.event) paper.type = 'article';
  return paper;
}

function arxivIn(values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    if (!value) continue;
    const bare = /^(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$/i.exec(value.trim());
    if (bare) return bare[1];
    const m = ARXIV_IN_URL.exec(value) ?? ARXIV_IN_DOI.exec(value) ?? ARXIV_IN_TEXT.exec(value);
    if (m) return m[1];
  }
  return undefined;
}

/** CSL names: particles kept apart, literal names kept whole, empty names dropped. */
export function names(value: unknown): CslName[] {
  if (!Array.isArray(value)) return [];
  const out: CslName[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const literal = str(item.literal);
    if (literal) {
      out.push({ literal });
      continue;
    }
    const family = str(item.family);
    const given = str(item.given);
    const particle = [str(item['dropping-particle']), str(item['non-dropping-particle'])].filter(Boolean).join(' ');
    const suffix = str(item.suffix);
    if (!family && !given) continue;
    const name: CslName = {};
    if (family) name.family = family;
    if (given) name.given = given;
    if (particle) name['non-dropping-particle'] = particle;
    if (suffix) name.suffix = suffix;
    out.push(name);
  }
  return out;
}

/** A CSL date: `date-parts` (numbers or numeric strings), else a year in `raw`/`literal`. */
export function date(value: unknown): CslDate | undefined {
  if (!isObject(value)) return undefined;
  const parts = value['date-parts'];
  if (Array.isArray(parts) && Array.isArray(parts[0])) {
    const ranges: number[][] = [];
    for (const range of parts.slice(0, 2)) {
      if (!Array.isArray(range)) continue;
      const numbers = range.slice(0, 3).map((p) => Number(p)).filter((p) => Number.isInteger(p));
      if (numbers.length) ranges.push(numbers);
    }
    if (ranges.length) return { 'date-parts': ranges };
  }
  const text = str(value.raw) ?? str(value.literal);
  const m = text ? /\b(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?/.exec(text) : null;
  return m ? { 'date-parts': [m.slice(1).filter(Boolean).map(Number)] } : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed || undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_NESTING = 64;

/** The deepest nesting of `[`/`{` outside strings (stops counting past the limit). */
function maxNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max > MAX_NESTING) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

// ---------------------------------------------------------------------------------------------
// Where the JSON broke

/**
 * Where JSON.parse gave up. V8 words its messages differently across versions and often leaves
 * the position out, so the text is walked again by a JSON syntax check with an explicit stack,
 * stopping at the first character that cannot continue a valid document.
 */
export function jsonErrorPosition(text: string): { line: number; column: number; found: string } {
  const offset = Math.min(jsonErrorOffset(text), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const found = offset >= text.length ? 'end of file' : `\`${text[offset]}\``;
  return { line, column: offset - lineStart + 1, found };
}

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  /** Open containers: `{` or `[`, and whether a value (or key) is expected next. */
  const stack: number[] = [];
  const space = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c === 92) i += 2;
      else if (c < 32) return false;
      else i++;
    }
    return false;
  };
  // value: read one value; containers push and loop.
  let expectValue = true;
  for (;;) {
    space();
    if (expectValue) {
      const c = text[i];
      if (c === '"') {
        if (!string()) return i;
      } else if (c === '{' || c === '[') {
        i++;
        space();
        const close = c === '{' ? '}' : ']';
        if (text[i] === close) {
          i++;
        } else {
          stack.push(c === '{' ? 123 : 91);
          if (c === '{') {
            if (text[i] !== '"' || !string()) return i;
            space();
            if (text[i] !== ':') return i;
            i++;
          }
          continue;
        }
      } else {
        LITERAL.lastIndex = i;
        if (!LITERAL.exec(text)) return i;
        i = LITERAL.lastIndex;
      }
      expectValue = false;
      continue;
    }
    // after a value
    if (!stack.length) return i < n ? i : n;
    const top = stack[stack.length - 1];
    if (text[i] === ',') {
      i++;
      if (top === 123) {
        space();
        if (text[i] !== '"' || !string()) return i;
        space();
        if (text[i] !== ':') return i;
        i++;
      }
      expectValue = true;
      continue;
    }
    if ((top === 123 && text[i] === '}') || (top === 91 && text[i] === ']')) {
      i++;
      stack.pop();
      continue;
    }
    return i;
  }
}

/** The 1-based line where each top-level array element starts (strings skipped). */
function topLevelItemLines(text: string, count: number): Array<number | undefined> {
  if (!text.trimStart().startsWith('[')) return [1];
  const lines: Array<number | undefined> = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectItem = false;
  for (let i = 0; i < text.length && lines.length < count; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (expectItem && c !== 32 && c !== 9 && c !== 10 && c !== 13) {
      lines.push(line);
      expectItem = false;
    }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth === 1 && c === 91) expectItem = true;
    } else if (c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 1) expectItem = true;
  }
  return lines;
}

import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import type { CslDate, CslName, Paper, Problem } from './types';

/** Papers read from one library file, and what was wrong in it (each problem on its line when known). */
export interface LibraryParse {
  papers: Paper[];
  problems: Problem[];
}

/** Papers of a .bib text, keys kept as ids; an unreadable or repeated entry is a problem on its line, never a failed file. */
export function parseBibtexLibrary(text: string, sourceName: string): LibraryParse {
  const problems: Problem[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const { chunks, skippedBlocks } = scanEntries(src, problems);
  if (!chunks.some((c) => c.kind === 'entry')) {
    // Only comment lines, or only @string/@comment blocks, make an empty library, not a wrong file.
    const content = src.replace(/^[ \t]*%.*$/gm, '').trim();
    if (!problems.length && content && !/^[ \t]*@[ \t]*[A-Za-z]/m.test(content)) {
      const hint = /^\s*[[{]/.test(src) ? ' (it looks like JSON; CSL-JSON libraries need a .json name)' : '';
      problems.push({ severity: 'error', message: `${sourceName} is not a BibTeX file: no "@type{key," entries found${hint}` });
    }
    return { papers: [], problems };
  }

  // When the scanner dropped nothing, citation-js can read the text as it is, sparing a copy of it.
  const read = readEntries(chunks, problems, problems.length === 0 && skippedBlocks === 0 ? src : undefined);
  const kept = dropDuplicates(read, problems);
  const known = new Set(kept.map((r) => r.entry.label));
  for (const { entry, chunk } of kept) {
    const parent = entry.properties.crossref;
    if (parent !== undefined && !known.has(String(parent))) {
      problems.push({ severity: 'warning', line: chunk.line, message: `entry \`${entry.label}\`: crossref \`${String(parent)}\` is not in this file` });
    }
  }
  const csl = decodeEntries(kept, problems);

  const papers: Paper[] = [];
  kept.forEach((item, i) => {
    const record = csl[i];
    if (record) papers.push(bibtexPaper(record, item.entry, sourceName, item.chunk.line));
  });
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { papers, problems };
}

/** Papers of a CSL-JSON export (key: `citation-key`, else `id`; first of a repeated key wins); invalid JSON is one problem at its line. */
export function parseCslJsonLibrary(text: string, sourceName: string): LibraryParse {
  const problems: Problem[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!src.trim()) return { papers: [], problems };
  let data: unknown;
  try {
    data = JSON.parse(src);
  } catch {
    const { line, column, found } = jsonErrorPosition(src);
    problems.push({ severity: 'error', line, message: `${sourceName} is not valid JSON: unexpected ${found} at line ${line}, column ${column}` });
    return { papers: [], problems };
  }
  const items = Array.isArray(data) ? data : isObject(data) ? [data] : undefined;
  if (!items) {
    problems.push({ severity: 'error', message: `${sourceName} is not CSL-JSON: expected an array of items` });
    return { papers: [], problems };
  }

  const lines = topLevelItemLines(src, items.length);
  const papers: Paper[] = [];
  const firstLine = new Map<string, number | undefined>();
  items.forEach((item, i) => {
    const line = lines[i];
    if (!isObject(item)) {
      problems.push({ severity: 'warning', line, message: `item ${i + 1} is not an object; skipped` });
      return;
    }
    const keyValue = item['citation-key'] ?? item.id;
    const key = typeof keyValue === 'string' || typeof keyValue === 'number' ? String(keyValue).trim() : '';
    if (!key) {
      problems.push({ severity: 'warning', line, message: `item ${i + 1} has no id or citation-key; skipped` });
      return;
    }
    if (firstLine.has(key)) {
      const first = firstLine.get(key);
      problems.push({ severity: 'warning', line, message: `duplicate key \`${key}\`${first ? ` (first at line ${first})` : ''}; the first is kept` });
      return;
    }
    firstLine.set(key, line);
    papers.push(cslPaper(item, key, sourceName, line));
  });
  return { papers, problems };
}

// ---------------------------------------------------------------------------------------------
// Splitting a .bib into entries

interface Chunk {
  kind: 'entry' | 'string';
  key: string;
  /** 1-based line of the `@`. */
  line: number;
  text: string;
}

const HEADER = /@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])/y;

/**
 * Finds each `@type{…}` starting a line (or right after the previous entry) and its balanced
 * end, counting braces as BibTeX does. An entry still open when the next line starting with
 * `@type{` comes (or the file ends) is reported as unbalanced and scanning resumes there, so
 * one missing brace costs one entry, not the rest of the file. `@comment` and `@preamble`
 * blocks are skipped; `@string` blocks are kept for the macros they define.
 */
function scanEntries(text: string, problems: Problem[]): { chunks: Chunk[]; skippedBlocks: number } {
  const chunks: Chunk[] = [];
  let skippedBlocks = 0;
  const n = text.length;
  let pos = 0;
  let line = 1;
  while (pos < n) {
    // Skip blank space to the first character of a line (or after an entry).
    let c = text.charCodeAt(pos);
    while (c === 32 || c === 9 || c === 13 || c === 10) {
      if (c === 10) line++;
      c = text.charCodeAt(++pos);
    }
    if (pos >= n) break;
    HEADER.lastIndex = pos;
    const header = c === 64 ? HEADER.exec(text) : null;
    if (!header) {
      const eol = text.indexOf('\n', pos);
      if (eol < 0) break;
      pos = eol + 1;
      line++;
      continue;
    }
    const type = header[1].toLowerCase();
    const open = HEADER.lastIndex - 1;
    const startLine = line;
    line += countNewlines(text, pos, open);
    const end = findEntryEnd(text, open, header[2] === '(');
    if (end.close < 0) {
      if (type !== 'comment') {
        problems.push({ severity: 'error', line: startLine, message: `unbalanced braces in entry starting here${entryLabel(text, open)}; it was skipped` });
      }
      line += end.lines;
      pos = end.resume;
      continue;
    }
    const chunkText = text.slice(pos, end.close + 1);
    line += end.lines;
    pos = end.close + 1;
    if (type === 'comment' || type === 'preamble') {
      skippedBlocks++;
      continue;
    }
    chunks.push({
      kind: type === 'string' ? 'string' : 'entry',
      key: type === 'string' ? '' : entryKey(text, open + 1),
      line: startLine,
      text: chunkText,
    });
  }
  return { chunks, skippedBlocks };
}

/** The closing delimiter of the entry opened at `open`, or where to resume when there is none. */
function findEntryEnd(text: string, open: number, paren: boolean): { close: number; resume: number; lines: number } {
  let depth = paren ? 0 : 1;
  let lines = 0;
  for (let p = open + 1; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 123) depth++;
    else if (c === 125) {
      depth--;
      if (!paren && depth === 0) return { close: p, resume: p + 1, lines };
    } else if (c === 41 && paren && depth <= 0) return { close: p, resume: p + 1, lines };
    else if (c === 10) {
      lines++;
      let q = p + 1;
      while (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9) q++;
      if (text.charCodeAt(q) === 64) {
        HEADER.lastIndex = q;
        if (HEADER.exec(text)) return { close: -1, resume: p + 1, lines };
      }
    }
  }
  return { close: -1, resume: text.length, lines };
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The key as citation-js's lexer reads it: everything up to a comma or white space. */
function entryKey(text: string, from: number): string {
  const m = /^\s*([^,\s]*)/.exec(text.slice(from, from + 300));
  return m ? m[1] : '';
}

function entryLabel(text: string, open: number): string {
  const key = entryKey(text, open + 1);
  return /^[^{}()"=]+$/.test(key) ? ` (\`${key}\`)` : '';
}

// ---------------------------------------------------------------------------------------------
// Syntax: citation-js reads the entries' fields (macros, `#`, braces kept)

/** An entry as citation-js's BibTeX syntax parser returns it. */
interface RawEntry {
  type: string;
  label: string;
  /** Numbers when a value was a bare number (`year = 2024`). */
  properties: Record<string, string | number>;
}

interface ReadEntry {
  entry: RawEntry;
  chunk: Chunk;
}

function syntax(text: string): RawEntry[] {
  // The plugin types this as its entry shape, minus the numbers bare values become.
  return plugins.input.data(text, '@biblatex/text') as unknown as RawEntry[];
}

/**
 * All entries go to citation-js in one call. When that throws (one bad entry fails the whole
 * call) the chunk list is halved until each failure is pinned to one entry: k bad entries cost
 * about k·log(n) extra parses instead of n separate ones. `@string` chunks before a group are
 * parsed with it so its macros resolve.
 */
function readEntries(chunks: Chunk[], problems: Problem[], wholeText?: string): ReadEntry[] {
  const out: ReadEntry[] = [];
  const badStrings = new Set<Chunk>();
  const prefixFor = (index: number): string =>
    chunks.slice(0, index).filter((c) => c.kind === 'string' && !badStrings.has(c)).map((c) => c.text).join('\n');

  const tryGroup = (from: number, to: number, prefix: string): RawEntry[] | Error => {
    const group = chunks.slice(from, to).filter((c) => !badStrings.has(c));
    return tryText((prefix ? `${prefix}\n` : '') + group.map((c) => c.text).join('\n'), group);
  };

  const whole = wholeText === undefined ? tryGroup(0, chunks.length, '') : tryText(wholeText, chunks);
  if (!(whole instanceof Error)) {
    const entryChunks = chunks.filter((c) => c.kind === 'entry');
    return whole.map((entry, i) => ({ entry, chunk: entryChunks[i] }));
  }

  // A broken @string would fail every group after it, so those are checked alone first.
  chunks.forEach((chunk, i) => {
    if (chunk.kind !== 'string') return;
    try {
      syntax(`${prefixFor(i)}\n${chunk.text}`);
    } catch (err) {
      badStrings.add(chunk);
      problems.push({ severity: 'error', line: chunk.line, message: `@string could not be read: ${syntaxReason(err as Error)}; its macro is undefined` });
    }
  });

  const bisect = (from: number, to: number): void => {
    if (!chunks.slice(from, to).some((c) => c.kind === 'entry')) return;
    const result = tryGroup(from, to, prefixFor(from));
    if (!(result instanceof Error)) {
      const entryChunks = chunks.slice(from, to).filter((c) => c.kind === 'entry');
      result.forEach((entry, i) => out.push({ entry, chunk: entryChunks[i] }));
      return;
    }
    const entryIndexes: number[] = [];
    for (let i = from; i < to; i++) if (chunks[i].kind === 'entry') entryIndexes.push(i);
    if (entryIndexes.length === 1) {
      const chunk = chunks[entryIndexes[0]];
      const name = chunk.key ? ` \`${chunk.key}\`` : '';
      problems.push({ severity: 'error', line: chunk.line, message: `entry${name} could not be read: ${syntaxReason(result)}; it was skipped` });
      return;
    }
    const mid = entryIndexes[entryIndexes.length >> 1];
    bisect(from, mid);
    bisect(mid, to);
  };
  bisect(0, chunks.length);
  return out;
}

/** citation-js's entries for `text`, provided they are exactly the entry chunks of `group`, in order. */
function tryText(text: string, group: Chunk[]): RawEntry[] | Error {
  const expected = group.filter((c) => c.kind === 'entry');
  try {
    const entries = syntax(text);
    if (entries.length === expected.length && entries.every((e, i) => e.label === expected[i].key)) return entries;
    return new Error('an entry was not where the scanner found it');
  } catch (err) {
    return err as Error;
  }
}

const TOKEN_WORDS: Record<string, string> = {
  rbrace: '"}"', lbrace: '"{"', comma: '","', equals: '"="', identifier: 'a field name', label: 'a key',
  quote: 'a quote', number: 'a number', hash: '"#"', EOF: 'the end of the entry',
};

/** citation-js's parser message, in the words of the file rather than of its grammar. */
function syntaxReason(err: Error): string {
  const m = /expected "(\w+)", got "?(\w+)"?/.exec(err.message);
  if (m) {
    const [, expected, got] = m;
    const hint = expected === 'rbrace' && got === 'identifier' ? ' (missing comma between fields?)' : expected === 'label' ? ' (missing key?)' : '';
    return `expected ${TOKEN_WORDS[expected] ?? expected} but found ${TOKEN_WORDS[got] ?? got}${hint}`;
  }
  return err.message.split('\n')[0];
}

function dropDuplicates(read: ReadEntry[], problems: Problem[]): ReadEntry[] {
  // BibTeX compares keys without regard to case; so does this check.
  const first = new Map<string, ReadEntry>();
  const kept: ReadEntry[] = [];
  for (const item of read) {
    const folded = item.entry.label.toLowerCase();
    const earlier = first.get(folded);
    if (earlier) {
      const same = earlier.entry.label === item.entry.label ? '' : ` as \`${earlier.entry.label}\``;
      problems.push({
        severity: 'warning',
        line: item.chunk.line,
        message: `duplicate key \`${item.entry.label}\` (first at line ${earlier.chunk.line}${same}); the first is kept`,
      });
      continue;
    }
    first.set(folded, item);
    kept.push(item);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Values: citation-js decodes LaTeX and maps BibTeX fields to CSL

/** A CSL item as citation-js returns it (loosely typed: values come from arbitrary files). */
type CslItem = Record<string, unknown>;

/**
 * The fields a Paper is built from. citation-js decodes and maps every field of an entry; the
 * rest (file, keywords, timestamp, biburl, eprint…) would be decoded only to be dropped, and
 * arXiv identifiers are read from the raw values anyway.
 */
const DECODED_FIELDS = new Set([
  'title', 'subtitle', 'titleaddon', 'author', 'date', 'year', 'month', 'day', 'abstract', 'url', 'howpublished', 'doi',
  'booktitle', 'booksubtitle', 'booktitleaddon', 'maintitle', 'mainsubtitle', 'maintitleaddon', 'journal', 'journaltitle',
  'journalsubtitle', 'journaltitleaddon', 'eventtitle', 'eventtitleaddon', 'publisher', 'organization', 'institution',
  'school', 'volume', 'number', 'issue', 'pages', 'note', 'addendum', 'crossref',
]);

/**
 * Free-text fields that citation-js's mapping copies (or only concatenates) into CSL. For a value
 * whose only LaTeX is braces and escaped specials (`\%`, `\&`, …) its decoding reduces to
 * white-space folding and TeX ligatures, so that is done here instead: decoding long abstracts one
 * token at a time is most of citation-js's time on a large library (3.6 s of a 10,000-entry file
 * with abstracts; ~1 s without). Anything else (`$`, other commands) still goes to citation-js.
 */
const FAST_FIELDS = new Set(['abstract', 'note', 'annote', 'annotation', 'title', 'subtitle', 'booktitle', 'journal', 'journaltitle']);
const ESCAPED_SPECIAL = /\\([&%$#_])( *)/;
const NEEDS_DECODING = /\\(?![&%$#_])|(?<!\\)\$/;
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

function decodeEntries(kept: ReadEntry[], problems: Problem[]): Array<CslItem | undefined> {
  const { ligatures, ligaturePattern } = plugins.config.get('@bibtex').constants;
  // What citation-js's String rule makes of such text (title case conversion is off in its
  // config): braces vanish but still end a word, so each braced segment is folded on its own;
  // white-space runs → one space, `~` → no-break space, its ligature table (`--`, `---`, ``, '')
  // inside words, and an escaped special → the character plus the spaces its command token
  // swallowed, verbatim.
  const plainText = (text: string): string => {
    // Matches only runs that are not already a single space: replacing every run allocates per
    // word and was the slowest step here.
    let out = text.replace(/ \s+|[^\S ]\s*/g, ' ');
    if (out.includes('~')) out = out.replace(/~/g, '\u00a0');
    return out.replace(ligaturePattern, (l) => ligatures[l] ?? l);
  };
  const segment = (text: string): string => {
    if (!text.includes('\\')) return plainText(text);
    const parts = text.split(ESCAPED_SPECIAL);
    let out = '';
    for (let i = 0; i < parts.length; i += 3) out += plainText(parts[i]) + (i + 2 < parts.length ? parts[i + 1] + parts[i + 2] : '');
    return out;
  };
  const fastDecode = (value: string): string => (/[{}]/.test(value) ? value.split(/[{}]/).map(segment).join('') : segment(value));

  const plain: string[] = [];
  const prepared = kept.map(({ entry }): RawEntry => {
    const properties: RawEntry['properties'] = {};
    for (const field in entry.properties) {
      if (!DECODED_FIELDS.has(field)) continue;
      const value = entry.properties[field];
      if (typeof value === 'string' && FAST_FIELDS.has(field) && !NEEDS_DECODING.test(value)) {
        properties[field] = `\u0000${plain.length}\u0000`;
        plain.push(fastDecode(value));
      } else {
        properties[field] = value;
      }
    }
    return { ...entry, properties };
  });

  const restore = (item: CslItem): CslItem => {
    for (const key in item) {
      const value = item[key];
      if (typeof value === 'string' && value.includes('\u0000')) item[key] = value.replace(PLACEHOLDER, (_, i: string) => plain[Number(i)]);
    }
    return item;
  };

  try {
    return decode(prepared).map(restore);
  } catch {
    // One undecodable value fails the whole call; decode entry by entry, with its crossref
    // parents so inheritance still works, and leave out only the fields that fail.
    const byKey = new Map(prepared.map((e) => [e.label, e]));
    return prepared.map((entry, i) => {
      const parents = crossrefChain(entry, byKey);
      try {
        return restore(decode([entry, ...parents])[0]);
      } catch {
        const bad = Object.keys(entry.properties).filter((field) => {
          try {
            decode([{ ...entry, properties: { [field]: entry.properties[field] } }]);
            return false;
          } catch {
            return true;
          }
        });
        const properties = { ...entry.properties };
        const line = kept[i].chunk.line;
        for (const field of bad) {
          // Free text is kept as written, minus braces, rather than losing a title to a stray `$`.
          const value = properties[field];
          const keep = FAST_FIELDS.has(field) && typeof value === 'string';
          if (keep) {
            properties[field] = `\u0000${plain.length}\u0000`;
            plain.push(value.replace(/[{}]/g, '').replace(/\s+/g, ' '));
          } else {
            delete properties[field];
          }
          const outcome = keep ? 'it is kept as written' : 'it was left out';
          problems.push({ severity: 'warning', line, message: `entry \`${entry.label}\`: field \`${field}\` has LaTeX that could not be read; ${outcome}` });
        }
        try {
          return restore(decode([{ ...entry, properties }, ...parents])[0]);
        } catch (err) {
          problems.push({ severity: 'error', line, message: `entry \`${entry.label}\` could not be read: ${(err as Error).message.split('\n')[0]}; it was skipped` });
          return undefined;
        }
      }
    });
  }
}

function decode(entries: RawEntry[]): CslItem[] {
  // The plugin's typings want entries with annotations and promise entries back; the step takes
  // entries as the syntax step returns them and yields CSL-JSON items.
  return plugins.input.data(entries as never, '@biblatex/entries+list') as unknown as CslItem[];
}

function crossrefChain(entry: RawEntry, byKey: Map<string, RawEntry>): RawEntry[] {
  const chain: RawEntry[] = [];
  let parent = entry.properties.crossref;
  while (parent !== undefined && chain.length < 8) {
    const next = byKey.get(String(parent));
    if (!next || next === entry || chain.includes(next)) break;
    chain.push(next);
    parent = next.properties.crossref;
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// CSL → Paper

const ARXIV_ID = String.raw`(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?`;
const ARXIV_IN_URL = new RegExp(String.raw`arxiv\.org/(?:abs|pdf|html)/${ARXIV_ID}`, 'i');
const ARXIV_IN_DOI = new RegExp(String.raw`^10\.48550/arxiv\.${ARXIV_ID}$`, 'i');
const ARXIV_IN_TEXT = new RegExp(String.raw`\barxiv:\s*${ARXIV_ID}`, 'i');
const ARXIV_BARE = new RegExp(String.raw`^(?:arxiv:)?${ARXIV_ID}$`, 'i');
/** Container titles that only say "preprint": arXiv (Google Scholar), CoRR (DBLP). */
const PREPRINT_CONTAINER = /^(arxiv\b|corr$|biorxiv|medrxiv)/i;
const PREPRINT_TYPES = new Set(['article', 'article-journal', 'document', 'manuscript', 'webpage', 'post', 'post-weblog']);

function bibtexPaper(csl: CslItem, entry: RawEntry, sourceName: string, line: number): Paper {
  const raw = entry.properties;
  const archive = stripBraces(String(raw.archiveprefix ?? raw.eprinttype ?? ''));
  const eprint = stripBraces(String(raw.eprint ?? ''));
  let arxiv: string | undefined;
  if (eprint && (/^arxiv$/i.test(archive) || (!archive && /^arxiv:/i.test(eprint)))) arxiv = ARXIV_BARE.exec(eprint)?.[1] ?? eprint.replace(/^arxiv:/i, '').replace(/v\d+$/, '');
  const paper = commonPaper(csl, entry.label, sourceName, line, arxiv);
  if (!paper.arxiv) {
    const howpublished = typeof raw.howpublished === 'string' ? raw.howpublished : undefined;
    const found = arxivFrom([howpublished]);
    if (found) paper.arxiv = found;
  }
  return finishPreprint(paper);
}

function cslPaper(item: CslItem, key: string, sourceName: string, line: number | undefined): Paper {
  const paper = commonPaper(item, key, sourceName, line, undefined);
  if (!paper.arxiv) {
    const found = arxivFrom([str(item.number), str(item.archive_location), str(item.arxiv)]);
    if (found) paper.arxiv = found;
  }
  if (!paper.code) {
    const code = str(item.code);
    if (code) paper.code = code;
  }
  return finishPreprint(paper);
}

function commonPaper(csl: CslItem, key: string, sourceName: string, line: number | undefined, arxiv: string | undefined): Paper {
  const paper: Paper = {
    id: key,
    type: str(csl.type) ?? 'document',
    title: str(csl.title) ?? '',
    author: names(csl.author),
    source: sourceName,
  };
  if (line !== undefined) paper.sourceLine = line;
  const issued = date(csl.issued);
  if (issued) paper.issued = issued;
  for (const field of ['abstract', 'URL', 'DOI', 'container-title', 'publisher', 'volume', 'issue', 'page', 'note'] as const) {
    const value = str(csl[field]);
    if (value) paper[field] = value;
  }
  const event = str(csl['event-title']) ?? str(csl.event);
  if (event) paper.event = event;
  const found = arxiv ?? arxivFrom([paper.URL, paper.DOI, paper['container-title'], paper.note]);
  if (found) paper.arxiv = found;
  return paper;
}

/** A preprint is CSL `article` without a venue: "journal = {arXiv preprint …}" is not a venue. */
function finishPreprint(paper: Paper): Paper {
  if (!paper.arxiv || !PREPRINT_TYPES.has(paper.type)) return paper;
  const container = paper['container-title'];
  if (container && PREPRINT_CONTAINER.test(container)) {
    delete paper['container-title'];
    if (paper.volume && /^abs\//i.test(paper.volume)) delete paper.volume;
  }
  if (!paper['container-title'] && !paper.event) paper.type = 'article';
  return paper;
}

function arxivFrom(values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    if (!value) continue;
    const m = ARXIV_IN_URL.exec(value) ?? ARXIV_IN_DOI.exec(value) ?? ARXIV_IN_TEXT.exec(value);
    if (m) return m[1];
  }
  return undefined;
}

function names(value: unknown): CslName[] {
  if (!Array.isArray(value)) return [];
  const out: CslName[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const literal = str(item.literal);
    if (literal) {
      out.push({ literal });
      continue;
    }
    // Paper names have no particle or suffix slots: particles join the family name as BibTeX
    // would print it ("van der Maaten"), a suffix follows it ("King Jr.").
    const family = [str(item['non-dropping-particle']), str(item['dropping-particle']), str(item.family), str(item.suffix)].filter(Boolean).join(' ');
    const given = str(item.given);
    if (!family && !given) continue;
    const name: CslName = {};
    if (family) name.family = family;
    if (given) name.given = given;
    out.push(name);
  }
  return out;
}

function date(value: unknown): CslDate | undefined {
  if (!isObject(value)) return undefined;
  const parts = value['date-parts'];
  if (Array.isArray(parts) && Array.isArray(parts[0])) {
    const first = (parts[0] as unknown[]).map((p) => Number(p)).filter((p) => Number.isInteger(p));
    if (first.length) return { 'date-parts': [first.slice(0, 3)] };
  }
  const text = str(value.raw) ?? str(value.literal);
  const m = text ? /\b(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?/.exec(text) : null;
  return m ? { 'date-parts': [m.slice(1).filter(Boolean).map(Number)] } : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.includes('\u0131') ? accentedDotlessI(value.trim()) : value.trim();
  return trimmed || undefined;
}

/**
 * citation-js decodes `{\'\i}` as a dotless ı plus a combining accent ("Garcı́a"), which no
 * keyboard produces and search cannot match; BibTeX writers use `\i` only so the accent replaces
 * the dot. An accented dotless i becomes the ordinary accented letter (`í`).
 */
function accentedDotlessI(text: string): string {
  return text.replace(/\u0131([\u0300-\u036f])/g, 'i$1').normalize('NFC');
}

function stripBraces(value: string): string {
  return value.replace(/[{}]/g, '').trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// CSL-JSON positions

/**
 * Where JSON.parse gave up. V8 words its messages differently across versions and often leaves
 * the position out, so the text is walked once more by a bare JSON syntax check that stops at the
 * first character that cannot continue a valid document.
 */
function jsonErrorPosition(text: string): { line: number; column: number; found: string } {
  const offset = Math.min(jsonErrorOffset(text), text.length);
  const before = text.slice(0, offset);
  const found = offset >= text.length ? 'end of file' : `\`${text[offset]}\``;
  return { line: countNewlines(before, 0, before.length) + 1, column: offset - before.lastIndexOf('\n'), found };
}

function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new JsonStop(i);
  };
  const space = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return; }
      if (c === '\\') { i += 2; continue; }
      if (c < ' ') stop();
      i++;
    }
    stop();
  };
  const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) { i++; return; }
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') stop();
          string();
          space();
          if (text[i] !== ':') stop();
          i++;
        }
        value();
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === close) { i++; return; }
        stop();
      }
    }
    literal.lastIndex = i;
    if (!literal.exec(text)) stop();
    i = literal.lastIndex;
  };
  try {
    value();
    space();
    return i < text.length ? i : text.length;
  } catch (err) {
    if (err instanceof JsonStop) return err.offset;
    throw err;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
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
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expectItem && !/\s/.test(c)) {
      lines.push(line);
      expectItem = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1 && c === '[') expectItem = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectItem = true;
  }
  return lines;
}

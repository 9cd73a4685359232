/**
 * The entries a bibliography file holds, as summaries: key, type, line, span and the identifiers
 * that tell papers apart. BibTeX is read by the one scanner (core/bibtex/scan.ts); CSL-JSON and
 * YAML bibliographies by their keys only. Also: whether an entry already in a .bib is the paper
 * a citation asks for.
 */
import { PartKind, scanBib } from './bibtex/scan';
import type { CiteFlavor } from './cite-syntax';
import { stripLatexComments } from './latex-comments';
import { extractArxivId, normaliseDoi, normaliseTitle } from './text';
import { isBibtexPath } from './declarations';
import type { Span } from './types';
import { frontMatterParts } from './yaml-lite';

/** One entry of a .bib file as {@link scanBibEntries} sees it. */
export interface BibEntrySummary {
  key: string;
  /** Entry type in lower case: `article`, `inproceedings`, … */
  type: string;
  /** 1-based line of the entry's `@`. */
  line: number;
  /** From `@` through the closing delimiter (or up to the next entry when unclosed). */
  span: Span;
  /** Lower-case DOI without resolver prefix. */
  doi?: string;
  /** arXiv id without `arXiv:` and version, from `eprint`, an arXiv URL, an arXiv DOI or an `arXiv:` journal note. */
  eprint?: string;
  /** The title as written, braces and escapes removed. */
  title?: string;
}

/** What {@link findExistingEntry} looks for. */
export interface EntryQuery {
  key: string;
  doi?: string;
  arxiv?: string;
  title?: string;
}

/** What identifies a work well enough to tell two apart. */
export interface WorkIdentity {
  doi?: string;
  arxiv?: string;
  title?: string;
}

/**
 * Whether two records are clearly different works: an identifier (DOI, arXiv id) present on both
 * sides with none agreeing, or, without shared identifiers, titles that share less than half
 * their words. Missing information never makes two records different.
 */
export function isDifferentWork(a: WorkIdentity, b: WorkIdentity): boolean {
  const doiA = a.doi ? normaliseDoi(a.doi) : undefined;
  const doiB = b.doi ? normaliseDoi(b.doi) : undefined;
  const arxivA = a.arxiv ? extractArxivId(a.arxiv) ?? a.arxiv.trim() : undefined;
  const arxivB = b.arxiv ? extractArxivId(b.arxiv) ?? b.arxiv.trim() : undefined;
  if ((doiA && doiA === doiB) || (arxivA && arxivA === arxivB)) return false;
  if ((doiA && doiB) || (arxivA && arxivB)) return true;
  if (!a.title || !b.title) return false;
  const wordsA = new Set(normaliseTitle(a.title).split(' ').filter(Boolean));
  const wordsB = new Set(normaliseTitle(b.title).split(' ').filter(Boolean));
  if (!wordsA.size || !wordsB.size) return false;
  let shared = 0;
  for (const w of wordsA) if (wordsB.has(w)) shared++;
  return shared / Math.max(wordsA.size, wordsB.size) < 0.5;
}

/**
 * Summaries of the entries of a .bib text, in order, as the library's reader sees them (the same
 * scanner): an entry that breaks off keeps its key, with its span up to where reading resumed.
 */
export function scanBibEntries(bibText: string): BibEntrySummary[] {
  const { blocks } = scanBib(bibText);
  const out: BibEntrySummary[] = [];
  for (const block of blocks) {
    if (block.kind !== 'entry') continue;
    const entry: BibEntrySummary = { key: block.key, type: block.type, line: block.line, span: { start: block.start, end: block.end } };
    const fields = new Map<string, string>();
    for (const field of block.fields) {
      if (!IDENTIFYING_FIELDS.has(field.name)) continue;
      // Macros are left out: a summary names what is written in the entry itself.
      fields.set(field.name, field.parts.filter((p) => p.kind !== PartKind.Macro).map((p) => bibText.slice(p.start, p.end)).join(''));
    }
    addIdentifiers(entry, fields);
    out.push(entry);
  }
  return out;
}

const IDENTIFYING_FIELDS = new Set(['doi', 'url', 'eprint', 'archiveprefix', 'eprinttype', 'journal', 'journaltitle', 'note', 'howpublished', 'title']);

/**
 * An entry that is the same paper or holds the same key. A DOI or arXiv match wins over a bare
 * key match (the paper is there under another key); reason `key` when the key matches and the
 * entry is not a different work ({@link isDifferentWork}): an entry holding the key for another
 * paper is no match, and the caller needs another key. Keys compare case-insensitively, as BibTeX does.
 */
export function findExistingEntry(
  entries: BibEntrySummary[],
  query: EntryQuery,
): { entry: BibEntrySummary; reason: 'key' | 'doi' | 'arxiv' } | undefined {
  const lowerKey = query.key.toLowerCase();
  const byKey = entries.find((e) => e.key === query.key) ?? entries.find((e) => e.key.toLowerCase() === lowerKey);
  const doi = query.doi ? normaliseDoi(query.doi) : undefined;
  const byDoi = doi ? entries.find((e) => e.doi === doi) : undefined;
  const arxiv = query.arxiv ? extractArxivId(query.arxiv) ?? query.arxiv.trim() : undefined;
  const byArxiv = arxiv ? entries.find((e) => e.eprint === arxiv) : undefined;
  if (byKey && (byKey === byDoi || byKey === byArxiv)) return { entry: byKey, reason: 'key' };
  if (byDoi) return { entry: byDoi, reason: 'doi' };
  if (byArxiv) return { entry: byArxiv, reason: 'arxiv' };
  if (byKey && !isDifferentWork(query, { doi: byKey.doi, arxiv: byKey.eprint, title: byKey.title })) return { entry: byKey, reason: 'key' };
  return undefined;
}

/**
 * The entries of a CSL-JSON bibliography (`refs.json`), as summaries: one per item, keyed by its
 * `id` (what Pandoc cites) and, when it differs, its `citation-key`. Spans are empty: nothing is
 * ever appended to such a file. Text that is not a CSL-JSON array gives no entries.
 */
export function cslJsonEntries(jsonText: string): BibEntrySummary[] {
  let data: unknown;
  try {
    data = JSON.parse(jsonText.charCodeAt(0) === 0xfeff ? jsonText.slice(1) : jsonText);
  } catch {
    return [];
  }
  const items = Array.isArray(data) ? data : data && typeof data === 'object' ? [data] : [];
  const out: BibEntrySummary[] = [];
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const record = item as Record<string, unknown>;
    const str = (name: string): string | undefined => {
      const v = record[name];
      return typeof v === 'string' || typeof v === 'number' ? String(v).trim() || undefined : undefined;
    };
    const doi = str('DOI');
    const url = str('URL');
    const arxiv = url && /arxiv\.org/i.test(url) ? extractArxivId(url) : doi?.toLowerCase().startsWith('10.48550/arxiv.') ? extractArxivId(doi) : undefined;
    const keys = unique([str('id'), str('citation-key')].filter((k): k is string => !!k));
    for (const key of keys) {
      const entry: BibEntrySummary = { key, type: str('type') ?? '', line: 0, span: { start: 0, end: 0 } };
      if (doi) entry.doi = normaliseDoi(doi);
      if (arxiv) entry.eprint = arxiv;
      const title = str('title');
      if (title) entry.title = title;
      out.push(entry);
    }
  }
  return out;
}

/**
 * The keys of a YAML bibliography (`refs.yaml`, Pandoc's `references:` list) or of a Markdown
 * front matter's inline `references:`: the `id:` of each item, as summaries with empty spans.
 * Read line by line, not parsed: an `id:` at the start of a list item or indented inside one,
 * within the `references:` key when the text has one, else anywhere in the text. Flow-style
 * items (`- {id: a, …}`) are read too; anchors, aliases and block scalars are not.
 */
export function yamlReferenceEntries(yamlText: string): BibEntrySummary[] {
  const lines = yamlText.split(/\r?\n/);
  const start = lines.findIndex((l) => /^(["']?)references\1[ \t]*:/.test(l));
  const from = start >= 0 ? start + 1 : 0;
  const out: BibEntrySummary[] = [];
  for (let n = from; n < lines.length; n++) {
    const line = lines[n]!;
    // the next top-level key ends the references list
    if (start >= 0 && /^[^\s#-]/.test(line)) break;
    const key = yamlIdOnLine(line);
    if (key) out.push({ key, type: '', line: n + 1, span: { start: 0, end: 0 } });
  }
  return out;
}

/**
 * The value of an `id:` key on a YAML line: at the start of a list item (`- id: a`), indented in
 * one, or inside a flow mapping (`- {type: book, id: a}`). Read by scanning, not by one regular
 * expression: optional spaces around an unbounded value made that one quadratic.
 */
function yamlIdOnLine(line: string): string | undefined {
  const hash = line.indexOf(' #');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  const head = /^[ \t]*(?:-[ \t]+)?(?:\{[ \t]*)?/.exec(body)![0].length;
  // Candidate keys: right after the item head, or after a `,`/`{` in a flow mapping.
  const starts = [head];
  for (let i = head; i < body.length; i++) if (body[i] === ',' || body[i] === '{') starts.push(i + 1);
  for (const start of starts) {
    let p = start;
    while (body[p] === ' ' || body[p] === '\t') p++;
    const quote = body[p] === '"' || body[p] === "'" ? body[p] : '';
    if (!body.startsWith(`${quote}id${quote}`, p)) continue;
    p += 2 + 2 * quote.length;
    while (body[p] === ' ' || body[p] === '\t') p++;
    if (body[p] !== ':') continue;
    p++;
    while (body[p] === ' ' || body[p] === '\t') p++;
    const valueQuote = body[p] === '"' || body[p] === "'" ? body[p] : '';
    if (valueQuote) {
      const close = body.indexOf(valueQuote, p + 1);
      const value = (close > p ? body.slice(p + 1, close) : '').trim();
      if (value) return value;
      continue;
    }
    let end = p;
    while (end < body.length && body[end] !== ',' && body[end] !== '}' && body[end] !== '#') end++;
    const value = body.slice(p, end).trim();
    if (value && !/^["'#]/.test(value)) return value;
  }
  return undefined;
}

/**
 * Keys a document defines for itself, which resolve without any .bib: LaTeX `\bibitem{key}` and
 * `\bibitem[label]{key}` (a `thebibliography` list) and the entries of an inline
 * `\begin{filecontents}{x.bib}` (also `filecontents*`); Markdown: the front matter's `references:`.
 */
export function inlineBibliographyEntries(text: string, flavor: CiteFlavor): BibEntrySummary[] {
  if (flavor === 'markdown') {
    const fm = frontMatterParts(text);
    return fm ? yamlReferenceEntries(text.slice(fm.body.start, fm.body.end)) : [];
  }
  const clean = stripLatexComments(text);
  const out: BibEntrySummary[] = [];
  const bibitem = /\\bibitem(?![A-Za-z])\s*(?:\[(?:[^\][]|\[[^\][]*\])*\]\s*)?\{([^{}]*)\}/g;
  for (let m = bibitem.exec(clean); m; m = bibitem.exec(clean)) {
    const key = (m[1] ?? '').trim();
    if (key) out.push({ key, type: 'bibitem', line: 0, span: { start: m.index, end: m.index + m[0].length } });
  }
  // Each \begin{filecontents} is matched with the next \end{filecontents} by search, not by a lazy
  // `[\s\S]*?`: that rescans to the end for every \begin left open.
  const head = /\\begin\s*\{filecontents\*?\}\s*(?:\[[^\][]*\]\s*)?\{([^{}]*)\}/g;
  const end = /\\end\s*\{filecontents\*?\}/g;
  for (let m = head.exec(clean); m; m = head.exec(clean)) {
    const bodyStart = m.index + m[0].length;
    end.lastIndex = bodyStart;
    const close = end.exec(clean);
    if (!close) break;
    head.lastIndex = close.index + close[0].length;
    if (!isBibtexPath((m[1] ?? '').trim())) continue;
    // the body of filecontents is written out verbatim, `%` included
    const body = text.slice(bodyStart, close.index);
    out.push(...scanBibEntries(body).map((e) => ({ ...e, span: { start: e.span.start + bodyStart, end: e.span.end + bodyStart }, line: 0 })));
  }
  return out;
}

function cleanFieldValue(value: string): string {
  return value.replace(/[{}]/g, '').replace(/\\([_&%#$])/g, '$1').trim();
}

function addIdentifiers(entry: BibEntrySummary, fields: Map<string, string>): void {
  const field = (name: string): string | undefined => {
    const v = fields.get(name);
    return v === undefined ? undefined : cleanFieldValue(v);
  };
  const url = field('url');
  const doiField = field('doi') ?? (url && /doi\.org\//i.test(url) ? url : undefined);
  if (doiField) entry.doi = normaliseDoi(doiField);
  const archive = field('archiveprefix') ?? field('eprinttype');
  const eprint = field('eprint');
  let arxiv: string | undefined;
  if (eprint && (!archive || /arxiv/i.test(archive))) arxiv = extractArxivId(eprint);
  if (!arxiv && url && /arxiv\.org/i.test(url)) arxiv = extractArxivId(url);
  const arxivDoi = '10.48550/arxiv.';
  if (!arxiv && entry.doi?.startsWith(arxivDoi)) arxiv = extractArxivId(entry.doi.slice(arxivDoi.length));
  if (!arxiv) {
    for (const name of ['journal', 'journaltitle', 'note', 'howpublished']) {
      const v = field(name);
      if (v && /arxiv/i.test(v)) {
        arxiv = extractArxivId(v);
        if (arxiv) break;
      }
    }
  }
  if (arxiv) entry.eprint = arxiv;
  const title = field('title');
  if (title) entry.title = title.replace(/\s+/g, ' ');
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/**
 * Bibliography plumbing on plain text: which .bib files a LaTeX or Markdown document declares,
 * where a LaTeX project's root and included files are, a fast tolerant summary of a .bib
 * file's entries, and the edits that append an entry or declare a bibliography.
 *
 * The YAML reading here covers only what bibliography declarations use: a plain or quoted
 * scalar, a flow list `[a.bib, "b.bib"]` (may span lines), or a block list of `- item` lines.
 * Not supported: anchors and aliases, block scalars (`|`, `>`), multi-line plain scalars,
 * complex keys, and tags.
 */
import { markdownFrontMatter, type CiteFlavor } from './cite-syntax';
import { extractArxivId, normaliseDoi, normaliseTitle } from './text';
import type { Span, TextEdit } from './types';

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

/** Whether a file is a BibTeX bibliography, the only kind LitCite appends entries to. */
export function isBibtexPath(path: string): boolean {
  return /\.(?:bib|bibtex)$/i.test(path);
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
 * The bibliography files a document declares, in order, without duplicates, as written
 * (relative paths for the caller to resolve). LaTeX: `\bibliography{a,b}` (`.bib` added
 * unless present), `\nobibliography`, `\addbibresource[opts]{x.bib}`, `\addglobalbib`,
 * `\addsectionbib`, ignoring comments and remote resources. Markdown: the front matter's
 * top-level `bibliography` (scalar, flow list or block list).
 */
export function declaredBibliographies(text: string, flavor: CiteFlavor): string[] {
  if (flavor === 'markdown') {
    const fm = frontMatterParts(text);
    if (!fm) return [];
    return unique(readYamlKeys(text, fm.body, true).flatMap((k) => k.values.map((v) => v.text)));
  }
  const clean = stripLatexComments(text);
  const found: string[] = [];
  const re = /\\(bibliography|nobibliography|addbibresource|addglobalbib|addsectionbib)(?![A-Za-z])\s*(?:\[([^\][]*)\]\s*)?\{([^{}]*)\}/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const command = m[1] ?? '';
    const arg = m[3] ?? '';
    if (command === 'bibliography' || command === 'nobibliography') {
      for (const part of arg.split(',')) {
        const name = part.trim();
        if (name) found.push(/\.bib$/i.test(name) ? name : `${name}.bib`);
      }
    } else {
      const path = arg.trim();
      const remote = /location\s*=\s*remote/i.test(m[2] ?? '') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
      if (path && !remote) found.push(path);
    }
  }
  return unique(found);
}

/** Every `bibliography` value in a `_quarto.yml` text, at any nesting level, in order, without duplicates. */
export function quartoProjectBibliographies(quartoYmlText: string): string[] {
  const all = readYamlKeys(quartoYmlText, { start: 0, end: quartoYmlText.length }, false);
  return unique(all.flatMap((k) => k.values.map((v) => v.text)));
}

/** The path of a `% !TEX root = …` magic comment within the first 20 lines (case-insensitive), as written. */
export function texRootMagic(text: string): string | undefined {
  const lines = text.split('\n', 20);
  for (const line of lines) {
    // The value is the rest of the line, trimmed by hand: `(.*?)\s*$` is quadratic on long spaces.
    const m = /^\s*%\s*!\s*tex\s+root\s*=/i.exec(line);
    const value = m ? line.slice(m[0].length).trim() : '';
    if (value) return value;
  }
  return undefined;
}

/**
 * Files a LaTeX text pulls in, in order, as written: `\input{x}`, `\include{x}`, `\subfile{x}`,
 * and `dir/x` for `\import{dir/}{x}`, `\subimport`, `\inputfrom`, `\includefrom` and their
 * `sub…` forms. Commented-out lines are ignored; the caller resolves paths and adds `.tex`.
 */
export function includedFiles(text: string): string[] {
  const clean = stripLatexComments(text);
  const found: string[] = [];
  const re = /\\(input|include|subfile|subfileinclude|import|subimport|inputfrom|includefrom|subinputfrom|subincludefrom)(?![A-Za-z])\s*(?:\*\s*)?\{([^{}]*)\}(?:\s*\{([^{}]*)\})?/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const command = m[1] ?? '';
    const first = (m[2] ?? '').trim();
    const twoArgs = /import|from/.test(command);
    if (!twoArgs) {
      if (first) found.push(first);
      // the optional second group belongs to whatever follows, not to this command
      if (m[3] !== undefined) re.lastIndex = m.index + m[0].indexOf('}') + 1;
      continue;
    }
    if (m[3] === undefined) continue;
    const file = m[3].trim();
    if (!file) continue;
    found.push(first === '' ? file : first.endsWith('/') ? first + file : `${first}/${file}`);
  }
  return found;
}

/**
 * Summaries of the entries of a .bib text, in order: `@type{key, …}` and `@type(key, …)`,
 * skipping `@comment`, `@string`, `@preamble` and lines starting with `%`. Not a parser:
 * it balances braces and quotes only to find each entry's end, and when an entry never
 * closes it ends the entry at the next line that starts a new `@type{`.
 */
export function scanBibEntries(bibText: string): BibEntrySummary[] {
  const text = bibText;
  const len = text.length;
  const out: BibEntrySummary[] = [];
  let line = 1;
  let counted = 0;
  const lineOf = (p: number): number => {
    for (; counted < p; counted++) if (text.charCodeAt(counted) === LF) line++;
    return line;
  };
  let i = 0;
  while (i < len) {
    const at = text.indexOf('@', i);
    if (at < 0) break;
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    if (/^[ \t]*%/.test(text.slice(ls, at + 1))) {
      i = lineEndAt(text, at) + 1;
      continue;
    }
    ENTRY_HEAD.lastIndex = at;
    const m = ENTRY_HEAD.exec(text);
    if (!m) {
      i = at + 1;
      continue;
    }
    const type = (m[1] ?? '').toLowerCase();
    const open = ENTRY_HEAD.lastIndex - 1;
    const closer = text.charCodeAt(open) === LBRACE ? RBRACE : RPAREN;
    if (type === 'comment' || type === 'string' || type === 'preamble') {
      const r = skipGroup(text, open, closer);
      i = r.resync ?? r.end;
      continue;
    }
    let p = open + 1;
    while (p < len && isSpace(text.charCodeAt(p))) p++;
    const keyStart = p;
    while (p < len && !KEY_STOP.has(text.charCodeAt(p)) && text.charCodeAt(p) !== closer) p++;
    const key = text.slice(keyStart, p);
    const r = scanFields(text, p, closer);
    if (key) {
      const entry: BibEntrySummary = { key, type, line: lineOf(at), span: { start: at, end: r.end } };
      addIdentifiers(entry, r.fields);
      out.push(entry);
    }
    i = r.resync ?? r.end;
  }
  return out;
}

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

/**
 * An insert at the very end of `bibText` adding `entryText`: in the file's line ending, one blank
 * line after existing content (none in an empty file), ending with a newline. Existing bytes never change.
 */
export function appendEntryEdit(bibText: string, entryText: string): TextEdit {
  const eol = lineEnding(bibText);
  const entry = entryText.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd().replace(/\r\n|\r|\n/g, eol) + eol;
  const end = bibText.length;
  let contentEnd = end;
  while (contentEnd > 0 && /\s/.test(bibText[contentEnd - 1]!)) contentEnd--;
  const tail = bibText.slice(contentEnd);
  const newlines = (tail.match(/\n/g) ?? []).length;
  const endsWithNewline = tail.endsWith('\n');
  let lead: string;
  if (tail.length === end) lead = end === 0 || endsWithNewline ? '' : eol;
  else if (newlines === 0) lead = eol + eol;
  else if (newlines === 1) lead = eol;
  else lead = endsWithNewline ? '' : eol;
  return { start: end, end, text: lead + entry };
}

/**
 * The edit declaring `bibPath` in a Markdown text's front matter: a new `bibliography:` line before
 * the closing `---`; a new front matter at the top when there is none; an existing scalar becomes
 * a flow list and an existing list gets the path appended. Undefined when the path is already declared.
 */
export function frontMatterBibliographyEdit(mdText: string, bibPath: string): TextEdit | undefined {
  const eol = lineEnding(mdText);
  const value = yamlScalar(bibPath);
  const fm = frontMatterParts(mdText);
  if (!fm) {
    const at = mdText.charCodeAt(0) === 0xfeff ? 1 : 0;
    return { start: at, end: at, text: `---${eol}bibliography: ${value}${eol}---${eol}${eol}` };
  }
  const key = readYamlKeys(mdText, fm.body, true)[0];
  if (!key) return { start: fm.closingLine, end: fm.closingLine, text: `bibliography: ${value}${eol}` };
  const same = (a: string): boolean => a.replace(/^\.\//, '') === bibPath.replace(/^\.\//, '');
  if (key.values.some((v) => same(v.text))) return undefined;
  switch (key.kind) {
    case 'empty':
      return { start: key.colonEnd, end: key.colonEnd, text: ` ${value}` };
    case 'scalar': {
      const raw = key.values[0]!.span;
      const old = mdText.slice(raw.start, raw.end);
      return { start: raw.start, end: raw.end, text: `[${old}, ${yamlScalar(bibPath, true)}]` };
    }
    case 'flow': {
      let p = key.listEnd - 1;
      while (p > key.listStart + 1 && /\s/.test(mdText[p - 1] ?? '')) p--;
      const text = key.values.length === 0 ? yamlScalar(bibPath, true) : `, ${yamlScalar(bibPath, true)}`;
      return { start: p, end: p, text };
    }
    case 'block':
      return { start: key.listEnd, end: key.listEnd, text: `${key.itemPrefix}${value}${eol}` };
  }
}

/**
 * The edit declaring `bibName` (`references` or `references.bib`) in a LaTeX text. BibTeX documents:
 * `\bibliographystyle{plain}` (only when no style is declared) and `\bibliography{references}` on
 * their own lines before `\end{document}`, or the name appended to an existing `\bibliography{…}`.
 * biblatex documents (loading biblatex, or using `\addbibresource` or `\printbibliography`):
 * `\addbibresource{references.bib}` before `\begin{document}`.
 * Undefined when already declared or when the needed `\begin`/`\end{document}` is missing.
 */
export function latexBibliographyEdit(texText: string, bibName: string): TextEdit | undefined {
  const eol = lineEnding(texText);
  const name = bibName.trim().replace(/\.bib$/i, '');
  if (!name) return undefined;
  const declared = declaredBibliographies(texText, 'latex');
  if (declared.some((d) => d.replace(/\.bib$/i, '').replace(/^\.\//, '') === name.replace(/^\.\//, ''))) return undefined;
  const clean = stripLatexComments(texText);
  const biblatex = /\\usepackage\s*(?:\[[^\][]*\]\s*)?\{[^{}]*\bbiblatex\b[^{}]*\}|\\(?:addbibresource|printbibliography)(?![A-Za-z])/;
  if (biblatex.test(clean)) {
    const begin = /\\begin\s*\{document\}/.exec(clean);
    if (!begin) return undefined;
    return ownLineInsert(texText, begin.index, [`\\addbibresource{${name}.bib}`], eol);
  }
  const existing = /\\bibliography\s*\{([^{}]*)\}/.exec(clean);
  if (existing) {
    const close = existing.index + existing[0].length - 1;
    const sep = (existing[1] ?? '').trim() === '' ? '' : ',';
    let p = close;
    while (p > 0 && /\s/.test(texText[p - 1] ?? '') && texText[p - 1] !== '{') p--;
    return { start: p, end: p, text: sep + name };
  }
  let end = -1;
  const re = /\\end\s*\{document\}/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) end = m.index;
  if (end < 0) return undefined;
  const lines = [`\\bibliography{${name}}`];
  if (!/\\bibliographystyle\s*\{/.test(clean)) lines.unshift('\\bibliographystyle{plain}');
  return ownLineInsert(texText, end, lines, eol);
}

// ---------------------------------------------------------------------------

const LF = 10;
const LBRACE = 123;
const RBRACE = 125;
const RPAREN = 41;
const DQUOTE = 34;
const ENTRY_HEAD = /@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*[{(]/y;
/** Characters that end a citation key in an entry head. */
const KEY_STOP = new Set([...' \t\r\n,{}()'].map((c) => c.charCodeAt(0)));

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function lineEnding(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
}

function lineEndAt(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

/** The text with every `%` comment blanked to spaces (offsets kept); `\%` is not a comment. */
function stripLatexComments(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 37) {
      const eol = lineEndAt(text, i);
      const stop = eol > i && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      out += text.slice(from, i) + ' '.repeat(stop - i);
      from = stop;
      i = eol;
    }
  }
  return out + text.slice(from);
}

/** Inserts `lines` on their own lines right before offset `at` (which starts a line, or gets a line break before). */
function ownLineInsert(text: string, at: number, lines: string[], eol: string): TextEdit {
  const ls = text.lastIndexOf('\n', at - 1) + 1;
  const onlyIndent = /^[ \t]*$/.test(text.slice(ls, at));
  const pos = onlyIndent ? ls : at;
  return { start: pos, end: pos, text: (onlyIndent ? '' : eol) + lines.map((l) => l + eol).join('') };
}

// ---------------------------------------------------------------------------
// .bib scanning

interface ScanResult {
  /** Offset just past the group or entry (or where an unclosed one was cut). */
  end: number;
  /** Where scanning resumes after an unclosed group: the `@` of the next entry line. */
  resync?: number;
}

/** If the line after the newline at `nl` starts a new entry (`@type{`), the offset of its `@`. */
function entryLineAfter(text: string, nl: number): number {
  let j = nl + 1;
  while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
  if (text.charCodeAt(j) !== 64) return -1;
  ENTRY_HEAD.lastIndex = j;
  return ENTRY_HEAD.test(text) ? j : -1;
}

function cutBefore(text: string, p: number): number {
  while (p > 0 && isSpace(text.charCodeAt(p - 1))) p--;
  return p;
}

/** Skips the `{…}` or `(…)` group opened at `open`, BibTeX-style (braces always count). */
function skipGroup(text: string, open: number, closer: number): ScanResult {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LBRACE) depth++;
    else if (c === RBRACE && depth > 0) depth--;
    else if (c === closer && depth === 0) return { end: i + 1 };
    else if (c === LF) {
      const next = entryLineAfter(text, i);
      if (next >= 0) return { end: cutBefore(text, i), resync: next };
    }
  }
  return { end: text.length };
}

/** A braced (`{…}`) or quoted (`"…"`) field value starting at `p`: its content and end. */
function scanValue(text: string, p: number): ScanResult & { value: string } {
  const quoted = text.charCodeAt(p) === DQUOTE;
  let depth = 0;
  for (let i = p + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LBRACE) depth++;
    else if (c === RBRACE) {
      if (depth === 0 && !quoted) return { end: i + 1, value: text.slice(p + 1, i) };
      depth = Math.max(0, depth - 1);
    } else if (c === DQUOTE && quoted && depth === 0) return { end: i + 1, value: text.slice(p + 1, i) };
    else if (c === LF) {
      const next = entryLineAfter(text, i);
      if (next >= 0) return { end: cutBefore(text, i), resync: next, value: '' };
    }
  }
  return { end: text.length, value: '' };
}

const FIELD_NAME = /[^\s=,{}()"#%]+/y;
const BARE_VALUE = /[^\s,#{}()"]+/y;

/** Reads `name = value` fields from `p` up to the entry's closer; tolerant of junk between fields. */
function scanFields(text: string, p: number, closer: number): ScanResult & { fields: Map<string, string> } {
  const fields = new Map<string, string>();
  const len = text.length;
  const skipBlank = (q: number): number => {
    while (q < len && isSpace(text.charCodeAt(q))) q++;
    return q;
  };
  while (p < len) {
    const c = text.charCodeAt(p);
    if (isSpace(c) || c === 44) {
      if (c === LF) {
        const next = entryLineAfter(text, p);
        if (next >= 0) return { end: cutBefore(text, p), resync: next, fields };
      }
      p++;
      continue;
    }
    if (c === closer) return { end: p + 1, fields };
    if (c === LBRACE || c === DQUOTE) {
      const r = scanValue(text, p);
      if (r.resync !== undefined) return { ...r, fields };
      p = r.end;
      continue;
    }
    FIELD_NAME.lastIndex = p;
    const name = FIELD_NAME.exec(text);
    if (!name) {
      p++;
      continue;
    }
    p = skipBlank(FIELD_NAME.lastIndex);
    if (text.charCodeAt(p) !== 61 /* = */) continue;
    p = skipBlank(p + 1);
    const parts: string[] = [];
    for (;;) {
      const v = text.charCodeAt(p);
      if (v === LBRACE || v === DQUOTE) {
        const r = scanValue(text, p);
        if (r.resync !== undefined) return { ...r, fields };
        parts.push(r.value);
        p = r.end;
      } else {
        BARE_VALUE.lastIndex = p;
        const bare = BARE_VALUE.exec(text);
        if (!bare) break;
        parts.push(bare[0]);
        p = BARE_VALUE.lastIndex;
      }
      const q = skipBlank(p);
      if (text.charCodeAt(q) !== 35 /* # */) break;
      p = skipBlank(q + 1);
    }
    fields.set(name[0].toLowerCase(), parts.join(''));
  }
  return { end: len, fields };
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

// ---------------------------------------------------------------------------
// Front matter and YAML

interface FrontMatterParts {
  /** The YAML between the opening and closing lines. */
  body: Span;
  /** Start of the closing `---` / `...` line. */
  closingLine: number;
}

function frontMatterParts(text: string): FrontMatterParts | undefined {
  const fm = markdownFrontMatter(text);
  if (!fm) return undefined;
  const bodyStart = lineEndAt(text, fm.start) + 1;
  const lastChar = fm.end - 1;
  const closingLine = text.lastIndexOf('\n', text.charCodeAt(lastChar) === LF ? lastChar - 1 : lastChar) + 1;
  return { body: { start: bodyStart, end: closingLine }, closingLine };
}

interface YamlItem {
  text: string;
  /** The value as written, quotes included. */
  span: Span;
}

interface YamlKey {
  kind: 'empty' | 'scalar' | 'flow' | 'block';
  values: YamlItem[];
  /** Just after the key's colon. */
  colonEnd: number;
  /** flow: offset of `[`; block: unused. */
  listStart: number;
  /** flow: just after `]`; block: start of the line after the last item. */
  listEnd: number;
  /** block: indentation and dash of the items, e.g. `  - `. */
  itemPrefix: string;
}

interface Line {
  start: number;
  end: number;
  text: string;
}

function linesOf(text: string, span: Span): Line[] {
  const lines: Line[] = [];
  let p = span.start;
  while (p < span.end) {
    const eol = Math.min(lineEndAt(text, p), span.end);
    const end = eol > p && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    lines.push({ start: p, end, text: text.slice(p, end) });
    p = eol + 1;
  }
  return lines;
}

const YAML_BIB_KEY = /^([ \t]*)(["']?)bibliography\2[ \t]*:(?=[ \t]|$)/;

/** Every `bibliography:` key in `span` (only unindented ones when `topLevel`), with its values and positions. */
function readYamlKeys(text: string, span: Span, topLevel: boolean): YamlKey[] {
  const lines = linesOf(text, span);
  const keys: YamlKey[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const m = YAML_BIB_KEY.exec(line.text);
    if (!m) continue;
    const indent = (m[1] ?? '').length;
    if (topLevel && indent > 0) continue;
    const colonEnd = line.start + m[0].length;
    let p = colonEnd;
    while (p < line.end && /[ \t]/.test(text[p] ?? '')) p++;
    const key: YamlKey = { kind: 'empty', values: [], colonEnd, listStart: -1, listEnd: -1, itemPrefix: '' };
    if (p < line.end && text[p] !== '#') {
      if (text[p] === '[') {
        key.kind = 'flow';
        key.listStart = p;
        const r = readFlowList(text, p, span.end);
        key.values = r.items;
        key.listEnd = r.end;
      } else {
        const v = readScalar(text, p, line.end);
        if (v) {
          key.kind = 'scalar';
          key.values = [v];
        }
      }
    } else {
      // a block list may follow, its dashes indented at least as deep as the key
      for (let k = n + 1; k < lines.length; k++) {
        const item = lines[k]!;
        if (/^\s*(?:#.*)?$/.test(item.text)) continue;
        const d = /^([ \t]*)-(?:[ \t]+|$)/.exec(item.text);
        if (!d || (d[1] ?? '').length < indent) break;
        key.kind = 'block';
        key.itemPrefix = d[0].endsWith('-') ? `${d[0]} ` : d[0];
        const v = readScalar(text, item.start + d[0].length, item.end);
        if (v) key.values.push(v);
        key.listEnd = Math.min(lineEndAt(text, item.start) + 1, text.length);
        n = k;
      }
    }
    keys.push(key);
  }
  return keys;
}

/** A plain, single- or double-quoted scalar starting at `p` on a line ending at `end`. */
function readScalar(text: string, p: number, end: number, flow = false): YamlItem | undefined {
  const q = text[p];
  if (q === '"' || q === "'") {
    let value = '';
    for (let i = p + 1; i < end; i++) {
      const c = text[i]!;
      if (q === '"' && c === '\\' && i + 1 < end) {
        const e = text[++i]!;
        value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else if (c === q) {
        if (q === "'" && text[i + 1] === "'") {
          value += "'";
          i++;
        } else return { text: value, span: { start: p, end: i + 1 } };
      } else value += c;
    }
    return undefined;
  }
  let i = p;
  for (; i < end; i++) {
    const c = text[i]!;
    if (c === '#' && i > p && /[ \t]/.test(text[i - 1]!)) break;
    if (flow && (c === ',' || c === ']')) break;
  }
  let stop = i;
  while (stop > p && /[ \t]/.test(text[stop - 1]!)) stop--;
  return stop > p ? { text: text.slice(p, stop), span: { start: p, end: stop } } : undefined;
}

/** A flow list `[a, "b"]` opened at `open`, possibly over several lines, within `limit`. */
function readFlowList(text: string, open: number, limit: number): { items: YamlItem[]; end: number } {
  const items: YamlItem[] = [];
  let p = open + 1;
  while (p < limit) {
    const c = text[p]!;
    if (c === ']') return { items, end: p + 1 };
    if (/[\s,]/.test(c)) {
      p++;
      continue;
    }
    const eol = Math.min(lineEndAt(text, p), limit);
    const item = readScalar(text, p, eol, true);
    if (!item) {
      p = eol;
      continue;
    }
    items.push(item);
    p = item.span.end;
  }
  return { items, end: limit };
}

/** A YAML scalar for `value`: plain when safe, else double-quoted. `flow` also quotes `,[]{}`. */
function yamlScalar(value: string, flow = false): string {
  const plain = /^[\w.~/][\w.~/ +-]*$/.test(value) && !/ $/.test(value);
  if (plain && !(flow && /[,[\]{}]/.test(value))) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

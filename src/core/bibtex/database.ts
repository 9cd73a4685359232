/**
 * Several .bib files read as one database, as BibTeX reads `\bibliography{abbrev,journals,refs}`:
 * in order, each file seeing the `@string` macros of the files before it; `crossref` and `xdata`
 * resolved across all of them. A child takes the fields it lacks from its parent (biblatex's
 * inheritance: a book's title becomes a chapter's container title); a cycle is cut and reported,
 * and both entries stay. A missing parent is reported; the child stays.
 */
import { problem } from '../problems';
import type { Paper, Problem } from '../types';
import { BibFileParse, MacroDefinition, parseBibtexFile } from './read';

/** A .bib file's text and the name it is known by (a path or URI). */
export interface BibSourceFile {
  name: string;
  text: string;
}

/** Types whose crossref parent is the book they are part of. */
const BOOK_PART = new Set(['chapter', 'paper-conference', 'entry-encyclopedia', 'entry-dictionary', 'entry']);

/** Fields a child takes from its crossref parent when it lacks them. Identifiers and abstracts describe the parent, not the child. */
const INHERITED: readonly (keyof Paper)[] = [
  'editor', 'editorEtAl', 'translator', 'container-title', 'container-title-short', 'collection-title', 'collection-number',
  'event', 'event-place', 'event-date', 'publisher', 'publisher-place', 'authority', 'volume', 'number-of-volumes',
  'edition', 'issued', 'ISBN', 'ISSN', 'language',
];

/** Fields that are about the record, never taken from `xdata`. */
const NOT_DATA = new Set<string>(['id', 'source', 'sourceLine', 'sourceSpan', 'crossref', 'xdata', 'parentElsewhere', 'macros', 'origin', 'type']);

/** Reads files in order as one database; each file's papers have their cross-references resolved. */
export function readBibDatabase(files: readonly BibSourceFile[]): BibFileParse[] {
  const macros = new Map<string, MacroDefinition>();
  const parses = files.map((file) => {
    const parse = parseBibtexFile(file.text, file.name, { external: macros });
    for (const [name, definition] of parse.macros) if (!macros.has(name)) macros.set(name, definition);
    return parse;
  });
  const resolved = resolveCrossReferences(parses);
  return parses.map((parse, i) => ({ ...parse, papers: resolved.papers[i], problems: [...parse.problems, ...resolved.problems[i]].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) }));
}

/**
 * One file's papers with the cross-references it can resolve itself resolved. A child whose
 * parent is not in the file is marked `parentElsewhere` instead of reported: another file of the
 * library may define the parent (the library view resolves those, and only when some exist).
 */
export function resolveWithinFile(parse: { papers: readonly Paper[]; xdata?: readonly Paper[] }): { papers: Paper[]; problems: Problem[] } {
  const resolved = resolveCrossReferences([parse]);
  const papers = resolved.papers[0]!;
  const problems: Problem[] = [];
  const elsewhere = new Set<string>();
  for (const found of resolved.problems[0]!) {
    if ((found.code === 'crossref-missing' || found.code === 'xdata-missing') && found.data?.key) elsewhere.add(found.data.key);
    else problems.push(found);
  }
  if (elsewhere.size) {
    for (let i = 0; i < papers.length; i++) {
      if (elsewhere.has(papers[i]!.id)) papers[i] = { ...papers[i]!, parentElsewhere: true };
    }
  }
  return { papers, problems };
}

/**
 * Each source's papers with `crossref`/`xdata` filled in from entries of any source (first key
 * wins, compared case-insensitively as BibTeX does), and the problems found, per source.
 */
export function resolveCrossReferences(sources: ReadonlyArray<{ papers: readonly Paper[]; xdata?: readonly Paper[] }>): { papers: Paper[][]; problems: Problem[][] } {
  const byKey = new Map<string, Paper>();
  const xdataByKey = new Map<string, Paper>();
  for (const source of sources) {
    for (const paper of source.papers) if (!byKey.has(paper.id.toLowerCase())) byKey.set(paper.id.toLowerCase(), paper);
    for (const data of source.xdata ?? []) if (!xdataByKey.has(data.id.toLowerCase())) xdataByKey.set(data.id.toLowerCase(), data);
  }
  const resolved = new Map<Paper, Paper>();
  const problems: Problem[][] = sources.map(() => []);
  const sourceIndex = new Map<Paper, number>();
  sources.forEach((source, i) => source.papers.forEach((p) => sourceIndex.set(p, i)));

  const report = (paper: Paper, found: Problem): void => {
    problems[sourceIndex.get(paper) ?? 0].push(found);
  };

  /** The paper with its parents' fields, resolving parents first; `path` holds the chain being resolved (a chain deeper than 64 is cut like a cycle). */
  const resolve = (paper: Paper, path: Set<Paper>): Paper => {
    const done = resolved.get(paper);
    if (done) return done;
    if (!paper.crossref && !paper.xdata) return paper;
    path.add(paper);
    let out: Paper = paper;
    for (const key of paper.xdata ?? []) {
      const data = xdataByKey.get(key.toLowerCase());
      if (!data) {
        report(paper, problem('xdata-missing', paper.sourceLine, { key: paper.id, parent: key }));
        continue;
      }
      out = takeData(out, data);
    }
    if (paper.crossref) {
      const parent = byKey.get(paper.crossref.toLowerCase());
      if (!parent) report(paper, problem('crossref-missing', paper.sourceLine, { key: paper.id, parent: paper.crossref }));
      else if (path.has(parent) || path.size > 64) report(paper, problem('crossref-cycle', paper.sourceLine, { key: paper.id, parent: paper.crossref }));
      else out = inherit(out, resolve(parent, path));
    }
    path.delete(paper);
    resolved.set(paper, out);
    return out;
  };

  const papers = sources.map((source) => source.papers.map((paper) => resolve(paper, new Set())));
  return { papers, problems };
}

/** The child with the fields it lacks taken from its (resolved) crossref parent. */
function inherit(child: Paper, parent: Paper): Paper {
  const out: Paper = { ...child };
  const fill = out as unknown as Record<string, unknown>;
  const from = parent as unknown as Record<string, unknown>;
  if (BOOK_PART.has(child.type) && parent.title && !child['container-title']) {
    out['container-title'] = parent.title;
  }
  if (parent.author.length) {
    if (!child.author.length) {
      out.author = parent.author;
      if (parent.authorEtAl) out.authorEtAl = true;
    }
    if (BOOK_PART.has(child.type) && !child['container-author']) out['container-author'] = parent.author;
  }
  for (const field of INHERITED) {
    if (fill[field] === undefined && from[field] !== undefined) fill[field] = from[field];
  }
  return out;
}

/** The entry with the fields it lacks taken from an `@xdata` entry (same names). */
function takeData(entry: Paper, data: Paper): Paper {
  const out: Paper = { ...entry };
  const fill = out as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(data)) {
    if (NOT_DATA.has(field) || value === undefined) continue;
    const current = fill[field];
    if (current === undefined || current === '' || (Array.isArray(current) && current.length === 0)) fill[field] = value;
  }
  return out;
}

/**
 * Paper → CSL-JSON: what citeproc formats and what `litcite list --json` prints. Only CSL
 * variables go out (an allowlist, so a field added to Paper for LitCite's own use never leaks);
 * LitCite's extras are mapped where CSL has a place for them:
 * - an arXiv preprint (type `article`) gets `number: "arXiv:<id>"`, `publisher: "arXiv"`, the
 *   DataCite DOI arXiv registers (`10.48550/arXiv.<id>`) and the abs URL, as Zotero exports
 *   preprints and APA 7 cites them; a published paper only gets the abs URL when it has none;
 * - `authorEtAl` / `editorEtAl` become a last name `{ "literal": "others" }`, Pandoc's convention
 *   for BibTeX's `and others` (its CSL-JSON writer emits it, its citeproc reads it as "et al.");
 * - `titleRich` becomes CSL rich text in `title` (`<i>`, `<b>`, `<sup>`, `<sub>`, small caps);
 * - `event` goes out as `event-title` (CSL 1.0.2) and `event` (1.0.1), and not at all when it
 *   only repeats `container-title` (the bundled corpus files the venue under both, and styles
 *   print both variables for a conference paper).
 */
import { arxivDoi } from '../identity';
import type { CslDate, CslName, Paper, RichRun } from '../types';

/** A CSL-JSON item. Known variables are typed; any other CSL variable may appear too. */
export interface CslItem extends Partial<Pick<Paper, 'author' | 'editor' | 'translator' | 'container-author' | 'issued' | 'accessed' | 'event-date' | 'original-date'>> {
  /** The citation key. */
  id: string;
  type: string;
  title?: string;
  'event-title'?: string;
  event?: string;
  [variable: string]: unknown;
}

/** The last name of an author list that ended in `and others`. */
export const OTHERS_NAME: Readonly<CslName> = Object.freeze({ literal: 'others' });

/** String variables of Paper that are CSL variables of the same name. */
const STRING_VARIABLES = [
  'abstract', 'URL', 'DOI', 'ISBN', 'ISSN', 'PMID', 'PMCID', 'container-title', 'container-title-short',
  'collection-title', 'collection-number', 'event-place', 'publisher', 'publisher-place', 'authority', 'volume',
  'number-of-volumes', 'issue', 'page', 'number-of-pages', 'edition', 'chapter-number', 'number', 'genre', 'medium',
  'status', 'version', 'language', 'keyword', 'note', 'title-short',
] as const satisfies ReadonlyArray<keyof Paper>;
const NAME_VARIABLES = ['editor', 'translator', 'container-author'] as const satisfies ReadonlyArray<keyof Paper>;
const DATE_VARIABLES = ['issued', 'accessed', 'event-date', 'original-date'] as const satisfies ReadonlyArray<keyof Paper>;

/** CSL types a bare arXiv record can have; anything else was published somewhere. */
const PREPRINT_TYPES = new Set(['article', 'manuscript']);

/** The CSL-JSON item for `paper`, keyed by its citation key. Never shares arrays or objects with it. */
export function toCslItem(paper: Paper): CslItem {
  const item: CslItem = { id: paper.id, type: paper.type || 'article' };
  const title = paper.titleRich?.length ? richTitle(paper.titleRich) : paper.title;
  if (title) item.title = title;
  const authors = nameList(paper.author, paper.authorEtAl);
  if (authors.length) item.author = authors;
  for (const variable of NAME_VARIABLES) {
    const list = nameList(paper[variable], variable === 'editor' && paper.editorEtAl);
    if (list.length) item[variable] = list;
  }
  for (const variable of DATE_VARIABLES) {
    const value = paper[variable];
    if (value) item[variable] = copyDate(value);
  }
  for (const variable of STRING_VARIABLES) {
    const value = paper[variable];
    if (typeof value === 'string' && value.trim()) item[variable] = value;
  }
  const event = paper.event?.trim();
  if (event && !sameText(event, paper['container-title'])) {
    item['event-title'] = event;
    item.event = event;
  }
  if (paper.arxiv) addArxiv(item, paper.arxiv);
  return item;
}

function addArxiv(item: CslItem, arxivId: string): void {
  if (PREPRINT_TYPES.has(item.type) && !item['container-title']) {
    item.number ??= `arXiv:${arxivId}`;
    item.publisher ??= 'arXiv';
    item.DOI ??= arxivDoi(arxivId);
  }
  item.URL ??= `https://arxiv.org/abs/${arxivId}`;
}

function nameList(names: CslName[] | undefined, etAl: boolean | undefined): CslName[] {
  const out = (names ?? []).map((name) => ({ ...name }));
  if (etAl && out.length) out.push({ ...OTHERS_NAME });
  return out;
}

function copyDate(date: CslDate): CslDate {
  const copy: CslDate = { 'date-parts': date['date-parts'].map((part) => [...part]) };
  if (date.circa !== undefined) copy.circa = date.circa;
  if (date.literal !== undefined) copy.literal = date.literal;
  return copy;
}

function sameText(a: string, b: string | undefined): boolean {
  return b !== undefined && a.toLowerCase() === b.trim().toLowerCase();
}

/**
 * Runs as CSL rich text. citeproc-js and Pandoc read these tags in titles and treat every other
 * character as text, so run text is written as is (no entities).
 */
function richTitle(runs: RichRun[]): string {
  let out = '';
  for (const run of runs) {
    let text = run.text;
    if (run.code) text = `<span class="nocase">${text}</span>`;
    if (run.sub) text = `<sub>${text}</sub>`;
    if (run.sup) text = `<sup>${text}</sup>`;
    if (run.smallCaps) text = `<span style="font-variant:small-caps;">${text}</span>`;
    if (run.bold) text = `<b>${text}</b>`;
    if (run.italic) text = `<i>${text}</i>`;
    out += text;
  }
  return out;
}

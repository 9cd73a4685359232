/** A person's name as CSL-JSON writes it: either family/given parts or one literal (institutions). */
export interface CslName {
  family?: string;
  given?: string;
  /** `van`, `de la`: kept apart so sorting and keys can skip it; shown before the family name. */
  'non-dropping-particle'?: string;
  /** `Jr.`, `III`. */
  suffix?: string;
  literal?: string;
}

/** A CSL-JSON date: `[[year, month?, day?]]`, a second part for a range; `circa`/`literal` as CSL has them. */
export interface CslDate {
  'date-parts': number[][];
  circa?: boolean;
  literal?: string;
}

/** A run of text with the emphasis BibTeX/LaTeX or CSL rich text gave it. Rendered as text nodes, never as HTML. */
export interface RichRun {
  text: string;
  italic?: boolean;
  bold?: boolean;
  smallCaps?: boolean;
  sup?: boolean;
  sub?: boolean;
  /** Monospace (`\texttt`, `<code>`). */
  code?: boolean;
}

/** Where a paper came from. */
export type PaperOrigin = 'bundled' | 'library' | 'online' | 'zotero';

/**
 * One paper: a CSL-JSON item plus the few fields CSL has no name for.
 * Every source (bundled corpus, user .bib, CSL-JSON export, online lookup, Zotero) maps into this
 * shape. Text fields are plain Unicode text (LaTeX decoded); the user's own BibTeX is kept by
 * reference (`source` + `sourceSpan`) so it can be written back verbatim.
 */
export interface Paper {
  /** The citation key. */
  id: string;
  /** CSL type: `article` for preprints, `paper-conference`, `article-journal`, `book`, `chapter`, `thesis`, … */
  type: string;
  title: string;
  author: CslName[];
  /** The author list ended in `and others`: shown as "et al.", written back as `and others`. */
  authorEtAl?: boolean;
  editor?: CslName[];
  editorEtAl?: boolean;
  translator?: CslName[];
  /** Authors of the book a chapter is in (biblatex `bookauthor`). */
  'container-author'?: CslName[];
  issued?: CslDate;
  /** Dates other than publication (`urldate`, `eventdate`, `origdate`). */
  accessed?: CslDate;
  'event-date'?: CslDate;
  'original-date'?: CslDate;
  abstract?: string;
  URL?: string;
  DOI?: string;
  ISBN?: string;
  ISSN?: string;
  PMID?: string;
  PMCID?: string;
  /** Journal or proceedings (or the book a chapter is in). */
  'container-title'?: string;
  'container-title-short'?: string;
  /** Series (BibTeX `series`). */
  'collection-title'?: string;
  'collection-number'?: string;
  /** Conference as the metadata gives it, e.g. `ICLR 2024` (CSL `event-title`). */
  event?: string;
  'event-place'?: string;
  publisher?: string;
  'publisher-place'?: string;
  /** Organisation (BibTeX `organization`, `institution`, `school` when no publisher applies). */
  authority?: string;
  volume?: string;
  'number-of-volumes'?: string;
  issue?: string;
  page?: string;
  'number-of-pages'?: string;
  edition?: string;
  'chapter-number'?: string;
  /** Report or standard number (BibTeX `number` of a `@techreport`). */
  number?: string;
  /** Thesis or report kind (`PhD thesis`, `Technical report`). */
  genre?: string;
  medium?: string;
  status?: string;
  version?: string;
  language?: string;
  /** Comma-separated keywords. */
  keyword?: string;
  note?: string;
  'title-short'?: string;
  /** The title with its emphasis (`\textit{Drosophila}`, `<i>…</i>`), when it has any. */
  titleRich?: RichRun[];
  /** arXiv identifier without version, e.g. `2307.03381`. Not a CSL variable. */
  arxiv?: string;
  /** arXiv primary category, e.g. `cs.CL`. */
  arxivClass?: string;
  /** Link to the paper's code repository. Not a CSL variable. */
  code?: string;
  /** `bundled`, a library file's path or URI, `online`, or `zotero:<library>`. Not a CSL variable. */
  source?: string;
  /** 1-based line in `source` where the entry starts, when the source is a text file. */
  sourceLine?: number;
  /** UTF-16 offsets of the whole entry (`@` to its closing delimiter) in `source`'s text. */
  sourceSpan?: Span;
  /** Key of the entry this one takes missing fields from (BibTeX `crossref`), as written. */
  crossref?: string;
  /** Keys of biblatex `@xdata` entries whose fields this one takes in. */
  xdata?: string[];
  /** Its `crossref` or `xdata` parent is not in its own file: the library resolves it across files. */
  parentElsewhere?: boolean;
  /** `@string` macros (lower-case) the entry's text uses, so it can be written elsewhere with their definitions. */
  macros?: string[];
  /** What kind of source the paper came from (absent: derive from `source`). */
  origin?: PaperOrigin;
  /** Services a merged online record was found in (`arxiv`, `openalex`, `crossref`, `semanticscholar`, `doi`). */
  sources?: string[];
  /** Source-specific extras a view may show (Zotero notes count, attachments, tags, collections). */
  extra?: PaperExtra;
}

/** Extras some sources know about a paper. */
export interface PaperExtra {
  tags?: string[];
  collections?: string[];
  notesCount?: number;
  attachments?: Attachment[];
  /** e.g. `zotero://select/library/items/ABCD1234`. */
  selectUri?: string;
  /** How many works cite this one, where a service said. */
  citedBy?: number;
}

/** A file attached to a paper (a Zotero PDF). */
export interface Attachment {
  title: string;
  contentType?: string;
  /** A local file path when readable on this machine. */
  path?: string;
  /** A URI that opens it elsewhere (`zotero://open-pdf/…`, a web URL). */
  uri?: string;
}

/** A half-open range of UTF-16 offsets into a text: `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** Replace `[start, end)` of a text with `text` (an insert when start === end). */
export interface TextEdit extends Span {
  text: string;
}

/** Values a problem names (a key, a field, a macro…), for the one place that words it and for code that reacts to it. */
export interface ProblemData {
  file?: string;
  key?: string;
  field?: string;
  macro?: string;
  parent?: string;
  command?: string;
  encoding?: string;
  reason?: string;
  type?: string;
  hint?: string;
  found?: string;
  otherFile?: string;
  otherKey?: string;
  firstKey?: string;
  line?: number;
  column?: number;
  firstLine?: number;
  otherLine?: number;
  index?: number;
}

/** Something wrong with an input, located in it, for the user to read. */
export interface Problem {
  /** What kind of problem (see core/problems.ts); absent for problems that are only words. */
  code?: string;
  message: string;
  /** 1-based line of the input where the problem starts, when known. */
  line?: number;
  severity: 'error' | 'warning' | 'info';
  data?: ProblemData;
}

/** The year a paper was issued, if known. */
export function paperYear(paper: Paper): number | undefined {
  return paper.issued?.['date-parts']?.[0]?.[0];
}

/** The venue to show: the conference, else the journal/proceedings. */
export function paperVenue(paper: Paper): string | undefined {
  return paper.event ?? paper['container-title'];
}

/** "Given Family" for display. */
export function displayName(name: CslName): string {
  if (name.literal) return name.literal;
  return [name.given, name.family].filter(Boolean).join(' ');
}

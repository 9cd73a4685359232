/** A person's name as CSL-JSON writes it: either family/given parts or one literal (institutions). */
export interface CslName {
  family?: string;
  given?: string;
  literal?: string;
}

/** A CSL-JSON date: `[[year, month?, day?]]`. */
export interface CslDate {
  'date-parts': number[][];
}

/**
 * One paper: a CSL-JSON item plus the few fields CSL has no name for.
 * Every source (bundled corpus, user .bib, CSL-JSON export, online lookup) maps into this shape.
 */
export interface Paper {
  /** The citation key. */
  id: string;
  /** CSL type: `article` for preprints, `paper-conference`, `article-journal`, `book`, … */
  type: string;
  title: string;
  author: CslName[];
  issued?: CslDate;
  abstract?: string;
  URL?: string;
  DOI?: string;
  /** Journal or proceedings name. */
  'container-title'?: string;
  /** Conference as the metadata gives it, e.g. `ICLR 2024`. */
  event?: string;
  publisher?: string;
  volume?: string;
  issue?: string;
  page?: string;
  note?: string;
  /** arXiv identifier without version, e.g. `2307.03381`. Not a CSL variable. */
  arxiv?: string;
  /** Link to the paper's code repository. Not a CSL variable. */
  code?: string;
  /** Where the record came from: `bundled` or a file path. Not a CSL variable. */
  source?: string;
  /** 1-based line in `source` where the entry starts, when the source is a text file. */
  sourceLine?: number;
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

/** Something wrong with an input, located in it, for the user to read. */
export interface Problem {
  message: string;
  /** 1-based line of the input where the problem starts, when known. */
  line?: number;
  severity: 'error' | 'warning' | 'info';
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

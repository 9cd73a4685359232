/**
 * Zotero item types against CSL types and BibTeX/BibLaTeX entry types, and which creator role
 * makes an item's authors. The CSL column follows the mapping Zotero's schema gives each type;
 * the BibTeX column follows what Zotero's and Better BibTeX's exporters write, so an entry LitCite
 * writes without Better BibTeX has the type a Zotero user expects.
 */

/** Zotero item type → CSL type. */
const CSL_TYPES: Readonly<Record<string, string>> = {
  artwork: 'graphic',
  audioRecording: 'song',
  bill: 'bill',
  blogPost: 'post-weblog',
  book: 'book',
  bookSection: 'chapter',
  case: 'legal_case',
  computerProgram: 'software',
  conferencePaper: 'paper-conference',
  dataset: 'dataset',
  dictionaryEntry: 'entry-dictionary',
  document: 'document',
  email: 'personal_communication',
  encyclopediaArticle: 'entry-encyclopedia',
  film: 'motion_picture',
  forumPost: 'post',
  hearing: 'hearing',
  instantMessage: 'personal_communication',
  interview: 'interview',
  journalArticle: 'article-journal',
  letter: 'personal_communication',
  magazineArticle: 'article-magazine',
  manuscript: 'manuscript',
  map: 'map',
  newspaperArticle: 'article-newspaper',
  patent: 'patent',
  podcast: 'song',
  preprint: 'article',
  presentation: 'speech',
  radioBroadcast: 'broadcast',
  report: 'report',
  standard: 'standard',
  statute: 'legislation',
  thesis: 'thesis',
  tvBroadcast: 'broadcast',
  videoRecording: 'motion_picture',
  webpage: 'webpage',
};

/** Item types whose main creators are not called `author` in Zotero. */
const PRIMARY_CREATOR: Readonly<Record<string, string>> = {
  artwork: 'artist',
  audioRecording: 'performer',
  bill: 'sponsor',
  computerProgram: 'programmer',
  film: 'director',
  hearing: 'contributor',
  interview: 'interviewee',
  map: 'cartographer',
  patent: 'inventor',
  podcast: 'podcaster',
  presentation: 'presenter',
  radioBroadcast: 'director',
  tvBroadcast: 'director',
  videoRecording: 'director',
};

/** Item types that are not works: children of works (notes, attachments, annotations). */
const CHILD_TYPES = new Set(['note', 'attachment', 'annotation']);

/** BibTeX dialects LitCite writes. */
export type BibDialect = 'bibtex' | 'biblatex';

/** CSL type → [BibTeX, BibLaTeX] entry type. Types not listed are `misc` in both. */
const BIB_TYPES: Readonly<Record<string, readonly [string, string]>> = {
  'article-journal': ['article', 'article'],
  'article-magazine': ['article', 'article'],
  'article-newspaper': ['article', 'article'],
  'paper-conference': ['inproceedings', 'inproceedings'],
  book: ['book', 'book'],
  chapter: ['incollection', 'incollection'],
  'entry-encyclopedia': ['incollection', 'inreference'],
  'entry-dictionary': ['incollection', 'inreference'],
  entry: ['incollection', 'inreference'],
  report: ['techreport', 'report'],
  manuscript: ['unpublished', 'unpublished'],
  // Preprints: @misc with eprint fields in BibTeX, @online in BibLaTeX, as Better BibTeX writes them.
  article: ['misc', 'online'],
  webpage: ['misc', 'online'],
  'post-weblog': ['misc', 'online'],
  post: ['misc', 'online'],
  software: ['misc', 'software'],
  dataset: ['misc', 'dataset'],
  patent: ['misc', 'patent'],
  standard: ['misc', 'standard'],
  thesis: ['phdthesis', 'thesis'],
};

/** A thesis kind that names a master's degree (`Master's thesis`, `MSc thesis`, `M.A. thesis`, `Diplomarbeit`). */
const MASTERS_THESIS = /master|\bm\.?\s?sc?\b|\bm\.?\s?a\b|\bm\.?\s?phil\b|diplom/i;

/** The CSL type of a Zotero item type; `document` for types Zotero adds later. */
export function cslTypeForItemType(itemType: string): string {
  return Object.hasOwn(CSL_TYPES, itemType) ? CSL_TYPES[itemType] : 'document';
}

/** The creator role that makes an item type's authors (`author`, or `director` for a film, `inventor` for a patent, …). */
export function primaryCreatorType(itemType: string): string {
  return Object.hasOwn(PRIMARY_CREATOR, itemType) ? PRIMARY_CREATOR[itemType] : 'author';
}

/** Whether items of this type are works (papers), not notes, attachments or annotations. */
export function isWorkItemType(itemType: string): boolean {
  return !CHILD_TYPES.has(itemType);
}

/**
 * The BibTeX (or BibLaTeX) entry type for a CSL type; `genre` tells a master's thesis
 * (`@mastersthesis`) from a doctoral one (`@phdthesis`) in BibTeX. Unknown types are `misc`.
 */
export function bibEntryTypeForCsl(cslType: string, genre?: string, dialect: BibDialect = 'bibtex'): string {
  const pair = Object.hasOwn(BIB_TYPES, cslType) ? BIB_TYPES[cslType] : undefined;
  if (!pair) return 'misc';
  if (dialect === 'bibtex' && cslType === 'thesis' && genre && MASTERS_THESIS.test(genre)) return 'mastersthesis';
  return dialect === 'bibtex' ? pair[0] : pair[1];
}

/**
 * The BibTeX (or BibLaTeX) entry type for a Zotero item: `@article` for journal articles,
 * `@inproceedings`, `@incollection` for book sections, `@phdthesis`/`@mastersthesis` by the
 * thesis type, `@techreport`, `@unpublished` for manuscripts, `@misc` (BibLaTeX `@online`) for
 * preprints and web pages. `thesisType` is read from `data` when given.
 */
export function bibEntryTypeForItem(itemType: string, data?: { thesisType?: unknown }, dialect: BibDialect = 'bibtex'): string {
  const genre = typeof data?.thesisType === 'string' ? data.thesisType : undefined;
  return bibEntryTypeForCsl(cslTypeForItemType(itemType), genre, dialect);
}

/** Every item type with a CSL mapping, for tests and settings. */
export function knownItemTypes(): string[] {
  return Object.keys(CSL_TYPES);
}

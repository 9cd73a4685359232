/**
 * Which cited keys a document's bibliography cannot resolve: the classification behind the
 * citation diagnostics, on plain data so it runs (and is measured) without an editor.
 */
import type { BibEntrySummary } from './bib-entries';
import type { Citation, CiteFlavor } from './cite-syntax';
import { extractArxivId, normaliseDoi } from './text';
import type { Span } from './types';

/**
 * - `unknown`: in neither the document's .bib nor the library; LaTeX would print `[?]`.
 * - `missing-entry`: in the library, not in the .bib; adding the entry fixes it.
 * - `other-key`: in the library, and the .bib holds the same paper (DOI or arXiv id) under `bibKey`.
 */
export type CiteProblemKind = 'unknown' | 'missing-entry' | 'other-key';

/** One cited key the bibliography does not resolve, located exactly on the key's characters. */
export interface CiteProblem {
  kind: CiteProblemKind;
  key: string;
  span: Span;
  /** `other-key`: the key the .bib uses for this paper. */
  bibKey?: string;
}

/** What the library knows about a key: enough to recognise the paper in a .bib. */
export interface LibraryKeyInfo {
  doi?: string;
  arxiv?: string;
}

/** What {@link checkCitations} compares the citations with. */
export interface CiteCheckContext {
  flavor: CiteFlavor;
  /** Entries of every .bib the document uses (all of them, not just the first). */
  bibEntries: readonly BibEntrySummary[];
  /** Whether the document declares (or a setting names) a bibliography at all. */
  hasBibliography: boolean;
  /** The library's record for a key, or undefined when the library does not have it. */
  library: (key: string) => LibraryKeyInfo | undefined;
}

/**
 * Pandoc-crossref (`@fig:x`) and Quarto (`@fig-x`) cross-reference prefixes: such keys name a
 * figure, table, section or equation, not a work.
 */
const CROSS_REFERENCE = /^(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|alg|apx|tab)[-:]/;

/**
 * The problems of the citations of one document, in text order. Skipped: citations still being
 * typed (`unterminated`), `\nocite{*}`, Markdown cross-references, and, in Markdown documents
 * without a bibliography, keys the library does not know either (such `@name`s are usually
 * mentions, not citations). Keys match .bib keys case-insensitively, as BibTeX does.
 */
export function checkCitations(citations: readonly Citation[], context: CiteCheckContext): CiteProblem[] {
  const index = indexEntries(context.bibEntries);
  const verdicts = new Map<string, { kind: CiteProblemKind; bibKey?: string } | null>();
  const problems: CiteProblem[] = [];
  for (const citation of citations) {
    if (citation.unterminated) continue;
    const wildcardAllowed = citation.flavor === 'latex' && citation.command?.toLowerCase() === 'nocite';
    for (const ref of citation.keys) {
      if (ref.key === '*' && wildcardAllowed) continue;
      let verdict = verdicts.get(ref.key);
      if (verdict === undefined) {
        verdict = judge(ref.key, context, index);
        verdicts.set(ref.key, verdict);
      }
      if (verdict) problems.push({ ...verdict, key: ref.key, span: ref.span });
    }
  }
  return problems;
}

interface EntryIndex {
  keys: Set<string>;
  byDoi: Map<string, string>;
  byArxiv: Map<string, string>;
}

function indexEntries(entries: readonly BibEntrySummary[]): EntryIndex {
  const index: EntryIndex = { keys: new Set(), byDoi: new Map(), byArxiv: new Map() };
  for (const e of entries) {
    index.keys.add(e.key.toLowerCase());
    if (e.doi && !index.byDoi.has(e.doi)) index.byDoi.set(e.doi, e.key);
    if (e.eprint && !index.byArxiv.has(e.eprint)) index.byArxiv.set(e.eprint, e.key);
  }
  return index;
}

function judge(key: string, context: CiteCheckContext, index: EntryIndex): { kind: CiteProblemKind; bibKey?: string } | null {
  if (index.keys.has(key.toLowerCase())) return null;
  const paper = context.library(key);
  if (!paper) {
    if (context.flavor === 'markdown' && (CROSS_REFERENCE.test(key) || !context.hasBibliography)) return null;
    return { kind: 'unknown' };
  }
  const doi = paper.doi ? normaliseDoi(paper.doi) : undefined;
  const arxiv = paper.arxiv ? extractArxivId(paper.arxiv) ?? paper.arxiv.trim() : undefined;
  const bibKey = (doi && index.byDoi.get(doi)) || (arxiv && index.byArxiv.get(arxiv)) || undefined;
  return bibKey ? { kind: 'other-key', bibKey } : { kind: 'missing-entry' };
}

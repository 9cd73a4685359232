/**
 * One index segment: the words of a list of papers and where each occurs, in flat typed arrays.
 * A segment is built once (in a worker for large files), stored in the persistent cache as those
 * arrays, and loaded without tokenising anything again. Segments are immutable; an edit adds a
 * small segment and hides what it replaced (see search.ts).
 */
import type { Paper } from '../types';
import { displayName, paperVenue, paperYear } from '../types';
import { indexTerms, trigrams } from './tokens';

/** The fields a query is matched against. */
export type SearchField = 'title' | 'authors' | 'abstract' | 'key' | 'venue' | 'year' | 'arxiv';

export const FIELDS: readonly SearchField[] = ['title', 'authors', 'abstract', 'key', 'venue', 'year', 'arxiv'];

/** The text of a field as the index sees it (authors as "Given Family, Given Family"). */
export function searchFieldText(paper: Paper, field: SearchField): string {
  switch (field) {
    case 'title': return paper.title;
    case 'authors': return paper.author.map(displayName).join(', ');
    case 'abstract': return paper.abstract ?? '';
    case 'key': return paper.id;
    case 'venue': return [paperVenue(paper), paper['container-title'] !== paperVenue(paper) ? paper['container-title'] : undefined].filter(Boolean).join(' ');
    case 'year': return String(paperYear(paper) ?? '');
    case 'arxiv': return paper.arxiv ?? '';
  }
}

/** A segment's tables as plain data: strings and typed arrays, for the cache and for workers. */
export interface SegmentData {
  paperCount: number;
  /** Terms joined by `\n`. */
  vocabulary: string;
  /** Per term, where its postings start in `postings` (one more entry than terms). */
  postingStarts: Int32Array;
  /** paper index × 8 + field index, per term in paper order. */
  postings: Int32Array;
  /** Each paper's title as its folded words joined by spaces, joined by `\n`. */
  titlePhrases: string;
  /** Distinct trigram codes, ascending. */
  trigramCodes: Int32Array;
  /** Per code, where its term ids start in `trigramTerms`. */
  trigramStarts: Int32Array;
  trigramTerms: Int32Array;
}

/** Builds a segment paper by paper, so a caller can pause between slices. */
export class SegmentBuilder {
  private readonly vocabulary: string[] = [];
  private readonly termIds = new Map<string, number>();
  private readonly lists: number[][] = [];
  private readonly titlePhrases: string[] = [];
  private count = 0;

  /** Adds the next paper (papers are numbered in the order added). */
  add(paper: Paper): void {
    const paperIndex = this.count++;
    this.titlePhrases.push(indexTerms(paper.title).join(' '));
    FIELDS.forEach((field, fieldIndex) => {
      const text = searchFieldText(paper, field);
      if (!text) return;
      const posting = paperIndex * 8 + fieldIndex;
      // Keys and ids are one term each; white space in one (a CSL-JSON key may hold any) must not split the stored vocabulary.
      const words = field === 'key' || field === 'arxiv' ? [text.toLowerCase().replace(/\s+/g, ' ')] : indexTerms(text);
      for (const term of words) {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.vocabulary.length;
          this.vocabulary.push(term);
          this.termIds.set(term, id);
          this.lists.push([]);
        }
        const list = this.lists[id];
        // Papers and fields are added in order, so a repeat within this field is the last entry.
        if (list[list.length - 1] !== posting) list.push(posting);
      }
    });
  }

  /** The segment of the papers added so far. */
  finish(): IndexSegment {
    let total = 0;
    for (const list of this.lists) total += list.length;
    const postingStarts = new Int32Array(this.lists.length + 1);
    const postings = new Int32Array(total);
    let at = 0;
    this.lists.forEach((list, id) => {
      postingStarts[id] = at;
      postings.set(list, at);
      at += list.length;
    });
    postingStarts[this.lists.length] = at;
    const trigram = buildTrigrams(this.vocabulary);
    const segment = new IndexSegment({
      paperCount: this.count,
      vocabulary: this.vocabulary.join('\n'),
      postingStarts,
      postings,
      titlePhrases: this.titlePhrases.join('\n'),
      ...trigram,
    });
    segment.adoptTerms(this.vocabulary, this.termIds);
    return segment;
  }
}

/** The trigram shortlist: for each trigram code, the terms that have it. */
function buildTrigrams(vocabulary: readonly string[]): Pick<SegmentData, 'trigramCodes' | 'trigramStarts' | 'trigramTerms'> {
  const byCode = new Map<number, number[]>();
  vocabulary.forEach((term, id) => {
    for (const code of trigrams(term)) {
      const list = byCode.get(code);
      if (list) {
        if (list[list.length - 1] !== id) list.push(id);
      } else byCode.set(code, [id]);
    }
  });
  const codes = Int32Array.from(byCode.keys()).sort();
  const trigramStarts = new Int32Array(codes.length + 1);
  let total = 0;
  for (const list of byCode.values()) total += list.length;
  const trigramTerms = new Int32Array(total);
  let at = 0;
  codes.forEach((code, i) => {
    trigramStarts[i] = at;
    const list = byCode.get(code)!;
    trigramTerms.set(list, at);
    at += list.length;
  });
  trigramStarts[codes.length] = at;
  return { trigramCodes: codes, trigramStarts, trigramTerms };
}

/** A built segment: look-ups by term and by trigram, over flat arrays. */
export class IndexSegment {
  private vocabulary: string[] | undefined;
  private termIds: Map<string, number> | undefined;
  private titles: string[] | undefined;

  constructor(readonly data: SegmentData) {}

  /** Indexes `papers` at once (small lists; large ones go through SegmentBuilder in slices). */
  static build(papers: readonly Paper[]): IndexSegment {
    const builder = new SegmentBuilder();
    for (const paper of papers) builder.add(paper);
    return builder.finish();
  }

  /** Called by the builder, which has these tables at hand already. */
  adoptTerms(vocabulary: string[], termIds: Map<string, number>): void {
    this.vocabulary = vocabulary;
    this.termIds = termIds;
  }

  get paperCount(): number {
    return this.data.paperCount;
  }

  /** Number of distinct words. */
  get size(): number {
    return this.data.postingStarts.length - 1;
  }

  /** The word with id `id`. */
  term(id: number): string {
    return this.terms()[id];
  }

  private terms(): string[] {
    this.vocabulary ??= this.data.vocabulary ? this.data.vocabulary.split('\n') : [];
    return this.vocabulary;
  }

  /**
   * Builds the word → id map. It is the one step of loading that grows with the vocabulary, so
   * a caller with many words can run it in slices (`from` to `to`) before the first query needs it.
   */
  prepareTerms(from = 0, to = Number.POSITIVE_INFINITY): boolean {
    const terms = this.terms();
    this.termIds ??= new Map();
    const end = Math.min(to, terms.length);
    for (let id = Math.max(from, this.termIds.size); id < end; id++) this.termIds.set(terms[id], id);
    return this.termIds.size >= terms.length;
  }

  /** The id of a word, if the segment has it. */
  termId(term: string): number | undefined {
    if (!this.termIds || this.termIds.size < this.size) this.prepareTerms();
    return this.termIds!.get(term);
  }

  /** Calls `visit(paperIndex, fieldIndex)` for every occurrence of the word `id`. */
  forEachPosting(id: number, visit: (paperIndex: number, fieldIndex: number) => void): void {
    const { postingStarts, postings } = this.data;
    for (let i = postingStarts[id], end = postingStarts[id + 1]; i < end; i++) {
      const posting = postings[i];
      visit(posting >> 3, posting & 7);
    }
  }

  /** The ids of the words that have trigram `code`. */
  termsWithTrigram(code: number): Int32Array | undefined {
    const { trigramCodes, trigramStarts, trigramTerms } = this.data;
    let lo = 0;
    let hi = trigramCodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = trigramCodes[mid];
      if (value === code) return trigramTerms.subarray(trigramStarts[mid], trigramStarts[mid + 1]);
      if (value < code) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** A paper's title words joined by spaces (for the phrase bonus). */
  titlePhrase(paperIndex: number): string {
    this.titles ??= this.data.titlePhrases.split('\n');
    return this.titles[paperIndex] ?? '';
  }
}

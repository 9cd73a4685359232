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

/**
 * A segment's tables as plain data: strings and typed arrays, for the cache and for workers. The
 * vocabulary is sorted, so a word is found by binary search: loading a segment builds no map.
 */
export interface SegmentData {
  paperCount: number;
  /** The sorted terms, concatenated. */
  vocabulary: string;
  /** Where each term starts in `vocabulary` (one more entry than terms). */
  termStarts: Int32Array;
  /** Per term, where its postings start in `postings` (one more entry than terms). */
  postingStarts: Int32Array;
  /** paper index × 8 + field index, per term in paper order. */
  postings: Int32Array;
  /** Each paper's title as its folded words joined by spaces, concatenated. */
  titlePhrases: string;
  /** Where each paper's title phrase starts (one more entry than papers). */
  titleStarts: Int32Array;
  /** Distinct trigram codes, ascending. */
  trigramCodes: Int32Array;
  /** Per code, where its term ids start in `trigramTerms`. */
  trigramStarts: Int32Array;
  trigramTerms: Int32Array;
}

/**
 * Builds a segment paper by paper, so a caller can pause between slices.
 *
 * Indexing is the hot half of a cold load, and its cost was garbage: a string per word and an
 * array per term. ASCII text (nearly all of it) is therefore tokenised in place: each word is
 * hashed as it is scanned and looked up in an open-addressing table of term ids, compared with
 * the stored term character by character, so only a new term becomes a string; postings go into
 * two growing typed arrays and are grouped by term once, in `finish`. Other text takes the
 * Unicode tokenizer (`indexTerms`), which folds accents.
 */
export class SegmentBuilder {
  private readonly vocabulary: string[] = [];
  private readonly titlePhrases: string[] = [];
  private count = 0;
  /** Open addressing: slot → term id + 1 (0 = empty); size a power of two, at most half full. */
  private table: Int32Array = new Int32Array(1 << 12);
  private hashes: Int32Array = new Int32Array(1 << 11);
  /** The last posting added per term (papers and fields come in order, so a repeat is the last). */
  private lastPosting: Int32Array = new Int32Array(1 << 11);
  /** (term id, posting) pairs in the order added. */
  private pairTerms: Int32Array = new Int32Array(1 << 14);
  private pairPostings: Int32Array = new Int32Array(1 << 14);
  private pairCount = 0;

  /** Adds the next paper (papers are numbered in the order added). */
  add(paper: Paper): void {
    const paperIndex = this.count++;
    this.titlePhrases.push(indexTerms(paper.title).join(' '));
    for (let fieldIndex = 0; fieldIndex < FIELDS.length; fieldIndex++) {
      const field = FIELDS[fieldIndex]!;
      const text = searchFieldText(paper, field);
      if (!text) continue;
      const posting = paperIndex * 8 + fieldIndex;
      // Keys and ids are one term each.
      if (field === 'key' || field === 'arxiv') this.addTerm(text.toLowerCase(), posting);
      else if (isAscii(text)) this.addAsciiWords(text, posting);
      else for (const term of indexTerms(text)) this.addTerm(term, posting);
    }
  }

  /** The words of ASCII text as `indexTerms` gives them (`[a-z0-9]+(?:\.\d+)*`, lower-cased), without making strings. */
  private addAsciiWords(text: string, posting: number): void {
    const length = text.length;
    let i = 0;
    while (i < length) {
      if (!isAsciiWordChar(text.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      let hash = FNV_OFFSET;
      for (; i < length; i++) {
        const c = text.charCodeAt(i);
        if (!isAsciiWordChar(c)) break;
        hash = Math.imul(hash ^ lowerAscii(c), FNV_PRIME);
      }
      // A dotted number (`2307.03381`, `3.5`) is one word.
      while (i + 1 < length && text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
        hash = Math.imul(hash ^ 46, FNV_PRIME);
        for (i++; i < length && isDigit(text.charCodeAt(i)); i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
      }
      this.addHashed(text, start, i, hash, posting);
    }
  }

  private addTerm(term: string, posting: number): void {
    let hash = FNV_OFFSET;
    for (let i = 0; i < term.length; i++) hash = Math.imul(hash ^ term.charCodeAt(i), FNV_PRIME);
    this.addHashed(term, 0, term.length, hash, posting);
  }

  /** Adds the posting for the term `text[start, end)` (lower-cased), whose hash is `hash`. */
  private addHashed(text: string, start: number, end: number, hash: number, posting: number): void {
    const mask = this.table.length - 1;
    let slot = hash & mask;
    let id = -1;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === 0) break;
      const candidate = entry - 1;
      if (this.hashes[candidate] === hash && sameLowerCase(this.vocabulary[candidate]!, text, start, end)) {
        id = candidate;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (id < 0) {
      id = this.vocabulary.length;
      const term = text.slice(start, end).toLowerCase();
      this.vocabulary.push(term);
      if (id >= this.hashes.length) {
        this.hashes = grow(this.hashes);
        this.lastPosting = grow(this.lastPosting);
      }
      this.hashes[id] = hash;
      this.lastPosting[id] = -1;
      this.table[slot] = id + 1;
      if (this.vocabulary.length * 2 > this.table.length) this.rehash();
    }
    if (this.lastPosting[id] === posting) return;
    this.lastPosting[id] = posting;
    if (this.pairCount === this.pairTerms.length) {
      this.pairTerms = grow(this.pairTerms);
      this.pairPostings = grow(this.pairPostings);
    }
    this.pairTerms[this.pairCount] = id;
    this.pairPostings[this.pairCount++] = posting;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.vocabulary.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
  }

  /** The segment of the papers added so far. */
  finish(): IndexSegment {
    const terms = this.vocabulary.length;
    // Terms are stored sorted; `order[newId]` is the builder's id of the term now at `newId`.
    const order = Array.from({ length: terms }, (_, id) => id).sort((a, b) => (this.vocabulary[a]! < this.vocabulary[b]! ? -1 : 1));
    const newId = new Int32Array(terms);
    order.forEach((oldId, id) => (newId[oldId] = id));
    // Group the pairs by term (a counting sort keeps each term's postings in paper order).
    const postingStarts = new Int32Array(terms + 1);
    for (let k = 0; k < this.pairCount; k++) postingStarts[newId[this.pairTerms[k]!]! + 1]!++;
    for (let id = 0; id < terms; id++) postingStarts[id + 1]! += postingStarts[id]!;
    const fill = postingStarts.slice(0, terms);
    const postings = new Int32Array(this.pairCount);
    for (let k = 0; k < this.pairCount; k++) postings[fill[newId[this.pairTerms[k]!]!]!++] = this.pairPostings[k]!;
    const sorted = order.map((id) => this.vocabulary[id]!);
    const termStarts = new Int32Array(terms + 1);
    let chars = 0;
    for (let id = 0; id < terms; id++) {
      termStarts[id] = chars;
      chars += sorted[id]!.length;
    }
    termStarts[terms] = chars;
    const titleStarts = new Int32Array(this.titlePhrases.length + 1);
    chars = 0;
    this.titlePhrases.forEach((phrase, i) => {
      titleStarts[i] = chars;
      chars += phrase.length;
    });
    titleStarts[this.titlePhrases.length] = chars;
    return new IndexSegment({
      paperCount: this.count,
      vocabulary: sorted.join(''),
      termStarts,
      postingStarts,
      postings,
      titlePhrases: this.titlePhrases.join(''),
      titleStarts,
      ...buildTrigrams(sorted),
    });
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Whether `term` equals `text[start, end)` lower-cased (ASCII, or text already lower-case). */
function sameLowerCase(term: string, text: string, start: number, end: number): boolean {
  if (term.length !== end - start) return false;
  for (let i = 0; i < term.length; i++) if (term.charCodeAt(i) !== lowerAscii(text.charCodeAt(start + i))) return false;
  return true;
}

function grow(array: Int32Array): Int32Array {
  const next = new Int32Array(array.length * 2);
  next.set(array);
  return next;
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
  constructor(readonly data: SegmentData) {}

  /** Indexes `papers` at once (small lists; large ones go through SegmentBuilder in slices). */
  static build(papers: readonly Paper[]): IndexSegment {
    const builder = new SegmentBuilder();
    for (const paper of papers) builder.add(paper);
    return builder.finish();
  }

  get paperCount(): number {
    return this.data.paperCount;
  }

  /** Number of distinct words. */
  get size(): number {
    return this.data.termStarts.length - 1;
  }

  /** The word with id `id`. */
  term(id: number): string {
    const { vocabulary, termStarts } = this.data;
    return vocabulary.slice(termStarts[id], termStarts[id + 1]);
  }

  /** The id of a word, if the segment has it (binary search over the sorted vocabulary). */
  termId(term: string): number | undefined {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = this.term(mid);
      if (value === term) return mid;
      if (value < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
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
    const { titlePhrases, titleStarts } = this.data;
    return titlePhrases.slice(titleStarts[paperIndex], titleStarts[paperIndex + 1]);
  }
}

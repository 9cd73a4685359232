import Fuse from 'fuse.js';
import { extractArxivId, normaliseDoi } from './text';
import type { Paper, Span } from './types';
import { FIELDS, IndexSegment, SearchField, searchFieldText, SegmentBuilder } from './search/segment';
import { QUERY_STOP_WORDS, tokens, trigrams, wordRanges } from './search/tokens';

export { searchFieldText, IndexSegment, SegmentBuilder };
export type { SearchField };

/** How much a hit in each field counts: a title or author hit outranks an abstract hit. */
const FIELD_WEIGHT: readonly number[] = FIELDS.map((field) => ({ title: 1, authors: 1, key: 0.95, arxiv: 1, venue: 0.6, year: 0.6, abstract: 0.5 })[field]);

/** Ranges of one field of a paper that matched the query, for highlighting. */
export interface FieldMatch {
  field: SearchField;
  /** Offsets into `searchFieldText(paper, field)`. */
  ranges: Span[];
}

export interface SearchHit {
  paper: Paper;
  /** 0…1, higher is better; comparable within one query only. */
  score: number;
  /** How many of the query's words this paper matched. */
  matchedTerms: number;
  totalTerms: number;
  /** Set when the query was this paper's key, arXiv id or DOI. */
  exact?: 'key' | 'arxiv' | 'doi';
  matches: FieldMatch[];
}

export interface SearchOptions {
  limit?: number;
}

/**
 * A list of papers with its index segment, and what each paper shows as: itself (the default),
 * another paper (a duplicate that was merged into it: its words still find it), or nothing (an
 * entry replaced by an edit).
 */
export interface IndexPart {
  segment: IndexSegment;
  papers: readonly Paper[];
  shown?: ReadonlyArray<Paper | undefined>;
}

/** One query word's fuzzy expansion in one segment: word ids and how similar each is (0…1). */
interface Expansion {
  termIds: number[];
  similarity: number[];
}

/** Scratch arrays for scoring one part, reused across queries. */
interface Scratch {
  best: Float32Array;
  sum: Float32Array;
  matched: Uint8Array;
  counts: Uint16Array;
}

/*
 * Why not one fuse.js index over whole records: fuse scans every record's full text for every
 * query, so cost grows with library size × abstract length (tens of ms at 62 papers, seconds at
 * thousands). Here fuse.js does what it is good at — scoring a typo'd word against candidate
 * words — and an inverted index does the rest:
 *   1. Every distinct word of every field goes into a segment's vocabulary, with postings: which
 *      papers have it in which field. Segments are flat typed arrays, stored in the cache as such.
 *   2. A query word is expanded to vocabulary words: exact hit, else candidates sharing trigrams
 *      (a sorted code table), scored by fuse.js (bitap, typo-tolerant, location ignored).
 *   3. A paper's score per query word is the best (similarity × field weight) over its postings;
 *      papers are ranked by how many query words they match, then by the mean of those scores,
 *      with a bonus when the title holds the query as a phrase.
 * Cost per query grows with the trigram postings of the query words and the postings they match,
 * not with the text of every paper.
 */
export class SearchIndex {
  /** The papers the index shows, each once, in part order. */
  readonly papers: readonly Paper[];
  private readonly parts: IndexPart[];
  private readonly scratch: Array<Scratch | undefined>;
  private readonly ordinal = new Map<Paper, number>();
  /** Per part, each paper's place in {@link papers} (the paper it is shown as), or -1 when hidden. */
  private partOrdinals: Int32Array[] = [];
  /** Per shown paper, the best match found by the running query (reused between queries). */
  private rankScratch: { matched: Uint8Array; score: Float32Array } | undefined;
  /** Lower-cased key → paper, for queries typed in any case. */
  private readonly byKey = new Map<string, Paper>();
  /** Key → paper: `Smith2020` and `smith2020` may be different papers in different files. */
  private readonly byExactKey = new Map<string, Paper>();
  private readonly byArxiv = new Map<string, Paper>();
  private readonly byDoi = new Map<string, Paper>();

  /** An index of `papers` built at once (one segment). */
  constructor(papers: readonly Paper[]) {
    this.parts = papers.length ? [{ segment: IndexSegment.build(papers), papers }] : [];
    this.scratch = this.parts.map(() => undefined);
    this.papers = runSteps(this.collectShown());
  }

  /** An index over parts whose segments are already built (restored from the cache, or built in a worker). */
  static fromParts(parts: readonly IndexPart[]): SearchIndex {
    return runSteps(SearchIndex.fromPartsSteps(parts));
  }

  /** `fromParts` as steps: it yields every few hundred papers, so a caller can spread the work out. */
  static *fromPartsSteps(parts: readonly IndexPart[]): Generator<void, SearchIndex, void> {
    const index = Object.create(SearchIndex.prototype) as SearchIndex;
    const self = index as unknown as { parts: IndexPart[]; scratch: Array<Scratch | undefined>; ordinal: Map<Paper, number>; byKey: Map<string, Paper>; byExactKey: Map<string, Paper>; byArxiv: Map<string, Paper>; byDoi: Map<string, Paper>; papers: readonly Paper[] };
    self.parts = parts.filter((p) => p.papers.length > 0);
    self.scratch = self.parts.map(() => undefined);
    self.ordinal = new Map();
    self.byKey = new Map();
    self.byExactKey = new Map();
    self.byArxiv = new Map();
    self.byDoi = new Map();
    self.papers = yield* index.collectShown();
    return index;
  }

  /**
   * Builds an index slice by slice, awaiting `pause()` between slices, so indexing thousands of
   * papers never holds the caller's thread for long (the extension host must stay responsive).
   */
  static async build(papers: readonly Paper[], pause: () => Promise<void>, sliceSize = 200): Promise<SearchIndex> {
    const builder = new SegmentBuilder();
    for (let i = 0; i < papers.length; i++) {
      builder.add(papers[i]);
      if ((i + 1) % sliceSize === 0) await pause();
    }
    return SearchIndex.fromParts([{ segment: builder.finish(), papers }]);
  }

  private *collectShown(): Generator<void, Paper[], void> {
    const shown: Paper[] = [];
    let steps = 0;
    this.partOrdinals = this.parts.map((part) => new Int32Array(part.papers.length).fill(-1));
    for (let p = 0; p < this.parts.length; p++) {
      const part = this.parts[p]!;
      const ordinals = this.partOrdinals[p]!;
      for (let i = 0; i < part.papers.length; i++) {
        if (++steps % STEP === 0) yield;
        const paper = part.shown ? part.shown[i] : part.papers[i];
        if (!paper) continue;
        const known = this.ordinal.get(paper);
        if (known !== undefined) {
          ordinals[i] = known;
          continue;
        }
        ordinals[i] = shown.length;
        this.ordinal.set(paper, shown.length);
        shown.push(paper);
        if (!this.byKey.has(paper.id.toLowerCase())) this.byKey.set(paper.id.toLowerCase(), paper);
        if (!this.byExactKey.has(paper.id)) this.byExactKey.set(paper.id, paper);
        if (paper.arxiv && !this.byArxiv.has(paper.arxiv.toLowerCase())) this.byArxiv.set(paper.arxiv.toLowerCase(), paper);
        if (paper.DOI) {
          const doi = normaliseDoi(paper.DOI);
          if (!this.byDoi.has(doi)) this.byDoi.set(doi, paper);
        }
      }
    }
    return shown;
  }

  /** Number of distinct words indexed (summed over segments). */
  get vocabularySize(): number {
    return this.parts.reduce((n, p) => n + p.segment.size, 0);
  }


  /** The paper with exactly this key, if any. */
  byId(key: string): Paper | undefined {
    return this.byExactKey.get(key);
  }

  /** The paper a query names exactly by key, arXiv id or DOI. */
  private exactMatch(query: string): { paper: Paper; kind: 'key' | 'arxiv' | 'doi' } | undefined {
    const trimmed = query.trim();
    const typed = trimmed.replace(/^@/, '');
    const byKey = this.byExactKey.get(typed) ?? this.byKey.get(typed.toLowerCase());
    if (byKey) return { paper: byKey, kind: 'key' };
    if (/^(?:10\.\d{4,9}\/\S+|https?:\/\/(?:dx\.)?doi\.org\/\S+|doi:\s*\S+)$/i.test(trimmed)) {
      const normal = normaliseDoi(trimmed);
      const doiHit = this.byDoi.get(normal);
      if (doiHit) return { paper: doiHit, kind: 'doi' };
      const arxivDoi = /^10\.48550\/arxiv\.(.+)$/i.exec(normal);
      const hit = arxivDoi ? this.byArxiv.get(arxivDoi[1].toLowerCase()) : undefined;
      if (hit) return { paper: hit, kind: 'arxiv' };
    }
    if (trimmed.length < 200 && /^(?:arxiv:\s*|https?:\/\/arxiv\.org\/(?:abs|pdf)\/)?[\w./-]+$/i.test(trimmed)) {
      const id = extractArxivId(trimmed);
      const hit = id ? this.byArxiv.get(id.toLowerCase()) : undefined;
      if (hit) return { paper: hit, kind: 'arxiv' };
    }
    return undefined;
  }

  /** Papers ranked for a query, best first, with the ranges each matched. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 50;
    const exact = this.exactMatch(query);
    const allTerms = [...new Set(tokens(query).map((t) => t.term))];
    const meaningful = allTerms.filter((t) => !QUERY_STOP_WORDS.has(t));
    const terms = (meaningful.length ? meaningful : allTerms).slice(0, 32);
    if (!terms.length && !exact) return [];

    const similarityMemo = terms.map(() => new Map<string, number>());
    const phrase = terms.length > 1 ? allTerms.join(' ') : '';
    const matchedWords = new Set<string>();
    // Candidates by their place in `papers`: a paper shown from several parts counts once, at its best.
    this.rankScratch ??= { matched: new Uint8Array(this.papers.length), score: new Float32Array(this.papers.length) };
    const rank = this.rankScratch;
    const candidates: number[] = [];

    this.parts.forEach((part, partIndex) => {
      const segment = part.segment;
      const ordinals = this.partOrdinals[partIndex]!;
      const scratch = this.scratchFor(partIndex);
      const { best, sum, matched } = scratch;
      const touchedAll: number[] = [];
      terms.forEach((term, t) => {
        const expansion = this.expand(segment, term, scratch.counts, similarityMemo[t]);
        const touched: number[] = [];
        expansion.termIds.forEach((termId, i) => {
          matchedWords.add(segment.term(termId));
          const similarity = expansion.similarity[i];
          segment.forEachPosting(termId, (paperIndex, fieldIndex) => {
            const value = similarity * FIELD_WEIGHT[fieldIndex];
            if (best[paperIndex] === 0) touched.push(paperIndex);
            if (best[paperIndex] < value) best[paperIndex] = value;
          });
        });
        for (const paperIndex of touched) {
          if (matched[paperIndex] === 0) touchedAll.push(paperIndex);
          matched[paperIndex]++;
          sum[paperIndex] += best[paperIndex];
          best[paperIndex] = 0;
        }
      });
      for (const paperIndex of touchedAll) {
        const ordinal = ordinals[paperIndex]!;
        const count = matched[paperIndex];
        let score = sum[paperIndex] / terms.length;
        matched[paperIndex] = 0;
        sum[paperIndex] = 0;
        if (ordinal < 0) continue;
        // A title holding the query as a phrase holds every word of it: only then is it looked at.
        if (phrase && count === terms.length && segment.titlePhrase(paperIndex).includes(phrase)) score = Math.min(1, score + 0.2);
        const known = rank.matched[ordinal]!;
        if (known === 0) candidates.push(ordinal);
        if (known < count || (known === count && rank.score[ordinal]! < score)) {
          rank.matched[ordinal] = count;
          rank.score[ordinal] = score;
        }
      }
    });

    const top = topCandidates(candidates, rank.matched, rank.score, exact ? limit + 1 : limit);
    let ranked = top.map((ordinal) => ({ paper: this.papers[ordinal]!, matched: rank.matched[ordinal]!, score: rank.score[ordinal]! }));
    for (const ordinal of candidates) {
      rank.matched[ordinal] = 0;
      rank.score[ordinal] = 0;
    }
    if (exact) ranked = [{ paper: exact.paper, matched: terms.length, score: 1 }, ...ranked.filter((r) => r.paper !== exact.paper)];

    return ranked.slice(0, limit).map(({ paper, matched, score }) => {
      const exactKind = exact?.paper === paper ? exact.kind : undefined;
      let matches: FieldMatch[] | undefined;
      const hit = {
        paper,
        score: exactKind ? 1 : Math.round(((matched - 1 + score) / Math.max(1, terms.length)) * 1000) / 1000,
        matchedTerms: matched,
        totalTerms: terms.length,
        // Ranges cost a scan of every field; computed when first read, so ranking stays cheap.
        get matches(): FieldMatch[] {
          matches ??= matchRanges(paper, matchedWords, exactKind);
          return matches;
        },
      } as SearchHit;
      if (exactKind) hit.exact = exactKind;
      return hit;
    });
  }

  private scratchFor(partIndex: number): Scratch {
    let scratch = this.scratch[partIndex];
    const segment = this.parts[partIndex].segment;
    if (!scratch) {
      scratch = {
        best: new Float32Array(segment.paperCount),
        sum: new Float32Array(segment.paperCount),
        matched: new Uint8Array(segment.paperCount),
        counts: new Uint16Array(segment.size),
      };
      this.scratch[partIndex] = scratch;
    }
    return scratch;
  }

  /** Vocabulary words of a segment similar to a query word. Short words match exactly or as a prefix only. */
  private expand(segment: IndexSegment, term: string, counts: Uint16Array, memo: Map<string, number>): Expansion {
    const result: Expansion = { termIds: [], similarity: [] };
    const exact = segment.termId(term);
    if (exact !== undefined) {
      result.termIds.push(exact);
      result.similarity.push(1);
    }
    const grams = trigrams(term);
    if (term.length < 3 || grams.length === 0) return result;
    // Shortlist: words sharing enough trigrams with the query word.
    const touched: number[] = [];
    for (const gram of grams) {
      const list = segment.termsWithTrigram(gram);
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const id = list[i];
        if (counts[id] === 0) touched.push(id);
        counts[id]++;
      }
    }
    const needed = term.length <= 4 ? grams.length : Math.max(2, Math.ceil(grams.length * 0.4));
    let candidates: number[] = [];
    for (const id of touched) {
      if (counts[id] >= needed && id !== exact && segment.term(id).length >= term.length * 0.7) candidates.push(id);
    }
    if (candidates.length > 200) {
      candidates.sort((a, b) => counts[b] - counts[a] || a - b);
      candidates = candidates.slice(0, 200);
    }
    for (const id of touched) counts[id] = 0;
    if (!candidates.length) return result;

    // Words already scored for this query word (in another segment) are not scored again.
    const fresh = candidates.filter((id) => !memo.has(segment.term(id)));
    if (fresh.length) {
      const words = fresh.map((id) => segment.term(id));
      const fuse = new Fuse(words, { includeScore: true, ignoreLocation: true, threshold: term.length <= 4 ? 0.15 : 0.34, isCaseSensitive: true });
      for (const word of words) memo.set(word, 0);
      for (const match of fuse.search(term)) {
        const word = match.item;
        const fuseSimilarity = 1 - (match.score ?? 1);
        // A query word found inside a longer word is worth less than the word itself.
        const shape = word.startsWith(term) ? 0.92 : word.includes(term) ? 0.8 : 0.9;
        const lengthRatio = Math.min(word.length, term.length) / Math.max(word.length, term.length);
        memo.set(word, fuseSimilarity * shape * (0.75 + 0.25 * lengthRatio));
      }
    }
    for (const id of candidates) {
      const similarity = memo.get(segment.term(id)) ?? 0;
      if (similarity > 0) {
        result.termIds.push(id);
        result.similarity.push(similarity);
      }
    }
    return result;
  }
}

function matchRanges(paper: Paper, words: ReadonlySet<string>, exactField?: 'key' | 'arxiv' | 'doi'): FieldMatch[] {
  const matches: FieldMatch[] = [];
  for (const field of FIELDS) {
    const text = searchFieldText(paper, field);
    if (!text) continue;
    let ranges: Span[];
    if (field === 'key' || field === 'arxiv') {
      ranges = words.has(text.toLowerCase()) || exactField === field ? [{ start: 0, end: text.length }] : [];
    } else {
      ranges = wordRanges(text, words);
    }
    if (ranges.length) matches.push({ field, ranges });
  }
  return matches;
}

/** Papers handled between two yields of a step generator. */
export const STEP = 256;

/** Runs a step generator to its end at once. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs a step generator, awaiting `pause()` whenever a slice has taken `sliceMs` (the longest slice goes to `stats`). */
export async function runStepsSliced<T>(steps: Generator<void, T, void>, pause: () => Promise<void>, sliceMs = 8, stats?: { longestSliceMs: number }): Promise<T> {
  let sliceStart = performance.now();
  const endSlice = (): void => {
    if (stats) stats.longestSliceMs = Math.max(stats.longestSliceMs, performance.now() - sliceStart);
  };
  for (;;) {
    const next = steps.next();
    if (next.done) {
      endSlice();
      return next.value;
    }
    if (performance.now() - sliceStart >= sliceMs) {
      endSlice();
      await pause();
      sliceStart = performance.now();
    }
  }
}

/**
 * The best `limit` candidates (more matched words first, then the higher score, then the earlier
 * paper), best first: a bounded heap, so ranking costs the candidates, not a sort of all of them.
 */
function topCandidates(candidates: readonly number[], matched: Uint8Array, score: Float32Array, limit: number): number[] {
  /** Whether candidate `a` ranks before candidate `b`. */
  const before = (a: number, b: number): boolean => matched[a]! > matched[b]! || (matched[a] === matched[b] && (score[a]! > score[b]! || (score[a] === score[b] && a < b)));
  if (candidates.length <= limit) return [...candidates].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  // A heap whose root is the worst of the best `limit` so far.
  const heap: number[] = [];
  const siftDown = (i: number): void => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && before(heap[worst]!, heap[left]!)) worst = left;
      if (right < heap.length && before(heap[worst]!, heap[right]!)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (const candidate of candidates) {
    if (heap.length < limit) {
      heap.push(candidate);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!before(heap[parent]!, heap[i]!)) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (before(candidate, heap[0]!)) {
      heap[0] = candidate;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

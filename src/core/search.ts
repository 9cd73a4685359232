import Fuse from 'fuse.js';
import { foldToAscii, extractArxivId, normaliseDoi } from './text';
import { displayName, Paper, paperVenue, paperYear, Span } from './types';

/** The fields a query is matched against. */
export type SearchField = 'title' | 'authors' | 'abstract' | 'key' | 'venue' | 'year' | 'arxiv';

const FIELDS: readonly SearchField[] = ['title', 'authors', 'abstract', 'key', 'venue', 'year', 'arxiv'];

/** How much a hit in each field counts: a title or author hit outranks an abstract hit. */
const FIELD_WEIGHT: Record<SearchField, number> = {
  title: 1, authors: 1, key: 0.95, arxiv: 1, venue: 0.6, year: 0.6, abstract: 0.5,
};

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

/** The text of a field as the index sees it (authors as "Given Family, Given Family"). */
export function searchFieldText(paper: Paper, field: SearchField): string {
  switch (field) {
    case 'title': return paper.title;
    case 'authors': return paper.author.map(displayName).join(', ');
    case 'abstract': return paper.abstract ?? '';
    case 'key': return paper.id;
    case 'venue': return paperVenue(paper) ?? '';
    case 'year': return String(paperYear(paper) ?? '');
    case 'arxiv': return paper.arxiv ?? '';
  }
}

/** Words a query may contain that say nothing about which paper is meant. */
const QUERY_STOP_WORDS = new Set([
  'a', 'an', 'the', 'of', 'on', 'in', 'for', 'to', 'and', 'or', 'with', 'from', 'by', 'at', 'as', 'is',
  'are', 'be', 'via', 'into', 'its', 'it', 'this', 'that', 'we', 'our', 'can', 'do', 'does', 'how', 'what',
]);

const NON_ASCII = /[^\x00-\x7f]/;
const TOKEN = /\d+(?:\.\d+)+|[\p{L}\p{N}]+/gu;

interface Token {
  term: string;
  start: number;
  end: number;
}

/** Words of a text with their offsets, folded to lower-case ASCII for matching. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const word = m[0];
    // NFD folding is the costly part of indexing; most words are ASCII already.
    const term = NON_ASCII.test(word) ? foldToAscii(word).toLowerCase() : word.toLowerCase();
    out.push({ term, start: m.index ?? 0, end: (m.index ?? 0) + m[0].length });
  }
  return out;
}

const ASCII_TOKEN = /\d+(?:\.\d+)+|[a-z0-9]+/g;

/**
 * Where the given (folded, lower-case) words occur in a text as whole words. ASCII text is
 * scanned once with a plain regex and only matches become objects, far cheaper than the
 * Unicode tokenizer; other text goes through the tokenizer so folded matches map back.
 */
function wordRanges(text: string, words: ReadonlySet<string>): Span[] {
  if (NON_ASCII.test(text)) return tokens(text).filter((t) => words.has(t.term)).map((t) => ({ start: t.start, end: t.end }));
  const lower = text.toLowerCase();
  const ranges: Span[] = [];
  ASCII_TOKEN.lastIndex = 0;
  for (let m = ASCII_TOKEN.exec(lower); m; m = ASCII_TOKEN.exec(lower)) {
    if (words.has(m[0])) ranges.push({ start: m.index, end: m.index + m[0].length });
  }
  return ranges;
}

/** The words of a text as the index stores them (like `tokens`, without offsets: indexing is hot). */
function indexTerms(text: string): string[] {
  const lower = text.toLowerCase();
  // Most text is ASCII: a plain regex is much cheaper than the Unicode one, cold and warm.
  if (!NON_ASCII.test(lower)) return lower.match(ASCII_TOKEN) ?? [];
  return (lower.match(TOKEN) ?? []).map((w) => (NON_ASCII.test(w) ? foldToAscii(w).toLowerCase() : w));
}

/**
 * Trigram codes of a word (with a start marker), each packed into one small integer so the
 * shortlist map is keyed by numbers. Two trigrams may share a code; that only adds a candidate,
 * which fuse.js then scores and drops.
 */
function trigrams(term: string): number[] {
  const codes: number[] = [];
  let a = 1;
  let b = term.charCodeAt(0) & 0x3ff;
  for (let i = 1; i < term.length; i++) {
    const c = term.charCodeAt(i) & 0x3ff;
    codes.push((a << 20) | (b << 10) | c);
    a = b;
    b = c;
  }
  return codes;
}

/** An index's word tables as plain data (JSON-safe). */
export interface IndexSnapshot {
  paperCount: number;
  vocabulary: string[];
  /** Per word: paper index × 8 + field index. */
  postings: number[][];
  titlePhrases: string[];
}

/** One query word's fuzzy expansion: vocabulary terms and how similar each is (0…1). */
interface Expansion {
  termIds: number[];
  similarity: number[];
}

export interface SearchOptions {
  limit?: number;
}

/*
 * Why not one fuse.js index over whole records: fuse scans every record's full text for every
 * query, so cost grows with library size × abstract length (tens of ms at 62 papers, seconds at
 * thousands). Here fuse.js does what it is good at — scoring a typo'd word against candidate
 * words — and an inverted index does the rest:
 *   1. Every distinct word of every field goes into one vocabulary, with postings: which papers
 *      have it in which field.
 *   2. A query word is expanded to vocabulary words: exact hit, else candidates sharing trigrams
 *      (cheap shortlist), scored by fuse.js (bitap, typo-tolerant, location ignored).
 *   3. A paper's score per query word is the best (similarity × field weight) over its postings;
 *      papers are ranked by how many query words they match, then by the mean of those scores,
 *      with a bonus when the title holds the query as a phrase.
 * Cost per query grows with the vocabulary's trigram postings and the matched postings, not with
 * the text of every paper.
 */
export class SearchIndex {
  readonly papers: readonly Paper[];
  private readonly vocabulary: string[] = [];
  private readonly termIds = new Map<string, number>();
  /** Per term: paper index × 8 + field index, one entry per paper and field. */
  private readonly postings: number[][] = [];
  /** Trigram shortlist for fuzzy expansion; built on first need (see `prepareFuzzy`). */
  private trigramIndex: Map<number, number[]> | undefined;
  /** Lower-cased key → paper, for queries typed in any case. */
  private readonly byKey = new Map<string, number>();
  /** Key → paper: `Smith2020` and `smith2020` may be different papers in different files. */
  private readonly byExactKey = new Map<string, number>();
  private readonly byArxiv = new Map<string, number>();
  private readonly byDoi = new Map<string, number>();
  private hitCounts = new Uint16Array(0);
  /** Each paper's title as its folded words joined by spaces, for the phrase bonus. */
  private readonly titlePhrases: string[] = [];

  /** Indexes `papers` at once; `SearchIndex.build` does the same in slices for large libraries. */
  constructor(papers: readonly Paper[], deferIndexing = false) {
    this.papers = papers;
    if (deferIndexing) return;
    for (let i = 0; i < papers.length; i++) this.addPaper(i);
    this.finishIndexing();
  }

  /**
   * Builds an index slice by slice, awaiting `pause()` between slices, so indexing thousands of
   * papers never holds the caller's thread for long (the extension host must stay responsive).
   */
  static async build(papers: readonly Paper[], pause: () => Promise<void>, sliceSize = 200): Promise<SearchIndex> {
    const index = new SearchIndex(papers, true);
    for (let i = 0; i < papers.length; i++) {
      index.addPaper(i);
      if ((i + 1) % sliceSize === 0) await pause();
    }
    index.finishIndexing();
    return index;
  }

  /** The index's word tables, to store and restore with `fromSnapshot` (for the same papers, same order). */
  snapshot(): IndexSnapshot {
    return { paperCount: this.papers.length, vocabulary: this.vocabulary, postings: this.postings, titlePhrases: this.titlePhrases };
  }

  /**
   * An index restored from a snapshot of the same papers: the bundled corpus is indexed at build
   * time, so activation skips tokenising every abstract. Undefined when the snapshot does not fit.
   */
  static fromSnapshot(papers: readonly Paper[], snapshot: IndexSnapshot): SearchIndex | undefined {
    if (snapshot.paperCount !== papers.length || snapshot.vocabulary.length !== snapshot.postings.length || snapshot.titlePhrases.length !== papers.length) return undefined;
    const index = new SearchIndex(papers, true);
    papers.forEach((paper, paperIndex) => index.addKeys(paper, paperIndex));
    index.vocabulary.push(...snapshot.vocabulary);
    index.postings.push(...snapshot.postings);
    index.titlePhrases.push(...snapshot.titlePhrases);
    index.vocabulary.forEach((term, id) => index.termIds.set(term, id));
    index.finishIndexing();
    return index;
  }

  private addKeys(paper: Paper, paperIndex: number): void {
    if (!this.byKey.has(paper.id.toLowerCase())) this.byKey.set(paper.id.toLowerCase(), paperIndex);
    this.byExactKey.set(paper.id, paperIndex);
    if (paper.arxiv) this.byArxiv.set(paper.arxiv.toLowerCase(), paperIndex);
    if (paper.DOI) this.byDoi.set(normaliseDoi(paper.DOI), paperIndex);
  }

  private addPaper(paperIndex: number): void {
    const paper = this.papers[paperIndex];
    this.titlePhrases.push(indexTerms(paper.title).join(' '));
    this.addKeys(paper, paperIndex);
    FIELDS.forEach((field, fieldIndex) => {
      const text = searchFieldText(paper, field);
      if (!text) return;
      const posting = paperIndex * 8 + fieldIndex;
      const words = field === 'key' || field === 'arxiv' ? [text.toLowerCase()] : indexTerms(text);
      for (const term of words) {
        const list = this.postings[this.termId(term)];
        // Papers and fields are indexed in order, so a repeat within this field is the last entry.
        if (list[list.length - 1] !== posting) list.push(posting);
      }
    });
  }

  private finishIndexing(): void {
    this.hitCounts = new Uint16Array(this.vocabulary.length);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.vocabulary.length;
      this.vocabulary.push(term);
      this.termIds.set(term, id);
      this.postings.push([]);
    }
    return id;
  }

  /**
   * Builds the trigram shortlist used for typo-tolerant matching. It is the costliest part of
   * indexing and not needed for exact, key or id look-ups, so the index is ready without it;
   * the first fuzzy query builds it, or a caller can build it ahead in idle time.
   */
  prepareFuzzy(): Map<number, number[]> {
    if (this.trigramIndex) return this.trigramIndex;
    const index = new Map<number, number[]>();
    this.vocabulary.forEach((term, id) => {
      for (const gram of trigrams(term)) {
        const list = index.get(gram);
        if (list) list.push(id);
        else index.set(gram, [id]);
      }
    });
    this.trigramIndex = index;
    return index;
  }

  /** Number of distinct words indexed. */
  get vocabularySize(): number {
    return this.vocabulary.length;
  }

  /** Vocabulary words similar to a query word. Short words match exactly or as a prefix only. */
  private expand(term: string): Expansion {
    const result: Expansion = { termIds: [], similarity: [] };
    const exact = this.termIds.get(term);
    if (exact !== undefined) {
      result.termIds.push(exact);
      result.similarity.push(1);
    }
    const grams = trigrams(term);
    if (term.length < 3 || grams.length === 0) return result;
    // Shortlist: words sharing enough trigrams with the query word.
    const touched: number[] = [];
    const counts = this.hitCounts;
    const trigramIndex = this.prepareFuzzy();
    for (const gram of grams) {
      const list = trigramIndex.get(gram);
      if (!list) continue;
      for (const id of list) {
        if (counts[id] === 0) touched.push(id);
        counts[id]++;
      }
    }
    const needed = term.length <= 4 ? grams.length : Math.max(2, Math.ceil(grams.length * 0.4));
    let candidates: number[] = [];
    for (const id of touched) {
      if (counts[id] >= needed && id !== exact && this.vocabulary[id].length >= term.length * 0.7) candidates.push(id);
    }
    if (candidates.length > 300) {
      candidates.sort((a, b) => counts[b] - counts[a]);
      candidates = candidates.slice(0, 300);
    }
    for (const id of touched) counts[id] = 0;
    if (!candidates.length) return result;
    const words = candidates.map((id) => this.vocabulary[id]);
    const fuse = new Fuse(words, { includeScore: true, ignoreLocation: true, threshold: term.length <= 4 ? 0.15 : 0.34, isCaseSensitive: true });
    for (const match of fuse.search(term)) {
      const word = match.item;
      const fuseSimilarity = 1 - (match.score ?? 1);
      // A query word found inside a longer word is worth less than the word itself.
      const shape = word.startsWith(term) ? 0.92 : word.includes(term) ? 0.8 : 0.9;
      const lengthRatio = Math.min(word.length, term.length) / Math.max(word.length, term.length);
      result.termIds.push(candidates[match.refIndex]);
      result.similarity.push(fuseSimilarity * shape * (0.75 + 0.25 * lengthRatio));
    }
    return result;
  }

  /** The paper a query names exactly by key, arXiv id or DOI. */
  private exactMatch(query: string): { index: number; kind: 'key' | 'arxiv' | 'doi' } | undefined {
    const trimmed = query.trim();
    const typed = trimmed.replace(/^@/, '');
    const byKey = this.byExactKey.get(typed) ?? this.byKey.get(typed.toLowerCase());
    if (byKey !== undefined) return { index: byKey, kind: 'key' };
    if (/^(?:10\.\d{4,9}\/\S+|https?:\/\/(?:dx\.)?doi\.org\/\S+|doi:\s*\S+)$/i.test(trimmed)) {
      const doiHit = this.byDoi.get(normaliseDoi(trimmed));
      if (doiHit !== undefined) return { index: doiHit, kind: 'doi' };
      const arxivDoi = /^10\.48550\/arxiv\.(.+)$/i.exec(normaliseDoi(trimmed));
      if (arxivDoi) {
        const hit = this.byArxiv.get(arxivDoi[1].toLowerCase());
        if (hit !== undefined) return { index: hit, kind: 'arxiv' };
      }
    }
    if (/^(?:arxiv:\s*|https?:\/\/arxiv\.org\/(?:abs|pdf)\/)?[\w./-]+?(?:v\d+)?(?:\.pdf)?$/i.test(trimmed)) {
      const id = extractArxivId(trimmed);
      const hit = id ? this.byArxiv.get(id.toLowerCase()) : undefined;
      if (hit !== undefined) return { index: hit, kind: 'arxiv' };
    }
    return undefined;
  }

  /** Papers ranked for a query, best first, with the ranges each matched. */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 50;
    const exact = this.exactMatch(query);
    const allTerms = [...new Set(tokens(query).map((t) => t.term))];
    const meaningful = allTerms.filter((t) => !QUERY_STOP_WORDS.has(t));
    const terms = meaningful.length ? meaningful : allTerms;
    if (!terms.length && !exact) return [];

    const expansions = terms.map((term) => this.expand(term));
    // best[t][paper]: best weighted similarity of query word t in that paper.
    const best = expansions.map(() => new Map<number, number>());
    expansions.forEach((expansion, t) => {
      const bestForTerm = best[t];
      expansion.termIds.forEach((termId, i) => {
        const similarity = expansion.similarity[i];
        for (const posting of this.postings[termId]) {
          const paperIndex = posting >> 3;
          const value = similarity * FIELD_WEIGHT[FIELDS[posting & 7]];
          if ((bestForTerm.get(paperIndex) ?? 0) < value) bestForTerm.set(paperIndex, value);
        }
      });
    });
    const totals = new Map<number, { matched: number; sum: number }>();
    for (const bestForTerm of best) {
      for (const [paperIndex, value] of bestForTerm) {
        const total = totals.get(paperIndex);
        if (total) { total.matched++; total.sum += value; } else totals.set(paperIndex, { matched: 1, sum: value });
      }
    }
    const phrase = terms.length > 1 ? allTerms.join(' ') : '';
    let ranked = [...totals.entries()].map(([paperIndex, { matched, sum }]) => {
      let score = sum / terms.length;
      if (phrase && this.titlePhrases[paperIndex].includes(phrase)) score = Math.min(1, score + 0.2);
      return { paperIndex, matched, score };
    });
    ranked.sort((a, b) => b.matched - a.matched || b.score - a.score || a.paperIndex - b.paperIndex);
    if (exact) ranked = [{ paperIndex: exact.index, matched: terms.length, score: 1 }, ...ranked.filter((r) => r.paperIndex !== exact.index)];

    const matchedWords = new Set<string>();
    expansions.forEach((e) => e.termIds.forEach((id) => matchedWords.add(this.vocabulary[id])));
    return ranked.slice(0, limit).map(({ paperIndex, matched, score }) => {
      const paper = this.papers[paperIndex];
      const exactKind = exact?.index === paperIndex ? exact.kind : undefined;
      let matches: FieldMatch[] | undefined;
      const computeMatches = () => this.matchRanges(paper, matchedWords, exactKind);
      const hit = {
        paper,
        score: exactKind ? 1 : Math.round(((matched - 1 + score) / Math.max(1, terms.length)) * 1000) / 1000,
        matchedTerms: matched,
        totalTerms: terms.length,
        // Ranges cost a scan of every field; computed when first read, so ranking stays cheap.
        get matches(): FieldMatch[] {
          matches ??= computeMatches();
          return matches;
        },
      } as SearchHit;
      if (exactKind) hit.exact = exactKind;
      return hit;
    });
  }

  private matchRanges(paper: Paper, words: ReadonlySet<string>, exactField?: 'key' | 'arxiv' | 'doi'): FieldMatch[] {
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

  /** The paper with exactly this key, if any. */
  byId(key: string): Paper | undefined {
    const index = this.byExactKey.get(key);
    return index === undefined ? undefined : this.papers[index];
  }
}

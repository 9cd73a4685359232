/**
 * Several services' result lists and the local library made into one ranked list without
 * duplicates. The same work is recognised by DOI, by arXiv id (an arXiv DataCite DOI counts as
 * the id), and otherwise by normalised title + first author's family name + year within one (a
 * preprint and its venue version are often a year apart). A merged record keeps the best of each
 * field; a work the library has is returned as the library's paper, under its key.
 *
 * Ranking is reciprocal-rank fusion: a work scores Σ 1 / (RANK_CONSTANT + rank) over the services
 * that found it (rank 1 = a service's first result), so agreement between services lifts a work
 * above any single service's top hit only when it also ranks well in each (two services at rank 10
 * ≈ one service at rank 1). Ties go to more services, then the best single rank, then first seen.
 */
import { assignKeys, DEFAULT_KEY_TEMPLATE, uniqueKey } from '../citekey';
import { arxivIdFromDoi, arxivMatchKey, isArxivDoi, normaliseDoi } from '../identity';
import { foldToAscii, normaliseTitle } from '../text';
import { type Paper, paperYear } from '../types';
import { ONLINE_SOURCES, type OnlineSourceId, type SourceOutcome } from './types';

/** The damping of reciprocal-rank fusion: higher flattens the difference between ranks. */
export const RANK_CONSTANT = 10;

/** One service's results for a query, best first. */
export interface SourceList {
  source: OnlineSourceId;
  papers: readonly Paper[];
}

/** One work of the merged list. */
export interface MergedWork {
  /** What to show and cite: the library's paper when `local`, else the merged online record. */
  paper: Paper;
  /** The library already has this work; `paper` is the library's, with its key. */
  local: boolean;
  /** The online records merged into one (the same object as `paper` when not `local`). */
  online: Paper;
  /** The services that found it, in the order their lists were given. */
  sources: OnlineSourceId[];
  /** Each service's 1-based rank for it. */
  ranks: Partial<Record<OnlineSourceId, number>>;
  /** Its reciprocal-rank-fusion score (higher is better). */
  score: number;
}

/** Finds the library's paper for a work, if it has one. */
export type LocalLookup = (paper: Paper) => Paper | undefined;

/** What a paper is recognised by. */
interface Identity {
  /** Normalised DOIs of published versions (arXiv DataCite DOIs count as `arxiv`). */
  doi?: string;
  arxiv?: string;
  /** Normalised title + first author's folded family name, or undefined when either is missing. */
  titleAuthor?: string;
  year?: number;
}

function identityOf(paper: Paper): Identity {
  const identity: Identity = {};
  if (paper.DOI) {
    if (isArxivDoi(paper.DOI)) {
      const fromDoi = arxivIdFromDoi(paper.DOI);
      if (fromDoi) identity.arxiv = arxivMatchKey(fromDoi);
    } else {
      identity.doi = normaliseDoi(paper.DOI);
    }
  }
  if (paper.arxiv) identity.arxiv = arxivMatchKey(paper.arxiv) ?? identity.arxiv;
  const title = normaliseTitle(paper.title);
  const first = paper.author[0];
  const family = first ? foldToAscii(first.family ?? first.literal ?? first.given ?? '').toLowerCase().replace(/[^a-z\d]/g, '') : '';
  if (title && family) identity.titleAuthor = `${title}\u0000${family}`;
  identity.year = paperYear(paper);
  return identity;
}

/** Years within one of each other, or unknown on either side. */
function yearsCompatible(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || Math.abs(a - b) <= 1;
}

/** Whether two papers are the same work by the rules above. */
export function sameWork(a: Paper, b: Paper): boolean {
  const x = identityOf(a);
  const y = identityOf(b);
  if (x.doi && x.doi === y.doi) return true;
  if (x.arxiv && x.arxiv === y.arxiv) return true;
  return fuzzyMatch(x, y);
}

/** Title + author + year agree, and no identifier says they differ. */
function fuzzyMatch(x: Identity, y: Identity): boolean {
  if (!x.titleAuthor || x.titleAuthor !== y.titleAuthor || !yearsCompatible(x.year, y.year)) return false;
  if (x.doi && y.doi && x.doi !== y.doi) return false;
  return !(x.arxiv && y.arxiv && x.arxiv !== y.arxiv);
}

/**
 * A lookup into the library by the same rules: built once (linear in the library), then each
 * question costs a few map reads. Earlier papers win when the library itself has duplicates.
 */
export function localLookup(papers: readonly Paper[]): LocalLookup {
  const byDoi = new Map<string, Paper>();
  const byArxiv = new Map<string, Paper>();
  const byTitleAuthor = new Map<string, { paper: Paper; identity: Identity }[]>();
  for (const paper of papers) {
    const identity = identityOf(paper);
    if (identity.doi && !byDoi.has(identity.doi)) byDoi.set(identity.doi, paper);
    if (identity.arxiv && !byArxiv.has(identity.arxiv)) byArxiv.set(identity.arxiv, paper);
    if (identity.titleAuthor) {
      const bucket = byTitleAuthor.get(identity.titleAuthor);
      if (bucket) bucket.push({ paper, identity });
      else byTitleAuthor.set(identity.titleAuthor, [{ paper, identity }]);
    }
  }
  return (probe) => {
    const identity = identityOf(probe);
    const exact = (identity.doi ? byDoi.get(identity.doi) : undefined) ?? (identity.arxiv ? byArxiv.get(identity.arxiv) : undefined);
    if (exact) return exact;
    const bucket = identity.titleAuthor ? byTitleAuthor.get(identity.titleAuthor) : undefined;
    return bucket?.find((entry) => fuzzyMatch(identity, entry.identity))?.paper;
  };
}

interface Item {
  paper: Paper;
  source: OnlineSourceId;
  rank: number;
  identity: Identity;
}

/** Groups of items that are one work: union-find over exact identifiers, then title + author + year. */
function groupItems(items: readonly Item[]): number[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root];
    while (parent[i] !== root) [i, parent[i]] = [parent[i], root];
    return root;
  };
  // Identifiers each group has, to refuse a title match two different DOIs or arXiv ids contradict.
  const dois = items.map((item) => new Set(item.identity.doi ? [item.identity.doi] : []));
  const arxivs = items.map((item) => new Set(item.identity.arxiv ? [item.identity.arxiv] : []));
  const union = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)].sort((x, y) => x - y);
    if (ra === rb) return;
    parent[rb] = ra;
    for (const doi of dois[rb]) dois[ra].add(doi);
    for (const id of arxivs[rb]) arxivs[ra].add(id);
  };
  const disjoint = (a: Set<string>, b: Set<string>): boolean => a.size > 0 && b.size > 0 && ![...a].some((x) => b.has(x));

  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    for (const key of [item.identity.doi && `doi:${item.identity.doi}`, item.identity.arxiv && `arxiv:${item.identity.arxiv}`]) {
      if (!key) continue;
      const other = seen.get(key);
      if (other === undefined) seen.set(key, i);
      else union(other, i);
    }
  });
  const buckets = new Map<string, number[]>();
  items.forEach((item, i) => {
    if (!item.identity.titleAuthor) return;
    const bucket = buckets.get(item.identity.titleAuthor);
    if (bucket) bucket.push(i);
    else buckets.set(item.identity.titleAuthor, [i]);
  });
  for (const bucket of buckets.values()) {
    for (let j = 1; j < bucket.length; j++) {
      for (let k = 0; k < j; k++) {
        const [a, b] = [bucket[k], bucket[j]];
        const [ra, rb] = [find(a), find(b)];
        if (ra === rb || !yearsCompatible(items[a].identity.year, items[b].identity.year)) continue;
        if (disjoint(dois[ra], dois[rb]) || disjoint(arxivs[ra], arxivs[rb])) continue;
        union(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(i);
    else groups.set(root, [i]);
  });
  return [...groups.values()];
}

/**
 * The services' lists as one ranked list of distinct works, each merged from every record of it
 * and, when `local` finds it in the library, returned as the library's paper. `limit` cuts the
 * ranked list.
 */
export function mergeWorks(lists: readonly SourceList[], options: { local?: LocalLookup; limit?: number } = {}): MergedWork[] {
  const items: Item[] = [];
  for (const list of lists) {
    list.papers.forEach((paper, index) => items.push({ paper, source: list.source, rank: index + 1, identity: identityOf(paper) }));
  }
  const works: (MergedWork & { firstSeen: number; bestRank: number })[] = [];
  const byLocal = new Map<Paper, number>();
  for (const group of groupItems(items)) {
    const members = group.map((i) => items[i]);
    const ranks: Partial<Record<OnlineSourceId, number>> = {};
    for (const { source, rank } of members) ranks[source] = Math.min(ranks[source] ?? rank, rank);
    const online = mergeRecords(members.map((m) => m.paper));
    const local = options.local ? members.map((m) => options.local?.(m.paper)).find(Boolean) ?? options.local(online) : undefined;
    const firstSeen = Math.min(...group);
    const existing = local ? byLocal.get(local) : undefined;
    if (existing !== undefined) {
      // Two groups the library says are one work (a preprint and its renamed venue version).
      const work = works[existing];
      for (const [source, rank] of Object.entries(ranks) as [OnlineSourceId, number][]) work.ranks[source] = Math.min(work.ranks[source] ?? rank, rank);
      work.online = mergeRecords([work.online, online]);
      work.firstSeen = Math.min(work.firstSeen, firstSeen);
      continue;
    }
    if (local) byLocal.set(local, works.length);
    works.push({ paper: local ?? online, local: local !== undefined, online, sources: [], ranks, score: 0, firstSeen, bestRank: 0 });
  }
  const order = lists.map((list) => list.source);
  for (const work of works) {
    const entries = Object.entries(work.ranks) as [OnlineSourceId, number][];
    work.sources = order.filter((source, i) => work.ranks[source] !== undefined && order.indexOf(source) === i);
    work.score = entries.reduce((sum, [, rank]) => sum + 1 / (RANK_CONSTANT + rank), 0);
    work.bestRank = Math.min(...entries.map(([, rank]) => rank));
    if (!work.local) work.paper = work.online;
  }
  works.sort((a, b) => b.score - a.score || b.sources.length - a.sources.length || a.bestRank - b.bestRank || a.firstSeen - b.firstSeen);
  const ranked = works.map(({ firstSeen: _firstSeen, bestRank: _bestRank, ...work }) => work);
  return options.limit === undefined ? ranked : ranked.slice(0, options.limit);
}

/**
 * The papers of every outcome that has some, merged. Lists are taken in the fixed source order
 * (`ONLINE_SOURCES`), not the order they arrived in, so equal ranks break ties the same way every
 * time; a UI that streams calls this again as each outcome arrives.
 */
export function mergeOutcomes(outcomes: readonly SourceOutcome[], options: { local?: LocalLookup; limit?: number } = {}): MergedWork[] {
  const lists = outcomes
    .flatMap((o) => (o.status === 'ok' ? [{ source: o.source, papers: o.papers }] : []))
    .sort((a, b) => ONLINE_SOURCES.indexOf(a.source) - ONLINE_SOURCES.indexOf(b.source));
  return mergeWorks(lists, options);
}

/** How much a record looks like the published version: a real DOI, a venue, a non-preprint type; then the service's authority. */
const AUTHORITY: Readonly<Record<string, number>> = { crossref: 0.3, doi: 0.3, openalex: 0.2, semanticscholar: 0.1, arxiv: 0 };
/** Whose abstract to prefer: the authors' own on arXiv, then the publisher's, then the indexes'. */
const ABSTRACT_ORDER = ['arxiv', 'crossref', 'doi', 'semanticscholar', 'openalex'];
/** Bibliographic fields that belong to the published version. */
const VENUE_FIELDS = ['container-title', 'container-title-short', 'event', 'volume', 'issue', 'page', 'publisher', 'ISSN'] as const;

function publishedScore(paper: Paper): number {
  const source = paper.sources?.[0] ?? '';
  return (paper.DOI && !isArxivDoi(paper.DOI) ? 4 : 0)
    + (paper['container-title'] || paper.event ? 2 : 0)
    + (paper.type !== 'article' ? 1 : 0)
    + (Object.hasOwn(AUTHORITY, source) ? AUTHORITY[source] : 0);
}

/**
 * Records of one work merged, best of each field: bibliographic fields (title, authors, date,
 * venue, DOI) from the record most like the published version, the abstract from whichever has
 * one (the authors' own first), the arXiv id from the preprint, every source listed.
 */
export function mergeRecords(records: readonly Paper[]): Paper {
  if (records.length === 1) return records[0];
  const base = records.reduce((best, record) => (publishedScore(record) > publishedScore(best) ? record : best));
  const merged: Paper = { ...base, id: '', origin: 'online' };
  const others = records.filter((r) => r !== base);
  const published = others.filter((r) => publishedScore(r) >= 2);

  if (!merged.author.length || (merged.authorEtAl && others.some((r) => r.author.length > merged.author.length))) {
    const fullest = records.reduce((best, r) => (r.author.length > best.author.length ? r : best));
    merged.author = fullest.author;
    merged.authorEtAl = fullest.authorEtAl;
    if (!merged.authorEtAl) delete merged.authorEtAl;
  }
  const ranked = [...records].sort((a, b) => sourceOrder(a, ABSTRACT_ORDER) - sourceOrder(b, ABSTRACT_ORDER));
  const abstract = ranked.find((r) => r.abstract)?.abstract;
  if (abstract) merged.abstract = abstract;
  const realDoi = records.find((r) => r === base && r.DOI && !isArxivDoi(r.DOI)) ?? records.find((r) => r.DOI && !isArxivDoi(r.DOI));
  const anyDoi = realDoi ?? records.find((r) => r.DOI);
  if (anyDoi?.DOI) merged.DOI = anyDoi.DOI;
  const preprint = records.find((r) => r.sources?.[0] === 'arxiv' && r.arxiv) ?? records.find((r) => r.arxiv);
  if (preprint?.arxiv) merged.arxiv = preprint.arxiv;
  const arxivClass = records.find((r) => r.arxivClass)?.arxivClass;
  if (arxivClass) merged.arxivClass = arxivClass;
  merged.issued ??= records.find((r) => r.issued)?.issued;
  if (!merged.issued) delete merged.issued;
  // Venue details come from published records; an arXiv journal reference only when none has one.
  for (const fieldName of VENUE_FIELDS) {
    if (merged[fieldName]) continue;
    const value = (published.find((r) => r[fieldName]) ?? others.find((r) => r[fieldName]))?.[fieldName];
    if (value) merged[fieldName] = value;
  }
  if (merged.type === 'article' && merged['container-title']) merged.type = published.find((r) => r.type !== 'article')?.type ?? merged.type;
  merged.URL ??= records.find((r) => r.URL)?.URL;
  if (!merged.URL) delete merged.URL;
  const citedBy = Math.max(-1, ...records.map((r) => r.extra?.citedBy ?? -1));
  if (citedBy >= 0) merged.extra = { ...merged.extra, citedBy };
  const sources: string[] = [];
  for (const record of records) for (const source of record.sources ?? []) if (!sources.includes(source)) sources.push(source);
  merged.sources = sources;
  return merged;
}

function sourceOrder(paper: Paper, order: readonly string[]): number {
  const at = order.indexOf(paper.sources?.[0] ?? '');
  return at < 0 ? order.length : at;
}

/** A key for an online paper from the key template, unique against the keys already taken (the .bib's and the library's). */
export function keyForOnlinePaper(paper: Paper, taken: ReadonlySet<string>, template: string = DEFAULT_KEY_TEMPLATE): string {
  return uniqueKey(paper, taken, template);
}

/**
 * The key each work of a merged list would be cited by: a library paper's own key, and for online
 * works keys from the template, distinct from each other and from `taken`.
 */
export function keysForWorks(works: readonly MergedWork[], taken: ReadonlySet<string>, template: string = DEFAULT_KEY_TEMPLATE): string[] {
  const used = new Set(taken);
  for (const work of works) if (work.local) used.add(work.paper.id);
  const online = works.filter((w) => !w.local);
  const onlineKeys = assignKeys(online.map((w) => w.paper), template, used);
  let next = 0;
  return works.map((work) => (work.local ? work.paper.id : onlineKeys[next++]));
}

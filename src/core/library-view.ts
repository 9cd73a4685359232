/**
 * The library as the user sees it: every source (their files, Zotero, papers fetched online, the
 * bundled corpus) merged into one list and one index, by these rules:
 * - An entry of a user file is never merged away: every key a file defines stays citable. Two
 *   entries of user files that look like the same work (same DOI or arXiv id) both stay, and the
 *   later one gets an information-level problem; two files using one key: the first file wins
 *   and the second gets a warning at its line.
 * - A generated record (bundled, fetched, Zotero) is shown as the user's entry for the same work,
 *   matched on strong identity only (DOI or arXiv id), and fills in what the entry lacks
 *   (abstract, ids, links). Its words still find the entry.
 * - A generated record whose key a different paper has gets a fresh key.
 * - `crossref` across files is resolved here (within a file the reader did it).
 */
import { uniqueKey } from './citekey';
import { resolveCrossReferences } from './bibtex/database';
import { problem } from './problems';
import { IndexPart, runSteps, SearchIndex, STEP } from './search';
import { IndexSegment } from './search/segment';
import type { BibDelta } from './bibtex/incremental';
import { normaliseDoi } from './text';
import type { Paper, Problem } from './types';

/** What kind of source: user files are never merged away; the rest yields to them. */
export type SourceKind = 'file' | 'zotero' | 'fetched' | 'bundled';

/** Papers of one source with their index segment; an edit adds a part and hides what it replaced. */
export interface SourcePart {
  papers: readonly Paper[];
  segment: IndexSegment;
  /** Local indexes of papers an edit replaced or removed. */
  removed?: ReadonlySet<number>;
}

export interface ViewSource {
  /** `bundled`, a file's URI, `fetched`, `zotero:…`. */
  id: string;
  kind: SourceKind;
  parts: readonly SourcePart[];
  /** `@xdata` entries of a file, for cross-file resolution. */
  xdata?: readonly Paper[];
}

/** The merged library. */
export interface LibraryView {
  index: SearchIndex;
  /** Every paper shown, each once, in source priority order. */
  papers: readonly Paper[];
  /** Problems found across sources, by source id (cross-file keys, duplicates, missing parents). */
  problems: Map<string, Problem[]>;
  /** Generated records shown as a user entry of the same work. */
  mergedCount: number;
}

/** Fields a generated duplicate may fill in on the entry it is shown as (never its key or origin). */
const FILLABLE: readonly (keyof Paper)[] = ['abstract', 'arxiv', 'DOI', 'URL', 'code', 'container-title', 'event', 'issued', 'publisher', 'volume', 'issue', 'page', 'titleRich'];

/** Merges sources given in priority order (user files first, the bundled corpus last). */
export function buildLibraryView(sources: readonly ViewSource[], keyTemplate?: string): LibraryView {
  return runSteps(libraryViewSteps(sources, keyTemplate));
}

/**
 * The view built in steps that spread the work over slices of the caller's thread (a library of
 * 50,000 papers takes longer than an editor may stall): `runStepsSliced(libraryViewSteps(…), pause)`.
 */
export function* libraryViewSteps(sources: readonly ViewSource[], keyTemplate?: string): Generator<void, LibraryView, void> {
  const problems = new Map<string, Problem[]>();
  const report = (sourceId: string, found: Problem): void => {
    const list = problems.get(sourceId);
    if (list) list.push(found);
    else problems.set(sourceId, [found]);
  };

  // Cross-file cross-references: only children whose parent is in another file need this.
  const fileSources = sources.filter((s) => s.kind === 'file');
  const crossFile = resolveCrossFile(fileSources, report);

  const keyOwner = new Map<string, { paper: Paper; source: ViewSource }>();
  const takenKeys = new Set<string>();
  const byArxiv = new Map<string, Paper>();
  const byDoi = new Map<string, Paper>();
  /** A shown paper → its filled copy, when a duplicate filled it. */
  const filled = new Map<Paper, Paper>();
  const indexParts: IndexPart[] = [];
  const shownPapers: Paper[] = [];
  let mergedCount = 0;

  let steps = 0;
  for (const source of sources) {
    const user = source.kind === 'file';
    for (const part of source.parts) {
      const shown: Array<Paper | undefined> = new Array(part.papers.length);
      for (let i = 0; i < part.papers.length; i++) {
        if (++steps % STEP === 0) yield;
        if (part.removed?.has(i)) continue;
        let paper = crossFile.get(part.papers[i]) ?? part.papers[i];
        const doi = paper.DOI ? normaliseDoi(paper.DOI) : undefined;
        const arxiv = paper.arxiv?.toLowerCase();
        const twin = (arxiv && byArxiv.get(arxiv)) || (doi && byDoi.get(doi)) || undefined;
        if (twin && !user) {
          // A generated record of a work the library has: shown as that paper, filling its gaps.
          const target = filled.get(twin) ?? twin;
          const fill = fillMissing(target, paper);
          if (fill !== target) filled.set(twin, fill);
          shown[i] = twin;
          mergedCount++;
          continue;
        }
        if (twin && user && twin.source !== undefined) {
          report(source.id, problem('duplicate-entry', paper.sourceLine, { key: paper.id, otherKey: twin.id, otherLine: twin.sourceLine, reason: arxiv && byArxiv.get(arxiv) === twin ? 'arXiv id' : 'DOI' }));
        }
        const owner = keyOwner.get(paper.id);
        if (owner) {
          if (user || source.kind === 'zotero') {
            // A key is what documents cite: the first source's paper keeps it.
            if (user) report(source.id, problem('duplicate-key-across-files', paper.sourceLine, { key: paper.id, otherFile: owner.paper.source, firstLine: owner.paper.sourceLine }));
            shown[i] = undefined;
            continue;
          }
          paper = { ...paper, id: uniqueKey(paper, takenKeys, keyTemplate) };
        }
        keyOwner.set(paper.id, { paper, source });
        takenKeys.add(paper.id);
        if (arxiv && !byArxiv.has(arxiv)) byArxiv.set(arxiv, paper);
        if (doi && !byDoi.has(doi)) byDoi.set(doi, paper);
        shown[i] = paper;
        shownPapers.push(paper);
      }
      indexParts.push({ segment: part.segment, papers: part.papers, shown });
    }
  }

  // Filled copies replace the papers they fill, wherever those are shown.
  if (filled.size) {
    for (const part of indexParts) {
      const shown = part.shown as Array<Paper | undefined>;
      for (let i = 0; i < shown.length; i++) {
        const paper = shown[i];
        const copy = paper && filled.get(paper);
        if (copy) shown[i] = copy;
      }
    }
    for (let i = 0; i < shownPapers.length; i++) shownPapers[i] = filled.get(shownPapers[i]) ?? shownPapers[i];
  }
  const index = yield* SearchIndex.fromPartsSteps(indexParts);
  return { index, papers: index.papers, problems, mergedCount };
}

/** The paper with the fields it lacks taken from a duplicate (itself when nothing was missing). */
function fillMissing(kept: Paper, duplicate: Paper): Paper {
  let out: Paper | undefined;
  for (const field of FILLABLE) {
    if (kept[field] === undefined && duplicate[field] !== undefined) {
      out ??= { ...kept };
      (out as unknown as Record<string, unknown>)[field] = duplicate[field];
    }
  }
  if (!kept.author.length && duplicate.author.length) out = { ...(out ?? kept), author: duplicate.author };
  return out ?? kept;
}

/**
 * Children whose `crossref`/`xdata` parent is in another file, resolved (the reader resolved the
 * rest). Missing parents are reported on the child's file.
 */
function resolveCrossFile(files: readonly ViewSource[], report: (sourceId: string, found: Problem) => void): Map<Paper, Paper> {
  const out = new Map<Paper, Paper>();
  // Readers resolved what each file could itself: without a child left for the library, nothing to do.
  let any = false;
  for (const source of files) {
    for (const part of source.parts) {
      for (const paper of part.papers) {
        if (paper.parentElsewhere) {
          any = true;
          break;
        }
      }
    }
  }
  if (!any) return out;
  const needing: Array<{ source: ViewSource; papers: Paper[] }> = [];
  const all = files.map((source) => {
    const papers: Paper[] = [];
    for (const part of source.parts) part.papers.forEach((p, i) => {
      if (!part.removed?.has(i)) papers.push(p);
    });
    needing.push({ source, papers });
    return { papers, xdata: source.xdata };
  });
  const resolved = resolveCrossReferences(all);
  needing.forEach(({ source, papers }, s) => {
    papers.forEach((paper, i) => {
      const result = resolved.papers[s][i];
      if (result !== paper) out.set(paper, result);
    });
    // Cycles were reported when the file was read; what only the whole library can tell is a parent that is nowhere.
    for (const found of resolved.problems[s]) if (found.code !== 'crossref-cycle') report(source.id, found);
  });
  return out;
}

/**
 * A file's parts after an edit read on its own (core/bibtex/incremental.ts): the entries the edit
 * replaced are hidden, the ones it read join as a small part with its own segment, and entries
 * after the edit move. Costs the edit, not the file.
 */
export function applyBibDelta(parts: readonly SourcePart[], delta: BibDelta): SourcePart[] {
  const removedKeys = new Set(delta.removed);
  const moves = delta.shift.by !== 0 || delta.shift.lines !== 0;
  const next: SourcePart[] = parts.map((part) => {
    let removed: Set<number> | undefined;
    for (let i = 0; i < part.papers.length; i++) {
      if (part.removed?.has(i)) continue;
      const paper = part.papers[i]!;
      if (removedKeys.has(paper.id)) {
        removed ??= new Set(part.removed ?? []);
        removed.add(i);
      } else if (moves && paper.sourceSpan && paper.sourceSpan.start >= delta.shift.from) {
        moveEntry(paper, delta.shift.by, delta.shift.lines);
      }
    }
    return removed ? { ...part, removed } : part;
  });
  if (delta.added.length) next.push({ papers: delta.added, segment: IndexSegment.build(delta.added) });
  return next;
}

/** Moves an entry's recorded place in its file (the paper objects are the library's own). */
function moveEntry(paper: Paper, by: number, lines: number): void {
  const span = paper.sourceSpan!;
  paper.sourceSpan = { start: span.start + by, end: span.end + by };
  if (paper.sourceLine !== undefined) paper.sourceLine += lines;
}

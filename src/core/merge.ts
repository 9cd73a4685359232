import { uniqueKey } from './citekey';
import { normaliseDoi, normaliseTitle } from './text';
import { Paper, paperYear } from './types';

/** A paper left out of the merged library because another source has it. */
export interface Duplicate {
  dropped: Paper;
  kept: Paper;
  /** `key`: a later user file uses the same key for a different paper (user keys are never renamed). */
  reason: 'arxiv' | 'doi' | 'title' | 'key';
}

/** The identities a paper is recognised by across sources. */
function identities(paper: Paper): [Duplicate['reason'], string][] {
  const ids: [Duplicate['reason'], string][] = [];
  if (paper.arxiv) ids.push(['arxiv', paper.arxiv.toLowerCase()]);
  if (paper.DOI) ids.push(['doi', normaliseDoi(paper.DOI)]);
  const title = normaliseTitle(paper.title);
  if (title) ids.push(['title', `${title}\u0000${paperYear(paper) ?? ''}`]);
  return ids;
}

/** Fields a duplicate may contribute to the entry that is kept (never its key or origin). */
const FILLABLE: readonly (keyof Paper)[] = ['abstract', 'arxiv', 'DOI', 'URL', 'code', 'container-title', 'event', 'issued', 'publisher', 'volume', 'issue', 'page'];

/**
 * The kept paper with fields it lacks taken from a duplicate: a .bib entry written without an
 * abstract still shows the bundled abstract. Returns `kept` itself when nothing was missing.
 */
function fillMissing(kept: Paper, duplicate: Paper): Paper {
  let filled: Paper | undefined;
  for (const field of FILLABLE) {
    if (kept[field] === undefined && duplicate[field] !== undefined) {
      filled ??= { ...kept };
      (filled as unknown as Record<string, unknown>)[field] = duplicate[field];
    }
  }
  if (!kept.author.length && duplicate.author.length) filled = { ...(filled ?? kept), author: duplicate.author };
  return filled ?? kept;
}

/**
 * Merges sources in priority order (the user's own files first, the bundled corpus last).
 * A paper whose arXiv id, DOI, or normalised title + year is already present is dropped in favour
 * of the earlier one, which takes any fields it lacks (abstract, ids, links) from the dropped one.
 * Keys from the user's files are never changed: a bundled paper whose key is taken gets a fresh
 * one with `keyTemplate`; a user paper whose key an earlier file uses for another paper is left out
 * and reported as a duplicate with reason `key`.
 */
export function mergeLibraries(sources: readonly (readonly Paper[])[], keyTemplate?: string): { papers: Paper[]; duplicates: Duplicate[] } {
  const papers: Paper[] = [];
  const duplicates: Duplicate[] = [];
  /** Identity → index in `papers` of the paper that has it. */
  const seen = new Map<string, number>();
  const keys = new Set<string>();
  const keyOwner = new Map<string, number>();
  for (const source of sources) {
    for (const paper of source) {
      const ids = identities(paper);
      const clash = ids.map(([reason, id]) => ({ reason, at: seen.get(`${reason}:${id}`) })).find((c) => c.at !== undefined);
      if (clash?.at !== undefined) {
        const kept = papers[clash.at];
        duplicates.push({ dropped: paper, kept, reason: clash.reason });
        papers[clash.at] = fillMissing(kept, paper);
        for (const [reason, id] of identities(papers[clash.at])) if (!seen.has(`${reason}:${id}`)) seen.set(`${reason}:${id}`, clash.at);
        continue;
      }
      let merged = paper;
      if (keys.has(paper.id)) {
        // A key from the user's file is what their documents cite: renaming it would break them.
        // Generated (bundled) keys can move; a second user paper under a taken key is left out.
        if (paper.source !== 'bundled') {
          duplicates.push({ dropped: paper, kept: papers[keyOwner.get(paper.id) ?? 0], reason: 'key' });
          continue;
        }
        merged = { ...paper, id: uniqueKey(paper, keys, keyTemplate) };
      }
      keys.add(merged.id);
      keyOwner.set(merged.id, papers.length);
      for (const [reason, id] of ids) seen.set(`${reason}:${id}`, papers.length);
      papers.push(merged);
    }
  }
  return { papers, duplicates };
}

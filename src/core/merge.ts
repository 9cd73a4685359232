import { uniqueKey } from './citekey';
import { normaliseDoi, normaliseTitle } from './text';
import { Paper, paperYear } from './types';

/** A paper left out of the merged library because another source has it. */
export interface Duplicate {
  dropped: Paper;
  kept: Paper;
  reason: 'arxiv' | 'doi' | 'title';
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

/**
 * Merges sources in priority order (the user's own files first, the bundled corpus last).
 * A paper whose arXiv id, DOI, or normalised title + year is already present is dropped in favour
 * of the earlier one. Keys from earlier sources are kept; a later paper whose key is taken is
 * given a fresh one with `keyTemplate` (bundled keys are generated, so renaming them is safe).
 */
export function mergeLibraries(sources: readonly (readonly Paper[])[], keyTemplate?: string): { papers: Paper[]; duplicates: Duplicate[] } {
  const papers: Paper[] = [];
  const duplicates: Duplicate[] = [];
  const seen = new Map<string, Paper>();
  const keys = new Set<string>();
  for (const source of sources) {
    for (const paper of source) {
      const ids = identities(paper);
      const clash = ids.map(([reason, id]) => ({ reason, kept: seen.get(`${reason}:${id}`) })).find((c) => c.kept);
      if (clash?.kept) {
        duplicates.push({ dropped: paper, kept: clash.kept, reason: clash.reason });
        continue;
      }
      const merged = keys.has(paper.id) ? { ...paper, id: uniqueKey(paper, keys, keyTemplate) } : paper;
      keys.add(merged.id);
      papers.push(merged);
      for (const [reason, id] of ids) seen.set(`${reason}:${id}`, merged);
    }
  }
  return { papers, duplicates };
}

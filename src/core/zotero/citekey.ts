/**
 * Which citation key a Zotero item gets. The user's own keys win, in this order: Zotero's
 * `citationKey` field (Zotero 8+), Better BibTeX's key, a key pinned in `extra`
 * (`Citation Key: …`); only items with none of these get a key from LitCite's template, unique
 * against every key already taken. The user's keys are kept as they are, even when two libraries
 * share one: they are what the user's own exports contain.
 */
import { baseKey, keySuffix, uniqueKey } from '../citekey';
import type { Paper } from '../types';

/** Where an item's key came from. */
export type ZoteroKeySource = 'zotero' | 'better-bibtex' | 'extra' | 'template';

/** The keys the user may have given an item, each optional. */
export interface ZoteroKeyCandidates {
  /** Zotero 8+'s `citationKey` field. */
  zotero?: string;
  /** Better BibTeX's key for the item (`item.citationkey`). */
  betterBibtex?: string;
  /** `Citation Key: …` in `extra`. */
  extra?: string;
}

/** A chosen key and where it came from. */
export interface ChosenKey {
  key: string;
  source: ZoteroKeySource;
}

/** Characters that would break a `\cite{…}`, a `[@…]` or a `@type{key,` line. */
const BREAKS_CITATION = /[\s,{}%#"'\\=()~]/u;
const MAX_KEY_LENGTH = 200;

/** Whether a key from Zotero or Better BibTeX can be used as it is. */
export function isUsableUserKey(key: string | undefined): key is string {
  return !!key && key.length <= MAX_KEY_LENGTH && !BREAKS_CITATION.test(key);
}

/** The user's own key for an item (Zotero field, then Better BibTeX, then `extra`), if any is usable. */
export function userKey(candidates: ZoteroKeyCandidates): ChosenKey | undefined {
  if (isUsableUserKey(candidates.zotero)) return { key: candidates.zotero, source: 'zotero' };
  if (isUsableUserKey(candidates.betterBibtex)) return { key: candidates.betterBibtex, source: 'better-bibtex' };
  if (isUsableUserKey(candidates.extra)) return { key: candidates.extra, source: 'extra' };
  return undefined;
}

/**
 * The key for one item. Without a user key, the template gives one unique against `taken`;
 * `previous` (the key this item had from the template before) is kept while the template still
 * gives the same base for the paper and nobody else took it, so editing an item's abstract or a
 * new paper with the same base does not re-key papers already cited. `taken` must not hold this
 * item's own previous key.
 */
export function chooseCitationKey(
  candidates: ZoteroKeyCandidates,
  paper: Paper,
  taken: ReadonlySet<string>,
  template: string,
  previous?: string,
): ChosenKey {
  const own = userKey(candidates);
  if (own) return own;
  if (previous && !taken.has(previous)) {
    const base = baseKey(paper, template);
    if (previous === base || (previous.startsWith(base) && /^[a-z]+$/.test(previous.slice(base.length)))) {
      return { key: previous, source: 'template' };
    }
  }
  return { key: templateKey(paper, taken, template), source: 'template' };
}

/**
 * `uniqueKey` against only the taken keys it would look at (the base, then the base with each
 * suffix until one is free): `uniqueKey` copies the set it is given, which for a library of
 * thousands of keys, once per paper, is quadratic.
 */
function templateKey(paper: Paper, taken: ReadonlySet<string>, template: string): string {
  const base = baseKey(paper, template);
  const conflicts = new Set<string>();
  if (taken.has(base)) {
    conflicts.add(base);
    for (let i = 0; taken.has(base + keySuffix(i)); i++) conflicts.add(base + keySuffix(i));
  }
  const key = uniqueKey(paper, conflicts, template);
  // Should uniqueKey's suffix order ever change, the full set still gives a correct (slower) answer.
  return taken.has(key) ? uniqueKey(paper, taken, template) : key;
}

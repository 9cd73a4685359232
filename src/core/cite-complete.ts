/** The order citation-key completion offers keys in. */

/** A completion candidate: the key it inserts and its search score (0…1, higher is better). */
export interface RankedKey {
  key: string;
  score: number;
}

/**
 * Candidates in the order to offer them: keys that start with the typed prefix first (the writer
 * is typing the key itself; shorter keys first), then the rest by score, ties keeping their order.
 * Each key once (the first candidate for it wins), at most `limit`.
 */
export function rankCompletions<T extends RankedKey>(prefix: string, candidates: readonly T[], limit: number): T[] {
  const typed = prefix.trim().toLowerCase();
  const seen = new Set<string>();
  const unique = candidates.filter((c) => {
    if (seen.has(c.key)) return false;
    seen.add(c.key);
    return true;
  });
  const startsWith = (c: T): boolean => typed !== '' && c.key.toLowerCase().startsWith(typed);
  const order = unique.map((c, i) => ({ c, i, head: startsWith(c) }));
  order.sort((a, b) => {
    if (a.head !== b.head) return a.head ? -1 : 1;
    if (a.head) return a.c.key.length - b.c.key.length || a.c.key.localeCompare(b.c.key);
    return b.c.score - a.c.score || a.i - b.i;
  });
  return order.slice(0, Math.max(0, limit)).map((o) => o.c);
}

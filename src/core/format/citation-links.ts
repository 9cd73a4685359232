/**
 * Linking each work of a formatted citation to its bibliography entry, as Pandoc's
 * `link-citations` does. citeproc-js can wrap each work's part of a citation (its
 * `wrapCitationEntry` hook); the wrapped rendering is marked with private-use characters here and
 * checked against the plain rendering before it is trusted.
 */

/** Private-use characters marking where each work's part of a citation starts and ends. */
const MARK_OPEN = '\uE000';
const MARK_ID = '\uE001';
const MARK_CLOSE = '\uE002';

/** citeproc's `wrapCitationEntry` hook: marks one work's part of a citation. */
export function markCitationPart(text: string, id: string): string {
  return `${MARK_OPEN}${id}${MARK_ID}${text}${MARK_CLOSE}`;
}

/** The fragment link of a work's bibliography entry, as Pandoc names entries: `#ref-<key>` (percent-encoded). */
export function refHref(id: string): string {
  return `#ref-${encodeURIComponent(id).replace(/'/g, '%27')}`;
}

/** Citation number → id for `ids`, given each id's number (citeproc's wrapper names no item for a bare number). */
export function citationNumbers(seqOf: (id: string) => number | undefined, ids: string[]): Map<string, string> {
  const numbers = new Map<string, string>();
  for (const id of ids) {
    const seq = seqOf(id);
    if (typeof seq === 'number') numbers.set(String(seq), id);
  }
  return numbers;
}

/**
 * The cluster (raw citeproc HTML, to be sanitised) with each work's part linked to its entry,
 * from citeproc's wrapped rendering; undefined when that does not line up with the plain one.
 * citeproc's wrapper drops the layout's affixes (taken from the plain rendering here), and in
 * numeric styles names no item for a bare number, which `numbers` then identifies; a collapsed
 * range `[1]–[3]` links its two ends.
 */
export function linkParts(plain: string, wrapped: string, ids: string[], numbers: Map<string, string> | undefined): string | undefined {
  const bare = wrapped.replace(/\uE000[^\uE000-\uE002]*\uE001|\uE002/g, '');
  const at = plain.indexOf(bare);
  if (!bare || at < 0) return undefined;
  let linked = '';
  let i = 0;
  for (let open = wrapped.indexOf(MARK_OPEN); open >= 0; open = wrapped.indexOf(MARK_OPEN, i)) {
    linked += wrapped.slice(i, open);
    const idEnd = wrapped.indexOf(MARK_ID, open);
    const close = idEnd < 0 ? -1 : wrapped.indexOf(MARK_CLOSE, idEnd);
    if (close < 0) return undefined;
    const part = wrapped.slice(idEnd + 1, close);
    let id = wrapped.slice(open + 1, idEnd);
    if (!ids.includes(id)) id = numbers?.get(/\d+/.exec(part)?.[0] ?? '') ?? '';
    if (!id) return undefined;
    linked += `<a href="${refHref(id)}" role="doc-biblioref">${part}</a>`;
    i = close + 1;
  }
  linked += wrapped.slice(i);
  return plain.slice(0, at) + linked + plain.slice(at + bare.length);
}

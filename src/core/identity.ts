/**
 * The identifiers a work is recognised by across services — DOIs and arXiv ids — in one
 * comparable form. Every module that matches papers by identity uses these, so a DOI written
 * as a doi.org URL and an arXiv id written as `arXiv:1706.03762v7` compare equal everywhere.
 */

/** The prefix of the DataCite DOIs arXiv registers for every preprint (`10.48550/arXiv.<id>`). */
export const ARXIV_DOI_PREFIX = '10.48550/arxiv.';

/** A DOI in a canonical comparable form: lower-case, without resolver prefix. */
export function normaliseDoi(doi: string): string {
  return doi.trim().replace(/^(?:https?:\/\/(?:dx\.|www\.)?doi\.org\/|doi:\s*)/i, '').toLowerCase();
}

/** Whether a DOI is one of arXiv's DataCite DOIs rather than a published version's. */
export function isArxivDoi(doi: string): boolean {
  return normaliseDoi(doi).startsWith(ARXIV_DOI_PREFIX);
}

/** The arXiv id an arXiv DataCite DOI stands for (`10.48550/arXiv.1706.03762` → `1706.03762`). */
export function arxivIdFromDoi(doi: string): string | undefined {
  const normal = normaliseDoi(doi);
  if (!normal.startsWith(ARXIV_DOI_PREFIX)) return undefined;
  // The DOI is matched in lower case; the id keeps the case arXiv gives legacy subject classes.
  const original = doi.trim();
  return extractArxivId(original.slice(original.length - (normal.length - ARXIV_DOI_PREFIX.length)));
}

/** The DataCite DOI arXiv registers for a preprint, in the spelling arXiv uses. */
export function arxivDoi(arxivId: string): string {
  return `10.48550/arXiv.${arxivId}`;
}

/** The arXiv id in a string (`arXiv:2307.03381v2`, an abs/pdf URL, `10.48550/arXiv.2307.03381`), without version. */
export function extractArxivId(text: string): string | undefined {
  const modern = /(?<!\d\.?)(\d{4}\.\d{4,5})(?:v\d+)?(?!\d)/i.exec(text);
  if (modern) return modern[1];
  // Old-style ids (`hep-th/9901001`): found from their `/` and digits, then the archive name read
  // back from there; a pattern starting with the archive name is quadratic on `a-a-a-…`.
  const legacy = /\/\d{7}(?:v\d+)?\b/g;
  for (let m = legacy.exec(text); m; m = legacy.exec(text)) {
    const archive = /(?:^|[^a-z-])([a-z][a-z-]{0,29}(?:\.[A-Z]{2})?)$/.exec(text.slice(Math.max(0, m.index - 34), m.index));
    if (archive) return `${archive[1]}${m[0].replace(/v\d+$/, '')}`;
  }
  return undefined;
}

/**
 * An arXiv id in its comparable form: any spelling (`arXiv:1706.03762v7`, an arxiv.org URL,
 * an arXiv DOI) reduced to the bare id without version. Undefined when there is none.
 */
export function normaliseArxivId(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return arxivIdFromDoi(trimmed) ?? extractArxivId(trimmed);
}

/** The arXiv id an arxiv.org abs/pdf/html URL points at; undefined for any other URL. */
export function arxivIdFromUrl(url: string): string | undefined {
  const match = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/([^?#]+)/i.exec(url.trim());
  return match ? extractArxivId(match[1]) : undefined;
}

/** The key two works' arXiv ids are compared by: bare id, lower-case. */
export function arxivMatchKey(arxivId: string): string | undefined {
  return normaliseArxivId(arxivId)?.toLowerCase();
}

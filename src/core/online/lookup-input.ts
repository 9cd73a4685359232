/**
 * What a writer pasted to look one paper up: an arXiv id or URL, a DOI or doi.org URL (via
 * `parseIdentifier`), an OpenAlex work id or URL, or a publisher URL with a DOI in its path
 * (`https://dl.acm.org/doi/10.1145/…`).
 */
import { parseIdentifier, type PaperIdentifier } from '../arxiv';

/** An identifier one service can answer for directly. */
export type LookupIdentifier = PaperIdentifier | { kind: 'openalex'; id: string };

/** The identifier in `input`, or undefined when it names none. */
export function parseLookupInput(input: string): LookupIdentifier | undefined {
  const text = input.trim();
  if (!text || text.length > 2048) return undefined;
  const direct = parseIdentifier(text);
  if (direct) return direct;
  const openalex = /^(?:https?:\/\/)?(?:api\.)?openalex\.org\/(?:works\/)?(W\d{1,15})\/?$/i.exec(text) ?? /^(W\d{4,15})$/.exec(text);
  if (openalex) return { kind: 'openalex', id: openalex[1].toUpperCase() };
  if (/^https?:\/\//i.test(text)) {
    // Publishers put the DOI in the path: /doi/10.1145/3597503.3639187, /doi/abs/10.…, /article/10.…
    const at = text.search(/\/10\.\d{4,9}\//);
    if (at >= 0) {
      const end = text.slice(at + 1).search(/[?#\s]/);
      let doi = end < 0 ? text.slice(at + 1) : text.slice(at + 1, at + 1 + end);
      while (doi.endsWith('/')) doi = doi.slice(0, -1);
      return parseIdentifier(doi);
    }
  }
  return undefined;
}

/** How an identifier reads in messages. */
export function describeLookup(id: LookupIdentifier): string {
  switch (id.kind) {
    case 'arxiv': return `arXiv:${id.id}${id.version ? `v${id.version}` : ''}`;
    case 'doi': return `doi:${id.doi}`;
    case 'openalex': return `OpenAlex ${id.id}`;
  }
}

// @citation-js/core and @citation-js/plugin-bibtex ship their own typings; this file only
// covers the one internal module they do not describe.

declare module '@citation-js/plugin-bibtex/lib/mapping/index.js' {
  /** A BibTeX entry as citation-js's CSL → BibTeX field mapping yields it, before values become text. */
  export interface MappedBibtexEntry {
    type: string;
    label: string;
    /** Names stay `{family, given, prefix?, suffix?}` objects, list fields stay arrays, the rest strings. */
    properties: Record<string, unknown>;
  }

  /** Maps CSL-JSON items to BibTeX entry types and fields (the `bibtex` dialect, not biblatex). */
  export function formatBibtex(items: object[]): MappedBibtexEntry[];
}

/**
 * Zotero's `extra` field: free text in which a line `Name: value` conventionally carries data the
 * item type has no field for. Read here: `Citation Key:` (CSL's `citation-key`, where Better
 * BibTeX pins keys; older Better BibTeX wrote `bibtex:`), `arXiv:` (Zotero's arXiv translator and
 * Better BibTeX), CSL variables such as `DOI:`, `PMID:`, `original-date:`, and Better BibTeX's
 * `tex.<field>:` lines, which set a field of the exported entry.
 */
import { extractArxivId } from '../text';

/** What an `extra` field says, line by line. */
export interface ExtraFields {
  /** A pinned citation key (`Citation Key: …`, or Better BibTeX's older `bibtex: …`). */
  citationKey?: string;
  arxiv?: string;
  /** The arXiv category in brackets after the id (`arXiv:2307.03381 [cs.CL]`). */
  arxivClass?: string;
  /** CSL variables by their CSL name (`DOI`, `PMID`, `PMCID`, `ISBN`, `ISSN`, `original-date`, …). */
  csl: Record<string, string>;
  /** `tex.<field>: value` (also `bibtex.` and `biblatex.`): BibTeX fields by lower-case name. */
  tex: Record<string, string>;
}

/** Lines longer than this are text, not `Name: value` data; skipping them keeps parsing cheap on huge fields. */
const MAX_DATA_LINE = 2000;

/** `extra` names (lower-case, spaces and underscores as `-`) → the CSL variable they set. */
const CSL_NAMES: Readonly<Record<string, string>> = {
  doi: 'DOI',
  pmid: 'PMID',
  pmcid: 'PMCID',
  isbn: 'ISBN',
  issn: 'ISSN',
  'original-date': 'original-date',
  'event-place': 'event-place',
  'publisher-place': 'publisher-place',
  'container-title-short': 'container-title-short',
  'event-date': 'event-date',
  status: 'status',
};

const NAME = /^[A-Za-z][\w .-]*$/;
const ARXIV_CLASS = /\[([a-z-]+(?:\.[A-Za-z-]+)?)\]/;

/** Reads the `Name: value` lines of an `extra` field; other lines are ignored. The first of a repeated name wins. */
export function parseExtra(extra: unknown): ExtraFields {
  const result: ExtraFields = { csl: {}, tex: {} };
  if (typeof extra !== 'string' || !extra) return result;
  for (const line of extra.split('\n')) {
    if (line.length > MAX_DATA_LINE) continue;
    const colon = line.indexOf(':');
    const equals = line.indexOf('=');
    // Better BibTeX's `tex.field= value` keeps the value verbatim; `:` is the usual separator.
    const at = colon >= 0 && (equals < 0 || colon < equals) ? colon : equals;
    if (at <= 0) continue;
    const name = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (!value || !NAME.test(name)) continue;
    const lower = name.toLowerCase();

    if (lower === 'citation key' || lower === 'citation-key' || lower === 'bibtex') {
      const key = value.split(/\s/, 1)[0];
      if (key && result.citationKey === undefined) result.citationKey = key;
      continue;
    }
    if (lower === 'arxiv' || lower === 'arxiv id') {
      const id = extractArxivId(value);
      if (id && result.arxiv === undefined) {
        result.arxiv = id;
        const category = ARXIV_CLASS.exec(value);
        if (category) result.arxivClass = category[1];
      }
      continue;
    }
    const tex = /^(?:tex|bibtex|biblatex)\.([A-Za-z][\w-]*)$/i.exec(name);
    if (tex) {
      const field = tex[1].toLowerCase();
      if (!Object.hasOwn(result.tex, field)) result.tex[field] = value;
      continue;
    }
    const cslName = lower.replace(/[\s_]+/g, '-');
    const variable = Object.hasOwn(CSL_NAMES, cslName) ? CSL_NAMES[cslName] : undefined;
    if (variable && !Object.hasOwn(result.csl, variable)) result.csl[variable] = value;
  }
  return result;
}

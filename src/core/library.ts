/**
 * One library file → papers: BibTeX (a one-file database: its own macros and cross-references)
 * or CSL-JSON. The readers themselves live in core/bibtex/ and core/csl-read.ts.
 */
import { resolveCrossReferences } from './bibtex/database';
import { parseBibtexFile } from './bibtex/read';
import { parseCslJson } from './csl-read';
import type { Paper, Problem } from './types';

/** Papers read from one library file, and what was wrong in it (each problem on its line when known). */
export interface LibraryParse {
  papers: Paper[];
  problems: Problem[];
}

/** Papers of a .bib text, keys kept as ids; an unreadable or repeated entry is a problem on its line, never a failed file. */
export function parseBibtexLibrary(text: string, sourceName: string): LibraryParse {
  // A byte-order mark is text before the first entry, which the scanner passes over: offsets stay the file's own.
  const parse = parseBibtexFile(text, sourceName);
  const resolved = resolveCrossReferences([parse]);
  const problems = [...parse.problems, ...resolved.problems[0]].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { papers: resolved.papers[0], problems };
}

/** Papers of a CSL-JSON export (key: `citation-key`, else `id`; first of a repeated key wins); invalid JSON is one problem at its line. */
export function parseCslJsonLibrary(text: string, sourceName: string): LibraryParse {
  return parseCslJson(text, sourceName);
}

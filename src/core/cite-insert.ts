/**
 * The decisions behind Insert Citation, on plain text: which keys to cite given what the .bib
 * already holds, which entries to append, and the edits for every cursor of an editor.
 */
import { findExistingEntry, type BibEntrySummary } from './bib-entries';
import { keyForNewEntry } from './citekey';
import { citationAt, citationInsertEdit, formatCitation, isInCommentOrCode, type CiteFlavor, type CiteFormatOptions } from './cite-syntax';
import type { Paper, TextEdit } from './types';

/** A paper to cite: its key, the identifiers that recognise it in a .bib, and its entry when known. */
export interface CiteRequest {
  key: string;
  doi?: string;
  arxiv?: string;
  title?: string;
  /** The BibTeX entry to append when the .bib lacks the paper; absent for keys the library does not have. */
  entry?: string;
  /** The paper, to derive a fresh key from when the .bib uses `key` for a different work. */
  paper?: Paper;
}

/** What {@link planBibAdditions} decided. */
export interface BibPlan {
  /** The keys to cite, in request order without repeats, each replaced by the .bib's own key for the same paper. */
  citeKeys: string[];
  /** Entries to append, in request order (`requested`: the key asked for, when the entry goes in under another). */
  append: { key: string; entry: string; requested?: string }[];
  /** Requests answered by an entry already in the .bib under another key (or another spelling of it). */
  reused: { requested: string; existing: string; reason: 'key' | 'doi' | 'arxiv' }[];
  /** Requests whose key the .bib already uses for a different work: appended and cited under `key` instead. */
  renamed: { requested: string; key: string }[];
}

/**
 * Matches requests against a .bib's entries: a paper already there (same key, DOI or arXiv id)
 * is cited under the .bib's key and not appended again; the rest are appended once each. When the
 * .bib holds the requested key for a different work, citing that key would print the wrong
 * reference, so the paper is appended and cited under a fresh key unique in the .bib.
 */
export function planBibAdditions(entries: readonly BibEntrySummary[], requests: readonly CiteRequest[], options: { keyTemplate?: string; libraryKeys?: Iterable<string> } = {}): BibPlan {
  const plan: BibPlan = { citeKeys: [], append: [], reused: [], renamed: [] };
  const cited = new Set<string>();
  const known = [...entries];
  for (const request of requests) {
    const key = request.key.trim();
    if (!key) continue;
    const query = { key, doi: request.doi, arxiv: request.arxiv, title: request.title ?? request.paper?.title };
    const found = findExistingEntry(known, query);
    let citeKey = key;
    if (found) {
      citeKey = found.entry.key;
      if (citeKey !== key) plan.reused.push({ requested: key, existing: citeKey, reason: found.reason });
    } else if (request.entry) {
      const lower = key.toLowerCase();
      if (known.some((e) => e.key.toLowerCase() === lower)) {
        citeKey = request.paper ? keyForNewEntry(request.paper, undefined, { bibKeys: known.map((e) => e.key), libraryKeys: options.libraryKeys }, options.keyTemplate) : freshKey(key, known);
        plan.renamed.push({ requested: key, key: citeKey });
      }
      plan.append.push(citeKey === key ? { key: citeKey, entry: request.entry } : { key: citeKey, entry: withEntryKey(request.entry, citeKey), requested: key });
      // a later request for the same paper must find this one
      known.push({ key: citeKey, type: '', line: 0, span: { start: 0, end: 0 }, doi: request.doi, eprint: request.arxiv, title: query.title });
    }
    if (!cited.has(citeKey)) {
      cited.add(citeKey);
      plan.citeKeys.push(citeKey);
    }
  }
  return plan;
}

/** Without a paper to make a key from: `key` with a letter added, unused in the .bib (compared without case). */
function freshKey(key: string, entries: readonly BibEntrySummary[]): string {
  const folded = new Set(entries.map((e) => e.key.toLowerCase()));
  for (let n = 0; ; n++) {
    const candidate = key + String.fromCharCode(97 + (n % 26)).repeat(Math.floor(n / 26) + 1);
    if (!folded.has(candidate.toLowerCase())) return candidate;
  }
}

/** A BibTeX entry text with the key in its head replaced. */
function withEntryKey(entry: string, key: string): string {
  return entry.replace(/^(\s*@[A-Za-z][\w-]*\s*[{(]\s*)[^,\s{}()]*/, (_, head: string) => head + key);
}

/** The entries of a plan as one text, a blank line between them, for `appendEntryEdit`. */
export function joinEntries(entries: readonly { entry: string }[]): string {
  return entries.map((e) => e.entry.trim()).join('\n\n');
}

/** An editor selection as offsets: `[start, end)` with the cursor at `active`. */
export interface SelectionSpan {
  start: number;
  end: number;
  active: number;
}

/** What {@link citationEditsForSelections} returns. */
export interface SelectionEdits {
  /** Non-overlapping edits in text order, to apply together. */
  edits: TextEdit[];
  /** For each selection, in the order given: the cursor offset in the text after all edits. */
  cursors: number[];
  /** Keys some citation at a cursor already held (nothing was added for them there). */
  alreadyPresent: string[];
}

/**
 * Cites `keys` at every selection. A cursor inside a citation adds the missing keys to it (once
 * per citation, however many cursors it holds); a selection elsewhere is replaced by a new
 * citation, or the citation goes at the cursor when replacing would merge it with its neighbours.
 * An unclosed LaTeX citation the keys go at the end of is closed. In a LaTeX comment or Markdown
 * code the citation is literal text the writer asked for, so it goes exactly at the selection and
 * nothing around it is extended. Each cursor ends up after what was inserted for it.
 */
export function citationEditsForSelections(
  text: string,
  selections: readonly SelectionSpan[],
  keys: readonly string[],
  flavor: CiteFlavor,
  options: CiteFormatOptions = {},
): SelectionEdits {
  const planned: { edit: TextEdit; owner: number }[] = [];
  const extended = new Set<number>();
  const present = new Set<string>();
  selections.forEach((selection, owner) => {
    if (isInCommentOrCode(text, selection.active, flavor)) {
      const literal = formatCitation([...keys], flavor, options);
      if (literal) planned.push({ edit: { start: selection.start, end: selection.end, text: literal }, owner });
      return;
    }
    const inside = citationAt(text, selection.active, flavor);
    if (inside) {
      if (extended.has(inside.bodySpan.start)) return;
      extended.add(inside.bodySpan.start);
      const r = citationInsertEdit(text, selection.active, [...keys], flavor, options);
      r.alreadyPresent.forEach((k) => present.add(k));
      // a `\cite{` still being typed gets its closing brace with the keys
      const closes = inside.unterminated && r.edit.text && r.edit.start === inside.bodySpan.end;
      if (r.edit.text) planned.push({ edit: closes ? { ...r.edit, text: `${r.edit.text}}` } : r.edit, owner });
      return;
    }
    const edit = selection.start < selection.end
      ? replacingEdit(text, selection, keys, flavor, options)
      : citationInsertEdit(text, selection.active, [...keys], flavor, options).edit;
    if (edit.text) planned.push({ edit, owner });
  });

  planned.sort((a, b) => a.edit.start - b.edit.start || a.owner - b.owner);
  const kept: typeof planned = [];
  for (const p of planned) {
    const last = kept[kept.length - 1];
    // two cursors at one spot would cite twice; VS Code rejects overlapping edits anyway
    if (last && (p.edit.start < last.edit.end || (p.edit.start === last.edit.start && p.edit.end === last.edit.end))) continue;
    kept.push(p);
  }

  const edits = kept.map((p) => p.edit);
  const cursors = selections.map((selection, owner) => {
    const i = kept.findIndex((p) => p.owner === owner);
    if (i < 0) return mapOffset(edits, selection.active);
    const own = edits[i]!;
    return own.start + deltaOf(edits.slice(0, i)) + insertedLength(own.text);
  });
  return { edits, cursors, alreadyPresent: [...present] };
}

/** A new citation replacing a selection, as long as the text around it does not turn it into something else. */
function replacingEdit(
  text: string,
  selection: SelectionSpan,
  keys: readonly string[],
  flavor: CiteFlavor,
  options: CiteFormatOptions,
): TextEdit {
  const without = text.slice(0, selection.start) + text.slice(selection.end);
  const r = citationInsertEdit(without, selection.start, [...keys], flavor, options);
  if (r.edit.start === selection.start && r.edit.end === selection.start && !citationAt(without, selection.start, flavor)) {
    return { start: selection.start, end: selection.end, text: r.edit.text };
  }
  return citationInsertEdit(text, selection.active, [...keys], flavor, options).edit;
}

/** How much the edits change the text's length. */
function deltaOf(edits: readonly TextEdit[]): number {
  return edits.reduce((sum, e) => sum + e.text.length - (e.end - e.start), 0);
}

/** Where `offset` is once the sorted edits are applied: after inserts at it, at the end of a replacement covering it. */
function mapOffset(edits: readonly TextEdit[], offset: number): number {
  let delta = 0;
  for (const e of edits) {
    if (e.start > offset) break;
    if (e.end > offset) return e.start + delta + e.text.length;
    delta += e.text.length - (e.end - e.start);
  }
  return offset + delta;
}

/** The length of an insert up to its last key: separators and spaces added after it are stepped over. */
function insertedLength(inserted: string): number {
  let end = inserted.length;
  while (end > 0 && /[\s,;]/.test(inserted[end - 1])) end--;
  return end;
}

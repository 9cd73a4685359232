/**
 * A .bib text → papers, as BibTeX reads it: `@string` macros (defined before use, visible to the
 * files read after this one), `#` concatenation, the month macros, the first of a repeated key.
 * Every entry the scanner reads becomes a paper under its own key; what is wrong is a problem at
 * its line. `crossref` and `xdata` are resolved across a whole database (see database.ts).
 */
import { problem } from '../problems';
import type { Paper, Problem, Span } from '../types';
import { entryToPaper } from './fields';
import { BibBlock, PartKind, scanBib } from './scan';

/** The month macros every BibTeX style defines. */
const MONTH_MACROS = new Map(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m) => [m, m]));

/** A macro an `@string` defines: its LaTeX value and where it is written. */
export interface MacroDefinition {
  value: string;
  span: Span;
  line: number;
}

/** What reading one .bib file gives. */
export interface BibFileParse {
  papers: Paper[];
  problems: Problem[];
  /** `@xdata` entries: fields other entries take in, not citable themselves. */
  xdata: Paper[];
  /** The macros the file defines, lower-case name → definition (the first one wins, as in BibTeX). */
  macros: Map<string, MacroDefinition>;
  /** Macros the file uses but does not define before use: resolved from `external`, else undefined. */
  externalMacros: string[];
  /** Where the file's `@comment` and `@preamble` blocks are (an edit inside one re-reads it whole). */
  otherBlocks?: Span[];
}

export interface BibReadOptions {
  /** Macros of the files read before this one (a document's `\bibliography{abbrev,refs}`). */
  external?: ReadonlyMap<string, MacroDefinition>;
  /** Read only `[from, to)` of the text, whose first line is `firstLine` (an edited entry). */
  range?: { from: number; to: number; firstLine: number };
}

/** Papers of a .bib text under their own keys; a broken entry is a problem at its line and costs only itself. */
export function parseBibtexFile(text: string, sourceName: string, options: BibReadOptions = {}): BibFileParse {
  const range = options.range;
  const scan = scanBib(text, range?.from ?? 0, range?.to ?? text.length, range?.firstLine ?? 1);
  const reader = new EntryReader(text, sourceName, scan.problems, options.external);
  const otherBlocks: Span[] = [];
  for (const block of scan.blocks) {
    if (block.kind === 'comment' || block.kind === 'preamble') otherBlocks.push({ start: block.start, end: block.end });
    else reader.read(block);
  }
  const { papers, xdata, problems, macros } = reader;
  if (!papers.length && !xdata.length && !problems.length && !range) {
    // Only comments, or only @string/@comment blocks, make an empty library, not a wrong file.
    if (!scan.blocks.length && /\S/.test(text.replace(/^[ \t]*%.*$/gm, ''))) {
      problems.push(problem('not-bibtex', undefined, { file: sourceName, hint: /^\s*[[{]/.test(text) ? 'json' : undefined }));
    }
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { papers, problems, xdata, macros, externalMacros: [...reader.externalUsed], otherBlocks };
}

/**
 * Turns scanned blocks into macros and papers, in file order. The incremental reader uses it on
 * the blocks of an edited stretch, seeded with the file's macros and keys.
 */
export class EntryReader {
  readonly macros = new Map<string, MacroDefinition>();
  readonly papers: Paper[] = [];
  readonly xdata: Paper[] = [];
  /** Macros used that the file had not defined before the use. */
  readonly externalUsed = new Set<string>();
  /** Undefined macros already reported (once per file, as BibTeX does). */
  readonly reportedMacros = new Set<string>();
  /** Lower-cased key → the first entry with it. */
  readonly firstByKey = new Map<string, { key: string; line: number }>();

  constructor(
    private readonly text: string,
    private readonly sourceName: string,
    readonly problems: Problem[],
    private readonly external?: ReadonlyMap<string, MacroDefinition>,
  ) {}

  /** Reads one block: an @string defines a macro, an entry becomes a paper. */
  read(block: BibBlock): void {
    if (block.kind === 'string') {
      const name = block.key;
      const value = this.evaluate(block, 0);
      if (!this.macros.has(name)) this.macros.set(name, { value, span: { start: block.start, end: block.end }, line: block.line });
      return;
    }
    if (block.kind !== 'entry') return;
    const folded = block.key.toLowerCase();
    const first = this.firstByKey.get(folded);
    if (first) {
      this.problems.push(problem('duplicate-key', block.line, { key: block.key, firstLine: first.line, firstKey: first.key }));
      return;
    }
    this.firstByKey.set(folded, { key: block.key, line: block.line });
    const paper = this.paper(block);
    if (block.type === 'xdata') this.xdata.push(paper);
    else this.papers.push(paper);
  }

  private paper(block: BibBlock): Paper {
    const fields = new Map<string, string>();
    for (let i = 0; i < block.fields.length; i++) fields.set(block.fields[i].name, this.evaluate(block, i));
    const { paper, unknown } = entryToPaper({ type: block.type, key: block.key, fields });
    paper.source = this.sourceName;
    paper.sourceLine = block.line;
    paper.sourceSpan = { start: block.start, end: block.end };
    const crossref = fields.get('crossref');
    if (crossref !== undefined) paper.crossref = crossref.replace(/[{}]/g, '').trim();
    const xdataKeys = fields.get('xdata');
    if (xdataKeys !== undefined) paper.xdata = xdataKeys.replace(/[{}]/g, '').split(',').map((k) => k.trim()).filter(Boolean);
    const usedMacros = macroNames(this.text, block, this.macros, this.external);
    if (usedMacros.length) paper.macros = usedMacros;
    if (unknown) {
      const seen = new Set<string>();
      for (const { field, command } of unknown) {
        if (seen.has(command)) continue;
        seen.add(command);
        const line = block.fields.find((f) => f.name === field)?.line ?? block.line;
        this.problems.push(problem('unknown-command', line, { command, field, key: block.key }));
      }
    }
    return paper;
  }

  /** A field's value as one LaTeX string: parts concatenated, macros expanded. */
  private evaluate(block: BibBlock, fieldIndex: number): string {
    const text = this.text;
    const field = block.fields[fieldIndex];
    const parts = field.parts;
    if (parts.length === 1 && parts[0].kind <= PartKind.Number) return text.slice(parts[0].start, parts[0].end);
    let value = '';
    for (const part of parts) {
      if (part.kind !== PartKind.Macro) {
        value += text.slice(part.start, part.end);
        continue;
      }
      const name = text.slice(part.start, part.end).toLowerCase();
      const own = this.macros.get(name);
      if (own) {
        value += own.value;
        continue;
      }
      const outside = this.external?.get(name);
      if (outside) {
        this.externalUsed.add(name);
        value += outside.value;
        continue;
      }
      const month = MONTH_MACROS.get(name);
      if (month) {
        value += month;
        continue;
      }
      this.externalUsed.add(name);
      if (!this.reportedMacros.has(name)) {
        this.reportedMacros.add(name);
        this.problems.push(problem('undefined-macro', field.line, { macro: name, field: field.name, key: block.kind === 'entry' ? block.key : undefined }));
      }
    }
    return value;
  }
}

/** User-defined macros an entry's fields use (month macros are built in), for writing the entry elsewhere. */
function macroNames(text: string, block: BibBlock, macros: ReadonlyMap<string, MacroDefinition>, external: ReadonlyMap<string, MacroDefinition> | undefined): string[] {
  let names: string[] | undefined;
  for (const field of block.fields) {
    for (const part of field.parts) {
      if (part.kind !== PartKind.Macro) continue;
      const name = text.slice(part.start, part.end).toLowerCase();
      if ((macros.has(name) || external?.has(name)) && !names?.includes(name)) (names ??= []).push(name);
    }
  }
  return names ?? [];
}

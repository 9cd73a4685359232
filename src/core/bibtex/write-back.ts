/**
 * A user's entry written elsewhere as they wrote it: the entry's own text, byte for byte, plus
 * what it needs to compile on its own — the `@string` definitions of the macros it uses (kept as
 * macros, not expanded: the user's text stays the user's) and its `crossref`/`xdata` parents,
 * which BibTeX wants after the entry. Definitions and parents the target already has are left
 * out. Searched in the entry's own file first, then in the files read with it.
 */
import { BibBlock, PartKind, scanBib } from './scan';

/** The month macros every style defines: never written out. */
const BUILT_IN = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']);

export interface WriteBackTarget {
  /** Macros the target file defines already (lower-case). */
  macros?: ReadonlySet<string>;
  /** Keys the target file has already (lower-case). */
  keys?: ReadonlySet<string>;
}

export interface WrittenBack {
  /** `@string` definitions, the entry, its parents; newline-separated. */
  text: string;
  /** Macros whose definitions were added. */
  macros: string[];
  /** Keys of parents added. */
  parents: string[];
}

interface Indexed {
  text: string;
  entries: Map<string, BibBlock>;
  strings: Map<string, BibBlock>;
}

function index(text: string): Indexed {
  const entries = new Map<string, BibBlock>();
  const strings = new Map<string, BibBlock>();
  for (const block of scanBib(text).blocks) {
    if (block.kind === 'entry' && !entries.has(block.key.toLowerCase())) entries.set(block.key.toLowerCase(), block);
    else if (block.kind === 'string' && !strings.has(block.key)) strings.set(block.key, block);
  }
  return { text, entries, strings };
}

/**
 * The entry `key` of `texts[0]` with its macros and parents (from any of `texts`), or undefined
 * when `texts[0]` has no such entry.
 */
export function writeBackEntry(texts: readonly string[], key: string, target: WriteBackTarget = {}): WrittenBack | undefined {
  const files = texts.map(index);
  const own = files[0]?.entries.get(key.toLowerCase());
  if (!own) return undefined;
  const entries: Array<{ file: Indexed; block: BibBlock }> = [{ file: files[0], block: own }];
  const seenKeys = new Set([key.toLowerCase()]);
  const parents: string[] = [];
  // Parents, and their parents, in order (cycles stop at an entry already taken).
  for (let i = 0; i < entries.length; i++) {
    const { file, block } = entries[i];
    for (const parentKey of parentKeys(file.text, block)) {
      const lower = parentKey.toLowerCase();
      if (seenKeys.has(lower) || target.keys?.has(lower)) continue;
      seenKeys.add(lower);
      const found = [file, ...files].map((f) => ({ file: f, block: f.entries.get(lower) })).find((f) => f.block);
      if (!found?.block) continue;
      entries.push({ file: found.file, block: found.block });
      parents.push(found.block.key);
    }
  }
  // Macros of every written block, and of the definitions themselves.
  const definitions: string[] = [];
  const macros: string[] = [];
  const wantedMacros = new Set<string>();
  const queue: Array<{ file: Indexed; block: BibBlock }> = [...entries];
  while (queue.length) {
    const { file, block } = queue.shift()!;
    for (const name of macroNames(file.text, block)) {
      if (wantedMacros.has(name) || BUILT_IN.has(name) || target.macros?.has(name)) continue;
      wantedMacros.add(name);
      const found = [file, ...files].map((f) => ({ file: f, block: f.strings.get(name) })).find((f) => f.block);
      if (!found?.block) continue;
      queue.push({ file: found.file, block: found.block });
      definitions.unshift(found.file.text.slice(found.block.start, found.block.end));
      macros.push(name);
    }
  }
  const written = entries.map(({ file, block }) => file.text.slice(block.start, block.end));
  return { text: [...definitions, ...written].join('\n\n'), macros, parents };
}

/** Lower-case names of the macros a block's fields use. */
function macroNames(text: string, block: BibBlock): string[] {
  const out: string[] = [];
  for (const field of block.fields) {
    for (const part of field.parts) if (part.kind === PartKind.Macro) out.push(text.slice(part.start, part.end).toLowerCase());
  }
  return out;
}

/** The keys a block's `crossref` and `xdata` fields name. */
function parentKeys(text: string, block: BibBlock): string[] {
  const out: string[] = [];
  for (const field of block.fields) {
    if (field.name !== 'crossref' && field.name !== 'xdata') continue;
    const value = field.parts.map((p) => text.slice(p.start, p.end)).join('').replace(/[{}]/g, '');
    for (const key of value.split(',')) if (key.trim()) out.push(key.trim());
  }
  return out;
}

/** The macros a .bib text defines and the keys it holds (lower-case), for `WriteBackTarget`. */
export function targetOf(text: string): { macros: Set<string>; keys: Set<string> } {
  const { entries, strings } = index(text);
  return { macros: new Set(strings.keys()), keys: new Set(entries.keys()) };
}

/** `text` with the key of its entry `oldKey` (the first, compared without case) replaced by `newKey`. */
export function renameEntryKey(text: string, oldKey: string, newKey: string): string {
  const lower = oldKey.toLowerCase();
  const block = scanBib(text).blocks.find((b) => b.kind === 'entry' && b.key.toLowerCase() === lower);
  if (!block) return text;
  const keyStart = text.indexOf(block.key, block.start);
  if (keyStart < 0) return text;
  return text.slice(0, keyStart) + newKey + text.slice(keyStart + block.key.length);
}

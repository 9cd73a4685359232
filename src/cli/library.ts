/**
 * The library as the CLI loads it: `--library` files read in order as one database (macros and
 * cross-references across them), each through the persistent cache (`LITCITE_CACHE_DIR`), the
 * bundled corpus unless `--no-bundled`, Zotero with `--zotero`; merged by the same rules as in
 * the editor.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MacroDefinition } from '../core/bibtex/read';
import { writeBackEntry } from '../core/bibtex/write-back';
import { toBibtex } from '../core/bibtex';
import { buildLibraryView, LibraryView, ViewSource } from '../core/library-view';
import { IndexSegment } from '../core/search/segment';
import type { Paper } from '../core/types';
import { decodeBibBytes } from '../core/encoding';
import { defaultCacheDir } from '../node/cache-dir';
import { loadLibraryFile } from '../node/library-file';
import { loadBundledLibrary } from '../node/seeds';
import { option, ParsedArgs, UsageError } from './args';
import { loadZoteroPapers } from './zotero';

export interface CliLibrary {
  view: LibraryView;
  /** The `--library` files, in order. */
  files: string[];
}

/** Loads what the options name; problems in files go to stderr (errors and warnings), one per line. */
export async function loadCliLibrary(args: ParsedArgs): Promise<CliLibrary> {
  const sources: ViewSource[] = [];
  const files = args.flags.get('--library') ?? [];
  const external = new Map<string, MacroDefinition>();
  const cacheDir = process.env.LITCITE_NO_CACHE ? undefined : defaultCacheDir();
  for (const file of files) {
    let loaded;
    try {
      loaded = loadLibraryFile(file, { cacheDir, external });
    } catch (err) {
      throw new UsageError(`cannot read library file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const problem of loaded.problems) {
      if (problem.severity !== 'info') process.stderr.write(`${file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}\n`);
    }
    if (!loaded.papers.length && loaded.problems.some((p) => p.severity === 'error')) throw new UsageError(`no papers could be read from ${file}`);
    for (const [name, definition] of loaded.macros) if (!external.has(name)) external.set(name, definition);
    sources.push({ id: path.resolve(file), kind: 'file', parts: [{ papers: loaded.papers, segment: loaded.segment }], xdata: loaded.xdata });
  }
  if (args.flags.has('--zotero')) {
    const zotero = await loadZoteroPapers(process.env);
    if (!zotero.ok) throw new UsageError(zotero.error);
    sources.push({ id: 'zotero', kind: 'zotero', parts: [{ papers: zotero.value, segment: IndexSegment.build(zotero.value) }] });
  }
  if (!args.flags.has('--no-bundled')) {
    const bundled = loadBundledLibrary();
    sources.push({ id: 'bundled', kind: 'bundled', parts: [{ papers: bundled.papers, segment: bundled.segment ?? IndexSegment.build(bundled.papers) }] });
  }
  const view = buildLibraryView(sources);
  for (const [source, problems] of view.problems) {
    for (const problem of problems) if (problem.severity !== 'info') process.stderr.write(`${source}${problem.line ? `:${problem.line}` : ''}: ${problem.message}\n`);
  }
  return { view, files };
}

/** The paper a key or arXiv id names, or a UsageError saying it is unknown. */
export function lookup(library: CliLibrary, keyOrId: string): Paper {
  const { index } = library.view;
  // Keys come from files: a lookup is by own properties only, never `constructor` or `__proto__`.
  const paper = index.byId(keyOrId) ?? index.search(keyOrId, { limit: 1 }).find((hit) => hit.exact)?.paper;
  if (!paper) throw new UsageError(`unknown key or arXiv id: ${keyOrId}`);
  return paper;
}

/**
 * The BibTeX of papers, in order: an entry of a `--library` .bib as its file has it (with the
 * `@string` definitions and crossref parents it needs, each once), anything else through the mapping.
 */
export function bibtexOf(library: CliLibrary, papers: Paper[]): string {
  const texts = new Map<string, string>();
  const textOf = (file: string): string => {
    let text = texts.get(file);
    if (text === undefined) {
      text = decodeBibBytes(fs.readFileSync(file)).text;
      texts.set(file, text);
    }
    return text;
  };
  const written = { macros: new Set<string>(), keys: new Set<string>() };
  const out: string[] = [];
  for (const paper of papers) {
    if (written.keys.has(paper.id.toLowerCase())) continue;
    const source = paper.source;
    const fromFile = source && library.files.some((f) => path.resolve(f) === source) && /\.(?:bib|bibtex|biblatex)$/i.test(source);
    if (fromFile) {
      const others = library.files.map((f) => path.resolve(f)).filter((f) => f !== source && /\.(?:bib|bibtex|biblatex)$/i.test(f)).map(textOf);
      const back = writeBackEntry([textOf(source), ...others], paper.id, written);
      if (back) {
        out.push(back.text);
        back.macros.forEach((m) => written.macros.add(m));
        back.parents.forEach((k) => written.keys.add(k.toLowerCase()));
        written.keys.add(paper.id.toLowerCase());
        continue;
      }
    }
    out.push(toBibtex(paper).trimEnd());
    written.keys.add(paper.id.toLowerCase());
  }
  return out.join('\n\n');
}

/** `--limit N` as a positive whole number. */
export function limitOption(args: ParsedArgs, fallback: number): number {
  const text = option(args, '--limit') ?? String(fallback);
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not '${text}'`);
  return limit;
}

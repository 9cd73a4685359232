import * as fs from 'fs';
import * as path from 'path';
import { toBibtexFile } from './core/bibtex';
import { formatCitation } from './core/cite-syntax';
import { parseBibtexLibrary, parseCslJsonLibrary } from './core/library';
import { mergeLibraries } from './core/merge';
import { formatAuthors, venueAndYear, wrapText } from './core/render';
import { SearchIndex } from './core/search';
import { displayName, Paper, paperVenue, paperYear } from './core/types';
import { loadBundledLibrary } from './node/seeds';

/** A failure the user caused: printed as one line on stderr, exit code 2. */
class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Options that take a value; every other `--x` is a switch. */
const VALUE_OPTIONS = new Set(['--limit', '--format', '--command', '--library', '--width']);

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (arg.startsWith('--')) {
      const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
      let value = inline;
      if (VALUE_OPTIONS.has(name) && value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
      }
      flags.set(name, [...(flags.get(name) ?? []), value ?? '']);
    } else if (arg === '-h') flags.set('--help', ['']);
    else positional.push(arg);
  }
  return { positional, flags };
}

const HELP: Record<string, string> = {
  main: `litcite — search a library of papers and cite them

Usage: litcite <command> [options]

Commands:
  search <query…>     ranked papers for a query (title, author, abstract, key, arXiv id; typos are fine)
  show <key|arxiv>    the full record with the abstract
  bibtex <key…>       BibTeX entries
  cite <key…>         citation text for LaTeX or Markdown

Library options (every command):
  --library FILE      add a .bib or CSL-JSON file (repeatable); its keys are kept
  --no-bundled        leave the bundled papers out

Run 'litcite <command> --help' for a command's options.`,
  search: `Usage: litcite search <query…> [--limit N] [--json] [--library FILE]… [--no-bundled]

Prints the best-matching papers, best first.
  --limit N   at most N results (default 10)
  --json      an array of {key, title, authors, year, venue, arxiv, score}`,
  show: `Usage: litcite show <key|arxiv-id> [--width N] [--library FILE]… [--no-bundled]

Prints the paper's title, authors, venue, identifiers, links and abstract, wrapped to the terminal.`,
  bibtex: `Usage: litcite bibtex <key…> [--library FILE]… [--no-bundled]

Prints a BibTeX entry for each key (or arXiv id), in the order given.`,
  cite: `Usage: litcite cite <key…> [--format latex|markdown] [--command NAME] [--library FILE]… [--no-bundled]

Prints the citation text: \\cite{a,b} for LaTeX (the command is --command, default cite),
[@a; @b] for Markdown (Pandoc).`,
};

function loadLibrary(args: ParsedArgs): SearchIndex {
  const sources: Paper[][] = [];
  for (const file of args.flags.get('--library') ?? []) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read library file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const isJson = path.extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
    const { papers, problems } = isJson ? parseCslJsonLibrary(text, file) : parseBibtexLibrary(text, file);
    for (const problem of problems) {
      if (problem.severity !== 'info') process.stderr.write(`${file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}\n`);
    }
    if (!papers.length && problems.some((p) => p.severity === 'error')) throw new UsageError(`no papers could be read from ${file}`);
    sources.push(papers);
  }
  if (!args.flags.has('--no-bundled')) sources.push(loadBundledLibrary().papers);
  return new SearchIndex(mergeLibraries(sources).papers);
}

/** The paper a key or arXiv id names, or a UsageError saying it is unknown. */
function lookup(index: SearchIndex, keyOrId: string): Paper {
  const paper = index.byId(keyOrId) ?? index.search(keyOrId, { limit: 1 }).find((hit) => hit.exact)?.paper;
  if (!paper) throw new UsageError(`unknown key or arXiv id: ${keyOrId}`);
  return paper;
}

function needPositional(args: ParsedArgs, what: string): string[] {
  const values = args.positional.slice(1).filter((v) => v.trim());
  if (!values.length) throw new UsageError(`${what} is missing (see 'litcite ${args.positional[0]} --help')`);
  return values;
}

function commandSearch(args: ParsedArgs, out: string[]): void {
  const query = needPositional(args, 'a query').join(' ');
  const limitText = args.flags.get('--limit')?.at(-1) ?? '10';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not '${limitText}'`);
  const hits = loadLibrary(args).search(query, { limit });
  if (args.flags.has('--json')) {
    out.push(JSON.stringify(hits.map((hit) => ({
      key: hit.paper.id,
      title: hit.paper.title,
      authors: hit.paper.author.map(displayName),
      year: paperYear(hit.paper) ?? null,
      venue: paperVenue(hit.paper) ?? null,
      arxiv: hit.paper.arxiv ?? null,
      score: hit.score,
    })), null, 2));
    return;
  }
  if (!hits.length) {
    process.stderr.write(`no papers match '${query}'\n`);
    return;
  }
  hits.forEach((hit, i) => {
    out.push(`${String(i + 1).padStart(2)}. ${hit.paper.title}`);
    out.push(`    ${hit.paper.id} · ${formatAuthors(hit.paper)} · ${venueAndYear(hit.paper)}`);
  });
}

function commandShow(args: ParsedArgs, out: string[]): void {
  const [keyOrId] = needPositional(args, 'a key or arXiv id');
  const paper = lookup(loadLibrary(args), keyOrId);
  const width = Number(args.flags.get('--width')?.at(-1) ?? (process.stdout.columns || 80));
  out.push(wrapText(paper.title, width));
  out.push(wrapText(paper.author.map(displayName).join(', ') || 'Unknown authors', width));
  out.push('');
  const rows: [string, string | undefined][] = [
    ['Key', paper.id],
    ['Venue', venueAndYear(paper)],
    ['arXiv', paper.arxiv],
    ['DOI', paper.DOI],
    ['URL', paper.URL],
    ['Code', paper.code],
    ['Source', paper.source === 'bundled' ? 'bundled library' : paper.source],
  ];
  for (const [label, value] of rows) if (value) out.push(`${`${label}:`.padEnd(8)}${value}`);
  if (paper.abstract) {
    out.push('');
    out.push(wrapText(paper.abstract, width));
  }
}

function commandBibtex(args: ParsedArgs, out: string[]): void {
  const index = loadLibrary(args);
  const papers = needPositional(args, 'a key').map((key) => lookup(index, key));
  out.push(toBibtexFile(papers).trimEnd());
}

function commandCite(args: ParsedArgs, out: string[]): void {
  const index = loadLibrary(args);
  const keys = needPositional(args, 'a key').map((key) => lookup(index, key).id);
  const format = args.flags.get('--format')?.at(-1) ?? 'latex';
  if (format !== 'latex' && format !== 'markdown') throw new UsageError(`--format must be latex or markdown, not '${format}'`);
  const command = args.flags.get('--command')?.at(-1) ?? 'cite';
  if (!/^[A-Za-z]+\*?$/.test(command)) throw new UsageError(`--command must be a LaTeX command name like citep, not '${command}'`);
  out.push(formatCitation(keys, format, { latexCommand: command }));
}

const COMMANDS: Record<string, (args: ParsedArgs, out: string[]) => void> = {
  search: commandSearch,
  show: commandShow,
  bibtex: commandBibtex,
  cite: commandCite,
};

/** Runs the CLI; returns the exit code. Output goes to stdout only when the command succeeded. */
export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    const name = args.positional[0];
    if (!name) {
      if (args.flags.has('--help')) {
        process.stdout.write(`${HELP.main}\n`);
        return 0;
      }
      throw new UsageError("a command is missing (search, show, bibtex, cite); see 'litcite --help'");
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (args.flags.has('--help')) {
      process.stdout.write(`${HELP[name]}\n`);
      return 0;
    }
    const known = new Set(['--help', '--json', '--no-bundled', ...VALUE_OPTIONS]);
    const unknown = [...args.flags.keys()].find((flag) => !known.has(flag));
    if (unknown) throw new UsageError(`unknown option ${unknown} (see 'litcite ${name} --help')`);
    const out: string[] = [];
    command(args, out);
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`litcite: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`litcite: internal error: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

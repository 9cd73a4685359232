/**
 * `litcite`: search, show, cite and format papers from the terminal (Vim, Emacs, scripts), on
 * the same core and the same library rules as the extension. Every failure is one line on
 * stderr and exit code 2; output goes to stdout only when the command succeeded.
 */
import * as fs from 'fs';
import { appendEntryEdit } from '../core/bib-edits';
import { formatCitation } from '../core/cite-syntax';
import { readConfigKeyTemplate } from './config';
import { decodeBibBytes, encodeForFile } from '../core/encoding';
import { toCslItem } from '../core/format/csl-json';
import { StyleRegistry } from '../core/format/styles';
import { formatAuthors, venueAndYear, wrapText } from '../core/render';
import { scanBibEntries } from '../core/bib-entries';
import { parseBibtexLibrary } from '../core/library';
import { displayName, Paper, paperVenue, paperYear } from '../core/types';
import { needPositional, option, parseArgs, ParsedArgs, SWITCHES, UsageError, VALUE_OPTIONS } from './args';
import { FORMAT_HELP, formatCommand, loadBundledCsl } from './format';
import { bibtexOf, limitOption, loadCliLibrary, lookup } from './library';
import { addPaper, createCliEngine, formatRelatedText, formatSearchText, onlineSearch, parseSourcesOption, relatedPapers } from './online';

const LIBRARY_OPTIONS = `Library options (every command):
  --library FILE      add a .bib or CSL-JSON file (repeatable; read in order, as one database)
  --no-bundled        leave the bundled papers out
  --zotero            add the Zotero library (LITCITE_ZOTERO_LOCAL_URL, or LITCITE_ZOTERO_WEB_URL
                      + LITCITE_ZOTERO_API_KEY + LITCITE_ZOTERO_LIBRARY)`;

const HELP = new Map<string, string>([
  ['main', `litcite — search a library of papers and cite them

Usage: litcite <command> [options]

Commands:
  search <query…>     ranked papers for a query (title, author, abstract, key, arXiv id; typos are fine)
  show <key|arxiv>    the full record with the abstract
  list                every paper of the library (--json: CSL-JSON)
  bibtex <key…>       BibTeX entries (a .bib entry exactly as its file has it)
  cite <key…>         citation text for LaTeX or Markdown
  format <key…>       formatted references in a citation style
  add <id> --to FILE  fetch a paper by arXiv id, DOI or URL and append it to a .bib
  related <key|id>    references, citing papers and recommendations (online)

${LIBRARY_OPTIONS}

Run 'litcite <command> --help' for a command's options.`],
  ['search', `Usage: litcite search <query…> [--limit N] [--json] [--online [--sources LIST]]

Prints the best-matching papers, best first.
  --limit N        at most N results (default 10)
  --json           an array of {key, title, authors, year, venue, doi, arxiv, abstract, sources, origin, score}
  --online         also search arXiv, OpenAlex, Crossref and Semantic Scholar (the query is sent to them)
  --sources LIST   which services, comma-separated (default: all four)`],
  ['show', `Usage: litcite show <key|arxiv-id> [--width N]

Prints the paper's title, authors, venue, identifiers, links and abstract, wrapped to the terminal.`],
  ['list', `Usage: litcite list [--json]

Every paper of the library: one line each (key, year, first author, title), or with --json an
array of CSL-JSON items whose id is the citation key.`],
  ['bibtex', `Usage: litcite bibtex <key…> [--biblatex]

Prints a BibTeX entry for each key (or arXiv id), in the order given. An entry from a --library
.bib is printed as its file has it, with the @string definitions and crossref parents it needs.`],
  ['cite', `Usage: litcite cite <key…> [--format latex|markdown] [--command NAME]

Prints the citation text: \\cite{a,b} for LaTeX (the command is --command, default cite),
[@a; @b] for Markdown (Pandoc).`],
  ['format', FORMAT_HELP],
  ['add', `Usage: litcite add <arXiv id|DOI|URL> --to FILE.bib

Looks the paper up (arXiv, or DOI content negotiation), chooses a key unique in FILE.bib and the
library, appends the entry without changing a byte of what the file holds, and prints the key.`],
  ['related', `Usage: litcite related <key|DOI|arXiv id> [--json]

Lists the paper's references, the papers citing it and recommendations (OpenAlex, Semantic Scholar).`],
]);

type Command = (args: ParsedArgs, out: string[]) => Promise<void> | void;

async function commandSearch(args: ParsedArgs, out: string[]): Promise<void> {
  const query = needPositional(args, 'a query').join(' ');
  const limit = limitOption(args, 10);
  const library = await loadCliLibrary(args);
  const hits = library.view.index.search(query, { limit });
  if (args.flags.has('--online')) {
    const sources = parseSourcesOption(option(args, '--sources'));
    if (!sources.ok) throw new UsageError(sources.message);
    const engine = createCliEngine(sources.sources);
    const result = await onlineSearch(query, { engine, library: library.view.papers, localHits: hits.map((h) => h.paper), sources: sources.sources, limit });
    for (const line of result.status) process.stderr.write(`${line}\n`);
    if (result.allFailed && !hits.length) throw new UsageError('every online source failed and nothing in the library matches');
    out.push(args.flags.has('--json') ? JSON.stringify(result.items, null, 2) : formatSearchText(result.items));
    return;
  }
  if (args.flags.has('--json')) {
    out.push(JSON.stringify(hits.map((hit) => ({
      key: hit.paper.id,
      title: hit.paper.title,
      authors: hit.paper.author.map(displayName),
      year: paperYear(hit.paper) ?? null,
      venue: paperVenue(hit.paper) ?? null,
      doi: hit.paper.DOI ?? null,
      arxiv: hit.paper.arxiv ?? null,
      abstract: hit.paper.abstract ?? null,
      sources: [hit.paper.source === 'bundled' ? 'bundled' : 'library'],
      origin: hit.paper.source === 'bundled' ? 'bundled' : 'library',
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

async function commandShow(args: ParsedArgs, out: string[]): Promise<void> {
  const [keyOrId] = needPositional(args, 'a key or arXiv id');
  const paper = lookup(await loadCliLibrary(args), keyOrId);
  const width = Number(option(args, '--width') ?? (process.stdout.columns || 80));
  out.push(wrapText(paper.title, width));
  out.push(wrapText(authorsLine(paper), width));
  out.push('');
  const rows: [string, string | undefined][] = [
    ['Key', paper.id],
    ['Venue', venueAndYear(paper)],
    ['arXiv', paper.arxiv],
    ['DOI', paper.DOI],
    ['URL', paper.URL],
    ['Code', paper.code],
    ['Source', paper.source === 'bundled' ? 'bundled library' : `${paper.source ?? ''}${paper.sourceLine ? `:${paper.sourceLine}` : ''}`],
  ];
  for (const [label, value] of rows) if (value) out.push(`${`${label}:`.padEnd(8)}${value}`);
  if (paper.abstract) {
    out.push('');
    out.push(wrapText(paper.abstract, width));
  }
}

function authorsLine(paper: Paper): string {
  const names = paper.author.map(displayName);
  if (paper.authorEtAl) names.push('et al.');
  return names.join(', ') || 'Unknown authors';
}

async function commandList(args: ParsedArgs, out: string[]): Promise<void> {
  const { view } = await loadCliLibrary(args);
  if (args.flags.has('--json')) {
    out.push(JSON.stringify(view.papers.map((paper) => toCslItem(paper)), null, 2));
    return;
  }
  for (const paper of view.papers) {
    const first = paper.author[0];
    const who = first ? (first.family ?? first.literal ?? first.given ?? '') + (paper.author.length > 1 || paper.authorEtAl ? ' et al.' : '') : '';
    out.push([paper.id, paperYear(paper) ?? '', who, paper.title.replace(/\s+/g, ' ')].join('\t'));
  }
}

async function commandBibtex(args: ParsedArgs, out: string[]): Promise<void> {
  const library = await loadCliLibrary(args);
  const papers = needPositional(args, 'a key').map((key) => lookup(library, key));
  out.push(bibtexOf(library, papers));
}

async function commandCite(args: ParsedArgs, out: string[]): Promise<void> {
  const library = await loadCliLibrary(args);
  const keys = needPositional(args, 'a key').map((key) => lookup(library, key).id);
  const format = option(args, '--format') ?? 'latex';
  if (format !== 'latex' && format !== 'markdown') throw new UsageError(`--format must be latex or markdown, not '${format}'`);
  const command = option(args, '--command') ?? 'cite';
  if (!/^[A-Za-z]+\*?$/.test(command)) throw new UsageError(`--command must be a LaTeX command name like citep, not '${command}'`);
  out.push(formatCitation(keys, format, { latexCommand: command }));
}

async function commandFormat(args: ParsedArgs, out: string[]): Promise<void> {
  const library = await loadCliLibrary(args);
  const papers = needPositional(args, 'a key').map((key) => lookup(library, key));
  const registry = new StyleRegistry();
  const errors = loadBundledCsl(registry);
  if (errors.length) throw new UsageError(`the bundled styles could not be read: ${errors[0].message}`);
  const result = formatCommand(papers, { style: option(args, '--style'), csl: option(args, '--csl'), locale: option(args, '--locale'), format: option(args, '--format') }, registry);
  if (!result.ok) throw new UsageError(result.error);
  out.push(...result.lines);
}

async function commandAdd(args: ParsedArgs, out: string[]): Promise<void> {
  const [input] = needPositional(args, 'an arXiv id, DOI or URL');
  const target = option(args, '--to');
  if (!target) throw new UsageError("--to FILE.bib is missing (see 'litcite add --help')");
  let bytes: Uint8Array = new Uint8Array();
  if (fs.existsSync(target)) bytes = fs.readFileSync(target);
  const decoded = decodeBibBytes(bytes);
  const library = await loadCliLibrary(args);
  const result = await addPaper(input, {
    engine: createCliEngine(),
    targetKeys: scanBibEntries(decoded.text).map((e) => e.key),
    targetPapers: parseBibtexLibrary(decoded.text, target).papers,
    library: library.view.papers,
    keyTemplate: readConfigKeyTemplate(),
  });
  if (!result.ok) throw new UsageError(result.message);
  // Appended after the file's exact bytes, in its encoding and with its line break.
  const appended = encodeForFile(appendEntryEdit(decoded.text, result.entry).text, bytes.length ? decoded.encoding : 'utf-8');
  if (!appended) throw new UsageError(`${target} is in ${decoded.encoding}, which cannot hold every character of the entry; nothing was written`);
  const next = new Uint8Array(bytes.length + appended.length);
  next.set(bytes);
  next.set(appended, bytes.length);
  fs.writeFileSync(target, next);
  out.push(result.key);
}

async function commandRelated(args: ParsedArgs, out: string[]): Promise<void> {
  const [target] = needPositional(args, 'a key, DOI or arXiv id');
  const library = await loadCliLibrary(args);
  const result = await relatedPapers(target, { engine: createCliEngine(), library: library.view.papers });
  if (!result.ok) throw new UsageError(result.message);
  out.push(args.flags.has('--json') ? JSON.stringify(result.lists, null, 2) : formatRelatedText(result));
}

/** Commands by name, in a Map: a name like `constructor` or `__proto__` is no command. */
const COMMANDS = new Map<string, Command>([
  ['search', commandSearch],
  ['show', commandShow],
  ['list', commandList],
  ['bibtex', commandBibtex],
  ['cite', commandCite],
  ['format', commandFormat],
  ['add', commandAdd],
  ['related', commandRelated],
]);

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    const name = args.positional[0];
    if (!name) {
      if (args.flags.has('--help')) {
        process.stdout.write(`${HELP.get('main')}\n`);
        return 0;
      }
      throw new UsageError(`a command is missing (${[...COMMANDS.keys()].join(', ')}); see 'litcite --help'`);
    }
    const command = COMMANDS.get(name);
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${[...COMMANDS.keys()].join(', ')})`);
    if (args.flags.has('--help')) {
      process.stdout.write(`${HELP.get(name) ?? ''}\n`);
      return 0;
    }
    const unknown = [...args.flags.keys()].find((flag) => !SWITCHES.has(flag) && !VALUE_OPTIONS.has(flag));
    if (unknown) throw new UsageError(`unknown option ${unknown} (see 'litcite ${name} --help')`);
    const out: string[] = [];
    await command(args, out);
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`litcite: ${err.message}\n`);
      return 2;
    }
    // Not a stack trace: one line saying what failed, as for every other error.
    process.stderr.write(`litcite: internal error: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}

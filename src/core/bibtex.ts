import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import { fromScript } from './latex/symbols';
import type { CslName, Paper, RichRun } from './types';

/** Options for BibTeX output. */
export interface BibtexOptions {
  /** Also write the `abstract` field. Off by default: it is long and bibliography styles ignore it. */
  includeAbstract?: boolean;
}

/** One BibTeX entry for `paper` keyed by `paper.id`: @misc for preprints, @inproceedings/@article by venue, LaTeX-safe, newline-terminated. */
export function toBibtex(paper: Paper, options: BibtexOptions = {}): string {
  const { type, fields } = bibtexFields(paper, options);
  const names = orderedFieldNames(fields);
  const lines = names.map((name, i) => {
    const value = name === 'month' ? fields.get(name)! : `{${fields.get(name)!}}`;
    return `  ${FIELD_SPELLING[name] ?? name} = ${value}${i < names.length - 1 ? ',' : ''}`;
  });
  return `@${type}{${safeKey(paper.id)},\n${lines.join('\n')}\n}\n`;
}

/** A .bib text with one entry per paper in the given order; a key already written is skipped, as BibTeX rejects repeats. */
export function toBibtexFile(papers: Paper[], options: BibtexOptions = {}): string {
  const seen = new Set<string>();
  const entries: string[] = [];
  for (const paper of papers) {
    const key = safeKey(paper.id);
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(toBibtex(paper, options));
  }
  return entries.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Entry shape
//
// The mapping is the inverse of the reader's (core/bibtex/fields.ts), so a paper written here and
// read back is the same paper. citation-js's CSL → BibTeX mapping is not used: it maps chapters
// to @inbook, files a proceedings publisher under `organization`, drops `and others` and the
// fields it has no BibTeX name for, and its value formatter drops characters it cannot encode.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Venue names that are journals even when the record's CSL type does not say so. */
const JOURNAL_NAME = /\b(?:journal|transactions|letters|magazine|annals)\b/i;

/** Canonical field order; fields not listed keep their insertion order before `note` and `abstract`. */
const FIELD_ORDER = [
  'author', 'editor', 'translator', 'title', 'booktitle', 'journal', 'volume', 'number', 'pages', 'edition', 'series',
  'chapter', 'publisher', 'organization', 'school', 'institution', 'address', 'howpublished', 'type',
  'year', 'month', 'eprint', 'archiveprefix', 'primaryclass', 'doi', 'isbn', 'issn', 'url', 'urldate',
];
const FIELD_LAST = ['keywords', 'note', 'abstract'];
const FIELD_SPELLING: Record<string, string> = { archiveprefix: 'archivePrefix', primaryclass: 'primaryClass' };

function bibtexFields(paper: Paper, options: BibtexOptions): { type: string; fields: Map<string, string> } {
  const fields = new Map<string, string>();
  const set = (name: string, value: string | undefined): void => {
    if (value) fields.set(name, value);
  };
  const venue = paper['container-title'] ?? paper.event;
  const type = entryType(paper, venue);
  const arxiv = paper.arxiv ? normaliseArxiv(paper.arxiv) : undefined;

  set('author', renderNames(paper.author, paper.authorEtAl));
  set('editor', paper.editor ? renderNames(paper.editor, paper.editorEtAl) : undefined);
  set('translator', paper.translator ? renderNames(paper.translator, false) : undefined);
  set('title', paper.titleRich ? renderRuns(paper.titleRich, true) : renderLatex(paper.title, true));
  if (type === 'article' && venue) set('journal', renderLatex(venue, false));
  if ((type === 'inproceedings' || type === 'incollection' || type === 'inbook') && venue) set('booktitle', renderLatex(venue, false));
  set('volume', text(paper.volume));
  if (type === 'article') set('number', text(paper.issue ?? paper.number));
  else set('number', text(paper.number ?? paper['collection-number'] ?? paper.issue));
  set('pages', paper.page ? renderLatex(paper.page.split(/[-–—]+/).map((part) => part.trim()).join('--'), false) : undefined);
  set('edition', text(paper.edition));
  set('series', text(paper['collection-title']));
  set('chapter', text(paper['chapter-number']));
  if (type === 'techreport') set('institution', text(paper.publisher));
  else if (type === 'phdthesis' || type === 'mastersthesis') set('school', text(paper.publisher));
  else set('publisher', text(paper.publisher));
  set('organization', text(paper.authority));
  set('address', text(paper['publisher-place']));
  set('howpublished', text(paper.medium));
  const defaultGenre = type === 'phdthesis' ? /^ph\.?\s?d\.?\s+thesis$/i : type === 'mastersthesis' ? /^master'?s\s+thesis$/i : undefined;
  if (paper.genre && !(defaultGenre && defaultGenre.test(paper.genre))) set('type', text(paper.genre));

  const date = paper.issued?.['date-parts']?.[0] ?? [];
  const [year, month] = date;
  if (Number.isFinite(year)) set('year', String(year));
  else if (paper.issued?.literal) set('year', text(paper.issued.literal));
  if (Number.isInteger(month) && month >= 1 && month <= 12) set('month', MONTHS[month - 1]);

  const doi = paper.DOI ? normaliseDoi(paper.DOI) : undefined;
  set('doi', doi ? verbatim(doi) : undefined);
  if (arxiv) {
    set('eprint', verbatim(arxiv));
    set('archiveprefix', 'arXiv');
    if (paper.arxivClass) set('primaryclass', verbatim(paper.arxivClass));
    // The DataCite DOI arXiv registers for every preprint; a published version's DOI wins.
    if (type === 'misc' && !doi) set('doi', `10.48550/arXiv.${verbatim(arxiv)}`);
  }
  set('isbn', paper.ISBN ? verbatim(paper.ISBN) : undefined);
  set('issn', paper.ISSN ? verbatim(paper.ISSN) : undefined);
  const url = paper.URL ?? (arxiv ? `https://arxiv.org/abs/${arxiv}` : undefined);
  set('url', url ? verbatim(url, true) : undefined);
  const accessed = paper.accessed?.['date-parts']?.[0];
  if (accessed?.length) set('urldate', accessed.map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, '0'))).join('-'));
  set('keywords', text(paper.keyword));
  set('note', text(paper.note));
  if (options.includeAbstract && paper.abstract) set('abstract', renderLatex(paper.abstract, false));
  return { type, fields };
}

function text(value: string | undefined): string | undefined {
  return value ? renderLatex(value, false) : undefined;
}

/**
 * The BibTeX entry type. A preprint is `@misc` (an `@article` without a journal makes BibTeX warn
 * and styles print badly); a paper with a conference venue `@inproceedings`, with a journal
 * `@article`; a chapter in an edited book `@incollection`.
 */
function entryType(paper: Paper, venue: string | undefined): string {
  switch (paper.type) {
    case 'paper-conference':
      return venue ? 'inproceedings' : 'misc';
    case 'article-journal':
    case 'article-magazine':
    case 'article-newspaper':
    case 'review':
      return venue ? 'article' : 'misc';
    case 'article':
      if (!venue) return 'misc';
      return JOURNAL_NAME.test(venue) ? 'article' : 'inproceedings';
    case 'chapter':
    case 'entry-encyclopedia':
    case 'entry-dictionary':
      return paper['container-title'] ? 'incollection' : 'inbook';
    case 'book':
      return 'book';
    case 'pamphlet':
      return 'booklet';
    case 'thesis':
      return /master/i.test(paper.genre ?? '') ? 'mastersthesis' : 'phdthesis';
    case 'report':
      return 'techreport';
    case 'manuscript':
      return 'unpublished';
    default:
      return paper.event ? 'inproceedings' : 'misc';
  }
}

function orderedFieldNames(fields: Map<string, string>): string[] {
  const known = new Set([...FIELD_ORDER, ...FIELD_LAST]);
  return [
    ...FIELD_ORDER.filter((name) => fields.has(name)),
    ...[...fields.keys()].filter((name) => !known.has(name)),
    ...FIELD_LAST.filter((name) => fields.has(name)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Names

function renderNames(names: readonly CslName[], etAl: boolean | undefined): string | undefined {
  const written = names.map(renderName).filter(Boolean);
  if (etAl) written.push('others');
  return written.length ? written.join(' and ') : undefined;
}

/**
 * `von Family, Jr, Given`. A family name with a space or comma is braced so BibTeX does not split
 * it (`{Vallée Poussin}`); a particle is written before it when it is lower-case, as BibTeX's von
 * part, else braced with the family name; a name with no given part (an institution) is braced whole.
 */
function renderName(name: CslName): string {
  const family = clean(name.family ?? name.literal ?? '');
  const given = clean(name.given ?? '');
  const particle = clean(name['non-dropping-particle'] ?? '');
  const suffix = clean(name.suffix ?? '');
  if (!family && !given) return '';
  if (!family || (!given && !particle && !suffix)) return `{${renderLatex(family || given, false)}}`;
  const familyText = renderLatex(family, false);
  let head = /[\s,]/.test(family) ? `{${familyText}}` : familyText;
  if (particle) {
    head = /^\p{Ll}/u.test(particle) && particle.split(/\s+/).every((w) => /^\p{Ll}/u.test(w))
      ? `${renderLatex(particle, false)} ${head}`
      : `{${renderLatex(`${particle} ${family}`, false)}}`;
  }
  const givenText = given ? renderLatex(given, false) : '';
  const givenPart = /,|\sand\s/i.test(given) ? `{${givenText}}` : givenText;
  const parts = [head];
  if (suffix) parts.push(renderLatex(suffix, false));
  if (givenPart) parts.push(givenPart);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Identifiers and keys

/** Characters that end a key for BibTeX or break `\cite`. */
const UNSAFE_KEY_CHAR = /[\s,{}()"#%'=\\~]/g;

function safeKey(id: string): string {
  return id.replace(UNSAFE_KEY_CHAR, '_') || 'untitled';
}

function normaliseArxiv(id: string): string {
  return id.trim().replace(/^arxiv:/i, '').replace(/v\d+$/, '');
}

function normaliseDoi(doi: string): string {
  return doi.trim().replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
}

/**
 * url/doi/eprint are written raw (the `url` package typesets `_` and `%`); only what would break
 * the entry itself is encoded: braces (BibTeX counts them even when escaped) and, in URLs, spaces.
 */
function verbatim(text: string, isUrl = false): string {
  const trimmed = text.trim().replace(/\s+/g, isUrl ? '%20' : ' ');
  return trimmed.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Text → LaTeX

/**
 * Turns a field value into LaTeX that BibTeX can hold and LaTeX can typeset, losing nothing:
 * - LaTeX already in the value passes through: `$…$` math (Pandoc's rule: no space inside the
 *   delimiters, closing `$` not followed by a digit), `\commands` with their `{…}` arguments,
 *   balanced `{…}` groups; CSL rich text (`<i>`, `<b>`, `<sup>`, `<sub>`, nocase and small-caps
 *   spans) becomes the matching LaTeX command.
 * - In plain text `& % $ # _` are escaped; `{ } \ ~ ^ < > |` become text commands, braced so that
 *   BibTeX's brace count stays balanced.
 * - Non-ASCII letters become BibTeX "special characters" (`{\'e}`, `{\L}`, `{\k{a}}`) built from
 *   citation-js's own tables: BibTeX then treats each as one letter when it abbreviates given
 *   names or builds labels (raw UTF-8 there yields `\xC5.` and a LaTeX error in abbrv/alpha).
 *   Characters without a macro stay UTF-8, braced for the same reason, never dropped.
 * - In titles (`title`), words BibTeX styles must not lower-case are braced; see needsProtection.
 *   Math and commands with capitals in their name are braced too (`\LaTeX` → `\latex` otherwise).
 */
const MAX_DEPTH = 20;

function renderLatex(value: string, title: boolean): string {
  return render(clean(value), 0, title);
}

function render(s: string, depth: number, title: boolean): string {
  // Braces nested deeper than any real title are written as text, so hostile input stays linear.
  if (depth > MAX_DEPTH) return escapePlain(s);
  let out = '';
  let plain = '';
  const flush = (): void => {
    if (plain) out += title && depth === 0 ? protectWords(plain) : escapePlain(plain);
    plain = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    let unit: { text: string; end: number } | undefined;
    if (ch === '$') unit = readMath(s, i, depth, title);
    else if (ch === '\\') unit = readCommand(s, i, depth, title);
    else if (ch === '{') {
      const close = matchingBrace(s, i);
      if (close > 0) unit = { text: `{${render(s.slice(i + 1, close), depth + 1, false)}}`, end: close + 1 };
    }
    if (unit) {
      flush();
      out += unit.text;
      i = unit.end;
    } else {
      plain += ch;
      i++;
    }
  }
  flush();
  return out;
}

/** Index of the `}` closing the `{` at `open`, skipping `\{`/`\}`, or -1. */
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Braces balanced both as LaTeX sees them and as BibTeX counts them (escaped ones included). */
function bracesBalanced(s: string): boolean {
  let raw = 0;
  let tex = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const escaped = i > 0 && s[i - 1] === '\\';
    if (ch === '{') { raw++; if (!escaped) tex++; }
    else if (ch === '}') { raw--; if (!escaped) tex--; }
    if (raw < 0 || tex < 0) return false;
  }
  return raw === 0 && tex === 0;
}

function readMath(s: string, start: number, depth: number, title: boolean): { text: string; end: number } | undefined {
  const first = s[start + 1];
  if (first === undefined || first === '$' || /\s/.test(first)) return undefined;
  let close = -1;
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '$') { close = i; break; }
  }
  if (close < 0 || /\s/.test(s[close - 1]) || /\d/.test(s[close + 1] ?? '')) return undefined;
  const body = s.slice(start + 1, close);
  if (!bracesBalanced(body)) return undefined;
  // `%` would comment out the rest of the line and `&`/`#` are errors even in math.
  const math = `$${body.replace(/(^|[^\\])([%&#])/g, '$1\\$2')}$`;
  return { text: title && depth === 0 ? `{${math}}` : math, end: close + 1 };
}

const ACCENT_SYMBOLS = new Set(["'", '"', '^', '~', '=', '.', '`']);
const ACCENT_LETTERS = new Set(['v', 'u', 'H', 'c', 'k', 'd', 'b', 't', 'r']);
/** Text-letter macros BibTeX should see as one letter: `{\L}ukasz`, `{\o}`. */
const LETTER_MACROS = new Set(['L', 'l', 'o', 'O', 'ss', 'SS', 'ae', 'AE', 'oe', 'OE', 'aa', 'AA', 'i', 'j', 'DH', 'dh', 'TH', 'th', 'NG', 'ng', 'DJ', 'dj']);
/** Commands whose argument is a URL or path, left untouched. */
const VERBATIM_COMMANDS = new Set(['url', 'path', 'href', 'doi']);

function readCommand(s: string, start: number, depth: number, title: boolean): { text: string; end: number } | undefined {
  const next = s[start + 1];
  if (next === undefined) return undefined;
  const wrap = (text: string): string => (depth === 0 ? `{${text}}` : text);

  const word = /^[A-Za-z]+/.exec(s.slice(start + 1, start + 40));
  if (word) {
    const name = word[0];
    let end = start + 1 + name.length;
    let text = `\\${name}`;
    let argIndex = 0;
    while (s[end] === '{') {
      const close = matchingBrace(s, end);
      if (close < 0) break;
      const arg = s.slice(end + 1, close);
      const raw = VERBATIM_COMMANDS.has(name) && argIndex === 0;
      text += `{${raw ? arg.replace(/[{}]/g, (b) => (b === '{' ? '%7B' : '%7D')) : render(arg, depth + 1, false)}}`;
      end = close + 1;
      argIndex++;
    }
    const isLetter = LETTER_MACROS.has(name) || (ACCENT_LETTERS.has(name) && argIndex > 0);
    return { text: isLetter || (title && /[A-Z]/.test(name)) ? wrap(text) : text, end };
  }
  if (ACCENT_SYMBOLS.has(next)) {
    let end = start + 2;
    let arg: string;
    if (s[end] === '{') {
      const close = matchingBrace(s, end);
      if (close < 0) return undefined;
      arg = `{${render(s.slice(end + 1, close), depth + 1, false)}}`;
      end = close + 1;
    } else if (s[end] === '\\' && /[ij]/.test(s[end + 1] ?? '') && !/[A-Za-z]/.test(s[end + 2] ?? '')) {
      arg = `\\${s[end + 1]}`;
      end += 2;
    } else if (/[A-Za-z]/.test(s[end] ?? '')) {
      arg = s[end];
      end += 1;
    } else {
      return undefined;
    }
    return { text: wrap(`\\${next}${arg}`), end };
  }
  if (next === '{') return { text: '{\\textbraceleft}', end: start + 2 };
  if (next === '}') return { text: '{\\textbraceright}', end: start + 2 };
  if (/[&%$#_\\ ,;!\-/@]/.test(next)) return { text: `\\${next}`, end: start + 2 };
  return undefined;
}

const RUN_COMMANDS: Array<[keyof RichRun, string]> = [
  ['italic', '\\textit{'], ['bold', '\\textbf{'], ['smallCaps', '\\textsc{'], ['code', '\\texttt{'],
  ['sup', '\\textsuperscript{'], ['sub', '\\textsubscript{'],
];

/** A title's rich runs as LaTeX: each styled run in its text command, braced against case changes. */
function renderRuns(runs: readonly RichRun[], title: boolean): string {
  return runs
    .map((run) => {
      // Runs are cut inside the text: their spaces are kept, only folded.
      const body = render(run.text.replace(/\s+/g, ' '), 0, title && !RUN_COMMANDS.some(([flag]) => run[flag]));
      let out = body;
      for (const [flag, command] of RUN_COMMANDS) if (run[flag]) out = `${command}${out}}`;
      return out === body ? out : `{${out}}`;
    })
    .join('');
}

/**
 * Title protection rule: a word is braced when one of its hyphen- or slash-separated parts has a
 * capital after its first character (`GPT`, `LLMs`, `AdaMerging`, `zkDL`, `C3oT`), is a lone
 * capital other than the article "A" (`I`, `X`), or mixes capitals and digits (`FP4`, `A100`).
 * Ordinary capitalised words are left alone so sentence-case styles can lower-case them; proper
 * nouns written like ordinary words (`Python`, `Monte Carlo`) cannot be told apart and are not
 * protected. Leading and trailing punctuation stays outside the braces: `({RLHF})`, `{LLMs}?`.
 */
function protectWords(text: string): string {
  return text
    .split(' ')
    .map((word) => {
      // Leading and trailing punctuation stays outside the braces: found by scanning, not by a
      // regular expression (a lazy `(.*?)` before a trailing class is quadratic on `a----…b`).
      let start = 0;
      while (start < word.length && !isWordChar(word, start)) start++;
      let end = word.length;
      while (end > start && !isWordChar(word, end - 1)) end--;
      const core = word.slice(start, end);
      if (!core || !needsProtection(core)) return escapePlain(word);
      return `${escapePlain(word.slice(0, start))}{${escapePlain(core)}}${escapePlain(word.slice(end))}`;
    })
    .join(' ');
}

function isWordChar(word: string, i: number): boolean {
  const c = word.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return /[\p{L}\p{N}]/u.test(word[i]);
}

function needsProtection(word: string): boolean {
  return word.split(/[-‐/]/).some((part) => {
    const [first, ...rest] = Array.from(part);
    if (first === undefined) return false;
    if (/\p{Lu}/u.test(rest.join(''))) return true;
    if (rest.length === 0 && /\p{Lu}/u.test(first) && first !== 'A') return true;
    return /\p{Lu}/u.test(part) && /\p{N}/u.test(part);
  });
}

interface LatexTables {
  chars: Map<string, string>;
  accents: Map<string, string>;
}
let tables: LatexTables | undefined;

/** Reverse of the tables citation-js decodes LaTeX with, so both directions agree. */
function latexTables(): LatexTables {
  if (tables) return tables;
  const constants = plugins.config.get('@bibtex').constants;
  // TeX's own ligatures first (– → --, nbsp → ~, “ → ``), and the apostrophe convention.
  const chars = new Map<string, string>([['\u2019', "'"], ['\u2018', '`']]);
  for (const [ligature, ch] of Object.entries(constants.ligatures)) if (!chars.has(ch)) chars.set(ch, ligature);
  for (const [command, ch] of Object.entries(constants.commands)) {
    if (typeof ch === 'string' && ch.length === 1 && ch.charCodeAt(0) > 127 && !chars.has(ch)) chars.set(ch, `{\\${command}}`);
  }
  // The text-mode Ω (textohm) is the Ohm sign; Greek letters are math.
  // Present at runtime though the plugin's typings omit it.
  const { mathCommands = {} } = constants as typeof constants & { mathCommands?: Record<string, string> };
  for (const [command, ch] of Object.entries(mathCommands)) {
    if (typeof ch === 'string' && !chars.has(ch)) chars.set(ch, `{$\\${command}$}`);
  }
  const accents = new Map<string, string>();
  for (const [command, mark] of Object.entries(constants.diacritics)) {
    if (typeof mark === 'string' && !accents.has(mark)) accents.set(mark, command);
  }
  tables = { chars, accents };
  return tables;
}

const PLAIN_ESCAPES: Record<string, string> = {
  '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_',
  '{': '{\\textbraceleft}', '}': '{\\textbraceright}', '\\': '{\\textbackslash}',
  '~': '{\\textasciitilde}', '^': '{\\textasciicircum}',
  '<': '{\\textless}', '>': '{\\textgreater}', '|': '{\\textbar}',
};

function escapePlain(text: string): string {
  // TeX's ligatures (`--`, `''`, a backquote) are left to mean what TeX makes of them: the reader
  // decodes them the same way, and a writer typing them in plain text means the dash or quote.
  if (/^[A-Za-z0-9 .,:;!?'"()[\]+\-*/=@`]*$/.test(text)) return text;
  let out = '';
  for (const ch of text) out += escapeChar(ch);
  return out;
}

function escapeChar(ch: string): string {
  const escaped = PLAIN_ESCAPES[ch];
  if (escaped) return escaped;
  const code = ch.codePointAt(0)!;
  if (code < 32 || code === 127) return ' ';
  if (code < 128) return ch;
  const { chars } = latexTables();
  const script = fromScript(ch);
  if (script) return `$${script.kind === 'sup' ? '^' : '_'}{${escapeChar(script.base)}}$`;
  return chars.get(ch) ?? accented(ch) ?? `{${ch}}`;
}

/** `é` → `{\'e}`, `ą` → `{\k{a}}`, `ǘ` → `{\'{\"u}}`, when every mark has a LaTeX accent. */
function accented(ch: string): string | undefined {
  const [base, ...marks] = Array.from(ch.normalize('NFD'));
  if (!base || marks.length === 0 || !/^[A-Za-z]$/.test(base)) return undefined;
  const { accents } = latexTables();
  let text = base;
  for (const mark of marks) {
    const command = accents.get(mark);
    if (!command) return undefined;
    const single = text.length === 1;
    text = /^[A-Za-z]+$/.test(command) ? `\\${command}{${text}}` : single ? `\\${command}${text}` : `\\${command}{${text}}`;
  }
  return `{${text}}`;
}

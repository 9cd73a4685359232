import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
// citation-js's CSL → BibTeX mapping (entry type, which CSL variable becomes which field, page
// ranges, list fields) is reused as is. Its value formatter (lib/output/value.js) is not: it drops
// every character it has no LaTeX macro for, escapes LaTeX already present in a title into
// `\textdollar{}\textbackslash{}…`, braces every capitalised word, writes `month = {jul 7}` and
// replaces the key. The mapping is not re-exported by the package, hence the deep import.
import { formatBibtex } from '@citation-js/plugin-bibtex/lib/mapping/index.js';
import type { CslName, Paper } from './types';

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

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Venue names that are journals even when the record's CSL type does not say so. */
const JOURNAL_NAME = /\b(journal|transactions|letters|magazine|annals)\b/i;

/** Canonical field order; fields not listed keep citation-js's order before `note` and `abstract`. */
const FIELD_ORDER = [
  'author', 'editor', 'title', 'booktitle', 'journal', 'volume', 'number', 'pages', 'edition', 'series',
  'chapter', 'publisher', 'organization', 'school', 'institution', 'address', 'howpublished',
  'year', 'month', 'eprint', 'archiveprefix', 'primaryclass', 'doi', 'isbn', 'issn', 'url',
];
const FIELD_LAST = ['note', 'abstract'];
const FIELD_SPELLING: Record<string, string> = { archiveprefix: 'archivePrefix', primaryclass: 'primaryClass' };

const CSL_VARIABLES = [
  'title', 'author', 'issued', 'URL', 'DOI', 'container-title', 'publisher', 'volume', 'issue', 'page', 'note',
] as const;

function bibtexFields(paper: Paper, options: BibtexOptions): { type: string; fields: Map<string, string> } {
  const csl: Record<string, unknown> = { id: paper.id, type: paper.type };
  for (const variable of CSL_VARIABLES) {
    if (paper[variable] !== undefined) csl[variable] = paper[variable];
  }
  const mapped = formatBibtex([csl])[0];
  const fieldTypes = plugins.config.get('@bibtex').constants.fieldTypes;

  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(mapped.properties)) {
    // year/month are rebuilt from `issued` below; `howpublished` only repeats the URL for @misc,
    // and plain.bst would print it outside \url, where `_` or `%` breaks LaTeX.
    if (name === 'year' || name === 'month' || value === undefined || value === null) continue;
    if (name === 'howpublished' && typeof value === 'string' && /^https?:/i.test(value)) continue;
    const rendered = renderField(name, value, fieldTypes[name]);
    if (rendered) fields.set(name, rendered);
  }

  const arxiv = paper.arxiv ? normaliseArxiv(paper.arxiv) : undefined;
  const venue = paper['container-title'] ?? paper.event;
  const type = entryType(paper, mapped.type, venue);
  fields.delete('journal');
  fields.delete('booktitle');
  if (type === 'article' && venue) fields.set('journal', renderLatex(venue, false));
  if (type === 'inproceedings' && venue) fields.set('booktitle', renderLatex(venue, false));
  if ((type === 'inbook' || type === 'incollection') && paper['container-title']) {
    fields.set('booktitle', renderLatex(paper['container-title'], false));
  }
  // citation-js files a proceedings publisher (PMLR, ACM) under `organization`, which styles
  // print as the organiser; `publisher` is what it is.
  const organization = fields.get('organization');
  if (type === 'inproceedings' && organization && !fields.has('publisher')) {
    fields.set('publisher', organization);
    fields.delete('organization');
  }

  const [year, month] = paper.issued?.['date-parts']?.[0] ?? [];
  if (Number.isFinite(year)) fields.set('year', String(year));
  if (Number.isInteger(month) && month >= 1 && month <= 12) fields.set('month', MONTHS[month - 1]);

  const doi = paper.DOI ? normaliseDoi(paper.DOI) : undefined;
  if (doi) fields.set('doi', verbatim(doi));
  if (arxiv) {
    fields.set('eprint', verbatim(arxiv));
    fields.set('archiveprefix', 'arXiv');
    // The DataCite DOI arXiv registers for every preprint; a published version's DOI wins.
    if (type === 'misc' && !doi) fields.set('doi', `10.48550/arXiv.${verbatim(arxiv)}`);
  }
  const url = paper.URL ?? (arxiv ? `https://arxiv.org/abs/${arxiv}` : undefined);
  if (url) fields.set('url', verbatim(url, true));
  else fields.delete('url');

  if (options.includeAbstract && paper.abstract) fields.set('abstract', renderLatex(paper.abstract, false));
  return { type, fields };
}

/**
 * citation-js maps CSL `article` (what preprints are) to `@article` without a journal, which
 * BibTeX warns about and styles print badly; a preprint is `@misc`, a paper with a conference
 * venue `@inproceedings`, a paper with a journal `@article`.
 */
function entryType(paper: Paper, mappedType: string, venue: string | undefined): string {
  switch (paper.type) {
    case 'paper-conference':
      return venue ? 'inproceedings' : 'misc';
    case 'article-journal':
      return venue ? 'article' : 'misc';
    case 'article':
      if (!venue) return 'misc';
      return JOURNAL_NAME.test(venue) ? 'article' : 'inproceedings';
    default:
      if (mappedType === 'article' && !venue) return 'misc';
      if (mappedType === 'misc' && paper.event) return 'inproceedings';
      return mappedType;
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

type FieldType = [string, string] | undefined;

function renderField(name: string, value: unknown, fieldType: FieldType): string | undefined {
  const [listType, valueType] = fieldType ?? ['field', 'literal'];
  if (valueType === 'name' && Array.isArray(value)) return renderNames(value as MappedName[]);
  if (Array.isArray(value)) {
    const items = value.map((item) => renderLatex(String(item), false)).filter(Boolean);
    return listType === 'list' ? items.map((item) => (/\sand\s/i.test(item) ? `{${item}}` : item)).join(' and ') : items.join(', ');
  }
  const text = String(value);
  if (valueType === 'verbatim' || valueType === 'uri') return verbatim(text, valueType === 'uri');
  return renderLatex(text, name === 'title');
}

// ---------------------------------------------------------------------------------------------
// Names

/** A name as citation-js's mapping hands it over: CSL literal names arrive as a bare `family`. */
interface MappedName extends CslName {
  prefix?: string;
  suffix?: string;
}

function renderNames(names: MappedName[]): string {
  return names.map(renderName).filter(Boolean).join(' and ');
}

/**
 * `Family, Given`. A family name with a space or comma is braced so BibTeX does not split it
 * into von/last parts (`{van der Maaten}, Laurens` keeps the record's family name); a name with
 * no given part (an institution) is braced whole.
 */
function renderName(name: MappedName): string {
  const family = clean(name.family ?? name.literal ?? '');
  const given = clean(name.given ?? '');
  if (!family && !given) return '';
  if (!family || (!given && !name.prefix && !name.suffix)) return `{${renderLatex(family || given, false)}}`;
  const familyText = renderLatex(family, false);
  let head = /[\s,]/.test(family) ? `{${familyText}}` : familyText;
  if (name.prefix) head = `${renderLatex(clean(name.prefix), false)} ${head}`;
  const givenText = given ? renderLatex(given, false) : '';
  const givenPart = /,|\sand\s/i.test(given) ? `{${givenText}}` : givenText;
  const parts = [head];
  if (name.suffix) parts.push(renderLatex(clean(name.suffix), false));
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
function renderLatex(value: string, title: boolean): string {
  return render(clean(value), 0, title);
}

function render(s: string, depth: number, title: boolean): string {
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
    } else if (ch === '<') unit = readRichText(s, i, depth);
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

const RICH_TEXT: Array<[open: string, tag: string, latex: string]> = [
  ['<i>', 'i', '\\textit{'],
  ['<b>', 'b', '\\textbf{'],
  ['<sup>', 'sup', '\\textsuperscript{'],
  ['<sub>', 'sub', '\\textsubscript{'],
  ['<span class="nocase">', 'span', '{'],
  ['<span style="font-variant:small-caps;">', 'span', '\\textsc{'],
];

/** CSL-JSON's rich-text markup, as citation-js writes it when it decodes `\textit{…}` and friends. */
function readRichText(s: string, start: number, depth: number): { text: string; end: number } | undefined {
  const match = RICH_TEXT.find(([open]) => s.startsWith(open, start));
  if (!match) return undefined;
  const [open, tag, latex] = match;
  const opener = new RegExp(`<${tag}[ >]`, 'g');
  const closer = `</${tag}>`;
  let level = 1;
  let i = start + open.length;
  while (level > 0) {
    const nextClose = s.indexOf(closer, i);
    if (nextClose < 0) return undefined;
    opener.lastIndex = i;
    const nextOpen = opener.exec(s);
    if (nextOpen && nextOpen.index < nextClose) {
      level++;
      i = nextOpen.index + 1;
    } else {
      level--;
      i = nextClose + closer.length;
    }
  }
  const inner = s.slice(start + open.length, i - closer.length);
  return { text: `${latex}${render(inner, depth + 1, false)}}`, end: i };
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
    .split(/( )/)
    .map((word) => {
      const m = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(word);
      if (!m || !m[2] || !needsProtection(m[2])) return escapePlain(word);
      return `${escapePlain(m[1])}{${escapePlain(m[2])}}${escapePlain(m[3])}`;
    })
    .join('');
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

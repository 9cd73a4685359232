import { foldToAscii } from './text';
import { Paper, paperYear } from './types';

/** The default key template: first author's family name, year, first significant title word. */
export const DEFAULT_KEY_TEMPLATE = '[auth][year][title]';

/** Words skipped when a key takes words from the title (articles, prepositions, conjunctions, question words). */
const STOP_WORDS = new Set([
  'a', 'an', 'the', 'of', 'on', 'in', 'for', 'to', 'and', 'or', 'nor', 'but', 'with', 'without', 'from',
  'by', 'at', 'as', 'is', 'are', 'be', 'was', 'were', 'via', 'into', 'onto', 'over', 'under', 'about',
  'toward', 'towards', 'through', 'vs', 'versus', 'do', 'does', 'can', 'what', 'how', 'why', 'when',
  'where', 'which', 'who', 'we', 'our', 'your', 'its', 'it', 'this', 'that', 'these', 'those', 'not', 'all',
  'any', 'some', 'more', 'less', 'than', 'beyond', 'between', 'among', 'after', 'before', 'up', 'out', 'so',
  'if', 'then', 's', 'd', 'll', 't', 're', 've', 'm',
]);

/** Characters BibTeX and Pandoc both accept in a key. */
const UNSAFE_KEY_CHARS = /[^A-Za-z0-9_:.-]/g;

export interface KeyTemplateError {
  message: string;
}

/**
 * Tokens a key template may use, each in square brackets; text outside brackets is kept literally
 * (after dropping characters not allowed in keys).
 *  [auth]  first author's family name, lower-case ASCII    [Auth] the same, capitalised
 *  [authors2] first two family names (+ "etal" past two)   [year] four-digit year   [shortyear] two digits
 *  [title] first title word that is not a stop word        [Title] capitalised   [titleN] first N such words
 *  [arxiv] the arXiv id with `.` kept                      [venue] first word of the venue, lower-case
 */
export function validateKeyTemplate(template: string): KeyTemplateError | undefined {
  if (!template.trim()) return { message: 'the key template is empty' };
  const unknown: string[] = [];
  template.replace(/\[([^[\]]*)\]/g, (whole, token: string) => {
    if (!/^(auth|Auth|authors\d|year|shortyear|title|Title|title\d|Title\d|arxiv|venue)$/.test(token)) unknown.push(whole);
    return whole;
  });
  if (unknown.length) return { message: `unknown token${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in the key template` };
  if ((template.match(/\[/g) ?? []).length !== (template.match(/\]/g) ?? []).length) {
    return { message: 'unbalanced brackets in the key template' };
  }
  return undefined;
}

function asciiWord(text: string): string {
  return foldToAscii(text).replace(/[^A-Za-z0-9]/g, '');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function familyOf(paper: Paper, index: number): string {
  const name = paper.author[index];
  if (!name) return '';
  return asciiWord(name.family ?? name.literal ?? name.given ?? '').toLowerCase();
}

function titleWords(paper: Paper): string[] {
  return foldToAscii(paper.title)
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/\\[A-Za-z]+/g, ' ')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w && !STOP_WORDS.has(w));
}

function expandToken(token: string, paper: Paper): string {
  const year = paperYear(paper);
  switch (token) {
    case 'auth': return familyOf(paper, 0);
    case 'Auth': return capitalise(familyOf(paper, 0));
    case 'year': return year ? String(year) : '';
    case 'shortyear': return year ? String(year % 100).padStart(2, '0') : '';
    case 'title': return titleWords(paper)[0] ?? '';
    case 'Title': return capitalise(titleWords(paper)[0] ?? '');
    case 'arxiv': return paper.arxiv ?? '';
    case 'venue': return asciiWord((paper.event ?? paper['container-title'] ?? '').split(/\s+/)[0] ?? '').toLowerCase();
  }
  const authorsN = /^authors(\d)$/.exec(token);
  if (authorsN) {
    const n = Number(authorsN[1]);
    const names = paper.author.slice(0, n).map((_, i) => capitalise(familyOf(paper, i)));
    return names.join('') + (paper.author.length > n ? 'EtAl' : '');
  }
  const titleN = /^(title|Title)(\d)$/.exec(token);
  if (titleN) {
    const words = titleWords(paper).slice(0, Number(titleN[2]));
    return titleN[1] === 'Title' ? words.map(capitalise).join('') : words.join('');
  }
  return '';
}

/**
 * The key a template gives a paper, before uniqueness suffixes. Always valid in BibTeX and Pandoc:
 * only `[A-Za-z0-9_:.-]`, starting with a letter (`ref` is put in front otherwise).
 */
export function baseKey(paper: Paper, template: string = DEFAULT_KEY_TEMPLATE): string {
  const expanded = template.replace(/\[([^[\]]*)\]/g, (_, token: string) => expandToken(token, paper));
  let key = foldToAscii(expanded).replace(UNSAFE_KEY_CHARS, '');
  if (!/^[A-Za-z]/.test(key)) key = `ref${key}`;
  return key;
}

/** `a`…`z`, then `aa`, `ab`…: the suffixes that make a taken key unique, in the order tried. */
export function keySuffix(index: number): string {
  let s = '';
  let n = index;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/** Whether a key is valid in both BibTeX and Pandoc. */
export function isSafeKey(key: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_:.-]*$/.test(key);
}

/**
 * Keys for papers, unique among themselves and against `taken`. Papers sharing a base key are
 * ordered by date, then arXiv id, then title, so the result does not depend on input order:
 * the first keeps the bare key, the next get `a`, `b`, … (as Better BibTeX does).
 */
export function assignKeys(papers: readonly Paper[], template: string = DEFAULT_KEY_TEMPLATE, taken: ReadonlySet<string> = new Set()): string[] {
  const groups = new Map<string, number[]>();
  papers.forEach((paper, index) => {
    const key = baseKey(paper, template);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  // Keys handed out here, checked beside `taken` rather than copying it: copying a large taken
  // set for every new paper would make adding papers one by one quadratic.
  const added = new Set<string>();
  const used = { has: (key: string): boolean => taken.has(key) || added.has(key), add: (key: string): void => void added.add(key) };
  const keys: string[] = new Array(papers.length);
  const sortKey = (p: Paper) => `${(p.issued?.['date-parts'][0] ?? []).map((n) => String(n).padStart(4, '0')).join('-')}\u0000${p.arxiv ?? ''}\u0000${p.title}`;
  for (const [key, indices] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    indices.sort((a, b) => {
      const ka = sortKey(papers[a]);
      const kb = sortKey(papers[b]);
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    let next = 0;
    for (const index of indices) {
      let candidate = key;
      if (used.has(candidate) || index !== indices[0]) {
        do candidate = key + keySuffix(next++); while (used.has(candidate));
      }
      used.add(candidate);
      keys[index] = candidate;
    }
  }
  return keys;
}

/** A key for one new paper, unique against the keys already taken. */
export function uniqueKey(paper: Paper, taken: ReadonlySet<string>, template: string = DEFAULT_KEY_TEMPLATE): string {
  return assignKeys([paper], template, taken)[0];
}

/**
 * The key a new .bib entry gets: `preferred` (the key the library shows for the paper) when the
 * .bib does not use it, else a fresh key from the template, unique against the .bib and the
 * library. Keys compare without case, as BibTeX does. Insert Citation, the quick fixes, Add Paper
 * and every source that writes entries choose keys here.
 */
export function keyForNewEntry(paper: Paper, preferred: string | undefined, taken: { bibKeys: Iterable<string>; libraryKeys?: Iterable<string> }, template: string = DEFAULT_KEY_TEMPLATE): string {
  const bib = new Set<string>();
  for (const key of taken.bibKeys) bib.add(key.toLowerCase());
  if (preferred && !bib.has(preferred.toLowerCase())) return preferred;
  const folded = new Set(bib);
  for (const key of taken.libraryKeys ?? []) if (key !== preferred) folded.add(key.toLowerCase());
  const caseless = { has: (key: string): boolean => folded.has(key.toLowerCase()) };
  return uniqueKey(paper, caseless as ReadonlySet<string>, template);
}

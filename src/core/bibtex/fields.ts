/**
 * A BibTeX/biblatex entry's fields (LaTeX values, macros already expanded) → a Paper (CSL-JSON):
 * entry types, names, dates (BibTeX `year`/`month` and biblatex EDTF `date`), identifiers and
 * every field CSL has a place for. LaTeX is decoded only here, field by field.
 */
import { decodeLatex } from '../latex/decode';
import type { CslDate, CslName, Paper, RichRun } from '../types';
import { parseNames } from './names';

/** Entry types → CSL types (biblatex's and BibTeX's names). */
const TYPE_MAP: Record<string, string> = {
  article: 'article-journal', book: 'book', mvbook: 'book', inbook: 'chapter', bookinbook: 'chapter',
  suppbook: 'chapter', booklet: 'pamphlet', collection: 'book', mvcollection: 'book', incollection: 'chapter',
  suppcollection: 'chapter', proceedings: 'book', mvproceedings: 'book', inproceedings: 'paper-conference',
  conference: 'paper-conference', manual: 'report', misc: 'document', online: 'webpage', electronic: 'webpage',
  www: 'webpage', patent: 'patent', periodical: 'periodical', suppperiodical: 'article-journal', report: 'report',
  techreport: 'report', thesis: 'thesis', phdthesis: 'thesis', mastersthesis: 'thesis', unpublished: 'manuscript',
  dataset: 'dataset', software: 'software', standard: 'standard', legislation: 'legislation', jurisdiction: 'legal_case',
  letter: 'personal_communication', movie: 'motion_picture', video: 'motion_picture', music: 'song', audio: 'song',
  artwork: 'graphic', image: 'graphic', review: 'review', reference: 'book', mvreference: 'book',
  inreference: 'entry-encyclopedia', commentary: 'book', performance: 'performance', preprint: 'article',
  set: 'document', presentation: 'speech', talk: 'speech',
};

const THESIS_GENRE: Record<string, string> = { phdthesis: 'PhD thesis', mastersthesis: "Master's thesis" };
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Container titles that only say "preprint": arXiv (Google Scholar), CoRR (DBLP). */
const PREPRINT_CONTAINER = /^(?:arxiv\b|corr$|biorxiv|medrxiv)/i;
const PREPRINT_TYPES = new Set(['article', 'article-journal', 'document', 'manuscript', 'webpage', 'post', 'post-weblog']);
const ARXIV_ID = String.raw`(\d{4}\.\d{4,5}|[a-z][a-z-]{0,30}(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?`;
const ARXIV_IN_URL = new RegExp(String.raw`arxiv\.org/(?:abs|pdf|html)/${ARXIV_ID}`, 'i');
const ARXIV_IN_DOI = new RegExp(String.raw`^10\.48550/arxiv\.${ARXIV_ID}$`, 'i');
const ARXIV_IN_TEXT = new RegExp(String.raw`\barxiv:[ \t]{0,3}${ARXIV_ID}`, 'i');
const ARXIV_BARE = new RegExp(String.raw`^(?:arxiv:)?${ARXIV_ID}$`, 'i');

/** An entry as the database hands it over: lower-case field names → LaTeX values. */
export interface EntryFields {
  type: string;
  key: string;
  fields: ReadonlyMap<string, string>;
}

/** A paper with what reading it found worth telling: LaTeX commands that were not known, by field. */
export interface EntryReading {
  paper: Paper;
  unknown?: Array<{ field: string; command: string }>;
}

/** The paper an entry describes (keys, source and line are the caller's). */
export function entryToPaper(entry: EntryFields): EntryReading {
  const { type, fields } = entry;
  let unknown: Array<{ field: string; command: string }> | undefined;
  const note = (field: string, commands: string[] | undefined): void => {
    if (!commands) return;
    unknown ??= [];
    for (const command of commands) unknown.push({ field, command });
  };
  const text = (name: string): string | undefined => {
    const raw = fields.get(name);
    if (raw === undefined) return undefined;
    const decoded = decodeLatex(raw);
    note(name, decoded.unknown);
    return decoded.text || undefined;
  };
  const names = (name: string): { names: CslName[]; etAl: boolean } | undefined => {
    const raw = fields.get(name);
    if (raw === undefined) return undefined;
    const list = parseNames(raw);
    note(name, list.unknown);
    return list.names.length || list.etAl ? list : undefined;
  };

  const cslType = cslTypeOf(type, fields);
  const paper: Paper = { id: entry.key, type: cslType, title: '', author: [] };

  // Title: title + subtitle + titleaddon, with its emphasis.
  const titleRaw = fields.get('title');
  if (titleRaw !== undefined) {
    const decoded = decodeLatex(titleRaw, true);
    note('title', decoded.unknown);
    let title = decoded.text;
    let runs: RichRun[] | undefined = decoded.runs;
    for (const [field, joiner] of [['subtitle', ': '], ['titleaddon', '. ']] as const) {
      const raw = fields.get(field);
      if (raw === undefined) continue;
      const more = decodeLatex(raw, true);
      note(field, more.unknown);
      if (!more.text) continue;
      if (runs || more.runs) runs = [...(runs ?? [{ text: title }]), { text: joiner }, ...(more.runs ?? [{ text: more.text }])];
      title = title ? `${title}${joiner}${more.text}` : more.text;
    }
    paper.title = title;
    if (runs) paper.titleRich = runs;
  }
  const short = text('shorttitle');
  if (short) paper['title-short'] = short;

  const author = names('author');
  if (author) {
    paper.author = author.names;
    if (author.etAl) paper.authorEtAl = true;
  }
  const editor = names('editor');
  if (editor) {
    if (editor.names.length) paper.editor = editor.names;
    if (editor.etAl) paper.editorEtAl = true;
  }
  const translator = names('translator');
  if (translator?.names.length) paper.translator = translator.names;
  const bookAuthor = names('bookauthor');
  if (bookAuthor?.names.length) paper['container-author'] = bookAuthor.names;

  // Where it appeared.
  const journal = text('journal') ?? text('journaltitle');
  let booktitle = text('booktitle');
  const booksubtitle = text('booksubtitle');
  if (booktitle && booksubtitle) booktitle = `${booktitle}: ${booksubtitle}`;
  const container = journal ?? booktitle ?? (cslType === 'chapter' || cslType === 'paper-conference' ? text('maintitle') : undefined);
  if (container) paper['container-title'] = container;
  const shortJournal = text('shortjournal');
  if (shortJournal) paper['container-title-short'] = shortJournal;
  const series = text('series');
  if (series) paper['collection-title'] = series;
  const event = text('eventtitle');
  if (event) paper.event = event;
  const venue = text('venue');
  if (venue) paper['event-place'] = venue;

  const publisher = text('publisher')
    ?? (cslType === 'report' ? text('institution') ?? text('organization') : undefined)
    ?? (cslType === 'thesis' ? text('school') ?? text('institution') : undefined)
    ?? text('organization')
    ?? text('institution')
    ?? text('school');
  if (publisher) paper.publisher = publisher;
  const organization = text('organization');
  if (organization && organization !== publisher) paper.authority = organization;
  const place = text('address') ?? text('location');
  if (place) paper['publisher-place'] = place;

  const volume = text('volume');
  if (volume) paper.volume = volume;
  const volumes = text('volumes');
  if (volumes) paper['number-of-volumes'] = volumes;
  const numberField = text('number');
  const issueField = text('issue');
  if (cslType.startsWith('article')) {
    const issue = numberField ?? issueField;
    if (issue) paper.issue = issue;
  } else {
    if (issueField) paper.issue = issueField;
    if (numberField) {
      if (series && (cslType === 'book' || cslType === 'chapter' || cslType === 'paper-conference')) paper['collection-number'] = numberField;
      else paper.number = numberField;
    }
  }
  const pages = text('pages');
  if (pages) paper.page = pages.split(/[–—]+/).map((part) => part.trim()).join('-');
  const pageTotal = text('pagetotal');
  if (pageTotal) paper['number-of-pages'] = pageTotal;
  const edition = text('edition');
  if (edition) paper.edition = edition;
  const chapter = text('chapter');
  if (chapter) paper['chapter-number'] = chapter;
  const genre = text('type') ?? THESIS_GENRE[type];
  if (genre) paper.genre = genre;
  const status = text('pubstate');
  if (status) paper.status = status;
  const version = text('version');
  if (version) paper.version = version;
  const language = text('language') ?? text('langid');
  if (language) paper.language = language;
  const keywords = text('keywords');
  if (keywords) paper.keyword = keywords;
  const abstract = text('abstract');
  if (abstract) paper.abstract = abstract;
  const noteText = [text('note'), text('addendum')].filter(Boolean).join('. ');
  if (noteText) paper.note = noteText;
  const howpublished = fields.get('howpublished');

  // Dates.
  const issued = dateField(fields.get('date')) ?? yearMonth(fields.get('year'), fields.get('month'), fields.get('day'));
  if (issued) paper.issued = issued;
  const accessed = dateField(fields.get('urldate'));
  if (accessed) paper.accessed = accessed;
  const eventDate = dateField(fields.get('eventdate'));
  if (eventDate) paper['event-date'] = eventDate;
  const origDate = dateField(fields.get('origdate'));
  if (origDate) paper['original-date'] = origDate;

  // Identifiers and links: written as is, only escapes undone.
  const doi = verbatim(fields.get('doi'));
  if (doi) paper.DOI = doi.replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:\s*)/i, '');
  let url = verbatim(fields.get('url'));
  if (!url && howpublished) url = urlCommand(howpublished);
  if (url) paper.URL = url;
  if (howpublished !== undefined && !urlCommand(howpublished) && !paper.publisher) {
    const how = text('howpublished');
    if (how) paper.publisher = how;
  }
  for (const [field, variable] of [['isbn', 'ISBN'], ['issn', 'ISSN'], ['pmid', 'PMID'], ['pmcid', 'PMCID']] as const) {
    const value = verbatim(fields.get(field));
    if (value) paper[variable] = value;
  }
  const archive = verbatim(fields.get('archiveprefix') ?? fields.get('eprinttype'));
  const eprint = verbatim(fields.get('eprint'));
  if (eprint && (/^arxiv$/i.test(archive ?? '') || (!archive && /^arxiv:/i.test(eprint)) || (!archive && ARXIV_BARE.test(eprint) && /^\d{4}\./.test(eprint)))) {
    paper.arxiv = ARXIV_BARE.exec(eprint)?.[1] ?? eprint.replace(/^arxiv:/i, '').replace(/v\d+$/, '');
  }
  if (!paper.arxiv) {
    const found = arxivIn([paper.URL, paper.DOI, paper['container-title'], paper.note, howpublished]);
    if (found) paper.arxiv = found;
  }
  const primaryClass = verbatim(fields.get('primaryclass') ?? fields.get('eprintclass'));
  if (primaryClass && paper.arxiv) paper.arxivClass = primaryClass;
  return { paper: finishPreprint(paper), ...(unknown ? { unknown } : {}) };
}

function cslTypeOf(type: string, fields: ReadonlyMap<string, string>): string {
  const mapped = TYPE_MAP[type] ?? 'document';
  if (mapped === 'article-journal') {
    const subtype = (fields.get('entrysubtype') ?? '').replace(/[{}]/g, '').trim().toLowerCase();
    if (subtype === 'magazine') return 'article-magazine';
    if (subtype === 'newspaper') return 'article-newspaper';
  }
  return mapped;
}

/** A preprint is CSL `article` without a venue: `journal = {arXiv preprint …}` is not a venue. */
function finishPreprint(paper: Paper): Paper {
  if (!paper.arxiv || !PREPRINT_TYPES.has(paper.type)) return paper;
  const container = paper['container-title'];
  if (container && PREPRINT_CONTAINER.test(container)) {
    delete paper['container-title'];
    if (paper.volume && /^abs\//i.test(paper.volume)) delete paper.volume;
  }
  if (!paper['container-title'] && !paper.event) paper.type = 'article';
  return paper;
}

function arxivIn(values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    if (!value) continue;
    const m = ARXIV_IN_URL.exec(value) ?? ARXIV_IN_DOI.exec(value) ?? ARXIV_IN_TEXT.exec(value);
    if (m) return m[1];
  }
  return undefined;
}

/** A URL, DOI or id as written: outer braces and TeX escapes removed, `\url{…}` unwrapped. */
function verbatim(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const unwrapped = urlCommand(raw) ?? raw;
  const value = unwrapped.replace(/[{}]/g, '').replace(/\\([_%#&$~])/g, '$1').replace(/\s+/g, ' ').trim();
  return value || undefined;
}

/** The URL of a value that is only `\url{…}` (or `\href{…}{…}`). */
function urlCommand(raw: string): string | undefined {
  const m = /^\s*\\(?:url|href)\s*\{([^{}]*)\}/.exec(raw);
  return m ? m[1].trim() : undefined;
}

/** BibTeX `year` (+ `month`, `day`) as a CSL date; a non-numeric year (`in press`) is a literal. */
function yearMonth(yearRaw: string | undefined, monthRaw: string | undefined, dayRaw: string | undefined): CslDate | undefined {
  if (yearRaw === undefined) return undefined;
  const yearText = decodeLatex(yearRaw).text.trim();
  const m = /^(-?\d{1,4})/.exec(yearText);
  if (!m) return yearText ? { 'date-parts': [], literal: yearText } : undefined;
  const parts = [Number(m[1])];
  const month = monthNumber(monthRaw);
  if (month) {
    parts.push(month);
    const day = dayRaw === undefined ? NaN : Number(dayRaw.replace(/[{}\s]/g, ''));
    if (Number.isInteger(day) && day >= 1 && day <= 31) parts.push(day);
  }
  return { 'date-parts': [parts] };
}

function monthNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.replace(/[{}\s.]/g, '').toLowerCase();
  const numeric = Number(text);
  if (Number.isInteger(numeric) && numeric >= 1 && numeric <= 12) return numeric;
  const index = MONTHS.indexOf(text.slice(0, 3));
  return index >= 0 ? index + 1 : undefined;
}

const EDTF_PART = /^(-?\d{1,6}|\d{2}X{2}|\d{3}X)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?([~?%]?)$/i;

/**
 * A biblatex `date` (ISO 8601-2 / EDTF level 1): `2020`, `2020-05`, `2020-05-17`, ranges
 * `2020/2021`, open ranges `/2004-01-01` and `2004/..`, approximate `-3000~`, uncertain `1990?`.
 */
export function dateField(raw: string | undefined): CslDate | undefined {
  if (raw === undefined) return undefined;
  const text = raw.replace(/[{}]/g, '').trim();
  if (!text) return undefined;
  const [startText, endText] = text.includes('/') ? text.split('/', 2) : [text, undefined];
  const start = edtfParts(startText);
  const end = endText === undefined ? undefined : edtfParts(endText);
  if (!start.parts && !end?.parts) return { 'date-parts': [], literal: text };
  const date: CslDate = { 'date-parts': [] };
  if (start.parts) date['date-parts'].push(start.parts);
  if (end?.parts) {
    // An open start (`/2004`) has only an end: CSL then reads it as the date.
    date['date-parts'].push(end.parts);
  }
  if (start.circa || end?.circa) date.circa = true;
  return date;
}

function edtfParts(text: string): { parts?: number[]; circa?: boolean } {
  const trimmed = text.trim();
  if (!trimmed || trimmed === '..') return {};
  const m = EDTF_PART.exec(trimmed);
  if (!m) return {};
  const year = Number(m[1].replace(/X/gi, '0'));
  const parts = [year];
  if (m[2] && !/x/i.test(m[2])) {
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) parts.push(month);
    else if (month >= 21 && month <= 24) {
      // EDTF seasons (21 spring … 24 winter) have no CSL date part; the year stands.
    }
    if (m[3] && !/x/i.test(m[3]) && parts.length === 2) parts.push(Number(m[3]));
  }
  return { parts, circa: m[4] === '~' || m[4] === '%' || m[4] === '?' ? true : undefined };
}

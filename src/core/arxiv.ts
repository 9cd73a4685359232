/**
 * Identifiers a writer pastes (arXiv ids and URLs, DOIs and doi.org URLs) and the arXiv export
 * API's Atom feed, read into a Paper. The feed is read with a small tolerant scanner rather than
 * an XML library: the API's output is flat, and the core has no DOM.
 */
import { arxivIdFromUrl } from './identity';
import { collapseSpace, firstXmlElement, xmlAttribute, xmlElements, xmlText } from './online/markup';
import type { CslName, Paper } from './types';

/** What a pasted identifier names. `version` is kept only to ask arXiv for that version's metadata. */
export type PaperIdentifier = { kind: 'arxiv'; id: string; version?: number } | { kind: 'doi'; doi: string };

/** The outcome of reading an arXiv API response for one id. */
export type ArxivFeedResult =
  | { ok: true; paper: Paper }
  | { ok: false; reason: 'not-found' | 'api-error' | 'not-a-feed'; message: string };

const MODERN_ID = /^(\d{2})(\d{2})\.(\d{4,5})$/;
/** Old-style ids: archive (with optional subject class) / YYMMNNN. */
const LEGACY_ID = /^([a-z][a-z-]*(?:\.[A-Za-z]{2})?)\/(\d{7})$/;
const DOI = /^10\.\d{4,9}\/\S+$/;
/** arXiv registers a DataCite DOI for every preprint; its metadata is better read from arXiv itself. */
const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/i;

/**
 * The arXiv id or DOI in what a writer pasted: `2307.03381`, `arXiv:2307.03381v2`,
 * `hep-th/9901001`, an arxiv.org abs/pdf/html URL, `10.18653/v1/2024.acl-long.468`,
 * `doi:10.…`, a doi.org or dx.doi.org URL. Undefined when it is neither.
 */
export function parseIdentifier(input: string): PaperIdentifier | undefined {
  let text = trimChars(input.trim(), '<"\'([', '>"\')]').trim();
  if (!text) return undefined;

  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html|format)\/(.+)$/i.exec(text);
  if (url) return arxivId(trimChars(cutAt(url[1], '?#').replace(/\.pdf$/i, ''), '', '/'));

  const doiUrl = /^(?:https?:\/\/)?(?:dx\.)?doi\.org\/(.+)$/i.exec(text);
  if (doiUrl) text = safeDecode(doiUrl[1]);
  else text = text.replace(/^doi\s*:\s*/i, '');
  if (text.startsWith('10.')) {
    // A DOI copied from running text often brings the sentence's punctuation with it.
    const doi = trimChars(text, '', '.,;');
    if (!DOI.test(doi)) return undefined;
    const arxiv = ARXIV_DOI.exec(doi);
    return arxiv ? arxivId(arxiv[1]) : { kind: 'doi', doi };
  }
  return arxivId(text.replace(/^arxiv\s*:\s*/i, ''));
}

/** `text` without any of `leading` at its start and `trailing` at its end (a scan, not a regex that could backtrack). */
function trimChars(text: string, leading: string, trailing: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && leading.includes(text[start])) start++;
  while (end > start && trailing.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/** `text` up to the first of `stops`. */
function cutAt(text: string, stops: string): string {
  for (let i = 0; i < text.length; i++) if (stops.includes(text[i])) return text.slice(0, i);
  return text;
}

function arxivId(text: string): PaperIdentifier | undefined {
  const m = /^(.+?)(?:v(\d+))?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, bare, version] = m;
  const modern = MODERN_ID.exec(bare);
  if (modern) {
    const month = Number(modern[2]);
    // Numbers grew to five digits in January 2015; new-style ids began in April 2007.
    const yymm = Number(modern[1] + modern[2]);
    if (month < 1 || month > 12 || yymm < 704 || modern[3].length !== (yymm >= 1501 ? 5 : 4)) return undefined;
  } else if (!LEGACY_ID.test(bare)) {
    return undefined;
  }
  const id: PaperIdentifier = { kind: 'arxiv', id: bare };
  if (version) id.version = Number(version);
  return id;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** How an identifier reads in messages: `arXiv:2307.03381`, `doi:10.…`. */
export function describeIdentifier(id: PaperIdentifier): string {
  return id.kind === 'arxiv' ? `arXiv:${id.id}${id.version ? `v${id.version}` : ''}` : `doi:${id.doi}`;
}

// ---------------------------------------------------------------------------------------------
// The Atom feed

/** Every paper in an arXiv API answer (a search or an `id_list`), or why there are none. */
export type ArxivFeed =
  | { ok: true; papers: Paper[]; total?: number; skipped: ArxivSkippedEntry[] }
  | { ok: false; reason: 'api-error' | 'not-a-feed'; message: string };

/** An `<entry>` left out of the papers, with its position among the feed's entries. */
export interface ArxivSkippedEntry {
  index: number;
  reason: 'no-arxiv-id' | 'no-title';
}

/**
 * Reads an arXiv API Atom feed into papers (keys left empty for the caller): title, authors,
 * abstract, first-version date, arXiv id without version, primary category, DOI and journal
 * reference. The API reports bad requests as an entry whose id points at `/api/errors`, still
 * with HTTP 200. Linear in the feed's length whatever it contains.
 */
export function readArxivFeed(xml: string): ArxivFeed {
  if (!/<feed[\s>]/.test(xml)) {
    const said = firstLine(xml).slice(0, 120);
    return { ok: false, reason: 'not-a-feed', message: `arXiv answered with something other than an Atom feed${said ? `: "${said}"` : ''}` };
  }
  const entries = xmlElements(xml, 'entry');
  const papers: Paper[] = [];
  const skipped: ArxivSkippedEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    const idText = xmlText(firstXmlElement(entry.inner, 'id')?.inner ?? '').trim();
    if (idText.includes('/api/errors')) {
      const summary = collapseSpace(xmlText(firstXmlElement(entry.inner, 'summary')?.inner ?? '')) || 'unknown error';
      return { ok: false, reason: 'api-error', message: `arXiv reported an error: ${summary}` };
    }
    const arxiv = arxivIdFromUrl(idText);
    if (!arxiv) {
      skipped.push({ index, reason: 'no-arxiv-id' });
      continue;
    }
    const title = collapseSpace(xmlText(firstXmlElement(entry.inner, 'title')?.inner ?? ''));
    // Withdrawn or unknown ids used to come back as entries without a title.
    if (!title) {
      skipped.push({ index, reason: 'no-title' });
      continue;
    }
    papers.push(entryPaper(entry.inner, arxiv, title));
  }
  const total = Number.parseInt(xmlText(firstXmlElement(xml, 'opensearch:totalResults')?.inner ?? ''), 10);
  return Number.isFinite(total) ? { ok: true, papers, total, skipped } : { ok: true, papers, skipped };
}

/**
 * Reads the arXiv API's answer to `id_list=<id>` into a Paper (key left empty for the caller).
 * An empty feed means arXiv has no such paper.
 */
export function paperFromArxivFeed(xml: string, requestedId: string): ArxivFeedResult {
  const feed = readArxivFeed(xml);
  if (!feed.ok) return feed;
  const wanted = requestedId.replace(/v\d+$/i, '').toLowerCase();
  const paper = feed.papers.find((p) => p.arxiv?.toLowerCase() === wanted);
  if (paper) return { ok: true, paper };
  return { ok: false, reason: 'not-found', message: `arXiv has no paper with the id ${requestedId}` };
}

function entryPaper(entry: string, arxiv: string, title: string): Paper {
  const text = (name: string): string => collapseSpace(xmlText(firstXmlElement(entry, name)?.inner ?? ''));
  const paper: Paper = {
    id: '',
    type: 'article',
    title,
    author: xmlElements(entry, 'author')
      .map((author) => splitName(collapseSpace(xmlText(firstXmlElement(author.inner, 'name')?.inner ?? ''))))
      .filter((n): n is CslName => n !== undefined),
    arxiv,
  };
  const published = /^(\d{4})-(\d{2})-(\d{2})/.exec(text('published'));
  if (published) paper.issued = { 'date-parts': [[Number(published[1]), Number(published[2]), Number(published[3])]] };
  const abstract = text('summary');
  if (abstract) paper.abstract = abstract;
  const doi = text('arxiv:doi');
  // Only the first of several DOIs: the rest are usually errata or parts.
  if (doi) paper.DOI = doi.split(' ')[0];
  const journal = text('arxiv:journal_ref');
  if (journal) paper['container-title'] = journal;
  const primary = firstXmlElement(entry, 'arxiv:primary_category');
  const category = primary ? xmlAttribute(primary.attributes, 'term')?.trim() : undefined;
  if (category) paper.arxivClass = category;
  return paper;
}

/** The first line of a text, without scanning the rest of it. */
function firstLine(text: string): string {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf('\n');
  return (end < 0 ? trimmed : trimmed.slice(0, end)).trim();
}

// ---------------------------------------------------------------------------------------------
// Names

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'ten', 'ter', 'zu', 'bin', 'ibn', 'al', 'el', 'st.']);
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv)$/i;
const GROUP = /\b(?:collaboration|consortium|team|group|project|committee|organi[sz]ation|society|institute|university|laboratory)\b/i;

/**
 * "Given Family" as arXiv writes names, split into CSL parts: lower-case particles join the
 * family name ("Laurens van der Maaten"), a suffix stays with it ("King Jr."), a single word is a
 * family name, and collaborations stay whole as a literal.
 */
export function splitName(name: string): CslName | undefined {
  const text = name.trim();
  if (!text) return undefined;
  if (GROUP.test(text)) return { literal: text };
  // "Family, Given": exactly one comma with a name on each side (a scan, not a backtracking regex).
  const parts = text.split(',');
  if (parts.length === 2 && parts[0].trim() && parts[1].trim() && !SUFFIX.test(parts[1].trim())) {
    return { family: parts[0].trim(), given: parts[1].trim() };
  }
  const words = text.replace(/,\s*/g, ' ').split(/\s+/);
  let suffix = '';
  if (words.length > 2 && SUFFIX.test(words[words.length - 1])) suffix = words.pop() ?? '';
  if (words.length === 1) return { family: [words[0], suffix].filter(Boolean).join(' ') };
  let start = words.length - 1;
  while (start > 1 && PARTICLES.has(words[start - 1])) start--;
  const family = [...words.slice(start), suffix].filter(Boolean).join(' ');
  const given = words.slice(0, start).join(' ');
  return given ? { family, given } : { family };
}

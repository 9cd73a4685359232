/**
 * Identifiers a writer pastes (arXiv ids and URLs, DOIs and doi.org URLs) and the arXiv export
 * API's Atom feed, read into a Paper. The feed is read with a small tolerant scanner rather than
 * an XML library: the API's output is flat, and the core has no DOM.
 */
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
  let text = input.trim().replace(/^[<"'(\[]+|[>"')\]]+$/g, '').trim();
  if (!text) return undefined;

  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html|format)\/(.+)$/i.exec(text);
  if (url) return arxivId(url[1].replace(/[?#].*$/, '').replace(/\.pdf$/i, '').replace(/\/+$/, ''));

  const doiUrl = /^(?:https?:\/\/)?(?:dx\.)?doi\.org\/(.+)$/i.exec(text);
  if (doiUrl) text = safeDecode(doiUrl[1]);
  else text = text.replace(/^doi\s*:\s*/i, '');
  if (/^10\./.test(text)) {
    // A DOI copied from running text often brings the sentence's punctuation with it.
    const doi = text.replace(/[.,;]+$/, '');
    if (!DOI.test(doi)) return undefined;
    const arxiv = ARXIV_DOI.exec(doi);
    return arxiv ? arxivId(arxiv[1]) : { kind: 'doi', doi };
  }
  return arxivId(text.replace(/^arxiv\s*:\s*/i, ''));
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

interface XmlElement {
  attributes: Record<string, string>;
  /** Inner text with entities decoded; child markup removed. */
  text: string;
  /** Raw inner markup, for elements that contain others. */
  inner: string;
}

/**
 * Reads the arXiv API's answer to `id_list=<id>` into a Paper (key left empty for the caller).
 * An empty feed means arXiv has no such paper; the API reports bad requests as an entry titled
 * "Error" whose id points at `/api/errors`, still with HTTP 200.
 */
export function paperFromArxivFeed(xml: string, requestedId: string): ArxivFeedResult {
  if (!/<feed[\s>]/.test(xml)) {
    const said = xml.trim().split('\n')[0]?.slice(0, 120) ?? '';
    return { ok: false, reason: 'not-a-feed', message: `arXiv answered with something other than an Atom feed${said ? `: "${said}"` : ''}` };
  }
  const entries = elements(xml, 'entry');
  for (const entry of entries) {
    const id = first(entry.inner, 'id')?.text ?? '';
    if (/\/api\/errors/.test(id)) {
      const summary = collapse(first(entry.inner, 'summary')?.text ?? 'unknown error');
      return { ok: false, reason: 'api-error', message: `arXiv reported an error: ${summary}` };
    }
  }
  const wanted = requestedId.replace(/v\d+$/i, '').toLowerCase();
  for (const entry of entries) {
    const idText = first(entry.inner, 'id')?.text ?? '';
    const found = /arxiv\.org\/abs\/(.+?)(?:v\d+)?$/i.exec(idText.trim());
    if (!found || found[1].toLowerCase() !== wanted) continue;
    const title = collapse(first(entry.inner, 'title')?.text ?? '');
    // Withdrawn or unknown ids used to come back as entries without a title.
    if (!title) continue;
    return { ok: true, paper: entryPaper(entry.inner, found[1], title) };
  }
  return { ok: false, reason: 'not-found', message: `arXiv has no paper with the id ${requestedId}` };
}

function entryPaper(entry: string, arxiv: string, title: string): Paper {
  const paper: Paper = {
    id: '',
    type: 'article',
    title,
    author: elements(entry, 'author').map((a) => splitName(collapse(first(a.inner, 'name')?.text ?? ''))).filter((n): n is CslName => n !== undefined),
    arxiv,
  };
  const published = /^(\d{4})-(\d{2})-(\d{2})/.exec(first(entry, 'published')?.text.trim() ?? '');
  if (published) paper.issued = { 'date-parts': [[Number(published[1]), Number(published[2]), Number(published[3])]] };
  const abstract = collapse(first(entry, 'summary')?.text ?? '');
  if (abstract) paper.abstract = abstract;
  const doi = collapse(first(entry, 'arxiv:doi')?.text ?? '');
  // Only the first of several DOIs: the rest are usually errata or parts.
  if (doi) paper.DOI = doi.split(/\s+/)[0];
  const journal = collapse(first(entry, 'arxiv:journal_ref')?.text ?? '');
  if (journal) paper['container-title'] = journal;
  return paper;
}

/** Elements named `name` in `xml`, outermost first; nested elements of the same name are not expected in Atom. */
function elements(xml: string, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const open = new RegExp(`<${name}(\\s[^>]*?)?(/?)>`, 'g');
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    const attributes = parseAttributes(m[1] ?? '');
    if (m[2] === '/') {
      out.push({ attributes, text: '', inner: '' });
      continue;
    }
    const close = xml.indexOf(`</${name}>`, open.lastIndex);
    if (close < 0) break;
    const inner = xml.slice(open.lastIndex, close);
    out.push({ attributes, inner, text: decodeXml(inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|<[^>]*>/g, (_, cdata: string | undefined) => (cdata !== undefined ? escapeForDecode(cdata) : ''))) });
    open.lastIndex = close + name.length + 3;
  }
  return out;
}

function first(xml: string, name: string): XmlElement | undefined {
  return elements(xml, name)[0];
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[m[1]] = decodeXml(m[2] ?? m[3] ?? '');
  return attributes;
}

/** CDATA is literal text; escaping it lets one decoding pass handle the whole element. */
function escapeForDecode(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return XML_ENTITIES[name ?? ''] ?? whole;
  });
}

/** arXiv hard-wraps titles and abstracts; a line break there is only a space. */
function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
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
  const comma = /^([^,]+),\s*([^,]+)$/.exec(text);
  if (comma && !SUFFIX.test(comma[2].trim())) return { family: comma[1].trim(), given: comma[2].trim() };
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

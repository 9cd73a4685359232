/**
 * A Zotero item (`format=json`, its `data` object, optionally Zotero's own `csljson`) read into a
 * Paper: CSL fields from Zotero's fields, creators by role, the free-text date, `extra` field
 * conventions, the arXiv id wherever Zotero keeps it, and the extras a view shows: tags,
 * collection paths, the number of child notes, PDF attachments and the `zotero://select` URI.
 * Every value is type-checked before use: the JSON comes from another program.
 */
import { extractArxivId } from '../text';
import type { Attachment, CslDate, CslName, Paper, PaperExtra } from '../types';
import { parseAccessDate, parseIsoDate, parseZoteroDate } from './dates';
import { parseExtra } from './extra';
import { cslTypeForItemType, isWorkItemType, primaryCreatorType } from './item-types';
import { readRichTitle } from './rich-text';
import { librarySource, zoteroOpenPdfUri, zoteroSelectUri, type ZoteroItem, type ZoteroLibraryRef } from './types';

/** What the mapping needs to know besides the item itself. */
export interface ZoteroMapContext {
  library: ZoteroLibraryRef;
  /** The item's child notes and attachments (children of other items are ignored). */
  children?: readonly ZoteroItem[];
  /** A collection key's display path (`Thesis / Chapter 2`), undefined when the collection is unknown. */
  collectionPath?: (collectionKey: string) => string | undefined;
  /** Attachment file locations name this machine's files (true for the local API, false for the web API). */
  localFiles?: boolean;
}

/** A mapped item: the paper (with an empty id: keys are chosen by `chooseCitationKey`) and what key choice and export need. */
export interface MappedZoteroItem {
  itemKey: string;
  paper: Paper;
  /** Zotero 8+'s own `citationKey` field. */
  nativeKey?: string;
  /** A key pinned in `extra` (`Citation Key: …`). */
  pinnedKey?: string;
  /** Better BibTeX `tex.<field>` overrides from `extra`, by lower-case field name. */
  texFields: Record<string, string>;
  /** When the item was added (ISO), for ordering key assignment the same way on every run. */
  dateAdded?: string;
}

/** Zotero fields that fill each CSL string variable, first non-empty wins (item types name the same idea differently). */
const FIELD_SOURCES: readonly (readonly [StringField, readonly string[]])[] = [
  ['container-title', ['publicationTitle', 'bookTitle', 'proceedingsTitle', 'websiteTitle', 'blogTitle', 'forumTitle', 'encyclopediaTitle', 'dictionaryTitle', 'programTitle', 'reporter', 'code']],
  ['container-title-short', ['journalAbbreviation']],
  ['collection-title', ['series', 'seriesTitle']],
  ['collection-number', ['seriesNumber']],
  ['event', ['conferenceName', 'meetingName']],
  ['publisher', ['publisher', 'university', 'institution', 'company', 'label', 'distributor', 'network', 'studio', 'repository']],
  ['publisher-place', ['place']],
  ['volume', ['volume', 'codeVolume', 'reporterVolume']],
  ['issue', ['issue']],
  ['page', ['pages', 'codePages', 'firstPage']],
  ['number-of-pages', ['numPages']],
  ['number-of-volumes', ['numberOfVolumes']],
  ['edition', ['edition']],
  ['number', ['reportNumber', 'patentNumber', 'billNumber', 'episodeNumber', 'publicLawNumber', 'docketNumber', 'number']],
  ['genre', ['thesisType', 'reportType', 'manuscriptType', 'websiteType', 'presentationType', 'letterType', 'postType', 'mapType', 'genre', 'type']],
  ['medium', ['medium', 'artworkMedium', 'audioRecordingFormat', 'videoRecordingFormat', 'interviewMedium', 'audioFileType']],
  ['version', ['versionNumber']],
  ['authority', ['legislativeBody', 'court', 'organization', 'committee']],
  ['language', ['language']],
  ['DOI', ['DOI']],
  ['ISBN', ['ISBN']],
  ['ISSN', ['ISSN']],
  ['URL', ['url']],
  ['abstract', ['abstractNote']],
  ['title-short', ['shortTitle']],
];

type StringField =
  | 'container-title' | 'container-title-short' | 'collection-title' | 'collection-number' | 'event' | 'event-place'
  | 'publisher' | 'publisher-place' | 'volume' | 'issue' | 'page' | 'number-of-pages' | 'number-of-volumes' | 'edition'
  | 'number' | 'genre' | 'medium' | 'version' | 'authority' | 'language' | 'DOI' | 'ISBN' | 'ISSN' | 'URL' | 'abstract'
  | 'title-short' | 'PMID' | 'PMCID' | 'status';

/** CSL-JSON variables taken from Zotero's own `csljson` when the item's fields left them empty. */
const CSL_FILL: readonly StringField[] = ['container-title', 'publisher', 'publisher-place', 'event', 'volume', 'issue', 'page', 'DOI', 'URL', 'ISBN', 'ISSN'];

/** Item types whose CSL `event-place` is the conference's or talk's place. */
const EVENT_PLACE_TYPES = new Set(['conferencePaper', 'presentation']);

/**
 * The paper for a Zotero item, or undefined when the item is not a work (a note, an attachment,
 * an annotation, a child item), is in the trash, or is not an item at all.
 */
export function mapZoteroItem(item: ZoteroItem, context: ZoteroMapContext): MappedZoteroItem | undefined {
  if (!isObject(item) || typeof item.key !== 'string' || !isObject(item.data)) return undefined;
  const data = item.data as Record<string, unknown>;
  const itemType = typeof data.itemType === 'string' ? data.itemType : '';
  if (!itemType || !isWorkItemType(itemType) || isTrashed(data) || typeof data.parentItem === 'string') return undefined;

  const title = readRichTitle(text(data.title) ?? text(data.caseName) ?? text(data.nameOfAct) ?? text(data.subject) ?? '');
  const creators = readCreators(data.creators, itemType);
  const paper: Paper = { id: '', type: cslTypeForItemType(itemType), title: title.text, author: creators.author };
  if (title.rich) paper.titleRich = title.rich;
  if (creators.editor.length) paper.editor = creators.editor;
  if (creators.translator.length) paper.translator = creators.translator;
  if (creators.containerAuthor.length) paper['container-author'] = creators.containerAuthor;

  for (const [field, sources] of FIELD_SOURCES) {
    for (const source of sources) {
      const value = text(data[source]);
      if (value !== undefined) {
        paper[field] = value;
        break;
      }
    }
  }
  if (EVENT_PLACE_TYPES.has(itemType) && paper['publisher-place']) paper['event-place'] = paper['publisher-place'];

  const date = readDate(item, data);
  if (date.issued) paper.issued = date.issued;
  if (date.status) paper.status = date.status;
  const accessed = parseAccessDate(data.accessDate);
  if (accessed) paper.accessed = accessed;

  const extra = parseExtra(data.extra);
  for (const [variable, value] of Object.entries(extra.csl)) {
    if (variable === 'original-date' || variable === 'event-date') {
      const parsed = parseZoteroDate(value).issued;
      if (parsed && !paper[variable]) paper[variable] = parsed;
    } else if (!paper[variable as StringField]) {
      paper[variable as StringField] = value;
    }
  }
  fillFromCsl(paper, item.csljson);

  const arxiv = findArxivId(data, extra.arxiv, paper.DOI);
  if (arxiv) paper.arxiv = arxiv;
  if (extra.arxivClass) paper.arxivClass = extra.arxivClass;
  // An arXiv id Zotero keeps as the preprint's number is already `arxiv`; as `number` it would print twice.
  if (arxiv && paper.number && /arxiv/i.test(paper.number)) delete paper.number;

  const tags = readTags(data.tags);
  if (tags.length) paper.keyword = tags.join(', ');
  paper.source = librarySource(context.library);
  paper.origin = 'zotero';
  paper.extra = readExtras(item.key, data, tags, context);

  const mapped: MappedZoteroItem = { itemKey: item.key, paper, texFields: extra.tex };
  const nativeKey = text(data.citationKey);
  if (nativeKey) mapped.nativeKey = nativeKey;
  if (extra.citationKey) mapped.pinnedKey = extra.citationKey;
  const dateAdded = text(data.dateAdded);
  if (dateAdded) mapped.dateAdded = dateAdded;
  return mapped;
}

/** Whether an item is in the trash (`deleted: 1` from the web API, `true` from the local API). */
export function isTrashed(data: Record<string, unknown>): boolean {
  return data.deleted === true || data.deleted === 1 || data.deleted === '1';
}

function readDate(item: ZoteroItem, data: Record<string, unknown>): { issued?: CslDate; status?: string } {
  const parsed = isObject(item.meta) ? parseIsoDate(item.meta.parsedDate) : undefined;
  if (parsed) return { issued: parsed };
  const own = parseZoteroDate(data.date);
  if (own.issued?.['date-parts'].length || own.status) return own;
  const csl = isObject(item.csljson) ? cslDate(item.csljson.issued) : undefined;
  return csl ? { issued: csl } : own;
}

/** A CSL date from Zotero's `csljson`, when it has a numeric year. */
function cslDate(value: unknown): CslDate | undefined {
  if (!isObject(value) || !Array.isArray(value['date-parts'])) return undefined;
  const first: unknown = value['date-parts'][0];
  if (!Array.isArray(first)) return undefined;
  // Only numbers and numeric text: `Number()` of a nested array would recurse through its elements.
  const numbers = first.slice(0, 3).map((n: unknown) => (typeof n === 'number' || typeof n === 'string' ? Number(n) : NaN));
  const parts = numbers.filter((n) => Number.isInteger(n) && n > 0);
  return parts.length && parts[0] === numbers[0] ? { 'date-parts': [parts] } : undefined;
}

function fillFromCsl(paper: Paper, csl: unknown): void {
  if (!isObject(csl)) return;
  for (const variable of CSL_FILL) {
    const name = variable === 'event' ? 'event-title' : variable;
    const value = text(csl[name]);
    if (value !== undefined && !paper[variable]) paper[variable] = value;
  }
}

interface ReadCreators {
  author: CslName[];
  editor: CslName[];
  translator: CslName[];
  containerAuthor: CslName[];
}

/** Creators by role: the item type's primary role (and `author`) are authors; `bookAuthor` is the container's author. */
function readCreators(value: unknown, itemType: string): ReadCreators {
  const result: ReadCreators = { author: [], editor: [], translator: [], containerAuthor: [] };
  if (!Array.isArray(value)) return result;
  const primary = primaryCreatorType(itemType);
  for (const creator of value) {
    if (!isObject(creator)) continue;
    const name = readName(creator);
    if (!name) continue;
    const role = creator.creatorType;
    if (role === primary || role === 'author') result.author.push(name);
    else if (role === 'editor') result.editor.push(name);
    else if (role === 'translator') result.translator.push(name);
    else if (role === 'bookAuthor') result.containerAuthor.push(name);
  }
  return result;
}

function readName(creator: Record<string, unknown>): CslName | undefined {
  const single = text(creator.name);
  if (single) return { literal: single };
  const family = text(creator.lastName);
  const given = text(creator.firstName);
  if (family && given) return { family, given };
  if (family) return { family };
  // Only a first name: Zotero's two-field mode with the halves swapped, or a mononym.
  return given ? { family: given } : undefined;
}

function readTags(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const tags = new Set<string>();
  for (const entry of value) {
    const tag = isObject(entry) ? text(entry.tag) : text(entry);
    if (tag) tags.add(tag);
  }
  return [...tags];
}

function readExtras(itemKey: string, data: Record<string, unknown>, tags: string[], context: ZoteroMapContext): PaperExtra {
  const extra: PaperExtra = {};
  if (tags.length) extra.tags = tags;
  if (Array.isArray(data.collections) && context.collectionPath) {
    const paths = new Set<string>();
    for (const key of data.collections) {
      const path = typeof key === 'string' ? context.collectionPath(key) : undefined;
      if (path) paths.add(path);
    }
    if (paths.size) extra.collections = [...paths].sort();
  }
  let notes = 0;
  const attachments: Attachment[] = [];
  for (const child of context.children ?? []) {
    if (!isObject(child) || !isObject(child.data) || child.data.parentItem !== itemKey || isTrashed(child.data)) continue;
    if (child.data.itemType === 'note') notes++;
    else if (child.data.itemType === 'attachment') {
      const attachment = readAttachment(child, context);
      if (attachment) attachments.push(attachment);
    }
  }
  extra.notesCount = notes;
  if (attachments.length) extra.attachments = attachments;
  extra.selectUri = zoteroSelectUri(context.library, itemKey);
  return extra;
}

/** A PDF attachment: where its file is on this machine (local API), and the URI that opens it in Zotero. */
function readAttachment(child: ZoteroItem, context: ZoteroMapContext): Attachment | undefined {
  const data = child.data as Record<string, unknown>;
  const contentType = text(data.contentType);
  const filename = text(data.filename);
  const linkMode = text(data.linkMode);
  const url = text(data.url);
  const isPdf = contentType === 'application/pdf' || /\.pdf$/i.test(filename ?? '') || (linkMode === 'linked_url' && /\.pdf(?:$|[?#])/i.test(url ?? ''));
  if (!isPdf) return undefined;

  const attachment: Attachment = { title: text(data.title) ?? filename ?? 'PDF', contentType: 'application/pdf' };
  if (linkMode === 'linked_url') {
    if (url && /^https?:\/\//i.test(url)) attachment.uri = url;
    return attachment.uri ? attachment : undefined;
  }
  attachment.uri = zoteroOpenPdfUri(context.library, child.key);
  if (context.localFiles) {
    const enclosure = isObject(child.links) && isObject(child.links.enclosure) ? child.links.enclosure : undefined;
    const path = (typeof enclosure?.href === 'string' ? fileUrlToPath(enclosure.href) : undefined)
      ?? (linkMode === 'linked_file' ? absolutePath(text(data.path)) : undefined);
    if (path) attachment.path = path;
  }
  return attachment;
}

/** A linked file's path when it is absolute (`attachments:…` paths are relative to a base folder only Zotero knows). */
function absolutePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\') ? path : undefined;
}

/**
 * The path a `file://` URL names: `/home/a/x.pdf`, `C:\Users\a\x.pdf` for a drive letter,
 * `\\host\share\x.pdf` for a network share. Undefined for other URLs or bad escapes.
 */
export function fileUrlToPath(href: string): string | undefined {
  if (!/^file:\/\//i.test(href)) return undefined;
  const rest = href.slice('file://'.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const host = rest.slice(0, slash);
  let path: string;
  try {
    path = decodeURIComponent(rest.slice(slash).split(/[?#]/, 1)[0]);
  } catch {
    return undefined;
  }
  if (/^\/[A-Za-z]:\//.test(path)) return path.slice(1).replaceAll('/', '\\');
  if (host && host.toLowerCase() !== 'localhost') return `\\\\${host}${path.replaceAll('/', '\\')}`;
  return path;
}

/** The arXiv id from wherever Zotero keeps it: a preprint's archive ID, `extra`, the arXiv DOI, an arXiv URL, or an `arXiv:` number. */
function findArxivId(data: Record<string, unknown>, fromExtra: string | undefined, doi: string | undefined): string | undefined {
  const archiveId = text(data.archiveID);
  if (archiveId && /^arxiv:/i.test(archiveId)) {
    const id = extractArxivId(archiveId);
    if (id) return id;
  }
  if (fromExtra) return fromExtra;
  if (doi && /^10\.48550\/arxiv\./i.test(doi)) {
    const id = extractArxivId(doi);
    if (id) return id;
  }
  const url = text(data.url);
  if (url && /^https?:\/\/(?:www\.|export\.)?arxiv\.org\//i.test(url)) {
    const id = extractArxivId(url);
    if (id) return id;
  }
  // Imports from Google Scholar and older translators: `arXiv preprint arXiv:1706.03762` as the journal or report number.
  for (const field of ['publicationTitle', 'reportNumber', 'number']) {
    const value = text(data[field]);
    if (value && value.length < 200 && /arxiv/i.test(value)) {
      const id = extractArxivId(value);
      if (id) return id;
    }
  }
  return undefined;
}

/** A field's text: a non-empty trimmed string (numbers as text), else undefined. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed || undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a Zotero paper is in one of the given collections or below one (`Thesis` matches
 * `Thesis / Chapter 2`), by the paths `mapZoteroItem` gives; for a "which collections to include"
 * setting. An empty list matches every paper.
 */
export function isInCollections(paper: { extra?: { collections?: readonly string[] } }, wanted: readonly string[]): boolean {
  if (!wanted.length) return true;
  const paths = paper.extra?.collections ?? [];
  return paths.some((path) => wanted.some((w) => path === w || path.startsWith(`${w} / `)));
}

/**
 * The shapes Zotero's web API v3 and the desktop's local API (Zotero 7+) answer with, as far as
 * LitCite reads them, and the library references both use. Everything here arrives as JSON from
 * another program, so the mapping code checks each value's type before trusting it; these types
 * describe what a well-formed answer holds.
 */

/** A library as both APIs address it: `users/<id>` (`users/0` is "the local user" in the local API) or `groups/<id>`. */
export interface ZoteroLibraryRef {
  type: 'user' | 'group';
  id: string;
}

/** One creator of an item: a two-field name, or a single-field name (institutions). */
export interface ZoteroCreator {
  creatorType: string;
  firstName?: string;
  lastName?: string;
  name?: string;
}

/** A tag on an item; `type` 1 marks an automatic tag. */
export interface ZoteroTag {
  tag: string;
  type?: number;
}

/**
 * An item's `data` object (`include=data`, the default): every field of its item type, plus
 * `parentItem` for notes and attachments and `deleted` for items in the trash. Field names are
 * Zotero's (`publicationTitle`, `abstractNote`, …); which fields exist depends on `itemType`.
 */
export interface ZoteroItemData {
  key?: string;
  version?: number;
  itemType: string;
  parentItem?: string;
  title?: string;
  creators?: ZoteroCreator[];
  tags?: ZoteroTag[];
  collections?: string[];
  /** Present and truthy for an item in the trash (the web API sends `1`, the local API may send `true`). */
  deleted?: boolean | number;
  date?: string;
  dateAdded?: string;
  dateModified?: string;
  extra?: string;
  /** Zotero 8+: the item's own citation key field. */
  citationKey?: string;
  /** Notes: the note's HTML. */
  note?: string;
  /** Attachments: `imported_file`, `imported_url`, `linked_file`, `linked_url`, `embedded_image`. */
  linkMode?: string;
  contentType?: string;
  filename?: string;
  /** Linked files: the absolute path on the machine that linked it (or `attachments:relative/path`). */
  path?: string;
  url?: string;
  [field: string]: unknown;
}

/** A file an attachment item stands for, as `links.enclosure` describes it. */
export interface ZoteroEnclosure {
  /** Web API: the file's download URL. Local API: a `file://` URL of the file on this machine. */
  href?: string;
  type?: string;
  title?: string;
  /** Size in bytes; the local API leaves it out when the file is not on disk. */
  length?: number;
}

/** One item in a `format=json` answer. */
export interface ZoteroItem {
  key: string;
  version: number;
  library?: { type?: string; id?: number; name?: string };
  links?: { enclosure?: ZoteroEnclosure; [rel: string]: unknown };
  meta?: {
    /** Zotero's own reading of `data.date`: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
    parsedDate?: string;
    numChildren?: number;
    creatorSummary?: string;
  };
  data: ZoteroItemData;
  /** `include=csljson`: Zotero's own CSL-JSON for the item. */
  csljson?: Record<string, unknown>;
}

/** A collection's `data`. */
export interface ZoteroCollectionData {
  key?: string;
  version?: number;
  name: string;
  /** The parent collection's key, or `false` at the top level. */
  parentCollection?: string | false;
}

/** One collection in a `format=json` answer. */
export interface ZoteroCollection {
  key: string;
  version: number;
  data: ZoteroCollectionData;
}

/** `<library>/deleted?since=<version>`: keys of objects deleted since that version. */
export interface ZoteroDeleted {
  collections?: string[];
  searches?: string[];
  items?: string[];
  tags?: string[];
  settings?: string[];
}

const LIBRARY_PATTERN = /^(users|groups)\/(\d+)$/;

/** Reads `users/123`, `groups/4567` (also with a leading or trailing slash); undefined for anything else. */
export function parseLibraryRef(text: string): ZoteroLibraryRef | undefined {
  const match = LIBRARY_PATTERN.exec(trimSlashes(text.trim()));
  if (!match) return undefined;
  return { type: match[1] === 'users' ? 'user' : 'group', id: match[2] };
}

/** `text` without leading and trailing `/` (a loop: a regex for the trailing run backtracks on long runs). */
function trimSlashes(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === '/') start++;
  while (end > start && text[end - 1] === '/') end--;
  return text.slice(start, end);
}

/** The API path prefix of a library: `users/0`, `groups/4567`. */
export function libraryPath(ref: ZoteroLibraryRef): string {
  return `${ref.type === 'user' ? 'users' : 'groups'}/${ref.id}`;
}

/** The `source` of papers from a library: `zotero:users/0`, `zotero:groups/4567`. */
export function librarySource(ref: ZoteroLibraryRef): string {
  return `zotero:${libraryPath(ref)}`;
}

/** The library part of `zotero://` URIs: `library` for the user's own library, `groups/<id>` for a group. */
function uriLibrary(ref: ZoteroLibraryRef): string {
  return ref.type === 'user' ? 'library' : `groups/${ref.id}`;
}

/** `zotero://select/library/items/KEY` (or `…/groups/<id>/items/KEY`): shows the item in the desktop app. */
export function zoteroSelectUri(ref: ZoteroLibraryRef, itemKey: string): string {
  return `zotero://select/${uriLibrary(ref)}/items/${itemKey}`;
}

/** `zotero://open-pdf/library/items/KEY` (or the group form): opens an attachment in Zotero's reader. */
export function zoteroOpenPdfUri(ref: ZoteroLibraryRef, attachmentKey: string): string {
  return `zotero://open-pdf/${uriLibrary(ref)}/items/${attachmentKey}`;
}

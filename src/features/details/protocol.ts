/** The messages between the paper details webview and the extension. No `vscode` import: both sides use it. */

/** A paper as the webview shows it: plain strings only (the webview escapes nothing itself, it uses textContent). */
export interface PaperView {
  key: string;
  title: string;
  /** The title with its emphasis, when it has any: runs of text, each shown as a text node in its element. */
  titleRuns?: Array<{ text: string; italic?: boolean; bold?: boolean; smallCaps?: boolean; sup?: boolean; sub?: boolean; code?: boolean }>;
  authors: string[];
  /** "ICLR 2024", "arXiv 2023": where and when, as one line. */
  published: string;
  arxiv?: string;
  doi?: string;
  url?: string;
  code?: string;
  source: string;
  abstract: string;
  /** Offsets into `abstract` to highlight (the search terms). */
  highlights: { start: number; end: number }[];
  bibtex: string;
  /** The formatted reference in the style chosen in the panel (else the active document's). */
  reference?: { style: string; runs: NonNullable<PaperView['titleRuns']>; notice?: string };
  /** Styles the switcher offers. */
  styles: string[];
  /** A paper found online, not (yet) in the library. */
  online?: boolean;
  /** Related papers can be looked up (online search is on and the paper has a DOI or arXiv id). */
  related: boolean;
  /** What a source keeps with a paper (Zotero): tags, collections, notes, attachments. */
  tags?: string[];
  collections?: string[];
  notesCount?: number;
  attachments?: string[];
  /** A PDF can be opened; the item can be shown in the Zotero app. */
  pdf?: boolean;
  zotero?: boolean;
}

/** One related paper as the panel lists it. */
export interface RelatedItem {
  key: string;
  title: string;
  description: string;
  inLibrary: boolean;
}

/** A related list: references, citing papers, recommendations. */
export interface RelatedListView {
  kind: 'references' | 'citing' | 'recommended';
  title: string;
  items: RelatedItem[];
  status: string;
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'show'; paper: PaperView; query?: string }
  | { type: 'copied'; what: 'bibtex' | 'key' | 'reference' }
  | { type: 'related'; key: string; lists: RelatedListView[]; message?: string };

export type PaperAction = 'insertCitation' | 'copyBibtex' | 'copyKey' | 'openArxiv' | 'openCode' | 'openDoi' | 'copyReference' | 'addToLibrary' | 'findRelated' | 'openPdf' | 'showInZotero';

/** Webview → extension. `ready` comes first, after the script has loaded. */
export type FromWebview =
  | { type: 'ready'; restoredKey?: string }
  | { type: 'action'; action: PaperAction; key: string }
  /** Sent after a paper is shown: what the page displays, so the extension can confirm it. */
  | { type: 'rendered'; key: string; title: string; elementCount: number; imageCount: number; reference?: string }
  /** The style switcher changed. */
  | { type: 'setStyle'; style: string }
  /** A related paper was clicked. */
  | { type: 'openRelated'; key: string };

const ACTIONS: readonly PaperAction[] = ['insertCitation', 'copyBibtex', 'copyKey', 'openArxiv', 'openCode', 'openDoi', 'copyReference', 'addToLibrary', 'findRelated', 'openPdf', 'showInZotero'];

/** Checks an untrusted message from the webview; undefined when it is not one we accept. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready') {
    if (m.restoredKey !== undefined && typeof m.restoredKey !== 'string') return undefined;
    return { type: 'ready', restoredKey: m.restoredKey as string | undefined };
  }
  if (m.type === 'rendered' && typeof m.key === 'string' && typeof m.title === 'string' && typeof m.elementCount === 'number' && typeof m.imageCount === 'number') {
    return { type: 'rendered', key: m.key, title: m.title, elementCount: m.elementCount, imageCount: m.imageCount, ...(typeof m.reference === 'string' ? { reference: m.reference } : {}) };
  }
  if (m.type === 'setStyle' && typeof m.style === 'string' && m.style.length < 200) return { type: 'setStyle', style: m.style };
  if (m.type === 'openRelated' && typeof m.key === 'string' && m.key.length < 500) return { type: 'openRelated', key: m.key };
  if (m.type === 'action' && typeof m.key === 'string' && m.key.length < 500 && ACTIONS.includes(m.action as PaperAction)) {
    return { type: 'action', action: m.action as PaperAction, key: m.key };
  }
  return undefined;
}

/** The state the webview keeps across hide/show and window reloads. */
export interface DetailsState {
  key: string;
  query?: string;
  scrollY: number;
}

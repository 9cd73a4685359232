/** The messages between the paper details webview and the extension. No `vscode` import: both sides use it. */

/** A paper as the webview shows it: plain strings only (the webview escapes nothing itself, it uses textContent). */
export interface PaperView {
  key: string;
  title: string;
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
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'show'; paper: PaperView; query?: string }
  | { type: 'copied'; what: 'bibtex' | 'key' };

export type PaperAction = 'insertCitation' | 'copyBibtex' | 'copyKey' | 'openArxiv' | 'openCode' | 'openDoi';

/** Webview → extension. `ready` comes first, after the script has loaded. */
export type FromWebview =
  | { type: 'ready'; restoredKey?: string }
  | { type: 'action'; action: PaperAction; key: string }
  /** Sent after a paper is shown: what the page displays, so the extension can confirm it. */
  | { type: 'rendered'; key: string; title: string; elementCount: number; imageCount: number };

const ACTIONS: readonly PaperAction[] = ['insertCitation', 'copyBibtex', 'copyKey', 'openArxiv', 'openCode', 'openDoi'];

/** Checks an untrusted message from the webview; undefined when it is not one we accept. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready') {
    if (m.restoredKey !== undefined && typeof m.restoredKey !== 'string') return undefined;
    return { type: 'ready', restoredKey: m.restoredKey as string | undefined };
  }
  if (m.type === 'rendered' && typeof m.key === 'string' && typeof m.title === 'string' && typeof m.elementCount === 'number' && typeof m.imageCount === 'number') {
    return { type: 'rendered', key: m.key, title: m.title, elementCount: m.elementCount, imageCount: m.imageCount };
  }
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

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
  | { type: 'action'; action: PaperAction; key: string };

const ACTIONS: readonly PaperAction[] = ['insertCitation', 'copyBibtex', 'copyKey', 'openArxiv', 'openCode', 'openDoi'];

/** Checks an untrusted message from the webview; undefined when it is not one we accept. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'ready') {
    if (m.restoredKey !== undefined && typeof m.restoredKey !== 'string') return undefined;
    return { type: 'ready', restoredKey: m.restoredKey as string | undefined };
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

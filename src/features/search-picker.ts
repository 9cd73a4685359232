import * as vscode from 'vscode';
import { abstractSnippet, paperDescription } from '../core/render';
import type { SearchHit } from '../core/search';
import { Paper, paperYear } from '../core/types';
import { COMMANDS } from '../ids';
import type { LibraryService } from '../services/library-service';
import type { OnlineProgress, OnlineService } from '../services/online';
import type { MergedWork } from '../core/online/merge-works';
import { SOURCE_NAMES } from '../core/online/types';

export interface PaperPickItem extends vscode.QuickPickItem {
  paper: Paper;
  hit?: SearchHit;
  /** An online result not in the library: cited under `key` once adopted. */
  online?: { key: string };
  /** The item that asks whether searches may go online. */
  askOnline?: true;
}

const INSERT_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('quote'), tooltip: 'Insert Citation' };
const COPY_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy BibTeX' };
const DETAILS_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('open-preview'), tooltip: 'Open Details' };

/** An invisible soft hyphen: shown nowhere on one line, but it parts every pair of letters. */
const SOFT_HYPHEN = '\u00ad';

/**
 * A label VS Code's own filter cannot match. The QuickPick puts items whose label contains the
 * typed text first, sorted its way, and drops separators, whatever order the extension gave
 * (its `sortByLabel` switch is not public API). LitCite ranks results itself, typos and abstract
 * words included, so the labels carry an invisible soft hyphen between letters.
 */
export function unmatchable(label: string): string {
  return [...label].join(SOFT_HYPHEN);
}

/** A label as the user reads it (without the soft hyphens `unmatchable` put in). */
export function readableLabel(label: string): string {
  return label.replaceAll(SOFT_HYPHEN, '');
}

/** One QuickPick item per paper: title, "authors · venue year", key and the best abstract snippet. */
export function toPickItem(paper: Paper, hit?: SearchHit): PaperPickItem {
  const abstractRanges = hit?.matches.find((m) => m.field === 'abstract')?.ranges ?? [];
  const snippet = paper.abstract ? abstractSnippet(paper.abstract, abstractRanges, 140).text : '';
  return {
    label: unmatchable(paper.title.replace(/\s+/g, ' ')),
    description: paperDescription(paper, 2),
    detail: snippet ? `${paper.id} — ${snippet}` : paper.id,
    // Our own fuzzy search ranks the items; VS Code's label filter would hide typo'd matches.
    alwaysShow: true,
    buttons: [INSERT_BUTTON, COPY_BUTTON, DETAILS_BUTTON],
    paper,
    hit,
  };
}

/** An online result: the work's merged record under the key it would be cited by, and where it was found. */
export function toOnlinePickItem(work: MergedWork, key: string): PaperPickItem {
  const paper = { ...work.paper, id: key };
  const item = toPickItem(paper);
  const found = work.sources.map((s) => SOURCE_NAMES[s]).join(', ');
  return { ...item, description: `$(globe) ${found} · ${item.description ?? ''}`, online: { key } };
}

/** Items for a query: the ranked hits, or the whole library newest first when the query is empty. */
export function itemsFor(library: LibraryService, query: string): PaperPickItem[] {
  if (!query.trim()) {
    return [...library.papers]
      .sort((a, b) => (paperYear(b) ?? 0) - (paperYear(a) ?? 0) || a.title.localeCompare(b.title))
      .slice(0, 200)
      .map((paper) => toPickItem(paper));
  }
  return library.search(query).map((hit) => toPickItem(hit.paper, hit));
}

export interface PickOptions {
  title: string;
  canPickMany: boolean;
  initialQuery?: string;
}

/** What a pick gave: the papers chosen (none when dismissed) and the query it closed with. */
export interface PickResult {
  papers: Paper[] | undefined;
  query: string;
}

/** The QuickPick open now, for LitCite's integration tests to drive. */
export interface OpenPicker {
  quickPick: vscode.QuickPick<PaperPickItem>;
  setQuery(query: string): void;
}

/** Online queries wait for a pause in typing this long (the services are not asked per keystroke). */
const ONLINE_DEBOUNCE_MS = 350;
/** With online results, this many of the library's matches come before them. */
const LOCAL_BEFORE_ONLINE = 6;
/** Shorter queries are not sent online. */
const ONLINE_MIN_LENGTH = 3;

/**
 * The search QuickPick: re-ranks the library with the core search on every keystroke; when online
 * search is on, the services' results stream in below the library's under a separator naming
 * each source's state. Local results never wait for the network.
 */
export class SearchPicker {
  /** Test hook: the QuickPick currently open. */
  active: OpenPicker | undefined;
  private online: OnlineService | undefined;

  constructor(private readonly library: LibraryService) {}

  /** Online results join the picker (set once the online service exists). */
  setOnline(online: OnlineService): void {
    this.online = online;
  }

  /** Lets the user search and pick papers; online results picked become library papers first. */
  async pick(options: PickOptions): Promise<PickResult> {
    await this.library.ready;
    const library = this.library;
    const online = this.online;
    const quickPick = vscode.window.createQuickPick<PaperPickItem>();
    quickPick.title = options.title;
    quickPick.placeholder = online?.enabled
      ? 'Search your library and online by title, author, abstract words, key, DOI or arXiv id'
      : 'Search by title, author, abstract words, key or arXiv id (typos are fine)';
    quickPick.canSelectMany = options.canPickMany;
    quickPick.matchOnDescription = false;
    quickPick.matchOnDetail = false;
    quickPick.ignoreFocusOut = false;
    let localItems: PaperPickItem[] = [];
    let onlineItems: PaperPickItem[] = [];
    let onlineStatus: string | undefined;
    let searching: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** `keepActive`: results arrived for the same query, so the highlight stays where the user put it. */
    const render = (keepActive = false): void => {
      const selected = new Set(quickPick.selectedItems.map((i) => i.online?.key ?? i.paper.id));
      const query = quickPick.value.trim();
      const separator = (label: string): PaperPickItem => ({ label, kind: vscode.QuickPickItemKind.Separator, alwaysShow: true, paper: SEPARATOR_PAPER });
      let onlineSection: PaperPickItem[] = [];
      if (onlineStatus !== undefined || onlineItems.length) onlineSection = [separator(onlineStatus ?? 'Online'), ...onlineItems];
      else if (online?.canAsk && query.length >= ONLINE_MIN_LENGTH) {
        onlineSection = [
          separator('Online'),
          { label: `$(globe) ${unmatchable(`Search online for “${query}”…`)}`, detail: 'Asks first: your query would go to OpenAlex, Semantic Scholar, Crossref and arXiv', alwaysShow: true, paper: SEPARATOR_PAPER, askOnline: true },
        ];
      }
      // The library's best matches first, then the online section where it can be seen, then the
      // rest of the library's matches.
      const items: PaperPickItem[] = onlineSection.length && localItems.length > LOCAL_BEFORE_ONLINE
        ? [...localItems.slice(0, LOCAL_BEFORE_ONLINE), ...onlineSection, separator('More from your library'), ...localItems.slice(LOCAL_BEFORE_ONLINE)]
        : [...localItems, ...onlineSection];
      const active = quickPick.activeItems[0];
      const activeId = active && (active.online?.key ?? active.paper.id);
      quickPick.items = items;
      // VS Code hides separators while the box holds text: the sources' state shows in the title too.
      quickPick.title = onlineStatus ? `${options.title} · ${onlineStatus}` : options.title;
      // Results arriving from the network must not move the highlight the user is on.
      const stillThere = keepActive && activeId ? items.find((i) => (i.online?.key ?? i.paper.id) === activeId && !i.askOnline) : undefined;
      if (stillThere && stillThere !== items[0]) quickPick.activeItems = [stillThere];
      if (options.canPickMany) quickPick.selectedItems = items.filter((i) => selected.has(i.online?.key ?? i.paper.id) && !i.askOnline && i.kind !== vscode.QuickPickItemKind.Separator);
    };
    const searchOnline = (query: string): void => {
      searching?.abort();
      searching = undefined;
      if (timer) clearTimeout(timer);
      onlineItems = [];
      onlineStatus = undefined;
      if (!online?.enabled || query.trim().length < ONLINE_MIN_LENGTH) return;
      onlineStatus = 'Online: searching…';
      timer = setTimeout(() => {
        const controller = new AbortController();
        searching = controller;
        quickPick.busy = true;
        void online
          .search(query, controller.signal, (progress: OnlineProgress) => {
            if (controller.signal.aborted) return;
            onlineItems = progress.works.map(({ work, key }) => toOnlinePickItem(work, key));
            const found = progress.inLibrary ? [`${progress.inLibrary} in your library`] : [];
            onlineStatus = `Online${progress.done ? '' : ' (searching)'}: ${[...progress.statuses, ...found].join(' · ') || 'asking…'}`;
            if (progress.done) quickPick.busy = false;
            render(true);
          })
          .catch(() => undefined)
          .finally(() => {
            if (searching === controller) quickPick.busy = false;
          });
      }, ONLINE_DEBOUNCE_MS);
    };
    const setQuery = (query: string): void => {
      if (quickPick.value !== query) quickPick.value = query;
      localItems = itemsFor(library, query);
      searchOnline(query);
      render();
    };
    const open: OpenPicker = { quickPick, setQuery };
    this.active = open;
    setQuery(options.initialQuery ?? '');
    /** The library papers for the chosen items: online ones are adopted under their keys. */
    const papersOf = async (items: readonly PaperPickItem[]): Promise<Paper[]> => {
      const papers: Paper[] = [];
      for (const item of items) {
        if (item.askOnline || item.kind === vscode.QuickPickItemKind.Separator) continue;
        papers.push(item.online && online ? await online.adopt(item.paper, item.online.key) : item.paper);
      }
      return papers;
    };
    return new Promise<PickResult>((resolve) => {
      let settled = false;
      /** Settles the pick once, with the query it closed with. */
      const finish = (papers: Paper[] | undefined): void => {
        if (settled) return;
        settled = true;
        resolve({ papers, query: quickPick.value });
        quickPick.hide();
      };
      const askOnline = async (): Promise<void> => {
        // The question is a modal dialog: the QuickPick stays open behind it.
        quickPick.ignoreFocusOut = true;
        const yes = await online?.askConsent();
        quickPick.ignoreFocusOut = false;
        quickPick.show();
        if (yes) setQuery(quickPick.value);
        else render();
      };
      const disposables = [
        quickPick.onDidChangeValue((value) => setQuery(value)),
        quickPick.onDidTriggerItemButton(async ({ item, button }) => {
          const paperArgument = item.online ? { paper: item.paper, query: quickPick.value } : { key: item.paper.id, query: quickPick.value };
          if (button === INSERT_BUTTON) {
            // This item is cited by the command below; the caller gets nothing more to do.
            const [paper] = await papersOf([item]);
            finish(undefined);
            if (paper) void vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: [paper.id] });
          } else if (button === COPY_BUTTON) {
            void vscode.commands.executeCommand(COMMANDS.copyBibtex, item.online ? { paper: item.paper } : item.paper.id);
          } else if (button === DETAILS_BUTTON) {
            void vscode.commands.executeCommand(COMMANDS.openDetails, paperArgument);
          }
        }),
        quickPick.onDidAccept(async () => {
          const chosen = options.canPickMany && quickPick.selectedItems.length ? quickPick.selectedItems : quickPick.activeItems;
          if (chosen.length === 1 && chosen[0]!.askOnline) return void askOnline();
          if (!chosen.length) return;
          quickPick.busy = true;
          finish(await papersOf(chosen));
        }),
        quickPick.onDidHide(() => {
          searching?.abort();
          if (timer) clearTimeout(timer);
          if (quickPick.ignoreFocusOut) return;
          finish(undefined);
          if (this.active === open) this.active = undefined;
          disposables.forEach((d) => d.dispose());
          quickPick.dispose();
        }),
      ];
      quickPick.show();
    });
  }
}

/** Separators and the ask item carry no paper; this placeholder keeps the item type simple. */
const SEPARATOR_PAPER: Paper = { id: '', type: 'article', title: '', author: [] };

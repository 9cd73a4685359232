import * as vscode from 'vscode';
import { abstractSnippet, paperDescription } from '../core/render';
import { SearchHit } from '../core/search';
import { Paper, paperYear } from '../core/types';
import { COMMANDS } from '../ids';
import { LibraryService } from '../services/library-service';

export interface PaperPickItem extends vscode.QuickPickItem {
  paper: Paper;
  hit?: SearchHit;
}

const INSERT_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('quote'), tooltip: 'Insert Citation' };
const COPY_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy BibTeX' };
const DETAILS_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('open-preview'), tooltip: 'Open Details' };

/** One QuickPick item per paper: title, "authors · venue year", key and the best abstract snippet. */
export function toPickItem(paper: Paper, hit?: SearchHit): PaperPickItem {
  const abstractRanges = hit?.matches.find((m) => m.field === 'abstract')?.ranges ?? [];
  const snippet = paper.abstract ? abstractSnippet(paper.abstract, abstractRanges, 140).text : '';
  return {
    label: paper.title.replace(/\s+/g, ' '),
    description: paperDescription(paper, 2),
    detail: snippet ? `${paper.id} — ${snippet}` : paper.id,
    // Our own fuzzy search ranks the items; VS Code's label filter would hide typo'd matches.
    alwaysShow: true,
    buttons: [INSERT_BUTTON, COPY_BUTTON, DETAILS_BUTTON],
    paper,
    hit,
  };
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

/** The QuickPick currently open, so tests and the tree can drive it. */
export let activePicker: { quickPick: vscode.QuickPick<PaperPickItem>; setQuery(query: string): void } | undefined;

/** Lets the user search and pick papers; re-ranks with the core search on every keystroke. */
export async function pickPapers(library: LibraryService, options: PickOptions): Promise<Paper[] | undefined> {
  await library.ready;
  const quickPick = vscode.window.createQuickPick<PaperPickItem>();
  quickPick.title = options.title;
  quickPick.placeholder = 'Search by title, author, abstract words, key or arXiv id (typos are fine)';
  quickPick.canSelectMany = options.canPickMany;
  quickPick.matchOnDescription = false;
  quickPick.matchOnDetail = false;
  quickPick.ignoreFocusOut = false;
  const setQuery = (query: string) => {
    if (quickPick.value !== query) quickPick.value = query;
    const selected = new Set(quickPick.selectedItems.map((i) => i.paper.id));
    const items = itemsFor(library, query);
    quickPick.items = items;
    if (options.canPickMany) quickPick.selectedItems = items.filter((i) => selected.has(i.paper.id));
  };
  activePicker = { quickPick, setQuery };
  setQuery(options.initialQuery ?? '');
  return new Promise<Paper[] | undefined>((resolve) => {
    let accepted = false;
    /** Settles the pick once; the query is kept first, since the caller resumes before onDidHide. */
    const finish = (result: Paper[] | undefined) => {
      accepted = true;
      lastQuery = quickPick.value;
      resolve(result);
      quickPick.hide();
    };
    const disposables = [
      quickPick.onDidChangeValue((value) => setQuery(value)),
      quickPick.onDidTriggerItemButton(({ item, button }) => {
        if (button === INSERT_BUTTON) {
          // This item is cited by the command below; the caller gets nothing more to do.
          finish(undefined);
          void vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: [item.paper.id] });
        } else if (button === COPY_BUTTON) {
          void vscode.commands.executeCommand(COMMANDS.copyBibtex, item.paper.id);
        } else if (button === DETAILS_BUTTON) {
          void vscode.commands.executeCommand(COMMANDS.openDetails, item.paper.id);
        }
      }),
      quickPick.onDidAccept(() => {
        const chosen = options.canPickMany && quickPick.selectedItems.length ? quickPick.selectedItems : quickPick.activeItems;
        if (!chosen.length) return;
        finish(chosen.map((i) => i.paper));
      }),
      quickPick.onDidHide(() => {
        if (!accepted) {
          lastQuery = quickPick.value;
          resolve(undefined);
        }
        if (activePicker?.quickPick === quickPick) activePicker = undefined;
        disposables.forEach((d) => d.dispose());
        quickPick.dispose();
      }),
    ];
    quickPick.show();
  });
}

/** The query the last picker closed with (the tree shows its results). */
export let lastQuery = '';

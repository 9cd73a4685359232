import * as vscode from 'vscode';
import { formatAuthors, paperMarkdown, shortAuthors, truncate } from '../core/render';
import { SearchHit } from '../core/search';
import { Paper, paperYear } from '../core/types';
import { COMMANDS, CONTEXT, VIEWS } from '../ids';
import { LibraryService } from '../services/library-service';
import { lastQuery, pickPapers } from './search-picker';

export type GroupBy = 'year' | 'source';

/** A group of papers (a year, or a source file). */
export interface GroupNode {
  kind: 'group';
  id: string;
  label: string;
  papers: Paper[];
}

/** A paper, possibly from a search (then with its hit). */
export interface PaperNode {
  kind: 'paper';
  paper: Paper;
  hit?: SearchHit;
}

export type PapersNode = GroupNode | PaperNode;

function sourceLabel(paper: Paper): string {
  return !paper.source || paper.source === 'bundled' ? 'Bundled library' : vscode.workspace.asRelativePath(paper.source);
}

/** Type codicon: a conference paper, a journal article, a preprint. */
function paperIcon(paper: Paper): vscode.ThemeIcon {
  if (paper.type === 'paper-conference') return new vscode.ThemeIcon('mortar-board');
  if (paper.type === 'article-journal') return new vscode.ThemeIcon('book');
  if (paper.type === 'book' || paper.type === 'chapter') return new vscode.ThemeIcon('library');
  return new vscode.ThemeIcon('file-text');
}

/** The Papers view: the library grouped by year (or source), or the ranked results of a search. */
export class PapersTreeProvider implements vscode.TreeDataProvider<PapersNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PapersNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private queryValue = '';
  private results: SearchHit[] = [];
  groupBy: GroupBy = 'year';
  private groupCache: GroupNode[] | undefined;
  view: vscode.TreeView<PapersNode> | undefined;

  constructor(private readonly library: LibraryService) {}

  get query(): string {
    return this.queryValue;
  }

  /** Shows the ranked results of a query; an empty query shows the whole library again. */
  setQuery(query: string): void {
    this.queryValue = query.trim();
    this.results = this.queryValue ? this.library.search(this.queryValue) : [];
    this.groupCache = undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.hasQuery, Boolean(this.queryValue));
    if (this.view) {
      const count = `${this.results.length} result${this.results.length === 1 ? '' : 's'}`;
      this.view.description = this.queryValue ? `“${truncate(this.queryValue, 40)}”` : `${this.library.papers.length} papers`;
      this.view.message = this.queryValue ? `${count} for “${truncate(this.queryValue, 60)}”, best first` : undefined;
    }
    this.changed.fire(undefined);
  }

  /** Re-runs the query against a changed library. */
  refresh(): void {
    this.setQuery(this.queryValue);
  }

  getChildren(node?: PapersNode): PapersNode[] {
    if (node?.kind === 'paper') return [];
    if (node?.kind === 'group') return node.papers.map((paper) => ({ kind: 'paper', paper }));
    if (this.queryValue) return this.results.map((hit) => ({ kind: 'paper', paper: hit.paper, hit }));
    return this.groups();
  }

  /** Top-level groups, newest year first (or sources in priority order); computed once per change. */
  groups(): GroupNode[] {
    this.groupCache ??= this.computeGroups();
    return this.groupCache;
  }

  private computeGroups(): GroupNode[] {
    const groups = new Map<string, Paper[]>();
    for (const paper of this.library.papers) {
      const label = this.groupBy === 'year' ? String(paperYear(paper) ?? 'No year') : sourceLabel(paper);
      const list = groups.get(label);
      if (list) list.push(paper);
      else groups.set(label, [paper]);
    }
    let entries = [...groups.entries()];
    if (this.groupBy === 'year') entries.sort(([a], [b]) => (b === 'No year' ? -1 : a === 'No year' ? 1 : Number(b) - Number(a)));
    return entries.map(([label, papers]) => ({
      kind: 'group',
      id: `${this.groupBy}:${label}`,
      label,
      papers: papers.sort((a, b) => a.title.localeCompare(b.title)),
    }));
  }

  /** Papers under a group have it as parent (needed for `reveal`); search results are top level. */
  getParent(node: PapersNode): PapersNode | undefined {
    if (node.kind === 'group' || this.queryValue) return undefined;
    return this.groups().find((g) => g.papers.some((p) => p.id === node.paper.id));
  }

  getTreeItem(node: PapersNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, this.groupBy === 'year' && node.id === this.groups()[0]?.id ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = `${node.papers.length}`;
      item.tooltip = `${node.papers.length} paper${node.papers.length === 1 ? '' : 's'}`;
      item.iconPath = new vscode.ThemeIcon(this.groupBy === 'year' ? 'calendar' : 'library');
      item.contextValue = 'group';
      return item;
    }
    const { paper } = node;
    const item = new vscode.TreeItem(paper.title.replace(/\s+/g, ' '), vscode.TreeItemCollapsibleState.None);
    item.id = `${this.queryValue ? 'hit' : 'paper'}:${paper.id}`;
    // A paper from the user's files says which one, unless its group already does.
    const fromFile = paper.source && paper.source !== 'bundled' && (this.groupBy !== 'source' || this.queryValue);
    item.description = `${shortAuthors(paper)} · ${paperYear(paper) ?? ''}${fromFile ? ` · ${sourceLabel(paper)}` : ''}`;
    const where = paper.source && paper.source !== 'bundled' ? `${sourceLabel(paper)}${paper.sourceLine ? `:${paper.sourceLine}` : ''}` : paper.source;
    const tooltip = new vscode.MarkdownString(paperMarkdown({ ...paper, source: where }, { abstractChars: 300, showSource: true }));
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.iconPath = paperIcon(paper);
    item.contextValue = paper.code ? 'paperWithCode' : 'paper';
    item.accessibilityInformation = { label: `${paper.title}, ${formatAuthors(paper)}, ${paperYear(paper) ?? ''}` };
    item.command = { command: COMMANDS.openDetails, title: 'Open Details', arguments: [paper.id] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Registers the Papers view and its title-bar commands. */
export function registerPapersTree(context: vscode.ExtensionContext, library: LibraryService): PapersTreeProvider {
  const provider = new PapersTreeProvider(library);
  const view = vscode.window.createTreeView(VIEWS.papers, { treeDataProvider: provider, showCollapseAll: true });
  provider.view = view;
  provider.setQuery('');
  context.subscriptions.push(
    provider,
    view,
    library.onDidChange(() => provider.refresh()),
    vscode.commands.registerCommand(COMMANDS.searchInView, async () => {
      const picked = await pickPapers(library, { title: 'LitCite: Search Papers', canPickMany: false, initialQuery: provider.query });
      provider.setQuery(lastQuery);
      if (picked?.[0]) await vscode.commands.executeCommand(COMMANDS.openDetails, picked[0].id);
    }),
    vscode.commands.registerCommand(COMMANDS.clearSearch, () => provider.setQuery('')),
    vscode.commands.registerCommand(COMMANDS.groupByYear, () => { provider.groupBy = 'year'; provider.refresh(); }),
    vscode.commands.registerCommand(COMMANDS.groupBySource, () => { provider.groupBy = 'source'; provider.refresh(); }),
  );
  return provider;
}

import * as vscode from 'vscode';
import { formatAuthors, paperMarkdown, shortAuthors, truncate } from '../core/render';
import { SearchHit } from '../core/search';
import { Paper, paperYear } from '../core/types';
import { COMMANDS, CONTEXT, VIEWS } from '../ids';
import { sourceLabel } from '../services/editor-io';
import type { LibraryService } from '../services/library-service';
import type { Services } from '../services/services';

export type GroupBy = 'year' | 'source' | 'zotero';

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
  /** The group it is listed under (a paper may be in several Zotero collections). */
  group?: GroupNode;
}

export type PapersNode = GroupNode | PaperNode;

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
  private grouping: GroupBy = 'year';
  private groupCache: GroupNode[] | undefined;
  /** The tree view showing this provider. */
  readonly view: vscode.TreeView<PapersNode>;

  constructor(private readonly library: LibraryService) {
    this.view = vscode.window.createTreeView(VIEWS.papers, { treeDataProvider: this, showCollapseAll: true });
  }

  get groupBy(): GroupBy {
    return this.grouping;
  }

  /** Groups the library by year, by source, or by Zotero collection. */
  setGroupBy(groupBy: GroupBy): void {
    this.grouping = groupBy;
    this.refresh();
  }

  get query(): string {
    return this.queryValue;
  }

  /** Shows the ranked results of a query; an empty query shows the whole library again. */
  setQuery(query: string): void {
    this.queryValue = query.trim();
    this.results = this.queryValue ? this.library.search(this.queryValue) : [];
    this.groupCache = undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.hasQuery, Boolean(this.queryValue));
    const count = `${this.results.length} result${this.results.length === 1 ? '' : 's'}`;
    this.view.description = this.queryValue ? `“${truncate(this.queryValue, 40)}”` : `${this.library.papers.length} papers`;
    this.view.message = this.queryValue ? `${count} for “${truncate(this.queryValue, 60)}”, best first` : undefined;
    this.changed.fire(undefined);
  }

  /** Re-runs the query against a changed library. */
  refresh(): void {
    this.setQuery(this.queryValue);
  }

  getChildren(node?: PapersNode): PapersNode[] {
    if (node?.kind === 'paper') return [];
    if (node?.kind === 'group') return node.papers.map((paper) => ({ kind: 'paper', paper, group: node }));
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
    const add = (label: string, paper: Paper): void => {
      const list = groups.get(label);
      if (list) list.push(paper);
      else groups.set(label, [paper]);
    };
    for (const paper of this.library.papers) {
      if (this.groupBy === 'zotero') {
        // A paper in several collections is listed under each; one in none is unfiled.
        if (!paper.source?.startsWith('zotero:')) add(OTHER_SOURCES, paper);
        else if (!paper.extra?.collections?.length) add(UNFILED, paper);
        else for (const collection of paper.extra.collections) add(collection, paper);
      } else add(this.groupBy === 'year' ? String(paperYear(paper) ?? 'No year') : sourceLabel(paper.source), paper);
    }
    let entries = [...groups.entries()];
    if (this.groupBy === 'year') entries.sort(([a], [b]) => (b === 'No year' ? -1 : a === 'No year' ? 1 : Number(b) - Number(a)));
    if (this.groupBy === 'zotero') entries.sort(([a], [b]) => zoteroGroupRank(a) - zoteroGroupRank(b) || a.localeCompare(b));
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
    return node.group ?? this.groups().find((g) => g.papers.some((p) => p.id === node.paper.id));
  }

  getTreeItem(node: PapersNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, this.groupBy === 'year' && node.id === this.groups()[0]?.id ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = `${node.papers.length}`;
      item.tooltip = `${node.papers.length} paper${node.papers.length === 1 ? '' : 's'}`;
      item.iconPath = new vscode.ThemeIcon(this.groupBy === 'year' ? 'calendar' : this.groupBy === 'zotero' && node.label !== OTHER_SOURCES ? 'folder-library' : 'library');
      item.contextValue = 'group';
      return item;
    }
    const { paper } = node;
    const item = new vscode.TreeItem(paper.title.replace(/\s+/g, ' '), vscode.TreeItemCollapsibleState.None);
    item.id = this.queryValue ? `hit:${paper.id}` : this.groupBy === 'zotero' && node.group ? `paper:${node.group.id}:${paper.id}` : `paper:${paper.id}`;
    // A paper from the user's files says which one, unless its group already does.
    const isFile = Boolean(paper.source && paper.source !== 'bundled' && paper.source !== 'fetched' && !paper.source.startsWith('zotero:'));
    const fromFile = isFile && (this.groupBy !== 'source' || Boolean(this.queryValue));
    item.description = `${shortAuthors(paper)} · ${paperYear(paper) ?? ''}${fromFile ? ` · ${sourceLabel(paper.source)}` : ''}`;
    const where = isFile ? `${sourceLabel(paper.source)}${paper.sourceLine ? `:${paper.sourceLine}` : ''}` : sourceLabel(paper.source);
    const tooltip = new vscode.MarkdownString(paperMarkdown({ ...paper, source: where }, { abstractChars: 300, showSource: true }));
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.iconPath = paperIcon(paper);
    // `paper`, then what the item's menu may offer: its code, a PDF, the item in Zotero.
    const fromZotero = Boolean(paper.extra?.selectUri);
    const hasPdf = Boolean(paper.extra?.attachments?.some((a) => a.contentType === 'application/pdf' || /\.pdf$/i.test(a.path ?? a.title)));
    item.contextValue = `paper${paper.code ? 'WithCode' : ''}${hasPdf ? 'Pdf' : ''}${fromZotero ? 'Zotero' : ''}`;
    item.accessibilityInformation = { label: `${paper.title}, ${formatAuthors(paper)}, ${paperYear(paper) ?? ''}` };
    item.command = { command: COMMANDS.openDetails, title: 'Open Details', arguments: [this.queryValue ? { key: paper.id, query: this.queryValue } : paper.id] };
    return item;
  }

  dispose(): void {
    this.changed.dispose();
    this.view.dispose();
  }
}

const UNFILED = 'Unfiled (Zotero)';
const OTHER_SOURCES = 'Not in Zotero';

/** Collections first (by name), then unfiled Zotero items, then everything else. */
function zoteroGroupRank(label: string): number {
  return label === OTHER_SOURCES ? 2 : label === UNFILED ? 1 : 0;
}

/** Registers the Papers view and its title-bar commands. */
export function registerPapersTree(context: vscode.ExtensionContext, services: Services): void {
  const { library, picker } = services;
  const provider = new PapersTreeProvider(library);
  services.views.tree = provider;
  provider.setQuery('');
  context.subscriptions.push(
    provider,
    library.onDidChange(() => provider.refresh()),
    vscode.commands.registerCommand(COMMANDS.searchInView, async () => {
      const picked = await picker.pick({ title: 'LitCite: Search Papers', canPickMany: false, initialQuery: provider.query });
      provider.setQuery(picked.query);
      if (picked.papers?.[0]) await vscode.commands.executeCommand(COMMANDS.openDetails, { key: picked.papers[0].id, query: picked.query });
    }),
    vscode.commands.registerCommand(COMMANDS.clearSearch, () => provider.setQuery('')),
    vscode.commands.registerCommand(COMMANDS.groupByYear, () => provider.setGroupBy('year')),
    vscode.commands.registerCommand(COMMANDS.groupBySource, () => provider.setGroupBy('source')),
    vscode.commands.registerCommand(COMMANDS.groupByZotero, () => provider.setGroupBy('zotero')),
  );
}

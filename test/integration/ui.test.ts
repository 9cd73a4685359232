// The palette search, the Papers view and the paper webview, driven in a real VS Code.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';
import { readableLabel } from '../../src/features/search-picker';
import { COMMANDS } from '../../src/ids';
import { parseBibtexLibrary } from '../../src/core/library';
import { activateLitCite, screenshot, setTheme, sleep, waitFor } from './helpers';

async function closeEverything(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('LitCite UI', function () {
  this.timeout(60_000);
  let api: LitCiteApi;

  before(async () => {
    api = await activateLitCite();
    await closeEverything();
  });
  afterEach(closeEverything);

  it('registers every command it declares', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = Object.values(COMMANDS).filter((id) => !all.has(id));
    assert.deepStrictEqual(missing, []);
    console.log(`activation: bundled library ready ${api.testing.activationMs().toFixed(1)} ms after activate()`);
  });

  it('re-ranks the palette search on every keystroke, typos included', async () => {
    void vscode.commands.executeCommand(COMMANDS.search);
    const picker = await waitFor(() => api.testing.picker.active, 5000, 'the search QuickPick');
    assert.strictEqual(picker.quickPick.items.length, api.testing.library.papers.length, 'an empty query lists the library');
    assert.ok(api.testing.library.papers.length >= 62);
    picker.setQuery('tokenizaton arithmatic');
    const first = picker.quickPick.items[0];
    assert.strictEqual(first.paper.id, 'singh2024tokenization');
    assert.strictEqual(readableLabel(first.label), 'Tokenization counts: the impact of tokenization on arithmetic in frontier LLMs');
    assert.match(first.description ?? '', /Aaditya K. Singh, DJ Strouse · .*2024/);
    assert.match(first.detail ?? '', /^singh2024tokenization — .*tokeniz/i);
    assert.ok(picker.quickPick.items.every((i) => i.alwaysShow), 'VS Code would filter out typo matches');
    assert.strictEqual(picker.quickPick.canSelectMany, true);
    await screenshot('palette-search');
    picker.quickPick.hide();
    // The view then shows the ranked results of that query.
    await waitFor(() => api.testing.views.tree!.query === 'tokenizaton arithmatic', 3000, 'the tree to take the query');
    const results = api.testing.views.tree!.getChildren();
    assert.strictEqual(results[0].kind === 'paper' && results[0].paper.id, 'singh2024tokenization');
  });

  it('shows the library grouped by year, newest first, with counts', async () => {
    api.testing.views.tree!.setQuery('');
    const groups = api.testing.views.tree!.getChildren();
    assert.ok(groups.every((g) => g.kind === 'group'));
    const years = groups.map((g) => (g.kind === 'group' ? Number(g.label) : 0));
    assert.deepStrictEqual(years, [...years].sort((a, b) => b - a));
    const total = groups.reduce((n, g) => n + (g.kind === 'group' ? g.papers.length : 0), 0);
    assert.strictEqual(total, api.testing.library.papers.length);
    assert.strictEqual(api.testing.library.papers.filter((p) => p.source === 'bundled').length, 62);
    const item = api.testing.views.tree!.getTreeItem(groups[0]);
    assert.strictEqual(item.description, String(groups[0].kind === 'group' && groups[0].papers.length));
  });

  it('shows search results in the Papers view with the query as its description', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.litcite');
    api.testing.views.tree!.setQuery('arithmetic transformers');
    const nodes = api.testing.views.tree!.getChildren();
    assert.ok(nodes.length > 3 && nodes.every((n) => n.kind === 'paper'));
    assert.match(api.testing.views.tree!.view?.description ?? '', /arithmetic transformers/);
    const item = api.testing.views.tree!.getTreeItem(nodes[0]);
    assert.strictEqual(item.command?.command, COMMANDS.openDetails);
    assert.ok(item.tooltip instanceof vscode.MarkdownString && item.tooltip.value.length > 100);
    assert.match(api.testing.views.tree!.view?.message ?? '', /^\d+ results for “arithmetic transformers”/);
    // Widen the side bar so descriptions show in the screenshots (the resize acts on the focused part).
    await vscode.commands.executeCommand('litcite.papers.focus');
    for (let i = 0; i < 5; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
    for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
      await setTheme(theme);
      await api.testing.views.tree!.view?.reveal(nodes[0], { select: true, focus: true });
      await screenshot(`sidebar-results-${theme.includes('Dark') ? 'dark' : 'light'}`, 600);
    }
    await vscode.commands.executeCommand(COMMANDS.clearSearch);
    assert.strictEqual(api.testing.views.tree!.query, '');
  });

  it('opens a paper in one reusable webview showing its title', async () => {
    await vscode.commands.executeCommand(COMMANDS.openDetails, 'lee2023teaching');
    const panel = await waitFor(() => api.testing.views.details!.webviewPanel, 5000, 'the details panel');
    assert.strictEqual(panel.title, 'Teaching Arithmetic to Small Transformers');
    assert.strictEqual(panel.viewType, 'litcite.details');
    await vscode.commands.executeCommand(COMMANDS.openDetails, 'wu2016google');
    assert.strictEqual(api.testing.views.details!.webviewPanel, panel, 'a second paper reuses the panel');
    await waitFor(() => panel.title.startsWith("Google's Neural Machine"), 3000, 'the panel to show the second paper');
    for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
      await setTheme(theme);
      await screenshot(`details-${theme.includes('Dark') ? 'dark' : 'light'}`, 800);
    }
  });

  it('shows paper text as text in the webview, never as HTML', async () => {
    const evil = '<img src=x onerror=alert(1)> & <b>bold</b>';
    const paper = { id: 'evil2024xss', type: 'article', title: evil, author: [{ family: '<script>', given: 'Eve' }], abstract: `<iframe src="https://example.com"></iframe> ${evil}`, source: 'test' };
    api.testing.library.setExtraSource({ id: 'test', kind: 'fetched', label: 'test', papers: [paper] });
    try {
      await vscode.commands.executeCommand(COMMANDS.openDetails, 'evil2024xss');
      const rendered = await waitFor(() => (api.testing.views.details!.lastRendered?.key === 'evil2024xss' ? api.testing.views.details!.lastRendered : undefined), 5000, 'the webview to render');
      assert.strictEqual(rendered.title, evil);
      assert.strictEqual(rendered.imageCount, 0);
      await screenshot('details-escaped');
    } finally {
      api.testing.library.removeExtraSource('test');
    }
  });

  it('restores the shown paper when the panel is hidden and shown again', async () => {
    await vscode.commands.executeCommand(COMMANDS.openDetails, 'shen2023positional');
    const panel = await waitFor(() => api.testing.views.details!.webviewPanel, 5000, 'the details panel');
    await waitFor(() => api.testing.views.details!.lastRendered?.key === 'shen2023positional', 5000, 'the first render');
    const doc = await vscode.workspace.openTextDocument({ content: 'x', language: 'plaintext' });
    await vscode.window.showTextDocument(doc, panel.viewColumn);
    await waitFor(() => !panel.visible, 5000, 'the panel to be hidden');
    // A hidden webview loses its page; showing it again must bring the same paper back.
    api.testing.views.details!.lastRendered = undefined;
    panel.reveal(undefined, false);
    const rendered = await waitFor(() => api.testing.views.details!.lastRendered, 5000, 'the page to render again');
    assert.strictEqual(rendered.key, 'shen2023positional');
    assert.strictEqual(rendered.title, 'Positional Description Matters for Transformers Arithmetic');
  });

  it('cites into the last text editor when the webview has the focus', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'As shown by \n', language: 'latex' });
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 12, 0, 12);
    await vscode.commands.executeCommand(COMMANDS.openDetails, 'lee2023teaching');
    const panel = await waitFor(() => api.testing.views.details!.webviewPanel, 5000, 'the details panel');
    panel.reveal(undefined, false);
    await waitFor(() => panel.active && !vscode.window.activeTextEditor, 5000, 'the webview to take the focus');
    // What the panel's Insert Citation button runs:
    await vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: ['lee2023teaching'] });
    assert.strictEqual(doc.lineAt(0).text, 'As shown by \\cite{lee2023teaching}');
  });

  it('cites the papers picked in the search QuickPick', async () => {
    // An untitled document has no bibliography; without this LitCite would ask to create one.
    await vscode.workspace.getConfiguration('litcite').update('createBibFile', 'never', vscode.ConfigurationTarget.Global);
    const doc = await vscode.workspace.openTextDocument({ content: 'See .', language: 'markdown' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 4, 0, 4);
    const done = vscode.commands.executeCommand(COMMANDS.insertCitation);
    const picker = await waitFor(() => api.testing.picker.active, 5000, 'the QuickPick');
    picker.setQuery('arithmetic');
    const wanted = picker.quickPick.items.filter((i) => i.paper.id === 'shen2023positional' || i.paper.id === 'singh2024tokenization');
    assert.strictEqual(wanted.length, 2);
    picker.quickPick.selectedItems = wanted;
    await waitFor(() => picker.quickPick.selectedItems.length === 2, 3000, 'two papers to be selected');
    picker.quickPick.activeItems = [wanted[0]];
    await sleep(300);
    await vscode.commands.executeCommand('workbench.action.focusQuickOpen');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await waitFor(() => !api.testing.picker.active, 8000, 'Enter to close the QuickPick');
    await waitFor(() => doc.lineAt(0).text !== 'See .', 5000, 'the citation');
    await done;
    await vscode.workspace.getConfiguration('litcite').update('createBibFile', undefined, vscode.ConfigurationTarget.Global);
    assert.match(doc.lineAt(0).text, /^See \[@(shen2023positional; @singh2024tokenization|singh2024tokenization; @shen2023positional)\]\.$/);
  });

  it('shows a welcome view saying why when the library is empty', async () => {
    const config = vscode.workspace.getConfiguration('litcite');
    await config.update('includeDeclaredBibliographies', false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.testing.library.papers.every((p) => p.source === 'bundled'), 5000, 'declared bibliographies to leave').catch((err: Error) => {
        throw new Error(`${err.message}; still there: ${[...new Set(api.testing.library.papers.map((p) => p.source))].join(', ')}`);
      });
      await config.update('includeBundledLibrary', false, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.testing.library.state.kind === 'empty', 5000, 'the library to empty');
      assert.deepStrictEqual(api.testing.views.tree!.getChildren(), []);
      await vscode.commands.executeCommand('workbench.view.extension.litcite');
      await screenshot('sidebar-empty');
    } finally {
      await config.update('includeBundledLibrary', undefined, vscode.ConfigurationTarget.Global);
      await config.update('includeDeclaredBibliographies', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(() => api.testing.library.papers.filter((p) => p.source === 'bundled').length === 62, 5000, 'the bundled library to come back');
  });

  it('copies a valid BibTeX entry to the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand(COMMANDS.copyBibtex, 'lee2023teaching');
    const text = await vscode.env.clipboard.readText();
    assert.match(text, /^@inproceedings\{lee2023teaching,/);
    const { papers, problems } = parseBibtexLibrary(text, 'clipboard');
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(papers[0].title, 'Teaching Arithmetic to Small Transformers');
    assert.strictEqual(papers[0].arxiv, '2307.03381');
  });

  after(async () => {
    await setTheme('Default Dark Modern');
    await sleep(100);
  });
});

// The user's Zotero library in a real VS Code, read live from a fake Zotero that speaks the local
// API, the web API and Better BibTeX's JSON-RPC as documented (test/servers/zotero-server.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';
import { COMMANDS } from '../../src/ids';
import { startFakeZotero, type FakeZotero } from '../servers/zotero-server';
import { activateLitCite, screenshot, setTheme, waitFor, workspaceFile } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('litcite');
const SETTINGS = ['zotero.enabled', 'zotero.source', 'zotero.localApiUrl', 'zotero.webApiUrl', 'zotero.libraries', 'zotero.collections'];

describe('LitCite Zotero', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  let zotero: FakeZotero;
  const notes = workspaceFile('notes.md');
  const refs = workspaceFile('refs.bib');
  let original: { notes: string; refs: string };

  before(async () => {
    api = await activateLitCite();
    zotero = await startFakeZotero();
    original = { notes: fs.readFileSync(notes.fsPath, 'utf8'), refs: fs.readFileSync(refs.fsPath, 'utf8') };
    await config().update('zotero.localApiUrl', zotero.localApiUrl, vscode.ConfigurationTarget.Global);
    await config().update('zotero.enabled', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const setting of SETTINGS) await config().update(setting, undefined, vscode.ConfigurationTarget.Global);
    await api.testing.context.secrets.delete('litcite.zotero.webApiKey');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.writeFileSync(notes.fsPath, original.notes);
    fs.writeFileSync(refs.fsPath, original.refs);
    await waitFor(() => !api.testing.library.papers.some((p) => p.source?.startsWith('zotero:')), 10_000, 'Zotero papers to leave');
    await zotero.close();
  });

  it('reads the library from the Zotero app: every work under its Better BibTeX key, notes and PDFs with it', async () => {
    const paper = await waitFor(() => api.testing.library.byKey('vaswaniAttentionAllYou2017'), 15_000, 'the Zotero library');
    assert.match(paper.source ?? '', /^zotero:users\//);
    assert.strictEqual(paper.arxiv, '1706.03762', 'the arXiv id from Extra');
    assert.ok(paper.extra?.attachments?.some((a) => a.path), 'its PDF, with a path on this machine');
    assert.strictEqual(paper.extra?.notesCount, 1);
    assert.ok(api.testing.library.byKey('hochreiter1997long'), 'a key pinned in Extra');
    assert.ok(!api.testing.library.papers.some((p) => /put in the trash/.test(p.title)), 'trashed items stay out');
    const [status] = api.testing.zotero.statuses;
    assert.strictEqual(status?.code, 'connected');
    assert.strictEqual(status.code === 'connected' && status.betterBibtex, '7.0.5');
    assert.strictEqual(api.testing.library.search('arithmetic small transformers')[0]?.paper.id, 'leeTeachingArithmeticSmall2023');
  });

  it('cites a Zotero paper with the BibTeX Better BibTeX exports, byte for byte', async () => {
    const doc = await vscode.workspace.openTextDocument(notes);
    const editor = await vscode.window.showTextDocument(doc);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: ['suttonReinforcementLearningIntroduction2018'] });
    assert.match(doc.getText(), /\[@suttonReinforcementLearningIntroduction2018\]/);
    await doc.save();
    const bib = fs.readFileSync(refs.fsPath, 'utf8');
    const exported = zotero.bbtExport(['suttonReinforcementLearningIntroduction2018'], 'Better BibTeX').trim();
    assert.ok(bib.includes(exported), `the .bib holds Better BibTeX's export:\n${exported}`);
  });

  it('offers Open PDF and Show in Zotero in the hover of a Zotero paper', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'As shown [@vaswaniAttentionAllYou2017].' });
    await vscode.window.showTextDocument(doc);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(0, 15));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /\[Open PDF\]\(command:litcite\.openPdf/);
    assert.match(text, /\[Show in Zotero\]\(command:litcite\.showInZotero/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('follows an edit made in Zotero within a poll', async () => {
    zotero.library('users/0').updateItem('GRAVESTH', { title: 'Supervised Sequence Labelling with Recurrent Neural Networks (revised)' });
    await waitFor(() => /\(revised\)/.test(api.testing.library.byKey('gravesSupervisedSequenceLabelling2008')?.title ?? ''), 15_000, 'the edit to arrive');
  });

  it('keeps the user’s .bib entry for a key the .bib has, over the Zotero record', async () => {
    // An earlier test cited Sutton into refs.bib: the document's own entry is what it prints.
    await waitFor(() => api.testing.library.byKey('suttonReinforcementLearningIntroduction2018')?.source === refs.fsPath, 10_000, 'the .bib entry to win');
  });

  it('shows only the configured collections, subcollections included', async () => {
    await config().update('zotero.collections', ['Thesis'], vscode.ConfigurationTarget.Global);
    await waitFor(() => !api.testing.library.byKey('leeTeachingArithmeticSmall2023') && api.testing.library.byKey('vaswaniAttentionAllYou2017'), 15_000, 'the collection filter');
    assert.ok(api.testing.library.byKey('gravesSupervisedSequenceLabelling2008'), 'an item of Thesis / Chapter 2');
    await config().update('zotero.collections', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.testing.library.byKey('leeTeachingArithmeticSmall2023'), 15_000, 'the whole library again');
  });

  it('groups the Papers view by collection and offers Open PDF and Show in Zotero on Zotero papers', async () => {
    const tree = api.testing.views.tree!;
    tree.setQuery('');
    await vscode.commands.executeCommand(COMMANDS.groupByZotero);
    const groups = tree.getChildren().filter((n) => n.kind === 'group');
    const labels = groups.map((g) => (g.kind === 'group' ? g.label : ''));
    assert.ok(labels.includes('Thesis / Chapter 2: Sequence models'), labels.join(' | '));
    assert.ok(labels.includes('Reading group'));
    assert.strictEqual(labels.at(-1), 'Not in Zotero');
    const chapter = groups.find((g) => g.kind === 'group' && g.label === 'Thesis / Chapter 2: Sequence models')!;
    const vaswani = tree.getChildren(chapter).find((n) => n.kind === 'paper' && n.paper.id === 'vaswaniAttentionAllYou2017')!;
    assert.match(String(tree.getTreeItem(vaswani).contextValue), /Pdf.*Zotero|Zotero.*Pdf/);
    const target = await api.testing.zotero.pdfTarget(api.testing.library.byKey('vaswaniAttentionAllYou2017')!);
    assert.strictEqual(target?.kind, 'file');
    assert.ok(target?.kind === 'file' && fs.existsSync(target.path), 'the PDF is on this machine');
    await vscode.commands.executeCommand('workbench.view.extension.litcite');
    await tree.view.reveal(vaswani, { expand: true, select: true, focus: false });
    await setTheme('Default Dark Modern');
    await screenshot('zotero-tree-dark', 600);
    await setTheme('Default Light Modern');
    await screenshot('zotero-tree-light', 600);
    await vscode.commands.executeCommand(COMMANDS.groupByYear);
  });

  it('says why when the local API is off, keeps the papers, and recovers when it is back', async () => {
    zotero.setLocalApi(false);
    await vscode.commands.executeCommand(COMMANDS.zoteroSync);
    const status = await waitFor(() => api.testing.zotero.statuses.find((s) => s.code === 'local-api-disabled'), 10_000, 'the local-api-disabled status');
    assert.ok(status);
    assert.ok(api.testing.library.byKey('vaswaniAttentionAllYou2017'), 'the papers already read stay');
    await screenshot('zotero-status-problem', 400);
    zotero.setLocalApi(true);
    await vscode.commands.executeCommand(COMMANDS.zoteroSync);
    await waitFor(() => api.testing.zotero.statuses[0]?.code === 'connected', 10_000, 'connected again');
  });

  it('reads a library from zotero.org with the API key kept in SecretStorage', async () => {
    await vscode.commands.executeCommand(COMMANDS.setZoteroApiKey, zotero.apiKey);
    assert.strictEqual(await api.testing.context.secrets.get('litcite.zotero.webApiKey'), zotero.apiKey);
    assert.strictEqual(config().get('zotero.webApiKey'), undefined, 'never in settings');
    await config().update('zotero.webApiUrl', zotero.webApiUrl, vscode.ConfigurationTarget.Global);
    await config().update('zotero.libraries', [`groups/${zotero.groupId}`], vscode.ConfigurationTarget.Global);
    await config().update('zotero.source', 'web', vscode.ConfigurationTarget.Global);
    const paper = await waitFor(() => api.testing.library.byKey('parkBridgingVisionLanguage2024') ?? api.testing.library.papers.find((p) => p.source === `zotero:groups/${zotero.groupId}`), 15_000, 'the group library from the web API');
    assert.strictEqual(paper.source, `zotero:groups/${zotero.groupId}`);
    assert.ok(zotero.requests.some((r) => r.surface === 'web' && r.apiKey === zotero.apiKey), 'the key went to the web API');
    assert.ok(!api.testing.library.byKey('vaswaniAttentionAllYou2017'), 'the local library is no longer configured');
  });
});

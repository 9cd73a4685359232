// Online search in a real VS Code, against a local server speaking arXiv's, OpenAlex's, Crossref's
// and Semantic Scholar's documented response shapes (test/servers/online-server.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';
import { readableLabel, type PaperPickItem } from '../../src/features/search-picker';
import { COMMANDS } from '../../src/ids';
import { startOnlineServer, type OnlineFixtureServer } from '../servers/online-server';
import { activateLitCite, screenshot, setTheme, sleep, waitFor, workspaceFile } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('litcite');
const SETTINGS = ['onlineSearch', 'arxivApiUrl', 'openAlexApiUrl', 'crossrefApiUrl', 'semanticScholarApiUrl', 'doiApiUrl', 'createBibFile'];

describe('LitCite online search', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  let server: OnlineFixtureServer;
  const notes = workspaceFile('notes.md');
  const refs = workspaceFile('refs.bib');
  let original: { notes: string; refs: string };

  before(async () => {
    api = await activateLitCite();
    server = await startOnlineServer();
    original = { notes: fs.readFileSync(notes.fsPath, 'utf8'), refs: fs.readFileSync(refs.fsPath, 'utf8') };
    const target = vscode.ConfigurationTarget.Global;
    await config().update('onlineSearch', 'off', target);
    await config().update('arxivApiUrl', server.arxivApiUrl, target);
    await config().update('openAlexApiUrl', server.openAlexApiUrl, target);
    await config().update('crossrefApiUrl', server.crossrefApiUrl, target);
    await config().update('semanticScholarApiUrl', server.semanticScholarApiUrl, target);
    await config().update('doiApiUrl', server.doiApiUrl, target);
  });

  after(async () => {
    api.testing.picker.active?.quickPick.hide();
    await api.testing.online.clearFetched();
    for (const setting of SETTINGS) await config().update(setting, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.writeFileSync(notes.fsPath, original.notes);
    fs.writeFileSync(refs.fsPath, original.refs);
    await server.close();
  });

  afterEach(() => api.testing.picker.active?.quickPick.hide());

  /** Opens the search QuickPick on `query` and returns it. */
  async function openPicker(query: string, command: string = COMMANDS.search): Promise<NonNullable<LitCiteApi['testing']['picker']['active']>> {
    api.testing.picker.active?.quickPick.hide();
    await waitFor(() => !api.testing.picker.active, 5000, 'the previous QuickPick to close');
    void vscode.commands.executeCommand(command);
    const picker = await waitFor(() => api.testing.picker.active, 5000, 'the search QuickPick');
    picker.setQuery(query);
    return picker;
  }

  const onlineItems = (items: readonly PaperPickItem[]): PaperPickItem[] => items.filter((i) => i.online);
  const separator = (items: readonly PaperPickItem[]): string | undefined => items.find((i) => i.kind === vscode.QuickPickItemKind.Separator)?.label;

  it('sends nothing anywhere while online search is off, and offers to ask when it is "ask"', async () => {
    server.reset();
    let picker = await openPicker('deep learning');
    await sleep(900);
    assert.strictEqual(server.requests.length, 0, 'no request while off');
    assert.ok(!picker.quickPick.items.some((i) => i.askOnline), 'off means not even the offer');
    await config().update('onlineSearch', 'ask', vscode.ConfigurationTarget.Global);
    picker = await openPicker('deep learning');
    await sleep(900);
    assert.strictEqual(server.requests.length, 0, 'no request before the user agreed');
    const ask = picker.quickPick.items.find((i) => i.askOnline);
    assert.ok(ask, 'the picker offers to search online');
    assert.match(readableLabel(ask.label), /Search online for “deep learning”/);
  });

  it('streams online results below the library’s, each source’s state in the separator', async () => {
    await config().update('onlineSearch', 'on', vscode.ConfigurationTarget.Global);
    server.reset();
    const picker = await openPicker('deep learning');
    // The library's results are there at once, before any answer from the network.
    assert.ok(picker.quickPick.items.length > 0 && !picker.quickPick.items[0]!.online, 'local results first and at once');
    await waitFor(() => onlineItems(picker.quickPick.items).length >= 2 && !/searching/.test(separator(picker.quickPick.items) ?? ''), 15_000, 'online results');
    const label = separator(picker.quickPick.items) ?? '';
    assert.match(label, /OpenAlex: 2 results/);
    assert.match(label, /Crossref: 2 results/);
    assert.match(label, /arXiv: no results/);
    // The separator is hidden while the box holds text; the title says the same.
    assert.match(picker.quickPick.title ?? '', /OpenAlex: 2 results/);
    const titles = onlineItems(picker.quickPick.items).map((i) => readableLabel(i.label));
    assert.ok(titles.includes('Deep learning'), titles.join(' | '));
    const nature = onlineItems(picker.quickPick.items).find((i) => readableLabel(i.label) === 'Deep learning')!;
    assert.match(nature.description ?? '', /\$\(globe\) (OpenAlex|Crossref)/);
    assert.match(nature.online!.key, /^lecun2015deep/);
    // Semantic Scholar was asked too, and every request carried LitCite's User-Agent.
    assert.ok(server.requestsTo('s2').length >= 1);
    assert.ok(server.requests.every((r) => /LitCite/.test(r.headers['user-agent'] ?? '')));
    // The online section comes after the library's best few matches, in view without scrolling.
    const firstOnline = picker.quickPick.items.findIndex((i) => i.online);
    assert.ok(firstOnline > 0 && firstOnline <= 8, `online results start at item ${firstOnline}`);
    picker.quickPick.activeItems = [nature];
    await setTheme('Default Dark Modern');
    await screenshot('online-picker-dark', 600);
    await setTheme('Default Light Modern');
    await screenshot('online-picker-light', 600);
  });

  it('answers a repeated query from its cache, sending nothing', async () => {
    let picker = await openPicker('deep learning');
    await waitFor(() => onlineItems(picker.quickPick.items).length >= 2 && !/searching/.test(separator(picker.quickPick.items) ?? ''), 15_000, 'online results');
    server.reset();
    picker = await openPicker('Deep   Learning');
    await waitFor(() => /OpenAlex: 2 results \(cached\)/.test(separator(picker.quickPick.items) ?? ''), 10_000, 'cached results');
    assert.strictEqual(server.requests.length, 0);
  });

  it('says which source is rate-limited and when it can be asked again, and still shows the others', async () => {
    server.reset();
    server.behave('crossref', { kind: 'rate-limited', status: 429, retryAfter: '30' });
    const picker = await openPicker('deep learning networks');
    await waitFor(() => /Crossref: rate-limited/.test(separator(picker.quickPick.items) ?? '') && !/searching/.test(separator(picker.quickPick.items) ?? ''), 15_000, 'the rate-limited state');
    assert.match(separator(picker.quickPick.items) ?? '', /Crossref: rate-limited, try again in (29|30) s/);
    assert.match(separator(picker.quickPick.items) ?? '', /OpenAlex: 2 results/);
    server.reset();
  });

  it('resolves a DOI typed into the picker directly, and recognises the library’s paper', async () => {
    server.reset();
    const picker = await openPicker('https://doi.org/10.18653/v1/N19-1423');
    await waitFor(() => /found/.test(picker.quickPick.title ?? ''), 10_000, 'the DOI resolved');
    assert.match(picker.quickPick.title ?? '', /doi:10\.18653\/v1\/N19-1423: found · 1 in your library/i);
    assert.deepStrictEqual(server.requests.map((r) => r.service), ['doi'], 'one request, to the DOI resolver');
    assert.strictEqual(onlineItems(picker.quickPick.items).length, 0, 'BERT is refs.bib’s devlin2019bert');
  });

  it('cites an online result: the citation at the cursor, its entry in the document’s .bib, the paper kept in the library', async () => {
    const doc = await vscode.workspace.openTextDocument(notes);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(doc.lineCount - 1);
    editor.selection = new vscode.Selection(line.range.end, line.range.end);
    await waitFor(() => !api.testing.picker.active, 5000, 'the previous QuickPick to close');
    const done = vscode.commands.executeCommand(COMMANDS.insertCitation);
    const picker = await waitFor(() => api.testing.picker.active, 5000, 'the QuickPick');
    picker.setQuery('deep learning');
    const item = await waitFor(() => onlineItems(picker.quickPick.items).find((i) => readableLabel(i.label) === 'Deep learning'), 15_000, 'the online result');
    const key = item.online!.key;
    picker.quickPick.activeItems = [item];
    await sleep(300);
    await vscode.commands.executeCommand('workbench.action.focusQuickOpen');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await done;
    await waitFor(() => doc.getText().includes(`[@${key}]`), 5000, 'the citation');
    await doc.save();
    const bib = fs.readFileSync(refs.fsPath, 'utf8');
    assert.ok(bib.startsWith(original.refs.trimEnd()), 'the .bib was appended to, not rewritten');
    assert.match(bib, new RegExp(`@article\\{${key},[\\s\\S]*title = \\{Deep learning\\}[\\s\\S]*doi = \\{10\\.1038/nature14539\\}`, 'i'));
    assert.ok(api.testing.library.sources.some((s) => s.kind === 'fetched'), 'the fetched paper is kept');
    // Once in the document's .bib, that entry is the one the library shows under the key.
    await waitFor(() => api.testing.library.byKey(key)?.source === refs.fsPath, 5000, 'the .bib entry');
  });
});

// The user's own library files and Add Paper, in a real VS Code against a local metadata server.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as vscode from 'vscode';
import type { AddPaperResult } from '../../src/features/add-paper';
import type { LitCiteApi } from '../../src/extension';
import { COMMANDS } from '../../src/ids';
import { FixtureServer, startFixtureServer } from './fixture-server';
import { activateLitCite, screenshot, waitFor, workspaceFile } from './helpers';

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} is in the file`);
  return text.slice(0, index).split('\n').length;
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('litcite');
const references = workspaceFile('library/references.bib');
const zotero = workspaceFile('library/zotero.json');

describe('LitCite user library', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  let original: { references: string; zotero: string };

  before(async () => {
    api = await activateLitCite();
    original = { references: fs.readFileSync(references.fsPath, 'utf8'), zotero: fs.readFileSync(zotero.fsPath, 'utf8') };
    await config().update('libraries', ['library/references.bib', 'library/*.json'], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.testing.library.byKey('okafor2022graphs'), 10_000, 'the configured files to load');
  });

  after(async () => {
    await config().update('libraries', undefined, vscode.ConfigurationTarget.Workspace);
    fs.writeFileSync(references.fsPath, original.references);
    fs.writeFileSync(zotero.fsPath, original.zotero);
    await waitFor(() => !api.testing.library.byKey('lee2023arith'), 5000, 'the configured files to leave the library');
  });

  it('loads a .bib with macros, concatenation, crossref and accents, keeping its keys', async () => {
    const paper = api.testing.library.byKey('muller2023zerlegung');
    assert.ok(paper, 'the entry is in the library under its own key');
    assert.strictEqual(paper.title, 'Über die Zerlegung von Sätzen: Tokenization Revisited');
    assert.deepStrictEqual(paper.author.slice(0, 1), [{ family: 'Müller', given: 'Jörg' }]);
    assert.deepStrictEqual(paper.author[2], { family: 'Østergaard', given: 'Søren' });
    assert.strictEqual(paper['container-title'], 'Proceedings of the 2023 Conference on Empirical Methods in Natural Language Processing', 'from the crossref, through @string and #');
    assert.strictEqual(paper.publisher, 'Association for Computational Linguistics');
    assert.strictEqual(paper.sourceLine, lineOf(original.references, '@inproceedings{muller2023zerlegung'));
    assert.strictEqual(paper.source, references.fsPath);
    const hits = api.testing.library.search('zerlegung satzen muller');
    assert.strictEqual(hits[0]?.paper.id, 'muller2023zerlegung');
  });

  it('loads a CSL-JSON export with its citation keys', () => {
    const paper = api.testing.library.byKey('okafor2022graphs');
    assert.ok(paper);
    assert.strictEqual(paper.title, 'Citation Graphs at Scale');
    assert.strictEqual(paper.DOI, '10.5555/jsm.2022.0312');
    assert.ok(api.testing.library.byKey('tanaka2021'));
    assert.strictEqual(api.testing.library.search('reading lists write themselves')[0]?.paper.id, 'tanaka2021');
  });

  it('reports a malformed entry and a repeated key at their lines while the rest loads', () => {
    const diagnostics = vscode.languages.getDiagnostics(references);
    const broken = diagnostics.find((d) => /broken2022.*unbalanced braces/.test(d.message));
    assert.ok(broken, `an unbalanced-braces diagnostic among ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    assert.strictEqual(broken.range.start.line + 1, lineOf(original.references, '@article{broken2022'));
    assert.strictEqual(broken.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(broken.source, 'LitCite');
    const repeated = diagnostics.find((d) => /duplicate key `zhou2024spectral`/.test(d.message));
    assert.ok(repeated);
    const first = lineOf(original.references, '@misc{zhou2024spectral');
    assert.match(repeated.message, new RegExp(`first at line ${first}`));
    assert.strictEqual(repeated.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(api.testing.library.byKey('zhou2024spectral')?.title, 'Spectral Methods for Citation Graphs', 'the first of the two is kept');
    // An entry that breaks off keeps its key (citable, as BibTeX keeps it), with the fields before the break.
    assert.strictEqual(api.testing.library.byKey('broken2022')?.id, 'broken2022');
    assert.deepStrictEqual(vscode.languages.getDiagnostics(zotero), []);
  });

  it('shows a paper the bundled library also has once, under the user\'s key', () => {
    const copies = api.testing.library.papers.filter((p) => p.arxiv === '2307.03381');
    assert.strictEqual(copies.length, 1);
    assert.strictEqual(copies[0].id, 'lee2023arith');
    assert.strictEqual(api.testing.library.byKey('lee2023teaching'), undefined);
    assert.strictEqual(api.testing.library.search('2307.03381')[0]?.paper.id, 'lee2023arith');
  });

  it('groups the Papers view by source, each file and the bundled library', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.litcite');
    await vscode.commands.executeCommand(COMMANDS.groupBySource);
    api.testing.views.tree!.setQuery('');
    const groups = api.testing.views.tree!.getChildren().map((g) => (g.kind === 'group' ? g.label : ''));
    assert.deepStrictEqual(groups.slice(0, 2), ['library/references.bib', 'library/zotero.json']);
    assert.strictEqual(groups[groups.length - 1], 'Bundled library');
    const first = api.testing.views.tree!.getChildren()[0];
    assert.ok(first.kind === 'group');
    await api.testing.views.tree!.view?.reveal(first, { expand: true });
    const paperItem = api.testing.views.tree!.getTreeItem({ kind: 'paper', paper: api.testing.library.byKey('okafor2022graphs')! });
    assert.ok(paperItem.tooltip instanceof vscode.MarkdownString);
    assert.match(paperItem.tooltip.value.replace(/\\/g, ''), /library\/zotero\.json:2/, 'the tooltip says which file and line');
    const second = api.testing.views.tree!.getChildren()[1];
    if (second.kind === 'group') await api.testing.views.tree!.view?.reveal(second, { expand: true });
    // increaseViewWidth leaves the side bar as it is; increaseViewSize on the focused view widens it.
    await vscode.commands.executeCommand('litcite.papers.focus');
    for (let i = 0; i < 4; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
    await api.testing.views.tree!.view?.reveal(first, { select: true, focus: true });
    await screenshot('sidebar-by-source', 600);
    await vscode.commands.executeCommand(COMMANDS.groupByYear);
    const byYear = api.testing.views.tree!.getTreeItem({ kind: 'paper', paper: api.testing.library.byKey('okafor2022graphs')! });
    assert.match(String(byYear.description), /library\/zotero\.json$/, 'outside its source group a paper names its file');
  });

  it('picks up an edit saved by another program within a second, without re-reading unchanged files', async () => {
    const zoteroSource = api.testing.files.sources.find((s) => s.source.id === zotero.toString());
    assert.ok(zoteroSource);
    const added = '\n@article{park2025fresh,\n  title = {A Freshly Added Entry},\n  author = {Park, Min},\n  journal = {Letters on Libraries},\n  year = {2025},\n}\n';
    const started = Date.now();
    fs.appendFileSync(references.fsPath, added);
    await waitFor(() => api.testing.library.byKey('park2025fresh'), 5000, 'the new entry', 10);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `indexed after ${elapsed} ms`);
    assert.strictEqual(api.testing.files.sources.find((s) => s.source.id === zotero.toString()), zoteroSource, 'the unchanged file was not parsed again');
  });

  it('follows edits through the workspace file system API, deletes and renames', async () => {
    const text = fs.readFileSync(zotero.fsPath, 'utf8').replace('Reading Lists That Write Themselves', 'Reading Lists That Rewrite Themselves');
    await vscode.workspace.fs.writeFile(zotero, Buffer.from(text));
    await waitFor(() => api.testing.library.byKey('tanaka2021')?.title === 'Reading Lists That Rewrite Themselves', 3000, 'the changed title');

    const renamed = workspaceFile('library/zotero-export.json');
    const started = Date.now();
    await vscode.workspace.fs.rename(zotero, renamed);
    await waitFor(() => api.testing.library.byKey('tanaka2021')?.source === renamed.fsPath, 3000, 'the renamed file to be read');
    assert.ok(Date.now() - started < 1000, 'a rename is seen within a second');
    assert.ok(!api.testing.library.sources.some((s) => s.id === zotero.toString()), 'the old name is gone');

    await vscode.workspace.fs.delete(renamed);
    await waitFor(() => !api.testing.library.byKey('tanaka2021'), 3000, 'its papers to leave');
    assert.strictEqual(api.testing.library.byKey('okafor2022graphs'), undefined);
    fs.writeFileSync(zotero.fsPath, original.zotero);
    await waitFor(() => api.testing.library.byKey('tanaka2021'), 3000, 'the file to come back');
  });

  it('indexes unsaved edits to an open library file and moves its diagnostics with them', async () => {
    const document = await vscode.workspace.openTextDocument(references);
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '@misc{unsaved2025,\n  title = {Typed But Not Saved},\n  year = {2025},\n}\n\n'));
    await waitFor(() => api.testing.library.byKey('unsaved2025'), 3000, 'the unsaved entry');
    const broken = await waitFor(() => vscode.languages.getDiagnostics(references).find((d) => /unbalanced/.test(d.message)), 3000, 'the diagnostic');
    assert.strictEqual(broken.range.start.line + 1, lineOf(document.getText(), '@article{broken2022'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitFor(() => !api.testing.library.byKey('unsaved2025'), 3000, 'the reverted entry to leave');
  });

  it('names a file that is not a library in one warning and keeps the rest', async () => {
    const bogus = workspaceFile('library/notes.json');
    fs.writeFileSync(bogus.fsPath, '{ "this is": "not an array",, }');
    try {
      const diagnostic = await waitFor(() => vscode.languages.getDiagnostics(bogus)[0], 5000, 'a diagnostic on the bad file');
      assert.match(diagnostic.message, /library\/notes\.json is not valid JSON/);
      assert.ok(api.testing.library.byKey('okafor2022graphs'), 'the other files still load');
    } finally {
      fs.rmSync(bogus.fsPath);
    }
    await waitFor(() => vscode.languages.getDiagnostics(bogus).length === 0, 5000, 'the diagnostic to go with the file');
  });
});

describe('LitCite Add Paper', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  let server: FixtureServer;
  const target = workspaceFile('library/added.bib');

  before(async () => {
    api = await activateLitCite();
    server = await startFixtureServer();
    await config().update('arxivApiUrl', server.arxivApiUrl, vscode.ConfigurationTarget.Global);
    await config().update('doiApiUrl', server.doiApiUrl, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('arxivApiUrl', undefined, vscode.ConfigurationTarget.Global);
    await config().update('doiApiUrl', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
    fs.rmSync(target.fsPath, { force: true });
  });

  const add = (input: string): Thenable<AddPaperResult> => vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, input, { target, confirm: false });

  it('adds a paper by arXiv id from the arXiv API, under the key the library shows for it', async () => {
    const result = await add('arXiv:2307.03381v1');
    assert.deepStrictEqual(result, { ok: true, key: 'lee2023teaching', target: target.toString() });
    assert.ok(server.requests.some((r) => r.startsWith('/arxiv/api/query?id_list=2307.03381v1')));
    const text = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(text, /^@misc\{lee2023teaching,\n/);
    assert.match(text, /author = \{Lee, Nayoung and Sreenivasan, Kartik and Lee, Jason D\. and Lee, Kangwook and Papailiopoulos, Dimitris\}/);
    assert.match(text, /title = \{Teaching Arithmetic to Small Transformers\}/);
    assert.match(text, /year = \{2023\},\n  month = jul/);
    assert.match(text, /eprint = \{2307\.03381\}/);
    assert.match(text, /abstract = \{Large language models like GPT-4 exhibit emergent capabilities across general-purpose tasks/);
    assert.ok(text.endsWith('}\n'));
    await waitFor(() => api.testing.library.byKey('lee2023teaching')?.source === target.fsPath, 3000, 'the added entry in the library');
  });

  it('refuses to add a paper the .bib already has, saying under which key, without asking the server', async () => {
    const before = fs.readFileSync(target.fsPath, 'utf8');
    const requests = server.requests.length;
    const result = await add('https://arxiv.org/abs/2307.03381');
    assert.strictEqual(result.ok, false);
    assert.ok(!result.ok && result.reason === 'duplicate' && result.key === 'lee2023teaching');
    assert.match(!result.ok ? result.message : '', /arXiv:2307\.03381 is already in library\/added\.bib as lee2023teaching \(line 1\)/);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), before);
    assert.strictEqual(server.requests.length, requests, 'the arXiv id alone showed it was there');
  });

  it('adds a paper by DOI through content negotiation and the redirect to Crossref', async () => {
    const result = await add('https://doi.org/10.18653/v1/2024.acl-long.468');
    assert.ok(result.ok, JSON.stringify(result));
    assert.strictEqual(result.key, 'wang2024arithmetic');
    assert.deepStrictEqual(server.requests.filter((r) => r.startsWith('/doi/') || r.startsWith('/crossref/')), [
      '/doi/10.18653/v1/2024.acl-long.468',
      '/crossref/v1/works/10.18653%2Fv1%2F2024.acl-long.468/transform',
    ]);
    const text = fs.readFileSync(target.fsPath, 'utf8');
    const entry = text.slice(text.indexOf('@inproceedings{wang2024arithmetic,'));
    assert.ok(entry.length > 0, text);
    assert.match(entry, /booktitle = \{Proceedings of the 62nd Annual Meeting of the Association for Computational Linguistics \(Volume 1: Long Papers\)\}/);
    assert.match(entry, /pages = \{8642--8655\}/);
    assert.match(entry, /doi = \{10\.18653\/v1\/2024\.acl-long\.468\}/);
    assert.match(text, /^@misc\{lee2023teaching,[\s\S]*\n}\n\n@inproceedings\{wang2024arithmetic,/, 'one blank line between entries');

    const other = workspaceFile('library/other.bib');
    try {
      const requests = server.requests.length;
      const again = await vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, '10.18653/v1/2024.acl-long.468', { target: other, confirm: false });
      assert.ok(again.ok);
      assert.strictEqual(server.requests.length, requests, 'the second lookup was answered from the cache');
      assert.match(fs.readFileSync(other.fsPath, 'utf8'), /^@inproceedings\{wang2024arithmetic,/);
    } finally {
      fs.rmSync(other.fsPath, { force: true });
    }
  });

  it('writes to the .bib litcite.addTo names, creating it, and otherwise to the active document\'s bibliography', async () => {
    const configured = workspaceFile('library/from-setting.bib');
    const refs = workspaceFile('refs.bib');
    const refsBefore = fs.readFileSync(refs.fsPath, 'utf8');
    await config().update('addTo', 'library/from-setting.bib', vscode.ConfigurationTarget.Workspace);
    try {
      const viaSetting = await vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, '2307.03381', { confirm: false });
      assert.deepStrictEqual(viaSetting, { ok: true, key: 'lee2023teaching', target: configured.toString() });
      assert.match(fs.readFileSync(configured.fsPath, 'utf8'), /^@misc\{lee2023teaching,/);

      await config().update('addTo', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.window.showTextDocument(workspaceFile('paper.tex'));
      const viaDocument = await vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, '10.18653/v1/2024.acl-long.468', { confirm: false });
      assert.ok(viaDocument.ok && viaDocument.target === refs.toString(), JSON.stringify(viaDocument));
      const refsAfter = fs.readFileSync(refs.fsPath, 'utf8');
      assert.ok(refsAfter.startsWith(refsBefore), 'existing entries are untouched');
      assert.match(refsAfter.slice(refsBefore.length), /^\n@inproceedings\{wang2024arithmetic,/);
    } finally {
      await config().update('addTo', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.writeFileSync(refs.fsPath, refsBefore);
      fs.rmSync(configured.fsPath, { force: true });
    }
  });

  it('says clearly when a DOI is unknown (404) and leaves the .bib alone', async () => {
    const before = fs.readFileSync(target.fsPath, 'utf8');
    const result = await add('10.5555/no-such-paper');
    assert.strictEqual(result.ok, false);
    assert.match(!result.ok ? result.message : '', /^127\.0\.0\.1 has no record of the DOI 10\.5555\/no-such-paper \(404 Not Found\)\. Check the DOI\. Nothing was added\.$/);
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), before);
  });

  it('says when arXiv has no such paper, or the id is malformed', async () => {
    const missing = await add('2307.99999');
    assert.match(!missing.ok ? missing.message : '', /arXiv has no paper with the id 2307\.99999\. Nothing was added\./);
    const invalid = await add('not an id');
    assert.deepStrictEqual(invalid, { ok: false, reason: 'invalid', message: '"not an id" is not an arXiv id or a DOI. Nothing was added.' });
  });

  it('gives up after ten seconds on a server that does not answer, and leaves the .bib alone', async function () {
    this.timeout(30_000);
    const before = fs.readFileSync(target.fsPath, 'utf8');
    await config().update('arxivApiUrl', server.slowArxivApiUrl, vscode.ConfigurationTarget.Global);
    try {
      const started = Date.now();
      const result = await add('2401.00001');
      const elapsed = Date.now() - started;
      assert.strictEqual(result.ok, false);
      assert.ok(!result.ok && result.reason === 'lookup');
      assert.match(!result.ok ? result.message : '', /^127\.0\.0\.1 did not answer within 10 seconds\. Try again later\. Nothing was added\.$/);
      assert.ok(elapsed >= 9_500 && elapsed < 15_000, `gave up after ${elapsed} ms`);
    } finally {
      await config().update('arxivApiUrl', server.arxivApiUrl, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual(fs.readFileSync(target.fsPath, 'utf8'), before);
  });

  it('says when the service cannot be reached at all', async () => {
    const closed = await closedPort();
    await config().update('doiApiUrl', `http://127.0.0.1:${closed}/doi`, vscode.ConfigurationTarget.Global);
    try {
      const result = await add('10.1000/unreachable');
      assert.ok(!result.ok && result.reason === 'lookup');
      assert.match(!result.ok ? result.message : '', /^Could not reach 127\.0\.0\.1 \(ECONNREFUSED\): check the internet connection and the litcite\.doiApiUrl setting\. Nothing was added\.$/);
    } finally {
      await config().update('doiApiUrl', server.doiApiUrl, vscode.ConfigurationTarget.Global);
    }
  });
});

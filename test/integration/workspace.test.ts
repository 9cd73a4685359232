// One workspace model: the files a document cites from and the files that make up the library
// agree, for `~` and `${workspaceFolder}` in settings, a Quarto project in a subfolder and a
// `% !TEX root` chain; and one .bib writer behind Insert Citation and Add Paper.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';
import { COMMANDS } from '../../src/ids';
import type { AddPaperResult } from '../../src/features/add-paper';
import { startFixtureServer } from './fixture-server';
import { startOnlineServer } from '../servers/online-server';
import { activateLitCite, testWorkspace, waitFor } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('litcite');

const ENTRY = (key: string, title: string): string => `@article{${key},\n  title = {${title}},\n  author = {Doe, Jane},\n  journal = {Journal of Tests},\n  year = {2020},\n}\n`;

describe('LitCite workspace model and writer', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  const created: string[] = [];
  const home = path.join(os.homedir(), `litcite-home-${process.pid}.bib`);

  /** Writes a file (creating folders) and remembers it for removal. */
  function write(file: string, text: string): vscode.Uri {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    created.push(file);
    return vscode.Uri.file(file);
  }

  /** The library files the model lists, as paths. */
  async function libraryPaths(): Promise<string[]> {
    return (await api.testing.model.libraryFiles()).map((f) => f.uri.fsPath);
  }

  before(async () => {
    api = await activateLitCite();
  });

  after(async () => {
    for (const setting of ['bibFile', 'citationKeyTemplate', 'addTo', 'createBibFile', 'arxivApiUrl']) await config().update(setting, undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('files').update('eol', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const file of created.reverse()) fs.rmSync(file, { recursive: true, force: true });
  });

  it('reads and writes the same file for "~/…" in litcite.bibFile', async () => {
    write(home, ENTRY('homeentry2020', 'A Paper Kept in the Home Folder'));
    await config().update('bibFile', `~/${path.basename(home)}`, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(async () => (await libraryPaths()).includes(home), 10_000, 'the home .bib in the library');
      await waitFor(() => api.testing.library.byKey('homeentry2020')?.source === home, 10_000, 'its entry');
      const doc = await vscode.workspace.openTextDocument({ language: 'latex', content: 'See .' });
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(0, 4, 0, 4);
      const bibliography = await api.testing.model.bibliographyOf(doc);
      assert.strictEqual(bibliography.files[0]?.fsPath, home, 'the writer targets the file the library reads');
      await vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: ['lee2023teaching'] });
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === home);
      await open?.save();
      assert.match(fs.readFileSync(home, 'utf8'), /@inproceedings\{lee2023teaching,/);
      assert.ok(!fs.existsSync(path.join(testWorkspace(), '~')), 'no folder named ~ in the workspace');
    } finally {
      await config().update('bibFile', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('reads and writes the same file for "${workspaceFolder}/…"', async () => {
    const file = path.join(testWorkspace(), 'settings-bib', 'shared.bib');
    write(file, ENTRY('wsentry2020', 'A Paper Named Through a Variable'));
    await config().update('bibFile', '${workspaceFolder}/settings-bib/shared.bib', vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.testing.library.byKey('wsentry2020')?.source === file, 10_000, 'the entry from ${workspaceFolder}').catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify({ files: await libraryPaths(), source: api.testing.library.byKey('wsentry2020')?.source, file })}`);
    });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'See .' });
      assert.strictEqual((await api.testing.model.bibliographyOf(doc)).files[0]?.fsPath, file);
    } finally {
      await config().update('bibFile', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('finds the bibliography of a Quarto project in a subfolder, for the chapter and for the library', async () => {
    const dir = path.join(testWorkspace(), 'book');
    write(path.join(dir, '_quarto.yml'), 'project:\n  type: book\nbibliography: book-refs.bib\n');
    const bib = write(path.join(dir, 'book-refs.bib'), ENTRY('quartoentry2020', 'A Paper of the Book'));
    const chapter = write(path.join(dir, 'chapters', 'one.qmd'), '# One\n\nAs shown [@quartoentry2020].\n');
    const doc = await vscode.workspace.openTextDocument(chapter);
    let last = '';
    const bibliography = await waitFor(async () => {
      const found = await api.testing.model.bibliographyOf(doc);
      last = JSON.stringify({ files: found.files.map((f) => f.fsPath), origin: found.origin, doc: doc.uri.fsPath, folder: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath });
      return found.files[0]?.fsPath === bib.fsPath ? found : undefined;
    }, 10_000, 'the chapter to cite from the project .bib').catch((err: Error) => {
      throw new Error(`${err.message}: ${last}`);
    });
    assert.ok(bibliography);
    await waitFor(async () => (await libraryPaths()).includes(bib.fsPath), 10_000, 'the project .bib in the library');
    await waitFor(() => api.testing.library.byKey('quartoentry2020'), 10_000, 'its entry searchable');
  });

  it('follows a % !TEX root chain to the bibliography the root declares', async () => {
    const dir = path.join(testWorkspace(), 'thesis');
    write(path.join(dir, 'main.tex'), '\\documentclass{book}\n\\begin{document}\n\\include{parts/part}\n\\bibliography{thesis}\n\\end{document}\n');
    const bib = write(path.join(dir, 'thesis.bib'), ENTRY('thesisentry2020', 'A Paper of the Thesis'));
    write(path.join(dir, 'parts', 'part.tex'), '% !TEX root = ../main.tex\n\\input{parts/section}\n');
    const section = write(path.join(dir, 'parts', 'section.tex'), '% !TEX root = part.tex\nAs shown \\cite{thesisentry2020}.\n');
    const doc = await vscode.workspace.openTextDocument(section);
    const bibliography = await waitFor(async () => {
      const found = await api.testing.model.bibliographyOf(doc);
      return found.files[0]?.fsPath === bib.fsPath ? found : undefined;
    }, 10_000, 'the section to cite from the root’s .bib');
    assert.ok(bibliography);
    await waitFor(async () => (await libraryPaths()).includes(bib.fsPath), 10_000, 'the thesis .bib in the library');
    await waitFor(() => api.testing.library.byKey('thesisentry2020'), 10_000, 'its entry searchable');
  });

  it('one writer: a new .bib takes files.eol, from Insert Citation and from Add Paper alike', async () => {
    await vscode.workspace.getConfiguration('files').update('eol', '\r\n', vscode.ConfigurationTarget.Global);
    await config().update('createBibFile', 'always', vscode.ConfigurationTarget.Global);
    const dir = path.join(testWorkspace(), 'writer-eol');
    const md = write(path.join(dir, 'draft.md'), 'See .\n');
    created.push(path.join(dir, 'references.bib'));
    const doc = await vscode.workspace.openTextDocument(md);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 4, 0, 4);
    await vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: ['lee2023teaching'] });
    await vscode.workspace.saveAll(false);
    const fromCite = fs.readFileSync(path.join(dir, 'references.bib'), 'utf8');
    assert.match(fromCite, /^@inproceedings\{lee2023teaching,\r\n/);
    assert.ok(!/[^\r]\n/.test(fromCite), 'CRLF throughout');
    const server = await startFixtureServer();
    try {
      await config().update('arxivApiUrl', server.arxivApiUrl, vscode.ConfigurationTarget.Global);
      const target = vscode.Uri.file(path.join(dir, 'added.bib'));
      created.push(target.fsPath);
      const result = await vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, 'arXiv:2307.03381', { target, confirm: false });
      assert.ok(result.ok, JSON.stringify(result));
      const fromAdd = fs.readFileSync(target.fsPath, 'utf8');
      assert.match(fromAdd, /^@misc\{lee2023teaching,\r\n/);
      assert.ok(!/[^\r]\n/.test(fromAdd), 'CRLF throughout');
    } finally {
      await config().update('arxivApiUrl', undefined, vscode.ConfigurationTarget.Global);
      await config().update('createBibFile', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('files').update('eol', undefined, vscode.ConfigurationTarget.Global);
      await server.close();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('one writer: a key the .bib uses for another work is renamed by the key template with a letter, from both', async () => {
    await config().update('citationKeyTemplate', '[auth][year]', vscode.ConfigurationTarget.Global);
    const dir = path.join(testWorkspace(), 'writer-clash');
    // A paper of the user's library under a key the document's .bib gives another work.
    const source = write(path.join(dir, 'source.bib'), '@article{smith2021,\n  title = {A Study of Unique Things},\n  author = {Smith, Ann},\n  journal = {Journal of Uniqueness},\n  year = {2021},\n}\n');
    await config().update('libraries', [source.fsPath], vscode.ConfigurationTarget.Global);
    await waitFor(() => api.testing.library.byKey('smith2021')?.title === 'A Study of Unique Things', 10_000, 'the library paper');
    const bib = write(path.join(dir, 'clash.bib'), `${ENTRY('smith2021', 'Another Work by Another Smith')}\n${ENTRY('vaswani2017', 'Another Work by Another Vaswani')}`);
    const tex = write(path.join(dir, 'doc.tex'), '\\documentclass{article}\n\\begin{document}\nSee .\n\\bibliography{clash}\n\\end{document}\n');
    const server = await startOnlineServer();
    try {
      const doc = await vscode.workspace.openTextDocument(tex);
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(2, 4, 2, 4);
      const cited = await vscode.commands.executeCommand<{ cited: string[] }>(COMMANDS.insertCitation, { keys: ['smith2021'] });
      assert.deepStrictEqual(cited.cited, ['smith2021a'], 'Insert Citation: the template key, then a letter');
      await vscode.workspace.saveAll(false);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await config().update('arxivApiUrl', server.arxivApiUrl, vscode.ConfigurationTarget.Global);
      const added = await vscode.commands.executeCommand<AddPaperResult>(COMMANDS.addPaper, 'arXiv:1706.03762', { target: bib, confirm: false });
      assert.ok(added.ok, JSON.stringify(added));
      assert.strictEqual(added.key, 'vaswani2017a', 'Add Paper: the same rule');
      const text = fs.readFileSync(bib.fsPath, 'utf8');
      assert.match(text, /@article\{smith2021a,\n  title = \{A Study of Unique Things\}/, 'the user\'s own entry, renamed');
      assert.match(text, /@misc\{vaswani2017a,/);
      assert.ok(text.startsWith(ENTRY('smith2021', 'Another Work by Another Smith')), 'the existing entries are untouched');
    } finally {
      await config().update('arxivApiUrl', undefined, vscode.ConfigurationTarget.Global);
      await config().update('citationKeyTemplate', undefined, vscode.ConfigurationTarget.Global);
      await config().update('libraries', undefined, vscode.ConfigurationTarget.Global);
      await server.close();
    }
  });
});

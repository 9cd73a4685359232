// Writing with LitCite in a real VS Code: Insert Citation, the document's bibliography, hover,
// completion and diagnostics. Each test writes its own files into a folder of the test workspace.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { COMMANDS } from '../../src/ids';
import type { CiteResult } from '../../src/services/citing';
import { activateLitCite, screenshot, sleep, waitFor, workspaceFile } from './helpers';

const BIB = [
  '@inproceedings{vaswani2017attention,',
  '  title     = {Attention Is All You Need},',
  '  author    = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob},',
  '  booktitle = {Advances in Neural Information Processing Systems},',
  '  year      = {2017}',
  '}',
  '',
].join('\n');

let folderCounter = 0;
const folders: vscode.Uri[] = [];

/** A fresh folder of the test workspace holding `files`; `|` in a text marks the cursor (removed). */
async function project(files: Record<string, string>): Promise<{ uri(name: string): vscode.Uri; cursor: Record<string, number[]> }> {
  const folder = `writing-${++folderCounter}`;
  folders.push(workspaceFile(folder));
  const cursor: Record<string, number[]> = {};
  for (const [name, text] of Object.entries(files)) {
    const offsets: number[] = [];
    let clean = '';
    for (const ch of text) {
      if (ch === '|' && !name.endsWith('.bib')) offsets.push(clean.length);
      else clean += ch;
    }
    cursor[name] = offsets;
    await vscode.workspace.fs.writeFile(workspaceFile(`${folder}/${name}`), Buffer.from(clean, 'utf8'));
  }
  return { uri: (name) => workspaceFile(`${folder}/${name}`), cursor };
}

/** Opens a file in an editor with the cursors at the given offsets. */
async function edit(uri: vscode.Uri, cursors: number[] = [], column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, column);
  if (cursors.length) {
    editor.selections = cursors.map((c) => {
      const p = document.positionAt(c);
      return new vscode.Selection(p, p);
    });
  }
  return editor;
}

async function disk(uri: vscode.Uri): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function cite(keys: string[]): Promise<CiteResult | undefined> {
  return vscode.commands.executeCommand<CiteResult | undefined>(COMMANDS.insertCitation, { keys });
}

async function setting(name: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('litcite').update(name, value, vscode.ConfigurationTarget.Workspace);
}

/** The hovers' Markdown with backslash escapes removed, as the reader sees it. */
function hoverText(hovers: vscode.Hover[]): string {
  const md = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
  return md.replace(/\\([\\`*_{}[\]()#+\-.!|<>~$&])/g, '$1');
}

function ourItems(list: vscode.CompletionList | undefined): vscode.CompletionItem[] {
  return (list?.items ?? []).filter((i) => i.kind === vscode.CompletionItemKind.Reference && typeof i.detail === 'string');
}

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

async function diagnosticsOf(uri: vscode.Uri, count: number, what: string): Promise<vscode.Diagnostic[]> {
  return waitFor(() => {
    const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'LitCite');
    return found.length === count ? found : undefined;
  }, 10_000, what);
}

function textAt(document: vscode.TextDocument, range: vscode.Range): string {
  return document.getText(range);
}

describe('Writing', function () {
  this.timeout(60_000);
  before(async () => {
    await activateLitCite();
  });

  afterEach(async () => {
    for (const name of ['latexCiteCommand', 'markdownCitationStyle', 'createBibFile', 'bibFile']) await setting(name, undefined);
    await vscode.workspace.saveAll(false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // every declared .bib joins the library: a finished test's files must not shape the next one
    for (const folder of folders.splice(0)) await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
  });

  describe('Insert Citation', () => {
    it('cites keys given as arguments, appends their entries to the open .bib, and one undo takes back both', async () => {
      const p = await project({
        'paper.tex': '\\documentclass{article}\n\\begin{document}\nArithmetic |is learnable.\n\\bibliography{refs}\n\\end{document}\n',
        'refs.bib': BIB,
      });
      await edit(p.uri('refs.bib'), [], vscode.ViewColumn.Two);
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const texBefore = editor.document.getText();
      const bib = await vscode.workspace.openTextDocument(p.uri('refs.bib'));

      const result = await cite(['lee2023teaching', 'wu2016google']);
      assert.deepStrictEqual(result?.cited, ['lee2023teaching', 'wu2016google']);
      assert.deepStrictEqual(result?.appended, ['lee2023teaching', 'wu2016google']);
      assert.match(editor.document.getText(), /Arithmetic \\cite\{lee2023teaching,wu2016google\}is learnable\./);
      const cursor = editor.document.offsetAt(editor.selection.active);
      assert.strictEqual(editor.document.getText().slice(cursor - 1, cursor + 2), '}is', 'the cursor ends after the citation');
      assert.ok(bib.getText().startsWith(BIB), 'what the .bib held is unchanged');
      assert.match(bib.getText().slice(BIB.length), /^\n@inproceedings\{lee2023teaching,[\s\S]*\n\n@misc\{wu2016google,[\s\S]*\}\n$/);
      assert.strictEqual(bib.isDirty, true, 'an open .bib is changed in its buffer and left for the user to save');

      await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
      await vscode.commands.executeCommand('undo');
      await waitFor(() => editor.document.getText() === texBefore, 5000, 'the citation to be undone');
      assert.strictEqual(bib.getText(), BIB, 'the same undo took back the entries');
    });

    it('inserts at every cursor, one entry for the paper', async () => {
      const p = await project({
        'paper.tex': '\\documentclass{article}\n\\begin{document}\nFirst| and second|.\n\\bibliography{refs}\n\\end{document}\n',
        'refs.bib': BIB,
      });
      await edit(p.uri('refs.bib'), [], vscode.ViewColumn.Two);
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      await cite(['shen2023positional']);
      assert.match(editor.document.getText(), /First\\cite\{shen2023positional\} and second\\cite\{shen2023positional\}\./);
      assert.strictEqual(editor.selections.length, 2);
      const bib = await vscode.workspace.openTextDocument(p.uri('refs.bib'));
      assert.strictEqual(bib.getText().match(/@\w+\{shen2023positional,/g)?.length, 1);
    });

    it('adds keys to the LaTeX citation at the cursor instead of nesting, without repeating a key', async () => {
      const p = await project({
        'paper.tex': '\\documentclass{article}\n\\begin{document}\nA~\\cite{vaswani2017attention,|}.\nB~\\citep[p.~3]{wu2016google|}.\n\\bibliography{refs}\n\\end{document}\n',
        'refs.bib': BIB,
      });
      const editor = await edit(p.uri('paper.tex'), [p.cursor['paper.tex']![0]!]);
      await cite(['vaswani2017attention', 'lee2023teaching']);
      assert.match(editor.document.getText(), /A~\\cite\{vaswani2017attention,lee2023teaching\}\./);
      editor.selection = new vscode.Selection(editor.document.positionAt(editor.document.getText().indexOf('google}') + 6), editor.document.positionAt(editor.document.getText().indexOf('google}') + 6));
      await cite(['wu2016google', 'singh2024tokenization']);
      assert.match(editor.document.getText(), /B~\\citep\[p.~3\]\{wu2016google,singh2024tokenization\}\./);
    });

    it('adds keys to the Pandoc citation at the cursor, with locators kept', async () => {
      const p = await project({
        'notes.md': '---\nbibliography: refs.bib\n---\n\nOne [@vaswani2017attention; |].\nTwo [see @wu2016google, p. 4; |].\n',
        'refs.bib': BIB,
      });
      const cursors = p.cursor['notes.md']!;
      const editor = await edit(p.uri('notes.md'), [cursors[0]!]);
      await cite(['vaswani2017attention', 'lee2023teaching']);
      assert.match(editor.document.getText(), /One \[@vaswani2017attention; @lee2023teaching\]\./);
      const at = editor.document.getText().indexOf('p. 4; ') + 6;
      editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at));
      await cite(['shen2023positional']);
      assert.match(editor.document.getText(), /Two \[see @wu2016google, p\. 4; @shen2023positional\]\./);
    });

    it('writes the LaTeX command the setting names', async () => {
      await setting('latexCiteCommand', 'citep');
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': BIB });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      await cite(['lee2023teaching']);
      assert.match(editor.document.getText(), /See \\citep\{lee2023teaching\}\./);
    });

    it('writes bare Pandoc citations when the setting says so', async () => {
      await setting('markdownCitationStyle', 'bare');
      const p = await project({ 'notes.md': '---\nbibliography: refs.bib\n---\n\nAs | shows.\n', 'refs.bib': BIB });
      const editor = await edit(p.uri('notes.md'), p.cursor['notes.md']);
      await cite(['lee2023teaching']);
      assert.match(editor.document.getText(), /As @lee2023teaching shows\./);
    });

    it('inserts the key alone in a language without citations, and says so', async () => {
      const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'key: ' });
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(document.positionAt(5), document.positionAt(5));
      const result = await cite(['lee2023teaching']);
      assert.strictEqual(document.getText(), 'key: lee2023teaching');
      assert.deepStrictEqual(result?.appended, []);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('cites the key the .bib already uses for the same arXiv paper and appends nothing', async () => {
      const bib = `${BIB}\n@misc{teaching2023,\n  title = {Teaching Arithmetic to Small Transformers},\n  eprint = {2307.03381},\n  archivePrefix = {arXiv}\n}\n`;
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': bib });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const result = await cite(['lee2023teaching']);
      assert.match(editor.document.getText(), /See \\cite\{teaching2023\}\./);
      assert.deepStrictEqual(result?.reused, [{ requested: 'lee2023teaching', existing: 'teaching2023', reason: 'arxiv' }]);
      assert.deepStrictEqual(result?.appended, []);
      assert.strictEqual(await disk(p.uri('refs.bib')), bib);
    });

    it('creates references.bib and declares it in new front matter when a Markdown document has none', async () => {
      await setting('createBibFile', 'always');
      const p = await project({ 'draft.md': '# Draft\n\nSmall transformers learn arithmetic|.\n' });
      const editor = await edit(p.uri('draft.md'), p.cursor['draft.md']);
      const result = await cite(['lee2023teaching']);
      assert.strictEqual(result?.created, true);
      assert.strictEqual(editor.document.getText(), '---\nbibliography: references.bib\n---\n\n# Draft\n\nSmall transformers learn arithmetic [@lee2023teaching].\n');
      assert.match(await disk(p.uri('references.bib')), /^@inproceedings\{lee2023teaching,\n[\s\S]*\}\n$/);
      const cursor = editor.document.offsetAt(editor.selection.active);
      assert.strictEqual(editor.document.getText().slice(cursor - 1, cursor + 1), '].');
    });

    it('leaves the bibliography alone when creating one is turned off', async () => {
      await setting('createBibFile', 'never');
      const p = await project({ 'draft.md': 'Text|.\n' });
      const editor = await edit(p.uri('draft.md'), p.cursor['draft.md']);
      await cite(['lee2023teaching']);
      assert.strictEqual(editor.document.getText(), 'Text [@lee2023teaching].\n');
      assert.strictEqual(await exists(p.uri('references.bib')), false);
    });

    it('asks before creating references.bib by default, and without an answer cites without one', async () => {
      // the test host refuses dialogs, which stands in for a question left unanswered
      const p = await project({ 'draft.md': 'Text|.\n' });
      const editor = await edit(p.uri('draft.md'), p.cursor['draft.md']);
      const result = await cite(['lee2023teaching']);
      assert.strictEqual(editor.document.getText(), 'Text [@lee2023teaching].\n');
      assert.strictEqual(result?.bib, undefined);
      assert.strictEqual(await exists(p.uri('references.bib')), false);
    });

    it('creates references.bib beside a LaTeX document that declares none', async () => {
      await setting('createBibFile', 'always');
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\end{document}\n' });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      await cite(['wu2016google']);
      assert.match(editor.document.getText(), /See \\cite\{wu2016google\}\./);
      assert.match(await disk(p.uri('references.bib')), /^@misc\{wu2016google,/);
      assert.doesNotMatch(editor.document.getText(), /\\bibliography/, 'the declaration waits for the user to accept it');
    });

    it('appends to a .bib that is not open on disk, saved, keeping its CRLF line endings', async () => {
      const crlf = BIB.replace(/\n/g, '\r\n');
      const p = await project({ 'paper.tex': '\\documentclass{article}\r\n\\begin{document}\r\nSee |.\r\n\\bibliography{refs}\r\n\\end{document}\r\n' });
      await vscode.workspace.fs.writeFile(p.uri('refs.bib'), Buffer.from(crlf, 'utf8'));
      await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      await cite(['lee2023teaching']);
      const after = await disk(p.uri('refs.bib'));
      assert.ok(after.startsWith(crlf), 'the existing bytes are unchanged');
      const added = after.slice(crlf.length);
      assert.match(added, /^\r\n@inproceedings\{lee2023teaching,\r\n/);
      assert.ok(added.endsWith('}\r\n'));
      assert.strictEqual(added.replace(/\r\n/g, '').includes('\n'), false, 'every added line ends in CRLF');
      const bibDoc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === p.uri('refs.bib').toString());
      assert.strictEqual(bibDoc?.isDirty ?? false, false, 'the .bib was saved');
    });

    it("puts a chapter's citation in the bibliography its root file declares", async () => {
      const p = await project({
        'main.tex': '\\documentclass{book}\n\\begin{document}\n\\include{chapters/intro}\n\\bibliography{bib/thesis}\n\\end{document}\n',
        'chapters/intro.tex': '\\chapter{Introduction}\nTokenization matters|.\n',
        'appendix.tex': '% !TEX root = main.tex\n\\chapter{Appendix}\nMore|.\n',
        'bib/thesis.bib': BIB,
      });
      const intro = await edit(p.uri('chapters/intro.tex'), p.cursor['chapters/intro.tex']);
      const result = await cite(['singh2024tokenization']);
      assert.strictEqual(result?.bib, p.uri('bib/thesis.bib').toString());
      assert.match(intro.document.getText(), /matters\\cite\{singh2024tokenization\}\./);
      assert.match(await disk(p.uri('bib/thesis.bib')), /@misc\{singh2024tokenization,/);
      await edit(p.uri('appendix.tex'), p.cursor['appendix.tex']);
      const second = await cite(['wu2016google']);
      assert.strictEqual(second?.bib, p.uri('bib/thesis.bib').toString(), 'the magic comment names the root');
    });

    it("uses a Quarto project's bibliography for a document without one", async () => {
      const p = await project({
        '_quarto.yml': 'project:\n  type: book\nbibliography: shared/quarto.bib\n',
        'chapters/one.qmd': '# One\n\nText|.\n',
        'shared/quarto.bib': BIB,
      });
      const editor = await edit(p.uri('chapters/one.qmd'), p.cursor['chapters/one.qmd']);
      const result = await cite(['lee2023teaching']);
      assert.strictEqual(result?.bib, p.uri('shared/quarto.bib').toString());
      assert.match(editor.document.getText(), /Text \[@lee2023teaching\]\./);
      assert.doesNotMatch(editor.document.getText(), /^---/, 'no front matter is added to a Quarto project file');
    });

    it('writes to the .bib the litcite.bibFile setting names', async () => {
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': BIB, 'central.bib': '' });
      await setting('bibFile', vscode.workspace.asRelativePath(p.uri('central.bib')));
      await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const result = await cite(['lee2023teaching']);
      assert.strictEqual(result?.bib, p.uri('central.bib').toString());
      assert.match(await disk(p.uri('central.bib')), /^@inproceedings\{lee2023teaching,/);
      assert.strictEqual(await disk(p.uri('refs.bib')), BIB);
    });
  });

  describe('Hover', () => {
    it('shows a library paper with its title, authors, venue, abstract and command links', async () => {
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nAs~\\citep*[see][p.~3]{vaswani2017attention,\n  gould2023|successor}.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': BIB });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const at = editor.selection.active;
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', p.uri('paper.tex'), at);
      const text = hoverText(hovers);
      assert.match(text, /\*\*Successor Heads: Recurring, Interpretable Attention Heads In The Wild\*\*/);
      assert.match(text, /Rhys Gould, Euan Ong, George Ogden et al\. · ICLR 2024/);
      assert.match(text, /In this work we present successor heads/);
      assert.match(text, /\[Open details\]\(command:litcite\.openDetails\?%5B%22gould2023successor%22%5D\)/);
      assert.match(text, /\[Copy BibTeX\]\(command:litcite\.copyBibtex\?%5B%22gould2023successor%22%5D\)/);
      const ours = hovers.find((h) => hoverText([h]).includes('Successor Heads'));
      assert.strictEqual(ours?.range && textAt(editor.document, ours.range), 'gould2023successor');
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('editor.action.showHover');
      await sleep(800);
      await screenshot('hover-latex');
    });

    it("shows what the document's .bib says for a key the library lacks, in LaTeX and Pandoc", async () => {
      const bib = `${BIB}\n@article{doe:2020.x-y_z,\n  title = {A Study Only My Bibliography Knows},\n  author = {Doe, Jane and Roe, Richard},\n  journal = {Journal of Examples},\n  year = {2020}\n}\n`;
      const p = await project({
        'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee~\\cite{vaswan|i2017attention}.\n\\bibliography{refs}\n\\end{document}\n',
        'notes.md': '---\nbibliography: refs.bib\n---\n\nAs |@doe:2020.x-y_z shows.\n',
        'refs.bib': bib,
      });
      const tex = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const texHover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', p.uri('paper.tex'), tex.selection.active));
      assert.match(texHover, /\*\*Attention Is All You Need\*\*/);
      assert.match(texHover, /Ashish Vaswani, Noam Shazeer, Niki Parmar et al\./);
      const md = await edit(p.uri('notes.md'), p.cursor['notes.md']);
      const mdHovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', p.uri('notes.md'), md.selection.active);
      const mdHover = hoverText(mdHovers);
      assert.match(mdHover, /\*\*A Study Only My Bibliography Knows\*\*/);
      assert.match(mdHover, /Jane Doe, Richard Roe · Journal of Examples 2020/);
      const ours = mdHovers.find((h) => hoverText([h]).includes('Only My Bibliography'));
      assert.strictEqual(ours?.range && textAt(md.document, ours.range), 'doe:2020.x-y_z');
    });
  });

  describe('Completion', () => {
    it('offers library keys ranked by the fuzzy search for a typo inside \\cite{, and accepting one adds its entry', async () => {
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee~\\cite{vaswani2017attention,tokenizaton|}.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': BIB });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', p.uri('paper.tex'), editor.selection.active);
      const items = ourItems(list).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
      assert.strictEqual(labelOf(items[0]!), 'singh2024tokenization');
      assert.strictEqual(items[0]!.detail, 'Tokenization counts: the impact of tokenization on arithmetic in frontier LLMs');
      assert.ok(!items.some((i) => labelOf(i) === 'vaswani2017attention'), 'a key already in the citation is not offered again');
      const range = items[0]!.range as vscode.Range;
      assert.strictEqual(editor.document.getText(range), 'tokenizaton');
      assert.strictEqual(items[0]!.command?.command, COMMANDS.addBibEntry);

      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('editor.action.triggerSuggest');
      await sleep(1200);
      await vscode.commands.executeCommand('toggleSuggestionDetails');
      await sleep(300);
      await screenshot('completion-latex');
      await vscode.commands.executeCommand('acceptSelectedSuggestion');
      await waitFor(() => editor.document.getText().includes('\\cite{vaswani2017attention,singh2024tokenization}'), 5000, 'the key to be inserted');
      const bib = await waitFor(async () => {
        const text = await disk(p.uri('refs.bib'));
        return text.includes('@misc{singh2024tokenization,') ? text : undefined;
      }, 5000, 'the entry to be appended');
      assert.ok(bib.startsWith(BIB));
    });

    it('offers keys after @ in Markdown, and none after an e-mail address', async () => {
      const p = await project({ 'notes.md': '---\nbibliography: refs.bib\n---\n\nArithmetic [@arithmatic|].\nWrite to me@ex|.\nAnd [@|].\n', 'refs.bib': BIB });
      const cursors = p.cursor['notes.md']!;
      await edit(p.uri('notes.md'), cursors);
      const document = await vscode.workspace.openTextDocument(p.uri('notes.md'));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', p.uri('notes.md'), document.positionAt(cursors[0]!));
      const keys = ourItems(list).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map(labelOf);
      assert.ok(keys.length >= 3, `expected several papers, got ${keys.join(', ')}`);
      assert.ok(keys.slice(0, 10).includes('lee2023teaching'), `lee2023teaching in the top 10: ${keys.slice(0, 10).join(', ')}`);
      const email = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', p.uri('notes.md'), document.positionAt(cursors[1]!));
      assert.deepStrictEqual(ourItems(email).map(labelOf), []);
      const empty = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', p.uri('notes.md'), document.positionAt(cursors[2]!));
      const first = ourItems(empty).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''))[0];
      assert.strictEqual(first && labelOf(first), 'vaswani2017attention', 'with nothing typed, the bibliography\'s own papers come first');
      assert.strictEqual(first?.command, undefined, 'nothing to add for a paper the .bib has');
    });
  });

  describe('Diagnostics', () => {
    it('warns on an unknown key, informs on a library key the .bib lacks, and its quick fix adds the entry', async () => {
      const p = await project({
        'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee~\\cite{vaswani2017attention, nobody2020,\n  lee2023teaching}.\n\\nocite{*}\n\\bibliography{refs}\n\\end{document}\n',
        'refs.bib': BIB,
      });
      const editor = await edit(p.uri('paper.tex'));
      const found = await diagnosticsOf(p.uri('paper.tex'), 2, 'two citation diagnostics');
      const warning = found.find((d) => d.severity === vscode.DiagnosticSeverity.Warning)!;
      const info = found.find((d) => d.severity === vscode.DiagnosticSeverity.Information)!;
      assert.strictEqual(textAt(editor.document, warning.range), 'nobody2020');
      assert.strictEqual(warning.code, 'unknown-key');
      assert.match(warning.message, /nobody2020.*refs\.bib/);
      assert.strictEqual(textAt(editor.document, info.range), 'lee2023teaching');
      assert.strictEqual(info.code, 'missing-entry');
      editor.selection = new vscode.Selection(info.range.start, info.range.start);
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await vscode.window.showTextDocument(editor.document);
      await screenshot('diagnostics-latex', 800);
      await vscode.commands.executeCommand('workbench.action.closePanel');

      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', p.uri('paper.tex'), info.range);
      const fix = actions.find((a) => a.title === 'Add BibTeX entry for `lee2023teaching`');
      assert.ok(fix?.command, `quick fix offered: ${actions.map((a) => a.title).join(' | ')}`);
      await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
      assert.match(await disk(p.uri('refs.bib')), /@inproceedings\{lee2023teaching,/);
      const left = await diagnosticsOf(p.uri('paper.tex'), 1, 'the information diagnostic to clear');
      assert.strictEqual(left[0]!.code, 'unknown-key');
    });

    it('adds every missing entry at once with the fix-all action', async () => {
      const p = await project({ 'notes.md': '---\nbibliography: refs.bib\n---\n\n[@lee2023teaching; @wu2016google] and @shen2023positional.\n', 'refs.bib': BIB });
      await edit(p.uri('notes.md'));
      const found = await diagnosticsOf(p.uri('notes.md'), 3, 'three missing entries');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', p.uri('notes.md'), found[0]!.range);
      const all = actions.find((a) => a.title === 'Add all missing BibTeX entries in this file');
      assert.ok(all?.command);
      const result = await vscode.commands.executeCommand<CiteResult>(all.command.command, ...(all.command.arguments ?? []));
      assert.deepStrictEqual(result.appended, ['lee2023teaching', 'wu2016google', 'shen2023positional']);
      await diagnosticsOf(p.uri('notes.md'), 0, 'the diagnostics to clear');
    });

    it('offers to cite the key the .bib uses for a paper it holds under another key', async () => {
      const bib = `${BIB}\n@misc{teaching2023,\n  eprint = {2307.03381},\n  archivePrefix = {arXiv}\n}\n`;
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\n\\cite{lee2023teaching}\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': bib });
      const editor = await edit(p.uri('paper.tex'));
      const [d] = await diagnosticsOf(p.uri('paper.tex'), 1, 'an other-key diagnostic');
      assert.strictEqual(d!.code, 'other-key');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', p.uri('paper.tex'), d!.range);
      const swap = actions.find((a) => a.title.startsWith('Cite `teaching2023`'));
      assert.ok(swap?.edit);
      await vscode.workspace.applyEdit(swap.edit);
      assert.match(editor.document.getText(), /\\cite\{teaching2023\}/);
      await diagnosticsOf(p.uri('paper.tex'), 0, 'the diagnostic to clear');
    });

    it('ignores e-mail addresses and code in Markdown, follows typing, and clears when the document closes', async () => {
      const p = await project({
        'notes.md': '---\nbibliography: refs.bib\n---\n\nMail me@example.org about `@nobody1`.\n\n```\n@nobody2\n```\n\nBut [@nobody3] is cited.\n',
        'refs.bib': BIB,
      });
      const editor = await edit(p.uri('notes.md'));
      const [d] = await diagnosticsOf(p.uri('notes.md'), 1, 'one warning');
      assert.strictEqual(textAt(editor.document, d!.range), 'nobody3');
      await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), 'And [@nobody4].\n'));
      const two = await diagnosticsOf(p.uri('notes.md'), 2, 'a warning for the typed citation');
      assert.deepStrictEqual(two.map((x) => textAt(editor.document, x.range)).sort(), ['nobody3', 'nobody4']);
      await vscode.workspace.saveAll(false);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await diagnosticsOf(p.uri('notes.md'), 0, 'the diagnostics to clear on close');
    });
  });

  describe('Bibliography files', () => {
    it('never writes BibTeX into a CSL-JSON bibliography, cites anyway, and counts its keys as present', async () => {
      const json = JSON.stringify([{ id: 'jsonOnly2021', type: 'article-journal', title: 'Kept In JSON' }], null, 2) + '\n';
      const p = await project({ 'notes.md': '---\nbibliography: refs.json\n---\n\nAs [@jsonOnly2021] and [@ghost4242] show, |.\n', 'refs.json': json });
      const editor = await edit(p.uri('notes.md'), p.cursor['notes.md']);
      const found = await diagnosticsOf(p.uri('notes.md'), 1, 'one diagnostic, for the key refs.json lacks');
      assert.strictEqual(textAt(editor.document, found[0]!.range), 'ghost4242');
      const result = await cite(['lee2023teaching']);
      assert.match(editor.document.getText(), /show, \[@lee2023teaching\]\./);
      assert.deepStrictEqual(result?.appended ?? [], []);
      assert.strictEqual(await disk(p.uri('refs.json')), json);
      assert.strictEqual(await exists(p.uri('references.bib')), false);
    });

    it('writes to the .bib among Markdown bibliographies that also name a YAML file', async () => {
      const yaml = 'references:\n- id: yamlOnly2021\n  title: Kept In YAML\n';
      const p = await project({ 'notes.md': '---\nbibliography: [refs.yaml, refs.bib]\n---\n\nAs [@yamlOnly2021] and [@ghost4343], |.\n', 'refs.yaml': yaml, 'refs.bib': BIB });
      await edit(p.uri('notes.md'), p.cursor['notes.md']);
      await diagnosticsOf(p.uri('notes.md'), 1, 'one diagnostic, for the key neither file has');
      const result = await cite(['lee2023teaching']);
      assert.deepStrictEqual(result?.appended, ['lee2023teaching']);
      assert.strictEqual(await disk(p.uri('refs.yaml')), yaml);
      assert.match(await disk(p.uri('refs.bib')), /@\w+\{lee2023teaching,/);
    });

    it('appends a different paper under a fresh key when the .bib uses its key for another work', async () => {
      const bib = `${BIB}\n@article{lee2023teaching,\n  title = {Gardening for Beginners},\n  author = {Lee, Pat},\n  journal = {Garden Monthly},\n  year = {2023}\n}\n`;
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': bib });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const result = await cite(['lee2023teaching']);
      const fresh = result?.cited[0];
      assert.ok(fresh && fresh.toLowerCase() !== 'lee2023teaching', `a fresh key, got ${fresh}`);
      assert.deepStrictEqual(result?.appended, [fresh]);
      assert.match(editor.document.getText(), new RegExp(`See \\\\cite\\{${fresh}\\}\\.`));
      const after = await disk(p.uri('refs.bib'));
      assert.ok(after.startsWith(bib), 'the existing entries are unchanged');
      assert.match(after.slice(bib.length), new RegExp(`@\\w+\\{${fresh},[\\s\\S]*Teaching Arithmetic`, 'i'));
    });

    it("hovers with the document's .bib record when it uses a library key for a different paper", async () => {
      const bib = `${BIB}\n@article{lee2023teaching,\n  title = {Gardening for Beginners},\n  author = {Lee, Pat},\n  journal = {Garden Monthly},\n  year = {2023}\n}\n`;
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee~\\cite{lee2023|teaching}.\n\\bibliography{refs}\n\\end{document}\n', 'refs.bib': bib });
      const editor = await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', p.uri('paper.tex'), editor.selection.active));
      assert.match(text, /\*\*Gardening for Beginners\*\*/);
      assert.doesNotMatch(text, /Teaching Arithmetic/);
    });

    it('leaves the existing bytes of a closed .bib with mixed line endings untouched', async () => {
      const mixed = BIB.replace(/\n/, '\r\n');
      const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n' });
      await vscode.workspace.fs.writeFile(p.uri('refs.bib'), Buffer.from(mixed, 'utf8'));
      await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
      const result = await cite(['lee2023teaching']);
      assert.deepStrictEqual(result?.appended, ['lee2023teaching']);
      const after = await disk(p.uri('refs.bib'));
      assert.ok(after.startsWith(mixed), 'the existing bytes are unchanged');
      assert.match(after.slice(mixed.length), /@\w+\{lee2023teaching,/);
    });

    it('leaves trailing spaces of a closed .bib alone when files.trimTrailingWhitespace is on', async () => {
      const files = vscode.workspace.getConfiguration('files');
      await files.update('trimTrailingWhitespace', true, vscode.ConfigurationTarget.Workspace);
      try {
        const spaced = BIB.replace('{2017}', '{2017}   ').replace('@inproceedings{vaswani2017attention,', '@inproceedings{vaswani2017attention,  ');
        const p = await project({ 'paper.tex': '\\documentclass{article}\n\\begin{document}\nSee |.\n\\bibliography{refs}\n\\end{document}\n' });
        await vscode.workspace.fs.writeFile(p.uri('refs.bib'), Buffer.from(spaced, 'utf8'));
        await edit(p.uri('paper.tex'), p.cursor['paper.tex']);
        const result = await cite(['lee2023teaching']);
        assert.deepStrictEqual(result?.appended, ['lee2023teaching']);
        const after = await disk(p.uri('refs.bib'));
        assert.ok(after.startsWith(spaced), 'the existing bytes, trailing spaces included, are unchanged');
        assert.match(after.slice(spaced.length), /@\w+\{lee2023teaching,/);
      } finally {
        await files.update('trimTrailingWhitespace', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('finds no problem with keys a LaTeX document defines with \\bibitem or an inline filecontents .bib', async () => {
      const tex = [
        '\\begin{filecontents*}[overwrite]{inline.bib}',
        '@misc{inlineKey2020, title = {Inline}}',
        '\\end{filecontents*}',
        '\\documentclass{article}',
        '\\begin{document}',
        'See \\cite{knuth84, lamport94, inlineKey2020, ghost4444}.',
        '\\begin{thebibliography}{9}',
        '\\bibitem{knuth84} Knuth.',
        '\\bibitem[Lam94]{lamport94} Lamport.',
        '\\end{thebibliography}',
        '\\end{document}',
        '',
      ].join('\n');
      const p = await project({ 'paper.tex': tex });
      const editor = await edit(p.uri('paper.tex'));
      const found = await diagnosticsOf(p.uri('paper.tex'), 1, 'one diagnostic, for the undefined key');
      assert.strictEqual(textAt(editor.document, found[0]!.range), 'ghost4444');
    });

    it('finds no problem with keys of inline front matter references in Markdown', async () => {
      const md = '---\nbibliography: refs.bib\nreferences:\n- id: fmKey2020\n  title: In The Front Matter\n---\n\nAs [@fmKey2020] and [@ghost4545].\n';
      const p = await project({ 'notes.md': md, 'refs.bib': BIB });
      const editor = await edit(p.uri('notes.md'));
      const found = await diagnosticsOf(p.uri('notes.md'), 1, 'one diagnostic, for the undefined key');
      assert.strictEqual(textAt(editor.document, found[0]!.range), 'ghost4545');
    });

    it('hovers and completes in a .qmd opened as plain text', async () => {
      const p = await project({ 'notes.qmd': '---\nbibliography: refs.bib\n---\n\nAs [@vaswani2017|attention] shows.\n', 'refs.bib': BIB });
      const editor = await edit(p.uri('notes.qmd'), p.cursor['notes.qmd']);
      await vscode.languages.setTextDocumentLanguage(editor.document, 'plaintext');
      const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', p.uri('notes.qmd'), editor.selection.active));
      assert.match(text, /\*\*Attention Is All You Need\*\*/);
    });
  });
});

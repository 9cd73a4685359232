import * as vscode from 'vscode';
import { appendEntryEdit, frontMatterBibliographyEdit, inlineBibliographyEntries, isBibtexPath, latexBibliographyEdit, type BibEntrySummary } from '../core/bib-file';
import { citationEditsForSelections, joinEntries, planBibAdditions, type BibPlan, type CiteRequest } from '../core/cite-insert';
import { checkCitations, type CiteProblem } from '../core/cite-check';
import { findCitations, flavorForLanguage, type CiteFlavor } from '../core/cite-syntax';
import { dirName, joinPath } from '../core/tex-project';
import { toBibtex } from '../core/bibtex';
import type { Paper, TextEdit } from '../core/types';
import { SECTION, SETTINGS } from '../ids';
import { BibliographyService, isOpenInEditor, type DocumentBibliography } from './bibliography';
import { readConfig } from './config';
import { appendToClosedBib } from './bib-append';
import { addToWorkspaceEdit } from './convert';
import { LibraryService } from './library-service';
import { Log } from './log';

/** What a citing operation did, returned by the commands for scripts and tests. */
export interface CiteResult {
  /** Keys cited in the document (after mapping to keys the .bib already uses). */
  cited: string[];
  /** The .bib entries went into (URI string), when there is one. */
  bib?: string;
  /** Keys whose entries were appended. */
  appended: string[];
  /** Requests answered by an entry already in the .bib under another key. */
  reused: BibPlan['reused'];
  /** Whether the .bib was created. */
  created: boolean;
}

/** The file name used when a document declares no bibliography. */
export const NEW_BIB_NAME = 'references.bib';
const CREATE_ANSWER_KEY = 'litcite.createBibFile.answer';

interface PreparedBib {
  target: Target;
  /** The .bib's buffer; absent when the file is to be created. */
  doc?: vscode.TextDocument;
  /** Whether it showed in an editor (or had unsaved changes) before LitCite loaded it. */
  wasOpen: boolean;
  entries: BibEntrySummary[];
}

interface Target {
  uri: vscode.Uri;
  /** The file does not exist yet. */
  create: boolean;
  /** The document does not declare it yet. */
  undeclared: boolean;
  bibliography: DocumentBibliography;
}

/**
 * Writes citations and BibTeX entries: the citation edits in the document and the appended
 * entries in its .bib go into one WorkspaceEdit when the .bib is open in an editor, so one undo
 * takes back both. A .bib that is not open is changed through its own edit and saved, so an undo
 * in the document never leaves a hidden, modified .bib behind.
 */
export class Citing implements vscode.Disposable {
  /** Papers by key across every source, merged-away duplicates included; built on first need. */
  private sourceKeys: Map<string, Paper> | undefined;
  private readonly subscription: vscode.Disposable;
  /** Bibliographies LitCite cannot write to that the user has been told about, by URI. */
  private readonly toldReadOnly = new Set<string>();

  constructor(
    private readonly library: LibraryService,
    private readonly bibs: BibliographyService,
    private readonly workspaceState: vscode.Memento,
    private readonly log: Log,
  ) {
    this.subscription = library.onDidChange(() => (this.sourceKeys = undefined));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /**
   * The paper a key names: the library's, else one a source holds that the merged library
   * dropped as a duplicate (the writer's .bib has it under another key), so that key is found.
   */
  paperFor(key: string): Paper | undefined {
    const paper = this.library.byKey(key);
    if (paper) return paper;
    if (!this.sourceKeys) {
      this.sourceKeys = new Map();
      for (const source of this.library.sources) for (const p of source.papers) if (!this.sourceKeys.has(p.id)) this.sourceKeys.set(p.id, p);
    }
    return this.sourceKeys.get(key);
  }

  /** Cites `keys` at every cursor of `editor` and appends the entries its .bib lacks. */
  async insert(editor: vscode.TextEditor, keys: string[]): Promise<CiteResult | undefined> {
    const document = editor.document;
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    if (!flavor) return this.insertBareKeys(editor, keys);
    await this.library.ready;
    const requests = this.requests(keys);
    const bib = await this.prepare(document);
    const plan = bib ? planBibAdditions(bib.entries, requests) : planWithoutBib(requests);
    const target = bib?.target;

    const config = readConfig(document.uri);
    const selections = editor.selections.map((s) => ({
      start: document.offsetAt(s.start),
      end: document.offsetAt(s.end),
      active: document.offsetAt(s.active),
    }));
    const text = document.getText();
    const cite = citationEditsForSelections(text, selections, plan.citeKeys, flavor, {
      latexCommand: config.latexCommand,
      markdownStyle: config.markdownStyle,
    });
    // declare a new or undeclared .bib only once it holds something this document cites
    const declaration = target && (plan.append.length || !target.create) ? this.markdownDeclaration(document, flavor, target) : undefined;
    const docEdits = withDeclaration(cite.edits, declaration);
    const cursors = declaration ? cite.cursors.map((c) => (declaration.end <= c ? c + declaration.text.length - (declaration.end - declaration.start) : c)) : cite.cursors;

    const applied = await this.write(document, docEdits, bib, plan);
    if (!applied) {
      void vscode.window.showErrorMessage('LitCite: the citation could not be inserted (the document or its .bib changed meanwhile). Try again.');
      return undefined;
    }
    if (docEdits.length && vscode.window.visibleTextEditors.includes(editor)) {
      editor.selections = cursors.map((c) => {
        const p = document.positionAt(c);
        return new vscode.Selection(p, p);
      });
      editor.revealRange(editor.selection);
    }
    if (cite.edits.length === 0 && cite.alreadyPresent.length) {
      vscode.window.setStatusBarMessage(`$(check) Already cited: ${cite.alreadyPresent.join(', ')}`, 4000);
    }
    this.report(document, target, plan, flavor);
    return this.result(plan, target);
  }

  /** Appends entries for `keys` to the bibliography of `document` where it lacks them. */
  async addEntries(document: vscode.TextDocument, keys: string[], options: { quiet?: boolean } = {}): Promise<CiteResult | undefined> {
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    await this.library.ready;
    const requests = this.requests(keys).filter((r) => r.entry);
    const unknown = keys.filter((k) => !this.paperFor(k));
    if (unknown.length && !options.quiet) {
      void vscode.window.showWarningMessage(`LitCite: the library has no paper with the key ${unknown.map((k) => `“${k}”`).join(', ')}.`);
    }
    if (!requests.length) return undefined;
    const bib = await this.prepare(document);
    if (!bib) return undefined;
    const target = bib.target;
    const plan = planBibAdditions(bib.entries, requests);
    const name = baseName(target.uri);
    if (!plan.append.length) {
      if (!options.quiet && !plan.reused.length) void vscode.window.showInformationMessage(`LitCite: ${name} already has ${keys.map((k) => `“${k}”`).join(', ')}.`);
      this.report(document, target, plan, flavor);
      return this.result(plan, target);
    }
    const declaration = flavor ? this.markdownDeclaration(document, flavor, target) : undefined;
    const applied = await this.write(document, declaration ? [declaration] : [], bib, plan);
    if (!applied) {
      void vscode.window.showErrorMessage(`LitCite: ${name} could not be changed (it changed meanwhile). Try again.`);
      return undefined;
    }
    if (!options.quiet || target.create) {
      const what = plan.append.length === 1 ? `the entry for “${plan.append[0]!.key}”` : `${plan.append.length} entries`;
      vscode.window.setStatusBarMessage(`$(check) Added ${what} to ${name}`, 5000);
    }
    this.report(document, target, plan, flavor);
    return this.result(plan, target);
  }

  /** The cited keys of `document` its bibliography does not resolve, the bibliography checked against, and its files that do not exist. */
  async check(document: vscode.TextDocument): Promise<{ problems: CiteProblem[]; bibliography: DocumentBibliography; missing: vscode.Uri[] }> {
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    await this.library.ready;
    const { bibliography, states } = await this.bibs.entriesFor(document);
    const missing = states.filter((s) => !s.exists).map((s) => s.uri);
    if (!flavor) return { problems: [], bibliography, missing };
    const text = document.getText();
    // keys the document defines itself (\bibitem, inline filecontents, front matter references) resolve too
    const inline = inlineBibliographyEntries(text, flavor);
    const problems = checkCitations(findCitations(text, flavor), {
      flavor,
      bibEntries: [...states.flatMap((s) => s.entries), ...inline],
      hasBibliography: bibliography.files.length > 0 || inline.length > 0,
      library: (key) => {
        const paper = this.paperFor(key);
        return paper && { doi: paper.DOI, arxiv: paper.arxiv };
      },
    });
    return { problems, bibliography, missing };
  }

  /**
   * Where new entries go: the first declared .bib, or a new references.bib when the settings (or
   * the user) allow it. A document whose bibliographies are all CSL-JSON or YAML gets none: BibTeX
   * appended there would break the file, and its reference manager owns it.
   */
  private async target(document: vscode.TextDocument): Promise<Target | undefined> {
    const bibliography = await this.bibs.resolve(document);
    const first = bibliography.files.find((f) => isBibtexPath(f.path));
    if (!first && bibliography.files.length) {
      this.tellReadOnly(bibliography.files);
      return undefined;
    }
    if (first) {
      const state = await this.bibs.read(first);
      return { uri: first, create: !state.exists, undeclared: false, bibliography };
    }
    if (document.isUntitled || !bibliography.flavor) return undefined;
    const base = bibliography.root ?? document.uri;
    const uri = base.with({ path: joinPath(dirName(base.path), NEW_BIB_NAME) });
    if (!(await this.mayCreate(document, uri))) return undefined;
    const state = await this.bibs.read(uri);
    return { uri, create: !state.exists, undeclared: true, bibliography };
  }

  /** Says once per file that a CSL-JSON or YAML bibliography gets no entries from LitCite. */
  private tellReadOnly(files: vscode.Uri[]): void {
    const fresh = files.filter((f) => !this.toldReadOnly.has(f.toString()));
    if (!fresh.length) return;
    fresh.forEach((f) => this.toldReadOnly.add(f.toString()));
    const names = files.map(baseName).join(', ');
    void vscode.window.showInformationMessage(
      `LitCite: cited without adding an entry. ${names} is not a BibTeX file, so LitCite does not write to it: add the reference there with the tool that manages it.`,
    );
  }

  /** `litcite.createBibFile`: always, never, or ask once per workspace and remember the answer. */
  private async mayCreate(document: vscode.TextDocument, uri: vscode.Uri): Promise<boolean> {
    const setting = readConfig(document.uri).createBibFile;
    if (setting !== 'ask') return setting === 'always';
    const remembered = this.workspaceState.get<string>(CREATE_ANSWER_KEY);
    if (remembered === 'always' || remembered === 'never') return remembered === 'always';
    const create = `Create ${NEW_BIB_NAME}`;
    const dont = "Don't Create";
    const answer = await Promise.resolve(vscode.window.showInformationMessage(
      `${baseName(document.uri)} declares no bibliography. Create ${vscode.workspace.asRelativePath(uri)} for its BibTeX entries?`,
      {
        modal: true,
        detail: `LitCite asks once in this workspace. The setting ${SECTION}.${SETTINGS.createBibFile} changes this.`,
      },
      create,
      dont,
    )).catch((err: Error) => {
      // no dialog can be shown (a test run, a headless host): no answer
      this.log.warn(`could not ask about creating ${NEW_BIB_NAME}: ${err.message}`);
      return undefined;
    });
    if (answer === create || answer === dont) await this.workspaceState.update(CREATE_ANSWER_KEY, answer === create ? 'always' : 'never');
    return answer === create;
  }

  private requests(keys: string[]): CiteRequest[] {
    return keys.map((key) => {
      const paper = this.paperFor(key);
      if (!paper) return { key };
      const entry = this.library.byKey(key) === paper ? this.library.bibtex(paper) : toBibtex(paper);
      return { key: paper.id, doi: paper.DOI, arxiv: paper.arxiv, title: paper.title, paper, entry };
    });
  }

  /** The target .bib and its entries, from its buffer (loaded now if VS Code has none) so edits line up with it. */
  private async prepare(document: vscode.TextDocument): Promise<PreparedBib | undefined> {
    const target = await this.target(document);
    if (!target) return undefined;
    if (target.create) return { target, wasOpen: false, entries: [] };
    const wasOpen = isOpenInEditor(target.uri);
    const doc = await vscode.workspace.openTextDocument(target.uri);
    return { target, doc, wasOpen, entries: (await this.bibs.read(target.uri)).entries };
  }

  /** Markdown: `bibliography: references.bib` in the front matter when the document does not declare it. */
  private markdownDeclaration(document: vscode.TextDocument, flavor: CiteFlavor, target: Target): TextEdit | undefined {
    if (flavor !== 'markdown' || !target.undeclared) return undefined;
    return frontMatterBibliographyEdit(document.getText(), relativePath(document.uri, target.uri));
  }

  /**
   * Applies the document edits and the .bib append. Open .bib: one WorkspaceEdit for both. Closed
   * .bib: the document edit, then the .bib's own edit, saved. Missing .bib: the document edit, then
   * the file created with the entries. Edits are computed right before they are applied, with no
   * wait in between, so they match the texts they change.
   */
  private async write(document: vscode.TextDocument, docEdits: TextEdit[], bib: PreparedBib | undefined, plan: BibPlan): Promise<boolean> {
    const docEdit = new vscode.WorkspaceEdit();
    for (const e of docEdits) addToWorkspaceEdit(docEdit, document, e);
    if (!bib || !plan.append.length) return docEdits.length ? vscode.workspace.applyEdit(docEdit) : true;
    const entries = joinEntries(plan.append);
    const { target } = bib;

    if (bib.doc && bib.wasOpen) {
      addToWorkspaceEdit(docEdit, bib.doc, appendEntryEdit(bib.doc.getText(), entries));
      return vscode.workspace.applyEdit(docEdit);
    }
    if (docEdits.length && !(await vscode.workspace.applyEdit(docEdit))) return false;
    if (bib.doc) {
      const appended = await appendToClosedBib(target.uri, entries, this.log);
      this.bibs.forget(target.uri);
      return appended;
    }
    const content = appendEntryEdit('', entries).text.replace(/\n/g, newFileEol(target.uri));
    const create = new vscode.WorkspaceEdit();
    create.createFile(target.uri, { ignoreIfExists: false, contents: new TextEncoder().encode(content) });
    if (!(await vscode.workspace.applyEdit(create))) return false;
    this.bibs.forget(target.uri);
    this.log.info(`created ${target.uri.toString(true)} with ${plan.append.length} entr${plan.append.length === 1 ? 'y' : 'ies'}`);
    return true;
  }


  /** Messages about what happened that the user would not otherwise see. */
  private report(document: vscode.TextDocument, target: Target | undefined, plan: BibPlan, flavor: CiteFlavor | undefined): void {
    if (!target) return;
    const name = baseName(target.uri);
    for (const r of plan.reused) {
      if (r.reason === 'key' && r.existing.toLowerCase() === r.requested.toLowerCase() && r.existing !== r.requested) continue;
      const paper = this.paperFor(r.requested);
      const what = paper ? `“${paper.title}”` : `“${r.requested}”`;
      void vscode.window.showInformationMessage(`LitCite: ${name} already has ${what} as “${r.existing}”; cited that key.`);
    }
    for (const r of plan.renamed) {
      const paper = this.paperFor(r.requested);
      const what = paper ? `“${paper.title}”` : 'this paper';
      void vscode.window.showInformationMessage(`LitCite: ${name} uses “${r.requested}” for a different paper, so ${what} was added and cited as “${r.key}”.`);
    }
    if (!target.undeclared || !plan.append.length) return;
    if (flavor === 'markdown') {
      const done = target.create ? `created ${name}` : `added to ${name}`;
      void vscode.window.showInformationMessage(`LitCite: ${done} and declared it in the front matter of ${baseName(document.uri)}.`);
    } else if (flavor === 'latex') {
      void this.offerLatexDeclaration(document, target);
    }
  }

  /**
   * Shows the exact line a LaTeX root needs for the new .bib, with a button that adds it. A root
   * that was not open in an editor is saved after the edit, as a closed .bib is: otherwise the
   * change would sit unsaved in a buffer no tab shows. A root open in an editor keeps the change
   * in its buffer, for the writer to see and undo.
   */
  private async offerLatexDeclaration(document: vscode.TextDocument, target: Target): Promise<void> {
    const rootUri = target.bibliography.root ?? document.uri;
    const rootWasOpen = isOpenInEditor(rootUri);
    const root = await vscode.workspace.openTextDocument(rootUri);
    const bibName = relativePath(rootUri, target.uri).replace(/\.bib$/i, '');
    const edit = latexBibliographyEdit(root.getText(), bibName);
    const lines = edit ? edit.text.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : [`\\bibliography{${bibName}}`];
    const where = edit && /\\addbibresource/.test(edit.text) ? 'Add Before \\begin{document}' : 'Add Before \\end{document}';
    const done = target.create ? `created ${baseName(target.uri)}` : `added the entry to ${baseName(target.uri)}`;
    const message = `LitCite: ${done}. To print the references, ${baseName(rootUri)} needs: ${lines.join('  ')}`;
    const choice = await (edit ? vscode.window.showInformationMessage(message, where) : vscode.window.showInformationMessage(message));
    if (choice !== where || !edit) return;
    const fresh = latexBibliographyEdit(root.getText(), bibName);
    if (!fresh) return;
    const wasOpen = rootWasOpen || isOpenInEditor(rootUri);
    const we = new vscode.WorkspaceEdit();
    addToWorkspaceEdit(we, root, fresh);
    if (!(await vscode.workspace.applyEdit(we))) {
      void vscode.window.showErrorMessage(`LitCite: ${baseName(rootUri)} could not be changed (it changed meanwhile). Add the lines by hand.`);
      return;
    }
    if (!wasOpen && !(await root.save())) this.log.warn(`could not save ${rootUri.toString(true)}`);
  }

  /** A language without citation syntax: the keys alone, comma-separated, at every cursor. */
  private async insertBareKeys(editor: vscode.TextEditor, keys: string[]): Promise<CiteResult | undefined> {
    const text = [...new Set(keys)].join(', ');
    if (!text) return undefined;
    const ok = await editor.edit((b) => editor.selections.forEach((s) => b.replace(s, text)));
    if (!ok) return undefined;
    void vscode.window.showInformationMessage(
      `LitCite: ${editor.document.languageId} documents have no citation syntax LitCite knows, so it inserted the key alone. LaTeX and Markdown get a citation and a BibTeX entry.`,
    );
    return { cited: [...new Set(keys)], appended: [], reused: [], created: false };
  }

  private result(plan: BibPlan, target: Target | undefined): CiteResult {
    return {
      cited: plan.citeKeys,
      bib: target?.uri.toString(),
      appended: target ? plan.append.map((a) => a.key) : [],
      reused: plan.reused,
      created: !!target?.create && plan.append.length > 0,
    };
  }
}

/** Without a .bib, every requested key is cited as it is. */
function planWithoutBib(requests: CiteRequest[]): BibPlan {
  return { citeKeys: [...new Set(requests.map((r) => r.key))], append: [], reused: [], renamed: [] };
}

/** The citation edits plus the front-matter declaration; an insert at the same spot as a citation is merged into it. */
function withDeclaration(edits: TextEdit[], declaration: TextEdit | undefined): TextEdit[] {
  if (!declaration) return edits;
  const same = edits.find((e) => e.start === declaration.start && e.end === e.start && declaration.end === declaration.start);
  if (same) return edits.map((e) => (e === same ? { ...e, text: declaration.text + e.text } : e));
  return [declaration, ...edits];
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** `to` relative to the folder of `from`, POSIX-style, as a declaration writes it. */
function relativePath(from: vscode.Uri, to: vscode.Uri): string {
  const a = dirName(from.path).split('/').filter(Boolean);
  const b = to.path.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

/** The line ending VS Code would give a new file there (`files.eol`, `auto` meaning the platform's). */
function newFileEol(uri: vscode.Uri): string {
  const eol = vscode.workspace.getConfiguration('files', uri).get<string>('eol', 'auto');
  if (eol === '\r\n' || eol === '\n') return eol;
  return process.platform === 'win32' ? '\r\n' : '\n';
}


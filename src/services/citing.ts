/**
 * Citing: the citation at every cursor and the entries the document's .bib lacks, written in one
 * step through the one .bib writer; and the check behind the citation diagnostics. This is where
 * the messages about it are worded.
 */
import * as vscode from 'vscode';
import { frontMatterBibliographyEdit, latexBibliographyEdit } from '../core/bib-edits';
import { inlineBibliographyEntries, type BibEntrySummary } from '../core/bib-entries';
import { renameEntryKey, targetOf } from '../core/bibtex/write-back';
import { citationEditsForSelections, planBibAdditions, type BibPlan, type CiteRequest } from '../core/cite-insert';
import { checkCitations, type CiteProblem } from '../core/cite-check';
import { findCitations, flavorForLanguage, type CiteFlavor } from '../core/cite-syntax';
import { isBibtexPath } from '../core/declarations';
import { dirName, joinPath } from '../core/tex-project';
import type { Paper, TextEdit } from '../core/types';
import { SECTION, SETTINGS } from '../ids';
import { BibWriter } from './bib-writer';
import { readConfig } from './config';
import { addToWorkspaceEdit } from './convert';
import { baseName, isOpenInEditor, labelFor, relativePath } from './editor-io';
import { LibraryService } from './library-service';
import type { Log } from './log';
import type { DocumentBibliography, WorkspaceModel } from './workspace-model';

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

interface Target {
  uri: vscode.Uri;
  /** The file does not exist yet. */
  create: boolean;
  /** The document does not declare it yet. */
  undeclared: boolean;
  bibliography: DocumentBibliography;
  entries: BibEntrySummary[];
  text: string;
}

/** See the module comment. */
export class Citing {
  /** Bibliographies LitCite cannot write to that the user has been told about, by URI. */
  private readonly toldReadOnly = new Set<string>();

  constructor(
    private readonly library: LibraryService,
    private readonly model: WorkspaceModel,
    private readonly writer: BibWriter,
    private readonly workspaceState: vscode.Memento,
    private readonly log: Log,
  ) {}

  /** The paper a key names in the library. */
  paperFor(key: string): Paper | undefined {
    return this.library.byKey(key);
  }

  /** Cites `keys` at every cursor of `editor` and appends the entries its .bib lacks. */
  async insert(editor: vscode.TextEditor, keys: string[]): Promise<CiteResult | undefined> {
    const document = editor.document;
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    if (!flavor) return this.insertBareKeys(editor, keys);
    await this.library.ready;
    const target = await this.target(document);
    const requests = this.requests(keys);
    const plan = target ? this.plan(target, requests) : planWithoutBib(requests);
    const entries = target ? await this.entryTexts(target, plan) : '';

    const config = readConfig(document.uri);
    const selections = editor.selections.map((s) => ({ start: document.offsetAt(s.start), end: document.offsetAt(s.end), active: document.offsetAt(s.active) }));
    const cite = citationEditsForSelections(document.getText(), selections, plan.citeKeys, flavor, { latexCommand: config.latexCommand, markdownStyle: config.markdownStyle });
    // A new or undeclared .bib is declared only once it holds something this document cites.
    const declaration = target && (plan.append.length || !target.create) ? this.markdownDeclaration(document, flavor, target) : undefined;
    const docEdits = withDeclaration(cite.edits, declaration);
    const cursors = declaration ? cite.cursors.map((c) => (declaration.end <= c ? c + declaration.text.length - (declaration.end - declaration.start) : c)) : cite.cursors;

    const outcome = await this.writer.write({ document, documentEdits: docEdits, bib: target && entries ? { uri: target.uri, entries } : undefined });
    if (!outcome.ok) {
      void vscode.window.showErrorMessage(outcome.reason === 'changed' ? 'LitCite: the citation could not be inserted (the document or its .bib changed meanwhile). Try again.' : `LitCite: ${outcome.message}.`);
      return undefined;
    }
    if (docEdits.length && vscode.window.visibleTextEditors.includes(editor)) {
      editor.selections = cursors.map((c) => {
        const p = document.positionAt(c);
        return new vscode.Selection(p, p);
      });
      editor.revealRange(editor.selection);
    }
    if (cite.edits.length === 0 && cite.alreadyPresent.length) vscode.window.setStatusBarMessage(`$(check) Already cited: ${cite.alreadyPresent.join(', ')}`, 4000);
    this.report(document, target, plan, flavor);
    return this.result(plan, target);
  }

  /** Appends entries for `keys` to the bibliography of `document` where it lacks them. */
  async addEntries(document: vscode.TextDocument, keys: string[], options: { quiet?: boolean } = {}): Promise<CiteResult | undefined> {
    const flavor = flavorForLanguage(document.languageId, document.fileName);
    await this.library.ready;
    const requests = this.requests(keys).filter((r) => r.entry);
    const unknown = keys.filter((k) => !this.paperFor(k));
    if (unknown.length && !options.quiet) void vscode.window.showWarningMessage(`LitCite: the library has no paper with the key ${unknown.map((k) => `“${k}”`).join(', ')}.`);
    if (!requests.length) return undefined;
    const target = await this.target(document);
    if (!target) return undefined;
    const plan = this.plan(target, requests);
    const name = baseName(target.uri);
    if (!plan.append.length) {
      if (!options.quiet && !plan.reused.length) void vscode.window.showInformationMessage(`LitCite: ${name} already has ${keys.map((k) => `“${k}”`).join(', ')}.`);
      this.report(document, target, plan, flavor);
      return this.result(plan, target);
    }
    const declaration = flavor ? this.markdownDeclaration(document, flavor, target) : undefined;
    const outcome = await this.writer.write({ document, documentEdits: declaration ? [declaration] : [], bib: { uri: target.uri, entries: await this.entryTexts(target, plan) } });
    if (!outcome.ok) {
      void vscode.window.showErrorMessage(outcome.reason === 'changed' ? `LitCite: ${name} could not be changed (it changed meanwhile). Try again.` : `LitCite: ${outcome.message}.`);
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
    const bibliography = await this.model.bibliographyOf(document);
    const states = await Promise.all(bibliography.files.map((f) => this.model.bibState(f)));
    const missing = states.filter((s) => !s.exists).map((s) => s.uri);
    if (!flavor) return { problems: [], bibliography, missing };
    const text = document.getText();
    // Keys the document defines itself (\bibitem, inline filecontents, front matter references) resolve too.
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

  private plan(target: Target, requests: CiteRequest[]): BibPlan {
    return planBibAdditions(target.entries, requests, { keyTemplate: readConfig().keyTemplate, libraryKeys: this.library.papers.map((p) => p.id) });
  }

  /**
   * The text appended for a plan: each paper's entry as its source has it (a user's entry verbatim
   * with its macros and crossref parents), each definition and parent once, none the .bib has.
   */
  private async entryTexts(target: Target, plan: BibPlan): Promise<string> {
    const present = targetOf(target.text);
    const texts: string[] = [];
    for (const item of plan.append) {
      const request = item.requested ?? item.key;
      const paper = this.paperFor(request);
      if (!paper) continue;
      let text = await this.library.entryText(paper, present);
      if (item.key !== paper.id) text = renameEntryKey(text, paper.id, item.key);
      const added = targetOf(text);
      added.macros.forEach((m) => present.macros.add(m));
      added.keys.forEach((k) => present.keys.add(k));
      texts.push(text.trim());
    }
    return texts.join('\n\n');
  }

  /**
   * Where new entries go: the first declared .bib, or a new references.bib when the settings (or
   * the user) allow it. A document whose bibliographies are all CSL-JSON or YAML gets none: BibTeX
   * appended there would break the file, and its reference manager owns it.
   */
  private async target(document: vscode.TextDocument): Promise<Target | undefined> {
    const bibliography = await this.model.bibliographyOf(document);
    const first = bibliography.files.find((f) => isBibtexPath(f.path));
    if (!first && bibliography.files.length) {
      this.tellReadOnly(bibliography.files);
      return undefined;
    }
    let uri = first;
    let undeclared = false;
    if (!uri) {
      if (document.isUntitled || !bibliography.flavor) return undefined;
      const base = bibliography.root ?? document.uri;
      uri = base.with({ path: joinPath(dirName(base.path), NEW_BIB_NAME) });
      if (!(await this.mayCreate(document, uri))) return undefined;
      undeclared = true;
    }
    const state = await this.model.bibState(uri);
    return { uri, create: !state.exists, undeclared, bibliography, entries: state.entries, text: state.text };
  }

  /** Says once per file that a CSL-JSON or YAML bibliography gets no entries from LitCite. */
  private tellReadOnly(files: vscode.Uri[]): void {
    const fresh = files.filter((f) => !this.toldReadOnly.has(f.toString()));
    if (!fresh.length) return;
    fresh.forEach((f) => this.toldReadOnly.add(f.toString()));
    const names = files.map(baseName).join(', ');
    void vscode.window.showInformationMessage(`LitCite: cited without adding an entry. ${names} is not a BibTeX file, so LitCite does not write to it: add the reference there with the tool that manages it.`);
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
      `${baseName(document.uri)} declares no bibliography. Create ${labelFor(uri)} for its BibTeX entries?`,
      { modal: true, detail: `LitCite asks once in this workspace. The setting ${SECTION}.${SETTINGS.createBibFile} changes this.` },
      create,
      dont,
    )).catch((err: Error) => {
      // No dialog can be shown (a test run, a headless host): no answer.
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
      // The entry text is made once the plan says it is appended (see entryTexts).
      return { key: paper.id, doi: paper.DOI, arxiv: paper.arxiv, title: paper.title, paper, entry: 'pending' };
    });
  }

  /** Markdown: `bibliography: references.bib` in the front matter when the document does not declare it. */
  private markdownDeclaration(document: vscode.TextDocument, flavor: CiteFlavor, target: Target): TextEdit | undefined {
    if (flavor !== 'markdown' || !target.undeclared) return undefined;
    return frontMatterBibliographyEdit(document.getText(), relativePath(document.uri, target.uri));
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
   * change would sit unsaved in a buffer no tab shows.
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
    if (!wasOpen && !(await root.save())) this.log.warn(`could not save ${labelFor(rootUri)}`);
  }

  /** A language without citation syntax: the keys alone, comma-separated, at every cursor. */
  private async insertBareKeys(editor: vscode.TextEditor, keys: string[]): Promise<CiteResult | undefined> {
    const text = [...new Set(keys)].join(', ');
    if (!text) return undefined;
    const ok = await editor.edit((b) => editor.selections.forEach((s) => b.replace(s, text)));
    if (!ok) return undefined;
    void vscode.window.showInformationMessage(`LitCite: ${editor.document.languageId} documents have no citation syntax LitCite knows, so it inserted the key alone. LaTeX and Markdown get a citation and a BibTeX entry.`);
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

import * as vscode from 'vscode';
import { describeIdentifier, parseIdentifier, PaperIdentifier } from '../core/arxiv';
import { findExistingEntry, scanBibEntries } from '../core/bib-entries';
import { toBibtex } from '../core/bibtex';
import { isSafeKey, keyForNewEntry } from '../core/citekey';
import { flavorForLanguage } from '../core/cite-syntax';
import { formatAuthors } from '../core/render';
import { normaliseDoi } from '../core/text';
import { Paper, paperVenue, paperYear } from '../core/types';
import { COMMANDS } from '../ids';
import { readConfig } from '../services/config';
import { labelFor, readText } from '../services/editor-io';
import type { LibraryService } from '../services/library-service';
import type { Services } from '../services/services';
import { resolveSettingPath, scopeOf } from '../services/setting-paths';

/** What Add Paper may be told instead of asking: where to write, and whether to ask before writing. */
export interface AddPaperOptions {
  /** The .bib to add to (URI or URI string). */
  target?: vscode.Uri | string;
  /** `false` writes without the confirmation dialog (scripts, tests). */
  confirm?: boolean;
}

/** What Add Paper did: the key and file it wrote, or why nothing was written. */
export type AddPaperResult =
  | { ok: true; key: string; target: string }
  | { ok: false; reason: 'invalid' | 'lookup' | 'duplicate' | 'cancelled' | 'no-target' | 'write'; message: string; key?: string };

/** Registers `LitCite: Add Paper by arXiv ID or DOI`. */
export function registerAddPaper(context: vscode.ExtensionContext, deps: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.addPaper, async (input?: unknown, options?: AddPaperOptions): Promise<AddPaperResult> => {
      const result = await addPaper(deps, typeof input === 'string' ? input : undefined, options ?? {});
      if (!result.ok && result.reason !== 'cancelled' && result.reason !== 'duplicate') {
        void vscode.window.showErrorMessage(`LitCite: ${result.message}`);
      }
      return result;
    }),
  );
}

async function addPaper(deps: Services, input: string | undefined, options: AddPaperOptions): Promise<AddPaperResult> {
  const id = input !== undefined ? parseIdentifier(input) : await askIdentifier();
  if (!id) {
    return input === undefined
      ? { ok: false, reason: 'cancelled', message: 'Nothing was added.' }
      : { ok: false, reason: 'invalid', message: `"${input}" is not an arXiv id or a DOI. Nothing was added.` };
  }

  const target = await resolveTarget(deps, options.target);
  if (!target) return { ok: false, reason: 'no-target', message: 'No .bib file to add to was chosen. Nothing was added.' };
  const targetLabel = labelFor(target);

  // The identifier alone often shows the paper is there already: no need to ask the web.
  const early = alreadyThere(await currentText(target), id.kind === 'arxiv' ? { arxiv: id.id } : { doi: id.doi }, id, target, targetLabel);
  if (early) return early;

  const lookup = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `LitCite: looking up ${describeIdentifier(id)}…`, cancellable: true },
    (_progress, token) => deps.fetcher.lookup(id, token),
  );
  if (!lookup.ok) {
    return { ok: false, reason: lookup.reason === 'cancelled' ? 'cancelled' : 'lookup', message: `${lookup.message} Nothing was added.` };
  }
  const paper = lookup.paper;
  // Read again: the file may have changed while the lookup ran.
  const bibText = await currentText(target);
  const found = alreadyThere(bibText, { arxiv: paper.arxiv, doi: paper.DOI }, id, target, targetLabel);
  if (found) return found;
  const entries = scanBibEntries(bibText ?? '');

  const bibKeys = entries.map((e) => e.key);
  let key = chooseKey(paper, deps.library, bibKeys);
  if (options.confirm !== false) {
    const confirmed = await confirm(paper, id, key, targetLabel, deps.library, bibKeys);
    if (!confirmed) return { ok: false, reason: 'cancelled', message: 'Nothing was added.' };
    key = confirmed;
  }

  const entry = toBibtex({ ...paper, id: key }, { includeAbstract: true });
  const written = await deps.writer.write({ bib: { uri: target, entries: entry } });
  if (!written.ok) return { ok: false, reason: 'write', message: `${written.reason === 'changed' ? `${targetLabel} could not be written` : written.message}. Nothing was added.` };

  await deps.files.include(target);
  const editor = vscode.window.activeTextEditor;
  const canCite = editor && flavorForLanguage(editor.document.languageId, editor.document.fileName) !== undefined;
  const actions = canCite ? ['Insert Citation', 'Copy Key', 'Open Entry'] : ['Copy Key', 'Open Entry'];
  void vscode.window.showInformationMessage(`LitCite: added ${key} to ${targetLabel}.`, ...actions).then((choice) => {
    if (choice === 'Insert Citation') void vscode.commands.executeCommand(COMMANDS.insertCitation, { keys: [key] });
    else if (choice === 'Copy Key') void vscode.env.clipboard.writeText(key);
    else if (choice === 'Open Entry') void revealEnd(target);
  });
  return { ok: true, key, target: target.toString() };
}

/** The duplicate result (and an offer to show the entry) when the .bib has an entry with this arXiv id or DOI. */
function alreadyThere(bibText: string | undefined, ids: { arxiv?: string; doi?: string }, id: PaperIdentifier, target: vscode.Uri, targetLabel: string): AddPaperResult | undefined {
  if (!bibText || (!ids.arxiv && !ids.doi)) return undefined;
  // No key yet: only the paper's identifiers are looked for.
  const existing = findExistingEntry(scanBibEntries(bibText), { key: '', ...ids });
  if (!existing || existing.reason === 'key') return undefined;
  const { key, line } = existing.entry;
  const message = `${describeIdentifier(id)} is already in ${targetLabel} as ${key} (line ${line}).`;
  void vscode.window.showInformationMessage(`LitCite: ${message}`, 'Open Entry', 'Copy Key').then((choice) => {
    if (choice === 'Copy Key') void vscode.env.clipboard.writeText(key);
    if (choice === 'Open Entry') void revealLine(target, line);
  });
  return { ok: false, reason: 'duplicate', message, key };
}

async function askIdentifier(): Promise<PaperIdentifier | undefined> {
  let value = '';
  try {
    const clip = (await vscode.env.clipboard.readText()).trim();
    if (clip.length < 200 && parseIdentifier(clip)) value = clip;
  } catch {
    // A clipboard that cannot be read only means no suggestion.
  }
  const text = await vscode.window.showInputBox({
    title: 'LitCite: Add Paper by arXiv ID or DOI',
    prompt: 'An arXiv id or URL, or a DOI or doi.org URL',
    placeHolder: '2307.03381, arXiv:2307.03381v2, https://arxiv.org/abs/…, 10.18653/v1/2024.acl-long.468, https://doi.org/…',
    value,
    ignoreFocusOut: true,
    validateInput: (text) => (!text.trim() || parseIdentifier(text) ? undefined : 'Not an arXiv id (2307.03381, hep-th/9901001) or a DOI (10.…/…)'),
  });
  return text === undefined ? undefined : parseIdentifier(text);
}

/**
 * The key for a new entry: the key the library already shows for this paper (so citations written
 * against it resolve), unless the .bib uses it for something else; otherwise a fresh key from the
 * template, unique against the library and the .bib (see keyForNewEntry).
 */
function chooseKey(paper: Paper, library: LibraryService, bibKeys: string[]): string {
  const doi = paper.DOI ? normaliseDoi(paper.DOI) : undefined;
  const known = library.papers.find((p) => (paper.arxiv && p.arxiv === paper.arxiv) || (doi && p.DOI && normaliseDoi(p.DOI) === doi));
  return keyForNewEntry(paper, known?.id, { bibKeys, libraryKeys: library.papers.map((p) => p.id) }, readConfig().keyTemplate);
}

/** Shows the paper as found and where it goes; resolves to the key to write, or undefined to stop. */
async function confirm(paper: Paper, id: PaperIdentifier, key: string, targetLabel: string, library: LibraryService, bibKeys: string[]): Promise<string | undefined> {
  const lines = [
    paper.title,
    formatAuthors(paper, 6),
    [paperVenue(paper), paperYear(paper)].filter(Boolean).join(', '),
    [paper.arxiv ? `arXiv:${paper.arxiv}` : '', paper.DOI ? `doi:${paper.DOI}` : ''].filter(Boolean).join(' · '),
    '',
    `Key: ${key}`,
  ].filter((line, i) => line || i === 4);
  const add = 'Add';
  const rename = 'Add with Another Key…';
  const choice = await vscode.window.showInformationMessage(`Add ${describeIdentifier(id)} to ${targetLabel}?`, { modal: true, detail: lines.join('\n') }, add, rename);
  if (choice === add) return key;
  if (choice !== rename) return undefined;
  const taken = new Set([...library.papers.map((p) => p.id.toLowerCase()), ...bibKeys.map((k) => k.toLowerCase())]);
  return vscode.window.showInputBox({
    title: `LitCite: key for "${paper.title}"`,
    value: key,
    validateInput: (text) => {
      const k = text.trim();
      if (!isSafeKey(k)) return 'Use letters, digits and _ : . - , starting with a letter';
      if (taken.has(k.toLowerCase())) return `${k} is already used`;
      return undefined;
    },
  }).then((text) => text?.trim() || undefined);
}

/**
 * Where the entry goes: the given target, the `litcite.addTo` setting, the active document's
 * bibliography, `litcite.bibFile`, else the user picks a workspace .bib or names a new one.
 */
async function resolveTarget(deps: Services, given: vscode.Uri | string | undefined): Promise<vscode.Uri | undefined> {
  if (given) return typeof given === 'string' ? (/^[a-z][\w+.-]*:/i.test(given) && !/^[a-z]:[\\/]/i.test(given) ? vscode.Uri.parse(given) : vscode.Uri.file(given)) : given;
  const document = vscode.window.activeTextEditor?.document;
  const scope = scopeOf(document?.uri);
  const config = readConfig(document?.uri ?? scope?.uri);
  if (config.addTo.trim()) {
    const uri = resolveSettingPath(config.addTo, scope);
    if (uri) return uri;
  }
  if (document && flavorForLanguage(document.languageId, document.fileName)) {
    // The same resolution Insert Citation uses (which honours litcite.bibFile).
    const declared = (await deps.model.bibliographyOf(document)).files.filter((f) => /\.(?:bib|bibtex)$/i.test(f.path));
    if (declared[0]) return declared[0];
  }
  if (config.bibFile.trim()) {
    const uri = resolveSettingPath(config.bibFile, scope);
    if (uri) return uri;
  }
  return pickTarget();
}

async function pickTarget(): Promise<vscode.Uri | undefined> {
  const bibs = await vscode.workspace.findFiles('**/*.bib', '{**/node_modules/**,**/.git/**}', 200);
  const create = { label: '$(new-file) New .bib File…', uri: undefined as vscode.Uri | undefined };
  const items = [...bibs.sort((a, b) => a.path.localeCompare(b.path)).map((uri) => ({ label: labelFor(uri), uri })), create];
  const picked = bibs.length
    ? await vscode.window.showQuickPick(items, { title: 'LitCite: add the paper to which .bib file?', placeHolder: 'Set litcite.addTo to skip this question' })
    : create;
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: 'LitCite: new .bib file for added papers',
    defaultUri: folder ? vscode.Uri.joinPath(folder, 'references.bib') : undefined,
    filters: { BibTeX: ['bib'] },
  });
}

/** The .bib's text now: its open buffer, else the file; undefined when it does not exist yet. */
function currentText(uri: vscode.Uri): Promise<string | undefined> {
  return readText(uri);
}

async function revealLine(uri: vscode.Uri, line: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri);
  const position = new vscode.Position(Math.max(0, line - 1), 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
}

async function revealEnd(uri: vscode.Uri): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const entries = scanBibEntries(document.getText());
  await revealLine(uri, entries[entries.length - 1]?.line ?? document.lineCount);
}

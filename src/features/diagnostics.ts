import * as vscode from 'vscode';
import type { CiteProblem } from '../core/cite-check';
import { flavorForLanguage } from '../core/cite-syntax';
import { COMMANDS } from '../ids';
import { toRange } from '../services/convert';
import { baseName, isShownInTab } from '../services/editor-io';
import type { Services } from '../services/services';
import type { DocumentBibliography } from '../services/workspace-model';
import { CITING_DOCUMENTS } from './selectors';

/** The `code` of each kind of citation diagnostic. */
export const DIAGNOSTIC_CODES = {
  unknown: 'unknown-key',
  'missing-entry': 'missing-entry',
  'other-key': 'other-key',
} as const;

const SOURCE = 'LitCite';
const TYPING_DELAY_MS = 250;
/** Schemes of read-only views (diffs, history) whose citations are not the writer's to fix. */
const SKIPPED_SCHEMES = new Set(['git', 'gitfs', 'output', 'vscode-scm', 'review', 'pr']);

/**
 * Citation diagnostics for LaTeX and Markdown documents open in editors: a warning on a key that
 * neither the .bib nor the library has, information (with quick fixes) on a library key the .bib
 * lacks or holds under another key. Rechecked after typing pauses, when the library or a .bib
 * changes; cleared when the document's last editor closes.
 */
export function registerDiagnostics(context: vscode.ExtensionContext, services: Services): void {
  const { library, model, citing, log, config } = services;
  const collection = vscode.languages.createDiagnosticCollection('litcite');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const runs = new Map<string, number>();
  const latest = new Map<string, CiteProblem[]>();
  let runCounter = 0;

  const checkNow = async (document: vscode.TextDocument): Promise<void> => {
    const key = document.uri.toString();
    if (!isChecked(document)) {
      collection.delete(document.uri);
      return;
    }
    const run = ++runCounter;
    runs.set(key, run);
    try {
      const { problems, bibliography, missing } = await citing.check(document);
      // a later run (or closing) supersedes this one
      if (runs.get(key) !== run || document.isClosed) return;
      latest.set(key, problems);
      collection.set(document.uri, problems.map((p) => toDiagnostic(document, p, bibliography, missing)));
    } catch (err) {
      log.warn(`checking citations of ${document.uri.toString(true)} failed: ${(err as Error).message}`);
    }
  };
  const schedule = (document: vscode.TextDocument, delay: number): void => {
    const key = document.uri.toString();
    const pending = timers.get(key);
    if (pending) clearTimeout(pending);
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      void checkNow(document);
    }, delay));
  };
  const forget = (uri: vscode.Uri): void => {
    const key = uri.toString();
    const pending = timers.get(key);
    if (pending) clearTimeout(pending);
    timers.delete(key);
    runs.delete(key);
    latest.delete(key);
    collection.delete(uri);
  };
  const checkAll = (): void => {
    for (const document of vscode.workspace.textDocuments) if (isChecked(document)) schedule(document, 0);
  };

  context.subscriptions.push(
    collection,
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
    vscode.workspace.onDidOpenTextDocument((d) => schedule(d, 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length && isCitingDocument(e.document)) schedule(e.document, TYPING_DELAY_MS);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => forget(d.uri)),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => {
      if (!collection.has(e.document.uri) && isChecked(e.document)) schedule(e.document, 0);
    })),
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      for (const tab of e.closed) {
        if (tab.input instanceof vscode.TabInputText && !isShownInTab(tab.input.uri)) forget(tab.input.uri);
      }
      for (const tab of e.opened) {
        if (tab.input instanceof vscode.TabInputText) {
          const uri = tab.input.uri.toString();
          const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
          if (document) schedule(document, 0);
        }
      }
    }),
    library.onDidChange(checkAll),
    model.onDidChangeBibFile(checkAll),
    model.onDidChangeDeclarations(checkAll),
    config.on(['litcite'], checkAll),
    vscode.languages.registerCodeActionsProvider(CITING_DOCUMENTS, new CitationFixes(collection, (uri) => latest.get(uri.toString()) ?? []), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  );
  void library.ready.then(checkAll);
}

/** Quick fixes: add the missing entry (or all of them), or cite the key the .bib already uses. */
class CitationFixes implements vscode.CodeActionProvider {
  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly problemsOf: (uri: vscode.Uri) => readonly CiteProblem[],
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    const ours = context.diagnostics.filter((d) => d.source === SOURCE);
    const allMissing = (this.collection.get(document.uri) ?? []).filter((d) => d.code === DIAGNOSTIC_CODES['missing-entry']);
    const missingKeys = new Set(allMissing.map((d) => document.getText(d.range)));
    for (const diagnostic of ours) {
      const key = document.getText(diagnostic.range);
      if (diagnostic.code === DIAGNOSTIC_CODES['missing-entry']) {
        const add = new vscode.CodeAction(`Add BibTeX entry for \`${key}\``, vscode.CodeActionKind.QuickFix);
        add.command = { command: COMMANDS.addBibEntry, title: add.title, arguments: [{ key, uri: document.uri.toString() }] };
        add.diagnostics = [diagnostic];
        add.isPreferred = true;
        actions.push(add);
      } else if (diagnostic.code === DIAGNOSTIC_CODES['other-key']) {
        const start = document.offsetAt(diagnostic.range.start);
        const bibKey = this.problemsOf(document.uri).find((p) => p.kind === 'other-key' && p.span.start === start)?.bibKey;
        if (!bibKey) continue;
        const swap = new vscode.CodeAction(`Cite \`${bibKey}\`, the key the bibliography uses`, vscode.CodeActionKind.QuickFix);
        swap.edit = new vscode.WorkspaceEdit();
        swap.edit.replace(document.uri, diagnostic.range, bibKey);
        swap.diagnostics = [diagnostic];
        swap.isPreferred = true;
        actions.push(swap);
      }
    }
    if (missingKeys.size > 1 && ours.some((d) => d.code === DIAGNOSTIC_CODES['missing-entry'])) {
      const all = new vscode.CodeAction('Add all missing BibTeX entries in this file', vscode.CodeActionKind.QuickFix);
      all.command = { command: COMMANDS.addAllBibEntries, title: all.title, arguments: [{ uri: document.uri.toString() }] };
      all.diagnostics = allMissing;
      actions.push(all);
    }
    return actions;
  }
}

function toDiagnostic(document: vscode.TextDocument, problem: CiteProblem, bibliography: DocumentBibliography, missing: vscode.Uri[]): vscode.Diagnostic {
  const absent = new Set(missing.map((u) => u.toString()));
  const named = bibliography.files.map((f) => `${baseName(f)}${absent.has(f.toString()) ? ' (not found)' : ''}`);
  const bibName = named.length ? named.join(', ') : undefined;
  const range = toRange(document, problem.span);
  let diagnostic: vscode.Diagnostic;
  switch (problem.kind) {
    case 'unknown':
      diagnostic = new vscode.Diagnostic(
        range,
        bibName ? `“${problem.key}” is not in ${bibName} or the LitCite library.` : `“${problem.key}” is not in the LitCite library, and no bibliography is declared.`,
        vscode.DiagnosticSeverity.Warning,
      );
      break;
    case 'missing-entry':
      diagnostic = new vscode.Diagnostic(
        range,
        bibName ? `“${problem.key}” is in the LitCite library but not in ${bibName}.` : `“${problem.key}” is in the LitCite library; the document declares no bibliography for its entry.`,
        vscode.DiagnosticSeverity.Information,
      );
      break;
    case 'other-key': {
      diagnostic = new vscode.Diagnostic(
        range,
        `${bibName ?? 'The bibliography'} has this paper under another key, “${problem.bibKey}”.`,
        vscode.DiagnosticSeverity.Information,
      );
      break;
    }
  }
  diagnostic.source = SOURCE;
  diagnostic.code = DIAGNOSTIC_CODES[problem.kind];
  return diagnostic;
}

function isCitingDocument(document: vscode.TextDocument): boolean {
  return !SKIPPED_SCHEMES.has(document.uri.scheme) && flavorForLanguage(document.languageId, document.fileName) !== undefined;
}

/** Documents shown in an editor tab; a file only loaded in the background gets no diagnostics. */
function isChecked(document: vscode.TextDocument): boolean {
  return !document.isClosed && isCitingDocument(document) && (isShownInTab(document.uri) || vscode.window.visibleTextEditors.some((e) => e.document === document));
}

import * as vscode from 'vscode';
import { COMMANDS } from './ids';
import { registerAddPaper } from './features/add-paper';
import { DetailsPanel } from './features/details/panel';
import { registerCompletion } from './features/completion';
import { registerDiagnostics } from './features/diagnostics';
import { registerHover } from './features/hover';
import { registerInsertCitation } from './features/insert-citation';
import { registerPaperCommands } from './features/paper-commands';
import { registerPapersTree } from './features/papers-tree';
import { registerSearchCommand } from './features/search-command';
import { activePicker } from './features/search-picker';
import { BibliographyService } from './services/bibliography';
import { Citing } from './services/citing';
import { MetadataFetcher } from './services/fetch-metadata';
import { LibraryService } from './services/library-service';
import { keyTemplateProblem } from './services/config';
import { Log } from './services/log';
import { registerUserLibraries, UserLibraries } from './services/user-libraries';
import { isBibtexPath } from './core/bib-file';

/** What `activate()` returns: handles for integration tests and other extensions. */
export interface LitCiteApi {
  library: LibraryService;
  details: DetailsPanel;
  tree: ReturnType<typeof registerPapersTree>;
  /** The user's own library files (settings, declared bibliographies). */
  libraries: UserLibraries;
  /** The search QuickPick currently open, if any. */
  activePicker(): typeof activePicker;
  /** Milliseconds from activate() to the library being ready. */
  activationMs(): number;
}

/** Entry point: builds the library service once, then registers every feature. */
export function activate(context: vscode.ExtensionContext): LitCiteApi {
  const started = performance.now();
  const log = new Log();
  const library = new LibraryService(context.extensionPath, log);
  const details = new DetailsPanel(context.extensionUri, library);
  context.subscriptions.push(log, library, details);
  const bibs = new BibliographyService(log);
  const citing = new Citing(library, bibs, context.workspaceState, log);
  context.subscriptions.push(bibs, citing);

  const tree = registerPapersTree(context, library);
  registerSearchCommand(context, library, tree);
  registerPaperCommands(context, library, details);
  registerLibraryCommands(context, library, log);
  const libraries = registerUserLibraries(context, library, log);
  registerAddPaper(context, { library, libraries, log, fetcher: new MetadataFetcher(context.globalState), bibliographyOf: async (d) => (await bibs.resolve(d)).files.filter((f) => isBibtexPath(f.path)) });
  registerInsertCitation(context, library, citing);
  registerHover(context, library, bibs);
  registerCompletion(context, library, bibs);
  registerDiagnostics(context, library, bibs, citing, log);

  let activationMs = 0;
  void library.ready.then(() => {
    activationMs = performance.now() - started;
    log.info(`activated; library ready ${activationMs.toFixed(1)} ms after activate()`);
  });
  return { library, details, tree, libraries, activePicker: () => activePicker, activationMs: () => activationMs };
}

/** A broken key template is said once, with a way to fix it, instead of silently giving `ref2024` keys. */
function reportKeyTemplate(log: Log): void {
  const problem = keyTemplateProblem();
  if (!problem) return;
  log.warn(`citation key template: ${problem}`);
  void vscode.window.showWarningMessage(`LitCite: ${problem}.`, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'litcite.citationKeyTemplate');
  });
}

function registerLibraryCommands(context: vscode.ExtensionContext, library: LibraryService, log: Log): void {
  reportKeyTemplate(log);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.reloadLibrary, () => library.reload()),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.channel.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('litcite.citationKeyTemplate')) reportKeyTemplate(log);
      if (e.affectsConfiguration('litcite.includeBundledLibrary') || e.affectsConfiguration('litcite.citationKeyTemplate')) library.reload();
    }),
  );
}

export function deactivate(): void {}

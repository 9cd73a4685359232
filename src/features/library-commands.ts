import * as vscode from 'vscode';
import { COMMANDS, SETTINGS } from '../ids';
import { keyTemplateProblem } from '../services/config';
import type { Services } from '../services/services';

/** Reload Library and Show Log; the library follows the settings that change what it holds. */
export function registerLibraryCommands(context: vscode.ExtensionContext, services: Services): void {
  const { library, files, model, log, config } = services;
  reportKeyTemplate(services);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.reloadLibrary, async () => {
      model.rescan();
      library.reloadBundled();
      await files.reloadAll();
    }),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    config.on([SETTINGS.keyTemplate], () => reportKeyTemplate(services)),
    config.on([SETTINGS.includeBundled, SETTINGS.keyTemplate], () => library.reloadBundled()),
    config.on([SETTINGS.libraries, SETTINGS.addTo, SETTINGS.bibFile, SETTINGS.includeDeclared], () => model.settingsChanged()),
  );
}

/** A broken key template is said once, with a way to fix it, instead of silently giving `ref2024` keys. */
function reportKeyTemplate(services: Services): void {
  const problem = keyTemplateProblem();
  if (!problem) return;
  services.log.warn(`citation key template: ${problem}`);
  void vscode.window.showWarningMessage(`LitCite: ${problem}.`, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'litcite.citationKeyTemplate');
  });
}

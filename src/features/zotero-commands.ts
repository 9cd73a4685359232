import * as vscode from 'vscode';
import { describeZoteroStatus, isConnected } from '../core/zotero/status';
import { COMMANDS, SECRETS, SECTION, SETTINGS } from '../ids';
import type { Services } from '../services/services';
import { setSecret } from './online-commands';
import { resolvePaper, type PaperArgument } from './paper-commands';

/**
 * The Zotero commands: Sync Zotero Now, Show Zotero Status (each problem with its fix as a
 * button), Set Zotero Web API Key, and Open PDF / Show in Zotero for a Zotero paper.
 */
export function registerZoteroCommands(context: vscode.ExtensionContext, services: Services): void {
  const { zotero, library, picker } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.zoteroSync, async () => {
      if (!zotero.enabled) {
        const answer = await vscode.window.showInformationMessage('LitCite: Zotero is not turned on (litcite.zotero.enabled).', 'Turn On');
        if (answer === 'Turn On') await vscode.workspace.getConfiguration(SECTION).update(SETTINGS.zoteroEnabled, true, vscode.ConfigurationTarget.Global);
        return undefined;
      }
      const statuses = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Syncing Zotero…' }, () => zotero.syncNow());
      const words = statuses.map((s) => describeZoteroStatus(s));
      vscode.window.setStatusBarMessage(`$(library) ${words.map((w) => w.short).join(' · ')}`, 4000);
      return statuses;
    }),
    vscode.commands.registerCommand(COMMANDS.zoteroStatus, async () => {
      if (!zotero.enabled) {
        const answer = await vscode.window.showInformationMessage('LitCite reads your Zotero library when litcite.zotero.enabled is on: from the Zotero app (7 or later) or from zotero.org with an API key.', 'Turn On');
        if (answer === 'Turn On') await vscode.workspace.getConfiguration(SECTION).update(SETTINGS.zoteroEnabled, true, vscode.ConfigurationTarget.Global);
        return;
      }
      for (const status of zotero.statuses) {
        const words = describeZoteroStatus(status);
        const message = `LitCite — ${words.detail}${words.fix ? ` ${words.fix}` : ''}`;
        const actions: string[] = [];
        if (words.action === 'set-web-api-key') actions.push('Set API Key');
        if (words.action === 'use-web-api') actions.push('Use zotero.org');
        if (words.action === 'retry' || words.action === 'start-zotero' || words.action === 'show-local-api-setting' || isConnected(status)) actions.push('Sync Now');
        actions.push('Open Settings');
        const show = isConnected(status) ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        const answer = await show(message, ...actions);
        if (answer === 'Set API Key') await vscode.commands.executeCommand(COMMANDS.setZoteroApiKey);
        else if (answer === 'Use zotero.org') {
          await vscode.workspace.getConfiguration(SECTION).update(SETTINGS.zoteroSource, 'web', vscode.ConfigurationTarget.Global);
          if (!(await context.secrets.get(SECRETS.zoteroApiKey))) await vscode.commands.executeCommand(COMMANDS.setZoteroApiKey);
        } else if (answer === 'Sync Now') await vscode.commands.executeCommand(COMMANDS.zoteroSync);
        else if (answer === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.zotero`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.setZoteroApiKey, (key?: unknown) =>
      setSecret(context, SECRETS.zoteroApiKey, 'Zotero web API key', 'A read-only key from https://www.zotero.org/settings/keys (with group access for group libraries). Empty removes it.', key)),
    vscode.commands.registerCommand(COMMANDS.openPdf, async (arg: PaperArgument) => {
      const paper = await resolvePaper(library, picker, arg, 'Open the PDF of…');
      if (!paper) return undefined;
      const target = await zotero.pdfTarget(paper);
      if (!target) {
        void vscode.window.showInformationMessage(`LitCite: ${paper.id} has no PDF attached in Zotero.`);
        return undefined;
      }
      const uri = target.kind === 'file' ? vscode.Uri.file(target.path) : vscode.Uri.parse(target.uri);
      await vscode.env.openExternal(uri);
      return uri.toString();
    }),
    vscode.commands.registerCommand(COMMANDS.showInZotero, async (arg: PaperArgument) => {
      const paper = await resolvePaper(library, picker, arg, 'Show in Zotero…');
      const select = paper?.extra?.selectUri;
      if (!paper) return undefined;
      if (!select) {
        void vscode.window.showInformationMessage(`LitCite: ${paper.id} is not from Zotero.`);
        return undefined;
      }
      await vscode.env.openExternal(vscode.Uri.parse(select));
      return select;
    }),
  );
}

import * as vscode from 'vscode';
import { COMMANDS, SECRETS } from '../ids';
import type { OnlineSetting } from '../services/online';
import type { Services } from '../services/services';

/**
 * Search Papers Online (asks first when online search has not been allowed), Turn Online Search
 * On or Off, and the API keys, which go to SecretStorage, never to settings.
 */
export function registerOnlineCommands(context: vscode.ExtensionContext, services: Services): void {
  const { online } = services;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.searchOnline, async (initialQuery?: unknown) => {
      if (!online.enabled && !(await online.askConsent())) return undefined;
      return vscode.commands.executeCommand(COMMANDS.search, typeof initialQuery === 'string' ? initialQuery : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.setOnlineSearch, async (value?: unknown) => {
      const choices: Array<vscode.QuickPickItem & { value: OnlineSetting }> = [
        { value: 'on', label: 'On', detail: 'Every search also asks the online services (your query text is sent to them).' },
        { value: 'ask', label: 'Ask', detail: 'Searches stay local; the search box offers to search online, asking once.' },
        { value: 'off', label: 'Off', detail: 'Nothing you type leaves this machine.' },
      ];
      const current = online.setting;
      for (const choice of choices) if (choice.value === current) choice.description = '(current)';
      const chosen = value === 'on' || value === 'ask' || value === 'off'
        ? choices.find((c) => c.value === value)
        : await vscode.window.showQuickPick(choices, { title: 'LitCite: Online Search' });
      if (!chosen) return undefined;
      await online.setSetting(chosen.value);
      vscode.window.setStatusBarMessage(`$(globe) LitCite online search: ${chosen.label.toLowerCase()}`, 3000);
      return chosen.value;
    }),
    vscode.commands.registerCommand(COMMANDS.setOpenAlexApiKey, (key?: unknown) => setSecret(context, SECRETS.openAlexApiKey, 'OpenAlex API key', 'From your OpenAlex account; raises your daily limit. Empty removes it.', key)),
    vscode.commands.registerCommand(COMMANDS.setSemanticScholarApiKey, (key?: unknown) => setSecret(context, SECRETS.semanticScholarApiKey, 'Semantic Scholar API key', 'Requested from Semantic Scholar; gives your own rate limit. Empty removes it.', key)),
  );
}

/** Asks for a key (or takes one given by a script) and keeps it in SecretStorage; empty deletes it. */
export async function setSecret(context: vscode.ExtensionContext, id: string, name: string, prompt: string, given?: unknown): Promise<boolean | undefined> {
  const value = typeof given === 'string' ? given : await vscode.window.showInputBox({ title: `LitCite: ${name}`, prompt, password: true, ignoreFocusOut: true });
  if (value === undefined) return undefined;
  if (value.trim()) await context.secrets.store(id, value.trim());
  else await context.secrets.delete(id);
  vscode.window.setStatusBarMessage(`$(key) ${name} ${value.trim() ? 'saved in the system keychain' : 'removed'}`, 3000);
  return Boolean(value.trim());
}

import * as vscode from 'vscode';
import { DEFAULT_KEY_TEMPLATE, validateKeyTemplate } from '../core/citekey';
import { SECTION, SETTINGS } from '../ids';

/** LitCite's own settings (named without the `litcite.` section); any other name is a full setting id. */
const OWN_SETTINGS: ReadonlySet<string> = new Set(Object.values(SETTINGS));

export type MarkdownStyle = 'bracketed' | 'bare';
export type CreateBibFile = 'ask' | 'always' | 'never';

/** The extension's settings, read fresh each time (VS Code caches configuration itself). */
export interface LitCiteConfig {
  includeBundled: boolean;
  resultLimit: number;
  keyTemplate: string;
  latexCommand: string;
  markdownStyle: MarkdownStyle;
  bibFile: string;
  createBibFile: CreateBibFile;
  libraries: string[];
  includeDeclared: boolean;
  addTo: string;
  arxivApiUrl: string;
  doiApiUrl: string;
}

/** Reads the settings for a resource (folder-level settings apply), with defaults for bad values. */
export function readConfig(scope?: vscode.ConfigurationScope): LitCiteConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const limit = c.get<number>(SETTINGS.resultLimit, 50);
  const command = c.get<string>(SETTINGS.latexCommand, 'cite');
  const style = c.get<string>(SETTINGS.markdownStyle, 'bracketed');
  const create = c.get<string>(SETTINGS.createBibFile, 'ask');
  return {
    includeBundled: c.get<boolean>(SETTINGS.includeBundled, true),
    resultLimit: Number.isFinite(limit) && limit > 0 ? Math.min(500, Math.floor(limit)) : 50,
    keyTemplate: usableKeyTemplate(c.get<string>(SETTINGS.keyTemplate, DEFAULT_KEY_TEMPLATE)),
    latexCommand: /^[A-Za-z]+\*?$/.test(command) ? command : 'cite',
    markdownStyle: style === 'bare' ? 'bare' : 'bracketed',
    bibFile: c.get<string>(SETTINGS.bibFile, ''),
    createBibFile: create === 'always' || create === 'never' ? create : 'ask',
    libraries: c.get<string[]>(SETTINGS.libraries, []).filter((s) => typeof s === 'string'),
    includeDeclared: c.get<boolean>(SETTINGS.includeDeclared, true),
    addTo: c.get<string>(SETTINGS.addTo, ''),
    arxivApiUrl: c.get<string>(SETTINGS.arxivApiUrl, 'https://export.arxiv.org/api/query'),
    doiApiUrl: c.get<string>(SETTINGS.doiApiUrl, 'https://doi.org'),
  };
}

/** The configured key template, or the default when it has an error (reported by `keyTemplateProblem`). */
function usableKeyTemplate(template: string | undefined): string {
  return template && !validateKeyTemplate(template) ? template : DEFAULT_KEY_TEMPLATE;
}

/** What is wrong with the configured key template, if anything. */
export function keyTemplateProblem(): string | undefined {
  const template = vscode.workspace.getConfiguration(SECTION).get<string>(SETTINGS.keyTemplate, DEFAULT_KEY_TEMPLATE);
  const problem = template ? validateKeyTemplate(template) : undefined;
  return problem ? `${problem.message} ("${template}"); keys use the default ${DEFAULT_KEY_TEMPLATE} until it is fixed` : undefined;
}

/**
 * The one listener for configuration changes: features say which settings they follow, and are
 * called (each once per change) when any of them changed.
 */
export class ConfigDispatcher implements vscode.Disposable {
  private readonly listeners: Array<{ settings: readonly string[]; run: (scope?: vscode.ConfigurationChangeEvent) => void }> = [];
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      for (const listener of [...this.listeners]) {
        if (listener.settings.some((setting) => event.affectsConfiguration(OWN_SETTINGS.has(setting) ? `${SECTION}.${setting}` : setting))) {
          try {
            listener.run(event);
          } catch {
            // One feature's failure must not keep the others from hearing of the change.
          }
        }
      }
    });
  }

  /** Calls `run` when one of `settings` changes (names under `litcite.`, or full ids with a dot). */
  on(settings: readonly string[], run: (event?: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
    const listener = { settings, run };
    this.listeners.push(listener);
    return new vscode.Disposable(() => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

import * as vscode from 'vscode';

/** Documents LitCite reads citations in: hover, completion and diagnostics all use this. */
export const CITING_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'latex' },
  { language: 'tex' },
  { language: 'markdown' },
  { language: 'quarto' },
  { language: 'rmd' },
  { pattern: '**/*.{tex,ltx}' },
  // .qmd and .Rmd files open as plain text without a Quarto or R extension
  { scheme: 'file', pattern: '**/*.{md,qmd,Rmd,rmd}' },
  { scheme: 'untitled', pattern: '**/*.{md,qmd,Rmd,rmd}' },
];

/** A `command:` link running `command` with `args`, for trusted Markdown. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

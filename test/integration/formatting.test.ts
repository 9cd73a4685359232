// References in the document's citation style, in a real VS Code: the hover, Copy Formatted
// Reference/Bibliography, the details panel's switcher and the built-in Markdown preview.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { LitCiteApi } from '../../src/extension';
import { COMMANDS } from '../../src/ids';
import { activateLitCite, screenshot, setTheme, waitFor, workspaceFile } from './helpers';

const STYLED = `---
title: Styled notes
bibliography: refs.bib
csl: ieee
---

# Notes

Transformers [@vaswani2017attention] replaced recurrence; see also [see @devlin2019bert, p. 4] and @vaswani2017attention.
A key nobody has: [@nobody2099missing].
`;

const AUTHOR_DATE = STYLED.replace('csl: ieee\n', '');

/** The text of a hover's contents. */
function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('LitCite citation styles', function () {
  this.timeout(60_000);
  let api: LitCiteApi;
  const styled = workspaceFile('styled.md');

  before(async () => {
    api = await activateLitCite();
    fs.writeFileSync(styled.fsPath, STYLED);
    await waitFor(() => api.testing.library.byKey('devlin2019bert'), 10_000, 'refs.bib in the library');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(styled.fsPath, { force: true });
  });

  it('hovers a cited key with the reference in the front matter’s style first', async () => {
    const doc = await vscode.workspace.openTextDocument(styled);
    await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(doc.getText().indexOf('vaswani2017attention') + 3);
    const text = await waitFor(async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at)), 5000, 'the hover');
    const shown = text.replace(/\\(.)/g, '$1'); // Markdown escapes, as the hover renders them
    assert.match(shown, /^A\. Vaswani \*et al\.\*, “Attention Is All You Need,” in \*Advances in Neural Information Processing Systems\*, 2017/m, text);
    assert.match(text, /_IEEE style_/);
    assert.ok(text.indexOf('IEEE style') < text.indexOf('Open details'), 'the reference comes before the summary');
  });

  it('copies a formatted reference, and the bibliography of the document’s citations, in its style', async () => {
    const doc = await vscode.workspace.openTextDocument(styled);
    await vscode.window.showTextDocument(doc);
    const one = await vscode.commands.executeCommand<string>(COMMANDS.copyFormattedReference, 'devlin2019bert');
    assert.match(one, /^J\. Devlin, M\.-W\. Chang, K\. Lee, and K\. Toutanova, “BERT/);
    assert.strictEqual(await vscode.env.clipboard.readText(), one);
    const all = await vscode.commands.executeCommand<string>(COMMANDS.copyFormattedBibliography);
    const entries = all.split('\n\n');
    assert.strictEqual(entries.length, 2, 'the two known keys, once each');
    assert.match(entries[0]!, /^\[1\] A\. Vaswani/);
    assert.match(entries[1]!, /^\[2\] J\. Devlin/);
  });

  it('renders Pandoc citations and a References section in VS Code’s Markdown preview, unknown keys marked', async () => {
    const ieee = await waitFor(async () => {
      const html = await vscode.commands.executeCommand<string>('markdown.api.render', STYLED);
      return html.includes('litcite-pending') ? undefined : html;
    }, 10_000, 'every citation formatted');
    // IEEE numbers in order of first citation; link-citations is on in the preview.
    assert.match(ieee, /<span class="citation" data-cites="vaswani2017attention"><a href="#ref-vaswani2017attention" role="doc-biblioref">\[1\]<\/a><\/span>/);
    assert.match(ieee, /<span class="citation" data-cites="devlin2019bert"><a href="#ref-devlin2019bert" role="doc-biblioref">see \[2, p\. 4\]<\/a><\/span>/);
    assert.match(ieee, /class="litcite-unknown"[^>]*>@nobody2099missing\?<\/span>/);
    assert.match(ieee, /<div id="refs" class="references csl-bib-body"/);
    assert.match(ieee, /id="ref-vaswani2017attention"/);
    // A style's first use loads it; citations past the render's time budget are formatted in the
    // background and show on the next render (the preview is refreshed then).
    const apa = await waitFor(async () => {
      const text = (await vscode.commands.executeCommand<string>('markdown.api.render', AUTHOR_DATE)).replace(/<[^<>]*>/g, '');
      return /\(Vaswani et al\., 2017\)/.test(text) ? text : undefined;
    }, 10_000, 'APA citations in the render');
    assert.match(apa, /\(see Devlin et al\., 2019, p\. 4\)/);
  });

  it('shows the preview with formatted citations, light and dark', async () => {
    const doc = await vscode.workspace.openTextDocument(styled);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('markdown.showPreviewToSide');
    await setTheme('Default Dark Modern');
    await screenshot('preview-citations-dark', 1500);
    await setTheme('Default Light Modern');
    await screenshot('preview-citations-light', 1500);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the reference in the details panel, in the style the switcher picks', async () => {
    const details = api.testing.views.details!;
    const doc = await vscode.workspace.openTextDocument(styled);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand(COMMANDS.openDetails, 'devlin2019bert');
    await waitFor(() => details.lastRendered?.key === 'devlin2019bert' && details.lastRendered.reference, 10_000, 'the panel to render');
    assert.match(details.lastRendered!.reference!, /^J\. Devlin/, 'the document’s style (IEEE)');
    details.setStyle('apa');
    await waitFor(() => /^Devlin, J\., Chang, M\.-W\./.test(details.lastRendered?.reference ?? ''), 10_000, 'APA after switching');
    await setTheme('Default Dark Modern');
    await screenshot('details-reference-dark', 800);
    await setTheme('Default Light Modern');
    await screenshot('details-reference-light', 800);
    details.setStyle(undefined);
  });
});

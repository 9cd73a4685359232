// Checks the integration harness itself: the extension under development is loaded from the
// working tree, the window has the copied test workspace open, and screenshots work.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { screenshot, testWorkspace, workspaceFile } from './helpers';

describe('integration harness', () => {
  it('loads LitCite from the working tree and activates it', async () => {
    const ext = vscode.extensions.getExtension('litcite.litcite');
    assert.ok(ext, 'litcite.litcite is not loaded');
    // out/test/integration/ -> project root
    const root = path.resolve(__dirname, '..', '..', '..');
    assert.strictEqual(ext.extensionUri.fsPath, root);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('opens a writable copy of test/workspace', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.strictEqual(folders.length, 1);
    assert.strictEqual(folders[0].uri.fsPath, testWorkspace());
    for (const name of ['paper.tex', 'refs.bib', 'notes.md']) {
      assert.ok(fs.existsSync(workspaceFile(name).fsPath), `${name} is missing from the test workspace`);
    }
    const probe = workspaceFile('.write-probe');
    await vscode.workspace.fs.writeFile(probe, Buffer.from('ok'));
    await vscode.workspace.fs.delete(probe);
  });

  it('takes a screenshot of the window', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('paper.tex'));
    await vscode.window.showTextDocument(doc);
    const file = await screenshot('harness-smoke');
    assert.strictEqual(path.basename(file), 'harness-smoke.png');
    const size = fs.statSync(file).size;
    assert.ok(size > 10 * 1024, `screenshot is only ${size} bytes`);
    const signature = fs.readFileSync(file).subarray(0, 8);
    assert.deepStrictEqual([...signature], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
  });
});

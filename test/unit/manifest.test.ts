import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS, SECTION, SETTINGS, VIEWS } from '../../src/ids';

interface Manifest {
  name: string;
  publisher: string;
  bin: Record<string, string>;
  engines: { vscode: string };
  icon: string;
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    configuration: { properties: Record<string, { markdownDescription?: string; default?: unknown }> }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const root = process.cwd();
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('declares exactly the commands the code registers, each titled and in the LitCite category', () => {
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(COMMANDS).sort());
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'LitCite', c.command);
      assert.match(c.title, /^[A-Z][A-Za-z]*( ([A-Z][A-Za-z]*|by|to|in|of|or|ID|DOI|arXiv))*$/, `${c.command}: "${c.title}" is not Title Case`);
    }
  });

  it('declares the views and settings the code uses, each described with a default', () => {
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => c.id), [VIEWS.container]);
    assert.deepEqual(manifest.contributes.views[VIEWS.container].map((v) => v.id), [VIEWS.papers]);
    const properties = Object.assign({}, ...manifest.contributes.configuration.map((c) => c.properties)) as Manifest['contributes']['configuration'][0]['properties'];
    assert.deepEqual(Object.keys(properties).sort(), Object.values(SETTINGS).map((s) => `${SECTION}.${s}`).sort());
    for (const [name, setting] of Object.entries(properties)) {
      assert.ok(setting.markdownDescription && setting.markdownDescription.length > 20, `${name} has no description`);
      assert.ok('default' in setting, `${name} has no default`);
    }
  });

  it('only references declared commands in menus, and files that exist', () => {
    const declared = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) assert.ok(declared.has(entry.command), `${menu}: ${entry.command}`);
    }
    for (const file of [manifest.icon, ...manifest.contributes.viewsContainers.activitybar.map((c) => c.icon)]) {
      assert.ok(fs.existsSync(path.join(root, file)), file);
    }
  });

  it('is a litcite extension with a litcite CLI', () => {
    assert.equal(manifest.name, 'litcite');
    assert.equal(manifest.publisher, 'litcite');
    assert.equal(manifest.engines.vscode, '^1.90.0');
    assert.equal(manifest.bin.litcite, 'dist/cli.js');
  });
});

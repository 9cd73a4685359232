import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CORE_DIR = path.join(process.cwd(), 'src', 'core');

/** Module specifiers that tie code to the editor or the file system, which `src/core` must not use. */
function isForbidden(specifier: string): boolean {
  return specifier.startsWith('node:') || /^(?:vscode|fs|path)(?:\/|$)/.test(specifier);
}

/** Every module specifier in a TypeScript source: static imports and re-exports, `import()`, `require()`. */
function specifiersOf(source: string): string[] {
  const withoutBlocks = source.replace(/\/\*[\s\S]*?\*\//g, '');
  const code = withoutBlocks
    .split('\n')
    .map((line) => {
      const comment = line.search(/(?:^|[^:])\/\//);
      return comment < 0 ? line : line.slice(0, comment + (line.startsWith('//', comment) ? 0 : 1));
    })
    .join('\n');
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"\n]+)['"]/g,
    /\bimport\s*['"]([^'"\n]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

function coreSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return coreSources(full);
    return /\.tsx?$/.test(d.name) ? [full] : [];
  });
}

describe('src/core purity', () => {
  it('finds the core sources from the repository root', () => {
    assert.ok(fs.existsSync(CORE_DIR), `no ${CORE_DIR}; run the tests from the repository root`);
    assert.ok(coreSources(CORE_DIR).some((f) => f.endsWith('types.ts')));
  });

  it('recognises every import form it polices', () => {
    const sample = [
      "import * as vscode from 'vscode';",
      "import { readFile } from 'fs/promises';",
      "import type { X } from \"path\";",
      "export { y } from 'node:url';",
      "const a = require('fs');",
      "const b = await import('node:path');",
      "import 'vscode';",
      "import { ok } from './types';",
      '// import { no } from "fs";',
    ].join('\n');
    const forbidden = specifiersOf(sample).filter(isForbidden).sort();
    assert.deepEqual(forbidden, ['fs', 'fs/promises', 'node:path', 'node:url', 'path', 'vscode', 'vscode']);
  });

  it('imports nothing from vscode, fs, path or node:* in any src/core file', () => {
    const offenders: string[] = [];
    for (const file of coreSources(CORE_DIR)) {
      for (const spec of specifiersOf(fs.readFileSync(file, 'utf8'))) {
        if (isForbidden(spec)) offenders.push(`${path.relative(process.cwd(), file)}: ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});

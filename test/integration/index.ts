// Entry point of the integration suite. The extension host loads this file (named in the
// workbench's payload by test/harness/run-integration.ts) and calls run(); a rejected
// promise marks the run as failed.
import * as fs from 'fs';
import * as path from 'path';
import type MochaClass from 'mocha';

type MochaConstructor = typeof MochaClass;
// mocha 11 is CommonJS (the module is the class); mocha 12 is ESM-only, so require() returns
// a namespace whose default export is the class. Taking either keeps both working.
const mochaModule = require('mocha') as MochaConstructor & { default?: MochaConstructor };
const Mocha: MochaConstructor = mochaModule.default ?? mochaModule;

export function run(): Promise<void> {
  const grep = process.env.LITCITE_TEST_GREP;
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: 30_000,
    ...(grep ? { grep } : {}),
  });
  return new Promise<void>((resolve, reject) => {
    try {
      const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
      for (const file of files) mocha.addFile(path.join(__dirname, file));
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e);
    }
  });
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadBundledLibrary, writeCorpusCache } from '../../src/node/seeds';

function copyOfSeeds(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-seeds-'));
  for (const name of fs.readdirSync(path.join(process.cwd(), 'seeds'))) fs.copyFileSync(path.join(process.cwd(), 'seeds', name), path.join(dir, name));
  return dir;
}

describe('bundled corpus parsed at build time', () => {
  it('is used while the seed folder is unchanged, and gives the same papers as parsing', () => {
    const folder = copyOfSeeds();
    const cacheFile = path.join(folder, '..', `${path.basename(folder)}.json`);
    assert.equal(writeCorpusCache(folder, cacheFile), 62);
    const cached = loadBundledLibrary(folder, { cacheFile });
    const parsed = loadBundledLibrary(folder, { cacheFile: path.join(folder, 'missing.json') });
    assert.equal(cached.fromCache, true);
    assert.equal(parsed.fromCache, false);
    assert.deepEqual(cached.papers, JSON.parse(JSON.stringify(parsed.papers)));
  });

  it('is ignored when a listing file is dropped in, changed, or another key template is set', () => {
    const folder = copyOfSeeds();
    const cacheFile = path.join(folder, '..', `${path.basename(folder)}.json`);
    writeCorpusCache(folder, cacheFile);
    assert.equal(loadBundledLibrary(folder, { cacheFile, keyTemplate: '[Auth][year]' }).fromCache, false);
    const abstract = 'An added paper has an abstract of many words that goes on and on for quite a while. '.repeat(5);
    fs.writeFileSync(path.join(folder, '001_more.txt'), `A Paper Dropped In Later\n\n${abstract}\n`);
    const withNew = loadBundledLibrary(folder, { cacheFile });
    assert.equal(withNew.fromCache, false);
    assert.equal(withNew.papers.length, 63);
    assert.ok(withNew.papers.some((p) => p.title === 'A Paper Dropped In Later'));
    assert.equal(withNew.problems.filter((p) => p.message.includes('no metadata')).length, 1);
  });

  it('survives a corrupt cache file by parsing', () => {
    const folder = copyOfSeeds();
    const cacheFile = path.join(folder, '..', `${path.basename(folder)}.json`);
    fs.writeFileSync(cacheFile, '{"fingerprint": ');
    const result = loadBundledLibrary(folder, { cacheFile });
    assert.equal(result.fromCache, false);
    assert.equal(result.papers.length, 62);
  });
});

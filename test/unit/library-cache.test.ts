import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheFileFor, loadLibraryFile } from '../../src/node/library-file';
import { parseBibtexLibrary } from '../../src/core/library';

/** A folder of its own per test: a library file and a cache folder. */
function sandbox(): { dir: string; bib: string; cache: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cache-'));
  return { dir, bib: path.join(dir, 'refs.bib'), cache: path.join(dir, 'cache') };
}

const entry = (key: string, title: string): string => `@article{${key},\n  title = {${title}},\n  author = {Doe, Jane},\n  journal = {J},\n  year = {2020},\n}\n\n`;

/** What the file says, read directly: the cache must always agree with it. */
function truth(file: string): unknown {
  const { papers } = parseBibtexLibrary(fs.readFileSync(file, 'utf8'), path.resolve(file));
  return papers.map((p) => [p.id, p.title]);
}

function loaded(file: string, cache: string): { papers: unknown; fromCache: boolean } {
  const result = loadLibraryFile(file, { cacheDir: cache });
  return { papers: result.papers.map((p) => [p.id, p.title]), fromCache: result.fromCache };
}

/** Sets a file's mtime, so a test can make a change the size and mtime do not show. */
function touch(file: string, at: Date): void {
  fs.utimesSync(file, at, at);
}

describe('the persistent cache', () => {
  let box: ReturnType<typeof sandbox>;
  beforeEach(() => {
    box = sandbox();
    fs.writeFileSync(box.bib, entry('a', 'First') + entry('b', 'Second'));
  });

  it('parses once, then loads from the cache while the file is unchanged', () => {
    touch(box.bib, new Date(Date.now() - 60_000));
    assert.equal(loaded(box.bib, box.cache).fromCache, false);
    const second = loaded(box.bib, box.cache);
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.papers, truth(box.bib));
  });

  it('reads a changed file again, even when its size and mtime are the same', () => {
    loaded(box.bib, box.cache);
    const stat = fs.statSync(box.bib);
    fs.writeFileSync(box.bib, (entry('a', 'First') + entry('b', 'Second')).replace('Second', 'Secund'));
    touch(box.bib, stat.mtime);
    // Same size and mtime, different content: the content hash decides once the mtime is checked.
    const again = loadLibraryFile(box.bib, { cacheDir: box.cache });
    assert.equal(fs.statSync(box.bib).size, stat.size);
    assert.equal(again.fromCache, false, 'modified within a timestamp of the entry: checked by content');
    assert.deepEqual(again.papers.map((p) => [p.id, p.title]), truth(box.bib));
    // A real edit moves the mtime; then the file is read again for certain.
    fs.appendFileSync(box.bib, entry('c', 'Third'));
    const edited = loaded(box.bib, box.cache);
    assert.equal(edited.fromCache, false);
    assert.deepEqual(edited.papers, truth(box.bib));
  });

  it('keeps the entry when a file is touched but its bytes are the same', () => {
    loaded(box.bib, box.cache);
    touch(box.bib, new Date(Date.now() + 5000));
    const touched = loadLibraryFile(box.bib, { cacheDir: box.cache });
    assert.equal(touched.fromCache, true);
    assert.equal(loaded(box.bib, box.cache).fromCache, true, 'the entry was brought up to the new mtime');
  });

  it('rebuilds a truncated, garbled or foreign cache file, and never trusts it', () => {
    loaded(box.bib, box.cache);
    const cacheFile = cacheFileFor(box.cache, box.bib);
    const bytes = fs.readFileSync(cacheFile);
    for (const broken of [bytes.subarray(0, bytes.length >> 1), Buffer.concat([bytes.subarray(0, 400), Buffer.alloc(50, 0x41), bytes.subarray(450)]), Buffer.from('{"papers": []}'), Buffer.alloc(0)]) {
      fs.writeFileSync(cacheFile, broken);
      const result = loaded(box.bib, box.cache);
      assert.equal(result.fromCache, false);
      assert.deepEqual(result.papers, truth(box.bib));
    }
  });

  it('reads a cache file of another format version as absent', () => {
    loaded(box.bib, box.cache);
    const cacheFile = cacheFileFor(box.cache, box.bib);
    const bytes = fs.readFileSync(cacheFile);
    const at = bytes.indexOf('"version":');
    bytes[at + '"version":'.length] = '1'.charCodeAt(0);
    fs.writeFileSync(cacheFile, bytes);
    assert.equal(loaded(box.bib, box.cache).fromCache, false);
  });

  it('follows a file replaced by another and a deleted file', () => {
    loaded(box.bib, box.cache);
    const other = path.join(box.dir, 'other.bib');
    fs.writeFileSync(other, entry('z', 'Replacement'));
    fs.renameSync(other, box.bib);
    assert.deepEqual(loaded(box.bib, box.cache).papers, [['z', 'Replacement']]);
    fs.rmSync(box.bib);
    assert.throws(() => loadLibraryFile(box.bib, { cacheDir: box.cache }), /ENOENT/);
  });

  it('parses again when a macro borrowed from a file read before changes', () => {
    const uses = path.join(box.dir, 'uses.bib');
    fs.writeFileSync(uses, '@article{m, title = {T}, journal = jml, year = 2020}\n');
    const jml = { value: 'Journal of Machine Learning', span: { start: 0, end: 0 }, line: 1 };
    const first = loadLibraryFile(uses, { cacheDir: box.cache, external: new Map([['jml', jml]]) });
    assert.equal(first.papers[0]['container-title'], 'Journal of Machine Learning');
    assert.equal(loadLibraryFile(uses, { cacheDir: box.cache, external: new Map([['jml', jml]]) }).fromCache, true);
    const renamed = loadLibraryFile(uses, { cacheDir: box.cache, external: new Map([['jml', { ...jml, value: 'JML' }]]) });
    assert.equal(renamed.fromCache, false);
    assert.equal(renamed.papers[0]['container-title'], 'JML');
  });

  it('stays whole when two processes (two windows, a window and the CLI) share the cache', async () => {
    const cli = path.join(process.cwd(), 'dist', 'cli.js');
    if (!fs.existsSync(cli)) return;
    const { execFile } = await import('node:child_process');
    // Each writer writes a temporary file and renames it over the entry: a reader sees one whole
    // file or the other, never a mix, and a file it cannot use is rebuilt.
    const run = (): Promise<string> => new Promise((resolve, reject) => {
      execFile(process.execPath, [cli, 'list', '--no-bundled', '--library', box.bib], { env: { ...process.env, LITCITE_CACHE_DIR: box.cache } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    for (let round = 0; round < 3; round++) {
      fs.appendFileSync(box.bib, entry(`r${round}`, `Round ${round}`));
      const outputs = await Promise.all([run(), run(), run()]);
      const keys = outputs.map((o) => o.trim().split('\n').map((line) => line.split('\t')[0]));
      for (const k of keys) assert.deepEqual(k, (truth(box.bib) as string[][]).map(([key]) => key));
    }
    assert.equal(loaded(box.bib, box.cache).fromCache, true);
  });
});

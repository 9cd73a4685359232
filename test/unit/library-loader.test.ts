import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toBibtexFile } from '../../src/core/bibtex';
import { buildBundledLibrary } from '../../src/core/corpus';
import { LibraryParse, parseBibtexLibrary } from '../../src/core/library';
import { LoadCancelled, loadLibrary } from '../../src/node/library-loader';
import { readSeedFolder } from '../../src/node/seeds';

const entry = (key: string, title: string, extra = ''): string => `@article{${key},\n  title = {${title}},\n  author = {Müller, J{\\"o}rg},\n  year = {2020},${extra}\n}\n\n`;

describe('loading a .bib in a worker', () => {
  const workerFile = path.join(process.cwd(), 'dist', 'load-worker.js');

  it('loads a large .bib with the result of one parse, cross-references included', { skip: !fs.existsSync(workerFile) && 'dist/load-worker.js is not built' }, async () => {
    const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
    const papers = buildBundledLibrary(listings, metadata).papers;
    const many = Array.from({ length: 48 }, (_, round) => papers.map((p) => ({ ...p, id: `${p.id}${round}` }))).flat();
    const text = toBibtexFile(many, { includeAbstract: true });
    const load = (t: string): Promise<LibraryParse> => loadLibrary(workerFile, { kind: 'bibtex', sourceName: 'refs.bib', bytes: new TextEncoder().encode(t) }).result;

    assert.deepEqual(await load(text), parseBibtexLibrary(text, 'refs.bib'));
    // A child near the start whose parent is near the end.
    const child = '@inproceedings{child,\n  title = {Child},\n  %s = {parent},\n}\n\n';
    const parent = '\n@proceedings{parent,\n  title = {Proceedings of the Parent Conference},\n  year = {2024},\n}\n';
    for (const spelling of ['crossref', 'cRoSsReF']) {
      const linked = child.replace('%s', spelling) + text + parent;
      const single = parseBibtexLibrary(linked, 'refs.bib');
      assert.equal(single.papers[0]['container-title'], 'Proceedings of the Parent Conference');
      assert.deepEqual(await load(linked), single, spelling);
    }
  });

  it('stops the worker when the load is cancelled', { skip: !fs.existsSync(workerFile) && 'dist/load-worker.js is not built' }, async () => {
    let text = '';
    for (let i = 0; i < 40_000; i++) text += entry(`k${i}`, `Title number ${i} about tokenization and arithmetic in small transformers`);
    const job = loadLibrary(workerFile, { kind: 'bibtex', sourceName: 'refs.bib', bytes: new TextEncoder().encode(text) });
    setTimeout(() => job.cancel(), 50);
    const started = performance.now();
    await assert.rejects(job.result, LoadCancelled);
    assert.ok(performance.now() - started < 500, 'cancelling does not wait for the parse');
  });
});

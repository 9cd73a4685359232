import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnlineCache } from '../../src/node/online/cache';

const DAY = 24 * 3600 * 1000;

describe('the online disk cache', () => {
  let dir: string;
  let now: number;
  const cache = (ttlMs?: number): OnlineCache => new OnlineCache(dir, { ttlMs, now: () => now });
  const files = (kind: 'query' | 'record'): string[] => {
    const folder = path.join(dir, 'v1', kind);
    return fs.existsSync(folder) ? fs.readdirSync(folder).map((name) => path.join(folder, name)) : [];
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cache-'));
    now = Date.UTC(2026, 0, 1);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers a stored query until its TTL (7 days by default), then misses', async () => {
    const value = { papers: [{ id: '', title: 'Attention Is All You Need' }], total: 2 };
    assert.equal(await cache().putQuery('search\u0000arxiv\u0000attention', value), true);
    assert.deepEqual(await cache().getQuery('search\u0000arxiv\u0000attention'), { value, storedAt: now });
    now += 7 * DAY - 1;
    assert.ok(await cache().getQuery('search\u0000arxiv\u0000attention'));
    now += 1;
    assert.equal(await cache().getQuery('search\u0000arxiv\u0000attention'), undefined);
    assert.equal(await cache().getQuery('another key'), undefined);
  });

  it('takes the TTL from the caller', async () => {
    await cache(1000).putQuery('k', 1);
    now += 999;
    assert.ok(await cache(1000).getQuery('k'));
    now += 1;
    assert.equal(await cache(1000).getQuery('k'), undefined);
  });

  it('keeps records without expiry', async () => {
    await cache().putRecord('record\u0000doi:10.18653/v1/n19-1423', { title: 'BERT' });
    now += 3650 * DAY;
    assert.deepEqual((await cache().getRecord('record\u0000doi:10.18653/v1/n19-1423'))?.value, { title: 'BERT' });
    assert.equal(await cache().getQuery('record\u0000doi:10.18653/v1/n19-1423'), undefined, 'kinds are apart');
  });

  it('writes atomically: no temporary files left, a rewrite replaces the entry', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache().putQuery('same', { i })));
    const [file, ...others] = files('query');
    assert.equal(others.length, 0);
    assert.ok(file.endsWith('.json'));
    const hit = await cache().getQuery<{ i: number }>('same');
    assert.ok(hit && hit.value.i >= 0 && hit.value.i < 20, 'one whole write won');
  });

  it('detects and ignores corrupt, partial, edited, foreign and other-version files', async () => {
    const corruptions: [string, (text: string) => string][] = [
      ['cut short', (text) => text.slice(0, text.length - 10)],
      ['body edited', (text) => text.replace('Attention', 'Attenti0n')],
      ['no header line', (text) => text.slice(text.indexOf('\n') + 1)],
      ['header not JSON', (text) => `garbage${text.slice(text.indexOf('\n'))}`],
      ['another key', (text) => text.replace('"key":"q"', '"key":"other"')],
      ['another version', (text) => text.replace('"version":1', '"version":2')],
      ['empty', () => ''],
      ['binary', () => '\u0000\u0001\u0002'],
    ];
    for (const [what, corrupt] of corruptions) {
      await cache().putQuery('q', { title: 'Attention Is All You Need' });
      const [file] = files('query');
      fs.writeFileSync(file, corrupt(fs.readFileSync(file, 'utf8')));
      assert.equal(await cache().getQuery('q'), undefined, what);
      assert.equal(files('query').length, 0, `${what}: the bad file is removed`);
    }
  });

  it('is a miss, never an error, when the directory cannot be used', async () => {
    const blocked = path.join(dir, 'file');
    fs.writeFileSync(blocked, 'not a folder');
    const broken = new OnlineCache(blocked, { now: () => now });
    assert.equal(await broken.putQuery('k', 1), false);
    assert.equal(await broken.getQuery('k'), undefined);
  });

  it('prunes expired answers', async () => {
    await cache(1000).putQuery('old', 1);
    now += 500;
    await cache(1000).putQuery('new', 2);
    now += 600;
    assert.equal(await cache(1000).prune(), 1);
    assert.ok(await cache(1000).getQuery('new'));
  });

  it('answers a cached query of 25 papers in under 5 ms', async () => {
    const paper = { id: '', type: 'article', title: 'Attention Is All You Need', author: Array.from({ length: 8 }, () => ({ family: 'Vaswani', given: 'Ashish' })), abstract: 'x'.repeat(1500) };
    await cache().putQuery('q', { papers: Array.from({ length: 25 }, () => paper) });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      assert.ok(await cache().getQuery('q'));
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    assert.ok(times[10] < 5, `median ${times[10].toFixed(2)} ms`);
  });
});

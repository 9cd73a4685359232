import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { listZotero, loadZoteroPapers, searchZotero, zoteroBibtex, zoteroCliSettings, type ZoteroCliEnvironment } from '../../src/cli/zotero';
import { startFakeZotero, type FakeZotero } from '../servers/zotero-server';

let zotero: FakeZotero;
let cacheDir: string;

before(async () => {
  zotero = await startFakeZotero();
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cli-cache-'));
});
after(async () => {
  await zotero.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

function localEnv(extra: ZoteroCliEnvironment = {}): ZoteroCliEnvironment {
  return { LITCITE_ZOTERO_LOCAL_URL: zotero.localApiUrl, LITCITE_CACHE_DIR: cacheDir, ...extra };
}

describe('litcite --zotero: settings from the environment', () => {
  it('reads the local user library by default, and the web API when a key is set', () => {
    assert.deepEqual(zoteroCliSettings({ LITCITE_CACHE_DIR: '/c' }), {
      via: 'local', library: 'users/0', localApiUrl: 'http://localhost:23119/api', webApiUrl: 'https://api.zotero.org', apiKey: undefined, cacheDir: '/c',
    });
    const web = zoteroCliSettings({ LITCITE_ZOTERO_API_KEY: 'k', LITCITE_ZOTERO_LIBRARY: 'groups/12345', LITCITE_ZOTERO_WEB_URL: 'http://proxy:8080', LITCITE_CACHE_DIR: '/c' });
    assert.ok(!('error' in web));
    assert.equal(web.via, 'web');
    assert.equal(web.library, 'groups/12345');
    assert.equal(web.webApiUrl, 'http://proxy:8080');
  });

  it('names a bad library or URL in one line', () => {
    assert.deepEqual(zoteroCliSettings({ LITCITE_ZOTERO_LIBRARY: 'group/12' }), { error: "LITCITE_ZOTERO_LIBRARY must be users/<id> or groups/<id> (e.g. groups/12345), not 'group/12'" });
    assert.match((zoteroCliSettings({ LITCITE_ZOTERO_LOCAL_URL: 'localhost:23119' }) as { error: string }).error, /LITCITE_ZOTERO_LOCAL_URL must be an http\(s\) URL/);
  });

});

describe('litcite --zotero: commands against a fake Zotero', () => {
  it('lists the library newest first, and the next run is one request thanks to the cache', async () => {
    const listed = await listZotero(localEnv());
    assert.ok(listed.ok);
    assert.equal(listed.value.length, 12);
    assert.equal(listed.value[0].id, 'yang2023lac', '2023, and "LAC" before "Teaching"');
    assert.equal(listed.value.at(-1)?.issued, undefined, 'undated items last');
    const years = listed.value.map((p) => p.issued?.['date-parts'][0]?.[0] ?? 0);
    assert.deepEqual(years, [...years].sort((a, b) => b - a));
    zotero.clearRequests();
    const again = await loadZoteroPapers(localEnv());
    assert.ok(again.ok);
    assert.equal(zotero.count((r) => r.surface === 'local'), 1, zotero.requests.map((r) => r.path).join('\n'));
  });

  it('searches the Zotero library by an abstract word', async () => {
    const result = await searchZotero('constant error carousel', localEnv(), { limit: 3 });
    assert.ok(result.ok);
    assert.equal(result.value[0].paper.id, 'hochreiter1997long');
  });

  it("prints Better BibTeX's export for known keys, LitCite's entry without Better BibTeX, and names unknown keys", async () => {
    const bbt = await zoteroBibtex(['vaswaniAttentionAllYou2017'], localEnv());
    assert.ok(bbt.ok);
    assert.equal(bbt.value, zotero.bbtExport(['vaswaniAttentionAllYou2017'], 'Better BibTeX'));
    const biblatex = await zoteroBibtex(['vaswaniAttentionAllYou2017'], localEnv(), { biblatex: true });
    assert.ok(biblatex.ok && biblatex.value.includes('eprinttype = {arXiv}'));

    const unknown = await zoteroBibtex(['nosuchkey2020'], localEnv());
    assert.deepEqual(unknown, { ok: false, error: 'unknown key in the Zotero library: nosuchkey2020' });

    zotero.setBetterBibtex(false);
    try {
      const own = await zoteroBibtex(['yang2023lac'], localEnv({ LITCITE_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cli-nobbt-')) }));
      assert.ok(own.ok);
      assert.match(own.value, /^@inproceedings\{yang2023lac,\n/);
      assert.match(own.value, /Brémond|Br\{\\'e\}mond|Br\\'\{e\}mond/);
    } finally {
      zotero.setBetterBibtex(true);
    }
  });

  it('says Zotero is not running, and how to use the web API instead, in one line', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const result = await loadZoteroPapers(localEnv({ LITCITE_ZOTERO_LOCAL_URL: `http://127.0.0.1:${port}/api` }));
    assert.ok(!result.ok);
    assert.equal(result.error, `Zotero is not running: nothing answers at http://127.0.0.1:${port}/api. Start Zotero 7 or later, or read the library from zotero.org: set LITCITE_ZOTERO_API_KEY and LITCITE_ZOTERO_LIBRARY.`);
    assert.ok(!result.error.includes('\n'));
  });

  it('names the Zotero setting when the local API is off', async () => {
    zotero.setLocalApi(false);
    try {
      const result = await loadZoteroPapers(localEnv({ LITCITE_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cli-off-')) }));
      assert.ok(!result.ok);
      assert.match(result.error, /local API is turned off .* In Zotero → Settings → Advanced, turn on "Allow other applications on this computer to communicate with Zotero"\.$/);
    } finally {
      zotero.setLocalApi(true);
    }
  });

  it('reads a group library from the web API, and names a rejected key', async () => {
    const env = { LITCITE_ZOTERO_WEB_URL: zotero.webApiUrl, LITCITE_ZOTERO_API_KEY: zotero.apiKey, LITCITE_ZOTERO_LIBRARY: `groups/${zotero.groupId}`, LITCITE_CACHE_DIR: cacheDir };
    const group = await loadZoteroPapers(env);
    assert.ok(group.ok);
    assert.equal(group.value.length, 4);
    const rejected = await loadZoteroPapers({ ...env, LITCITE_ZOTERO_API_KEY: 'WRONG' });
    assert.ok(!rejected.ok);
    assert.match(rejected.error, /^zotero\.org rejected the API key for groups\/4711 \(403\).* Check LITCITE_ZOTERO_API_KEY at https:\/\/www\.zotero\.org\/settings\/keys/);
  });
});

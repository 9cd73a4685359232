import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyZoteroChanges, changedSince, childrenByWork, collectionPaths, compactItem, emptySyncState, isUnchangedSince,
  keyDifferences, latestModified, versionDifferences, type ZoteroSyncState,
} from '../../src/core/zotero/sync';
import type { ZoteroCollection, ZoteroItem } from '../../src/core/zotero/types';
import userFixture from '../fixtures/zotero/user-library.json';

const ITEMS = userFixture.items as unknown as ZoteroItem[];
const COLLECTIONS = userFixture.collections as unknown as ZoteroCollection[];

function stored(): ZoteroSyncState {
  return applyZoteroChanges(emptySyncState(), { items: ITEMS, collections: COLLECTIONS, cursor: { kind: 'version', version: 118 } }).state;
}

function item(key: string, data: Record<string, unknown>, version = 200): ZoteroItem {
  return { key, version, data: { key, version, itemType: 'journalArticle', title: key, ...data } };
}

function sorted(set: Iterable<string>): string[] {
  return [...set].sort();
}

describe('Zotero incremental sync (pure)', () => {
  it('applies a first batch: every work is touched, trashed items are not kept', () => {
    const { state, touched, removed } = applyZoteroChanges(emptySyncState(), { items: ITEMS, collections: COLLECTIONS, cursor: { kind: 'version', version: 118 } });
    assert.deepEqual(state.cursor, { kind: 'version', version: 118 });
    assert.equal(state.items.has('TRSHOLD1'), false, 'an item in the trash is not stored');
    assert.equal(state.items.size, ITEMS.length - 1);
    assert.deepEqual(sorted(touched), ['CLRKPARS', 'GOODCH10', 'GRAVESTH', 'HOCHLSTM', 'LEEARTH2', 'LINDMS24', 'SUTTON18', 'VSWNA7TT', 'WISNMSC1', 'WU16GNMT', 'YANGLAC3', 'ZDOCLAPI']);
    assert.equal(removed.size, 0);
  });

  it('touches a changed work, adds a new one, and leaves the old copy unchanged', () => {
    const before = stored();
    const changed = { ...ITEMS.find((i) => i.key === 'SUTTON18')!, version: 119 };
    const { state, touched, removed } = applyZoteroChanges(before, { items: [changed, item('NEWITEM1', {})], cursor: { kind: 'version', version: 120 } });
    assert.deepEqual(sorted(touched), ['NEWITEM1', 'SUTTON18']);
    assert.equal(removed.size, 0);
    assert.equal(state.items.get('SUTTON18')?.version, 119);
    assert.equal(before.items.get('SUTTON18')?.version, 54, 'pure: the input copy is not changed');
    assert.deepEqual(state.cursor, { kind: 'version', version: 120 });
  });

  it('rebuilds the parent when a child note or attachment changes, is added, deleted or moves', () => {
    const before = stored();
    const newNote = item('NOTE0001', { itemType: 'note', parentItem: 'SUTTON18', note: '<p>x</p>' });
    assert.deepEqual(sorted(applyZoteroChanges(before, { items: [newNote], cursor: { kind: 'version', version: 121 } }).touched), ['SUTTON18']);
    assert.deepEqual(sorted(applyZoteroChanges(before, { deletedItems: ['N2VSWN01'], cursor: { kind: 'version', version: 121 } }).touched), ['VSWNA7TT']);
    const moved = { ...ITEMS.find((i) => i.key === 'K7PDFA01')!, data: { ...ITEMS.find((i) => i.key === 'K7PDFA01')!.data, parentItem: 'HOCHLSTM' } };
    assert.deepEqual(sorted(applyZoteroChanges(before, { items: [moved], cursor: { kind: 'version', version: 121 } }).touched), ['HOCHLSTM', 'VSWNA7TT']);
  });

  it('removes deleted and trashed works, and their papers', () => {
    const before = stored();
    const trashed = { ...ITEMS.find((i) => i.key === 'LEEARTH2')!, data: { ...ITEMS.find((i) => i.key === 'LEEARTH2')!.data, deleted: 1 } };
    const { state, touched, removed } = applyZoteroChanges(before, { items: [trashed], deletedItems: ['SUTTON18', 'NOTSTORED'], cursor: { kind: 'version', version: 125 } });
    assert.deepEqual(sorted(removed), ['LEEARTH2', 'SUTTON18']);
    assert.equal(touched.size, 0);
    assert.equal(state.items.has('LEEARTH2'), false);
    assert.equal(state.items.has('P3LEEPDF'), true, 'children stay until Zotero deletes them');
  });

  it('touches the members of a renamed collection and of the collections below it', () => {
    const before = stored();
    const renamed = { ...COLLECTIONS.find((c) => c.key === 'THS7QK2C')!, data: { ...COLLECTIONS.find((c) => c.key === 'THS7QK2C')!.data, name: 'Dissertation' } };
    const { state, touched } = applyZoteroChanges(before, { collections: [renamed], cursor: { kind: 'version', version: 126 } });
    assert.deepEqual(sorted(touched), ['GOODCH10', 'GRAVESTH', 'HOCHLSTM', 'LINDMS24', 'VSWNA7TT', 'WU16GNMT']);
    assert.equal(collectionPaths(state.collections).get('CH2SEQ4M'), 'Dissertation / Chapter 2: Sequence models');
    assert.deepEqual(sorted(applyZoteroChanges(before, { deletedCollections: ['RDNG8XPL'], cursor: { kind: 'version', version: 127 } }).touched), ['LEEARTH2', 'VSWNA7TT']);
  });

  it('reports a work that became a child item as removed', () => {
    const before = stored();
    const child = item('SUTTON18', { itemType: 'note', parentItem: 'HOCHLSTM' });
    const { touched, removed } = applyZoteroChanges(before, { items: [child], cursor: { kind: 'version', version: 130 } });
    assert.deepEqual(sorted(removed), ['SUTTON18']);
    assert.deepEqual(sorted(touched), ['HOCHLSTM']);
  });

  it('ignores malformed entries in a batch', () => {
    const junk = [null, { key: 5 }, { key: 'NODATA01' }, { key: 'BADDATA1', data: 'x' }] as unknown as ZoteroItem[];
    const { state, touched } = applyZoteroChanges(emptySyncState(), { items: junk, collections: [null, { key: 'C' }] as unknown as ZoteroCollection[], cursor: { kind: 'version', version: 1 } });
    assert.equal(state.items.size, 0);
    assert.equal(touched.size, 0);
  });

  it('finds collection paths without looping on cycles', () => {
    const cycle = new Map<string, ZoteroCollection>([
      ['A', { key: 'A', version: 1, data: { name: 'A', parentCollection: 'B' } }],
      ['B', { key: 'B', version: 1, data: { name: 'B', parentCollection: 'A' } }],
      ['C', { key: 'C', version: 1, data: { name: '', parentCollection: 'MISSING' } }],
    ]);
    const paths = collectionPaths(cycle);
    assert.equal(paths.get('A'), 'B / A');
    assert.equal(paths.get('C'), '(unnamed)');
  });

  it('groups notes and attachments under their work', () => {
    const children = childrenByWork(ITEMS);
    assert.deepEqual(children.get('LEEARTH2')?.map((c) => c.key).sort(), ['N5LEENT1', 'N6LEENT2', 'P3LEEPDF', 'S4LEESNP']);
    assert.equal(children.has('STANDNT1'), false, 'a standalone note belongs to no work');
  });

  it('reconciles against the full version list and the full key list', () => {
    const state = stored();
    const versions: Record<string, number> = {};
    for (const [key, i] of state.items) versions[key] = i.version;
    delete versions.SUTTON18;
    versions.HOCHLSTM = 500;
    versions.BRANDNEW = 501;
    assert.deepEqual(versionDifferences(state.items, versions), { fetch: ['HOCHLSTM', 'BRANDNEW'], deleted: ['SUTTON18'] });
    assert.deepEqual(keyDifferences(new Set(['A', 'B']), ['B', 'C']), { fetch: ['C'], deleted: ['A'] });
  });

  it('tells an unchanged library by count and latest change, and pages changes newest first', () => {
    const cursor = { kind: 'modified' as const, dateModified: '2024-06-12T18:45:10Z', total: 19, topKey: 'LINDMS24' };
    assert.equal(isUnchangedSince(cursor, { total: 19, topKey: 'LINDMS24', topDateModified: '2024-06-12T18:45:10Z' }), true);
    assert.equal(isUnchangedSince(cursor, { total: 18, topKey: 'LINDMS24', topDateModified: '2024-06-12T18:45:10Z' }), false, 'an item went away');
    assert.equal(isUnchangedSince(cursor, { total: 19, topKey: 'SUTTON18', topDateModified: '2024-07-01T00:00:00Z' }), false, 'an item changed');
    assert.equal(isUnchangedSince({ kind: 'version', version: 3 }, { total: 19 }), false);

    const page = [item('A', { dateModified: '2024-07-02T00:00:00Z' }), item('B', { dateModified: '2024-07-01T00:00:00Z' })];
    assert.deepEqual(changedSince(page, '2024-07-01T00:00:00Z').more, true);
    assert.deepEqual(changedSince(page, '2024-07-01T12:00:00Z').items.map((i) => i.key), ['A']);
    assert.equal(changedSince(page, '2024-07-01T12:00:00Z').more, false);
    assert.deepEqual(latestModified(page), { dateModified: '2024-07-02T00:00:00Z', key: 'A' });
  });

  it('keeps only what papers use when compacting items', () => {
    const note = compactItem(ITEMS.find((i) => i.key === 'N2VSWN01')!);
    assert.equal(note.data.note, undefined, 'note HTML is not kept');
    assert.equal(note.data.parentItem, 'VSWNA7TT');
    const work = compactItem({ ...ITEMS.find((i) => i.key === 'VSWNA7TT')!, links: { self: { href: 'x' }, enclosure: { href: 'file:///x.pdf' } }, meta: { parsedDate: '2017', numChildren: 2 } });
    assert.equal(work.data.relations, undefined);
    assert.equal(work.data.abstractNote !== undefined, true);
    assert.deepEqual(work.links, { enclosure: { href: 'file:///x.pdf' } });
    assert.deepEqual(work.meta, { parsedDate: '2017' });
  });
});

/**
 * Applying a fetched batch to a library's copy on the extension host's main thread: in chunks,
 * yielding between them, because a first sync's thousands of items in one `applyZoteroChanges`
 * would hold the thread too long.
 */
import { applyZoteroChanges, compactCollection, isWork, type AppliedChanges, type ZoteroChanges, type ZoteroSyncState } from '../../core/zotero/sync';
import type { Slicer } from './slices';

/** Items applied per step: a first sync's thousands in one `applyZoteroChanges` would hold the thread too long. */
const APPLY_CHUNK = 1000;

/** `applyZoteroChanges` for a large batch, a chunk of items at a time, yielding between chunks. */
export async function applyInChunks(state: ZoteroSyncState, changes: ZoteroChanges, slicer: Slicer): Promise<AppliedChanges> {
  const items = changes.items ?? [];
  if (items.length <= APPLY_CHUNK) return applyZoteroChanges(state, changes);
  let current = state;
  const touched = new Set<string>();
  const removed = new Set<string>();
  for (let start = 0; start < items.length; start += APPLY_CHUNK) {
    const last = start + APPLY_CHUNK >= items.length;
    const step = applyZoteroChanges(current, {
      items: items.slice(start, start + APPLY_CHUNK),
      ...(start === 0 ? { deletedItems: changes.deletedItems, collections: changes.collections, deletedCollections: changes.deletedCollections } : {}),
      cursor: last ? changes.cursor : current.cursor ?? changes.cursor,
    });
    current = step.state;
    for (const key of step.touched) touched.add(key);
    for (const key of step.removed) removed.add(key);
    await slicer.yield();
  }
  // A key may be removed by one chunk and rebuilt by another: the final copy decides.
  for (const key of touched) if (!isPaperIn(current, key)) touched.delete(key);
  for (const key of removed) if (isPaperIn(current, key) || !isPaperIn(state, key)) removed.delete(key);
  return { state: current, touched, removed };
}

function isPaperIn(state: ZoteroSyncState, key: string): boolean {
  const item = state.items.get(key);
  return !!item && isWork(item);
}

/** The batch with its collections compacted (the fetch routines compact items as each page arrives). */
export function compactChanges(changes: ZoteroChanges): ZoteroChanges {
  const collections = (changes.collections ?? [])
    .filter((c) => c && typeof c.key === 'string' && c.data && typeof c.data === 'object')
    .map(compactCollection);
  return { ...changes, collections };
}

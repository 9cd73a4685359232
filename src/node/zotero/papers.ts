/**
 * A library's papers, kept in step with its synced copy: works re-mapped when they (or their
 * notes, attachments or collections) change, and citation keys chosen so they stay put — user
 * keys as given, template keys kept across syncs and re-chosen only for papers whose base changed.
 * All the per-item work runs in slices.
 */
import { chooseCitationKey, userKey, type ChosenKey, type ZoteroKeyCandidates } from '../../core/zotero/citekey';
import { mapZoteroItem, type MappedZoteroItem } from '../../core/zotero/map';
import { collectionPaths, isWork, workKeyOf, type ZoteroSyncState } from '../../core/zotero/sync';
import type { ZoteroItem, ZoteroLibraryRef } from '../../core/zotero/types';
import type { Paper } from '../../core/types';
import type { Slicer } from './slices';

/** What a paper set needs to know. */
export interface PaperSetOptions {
  library: ZoteroLibraryRef;
  /** LitCite's key template. */
  keyTemplate: string;
  /** Attachment locations name files on this machine (the local API). */
  localFiles: boolean;
  /** Keys other sources already use, which template keys avoid. */
  takenElsewhere?: () => ReadonlySet<string>;
}

/** Which works to rebuild: all of them, or those a batch touched and removed. */
export type Rebuild = { all: true } | { all: false; touched: ReadonlySet<string>; removed: ReadonlySet<string> };

/** The papers of one library. */
export class ZoteroPaperSet {
  private readonly mapped = new Map<string, MappedZoteroItem>();
  private readonly keys = new Map<string, ChosenKey>();
  private readonly byCitekey = new Map<string, string>();
  private ordered: Paper[] = [];
  /** Better BibTeX's keys by item key. */
  readonly betterBibtexKeys = new Map<string, string>();

  constructor(private readonly options: PaperSetOptions) {}

  /** The papers, oldest addition first. */
  get papers(): readonly Paper[] {
    return this.ordered;
  }

  /** The key each work has (for persisting). */
  keyOf(itemKey: string): ChosenKey | undefined {
    return this.keys.get(itemKey);
  }

  /** The Zotero item behind a citation key. */
  itemKeyFor(citekey: string): string | undefined {
    return this.byCitekey.get(citekey);
  }

  /** The mapped item behind a citation key (its `tex.*` fields, its Zotero keys). */
  mappedFor(citekey: string): MappedZoteroItem | undefined {
    const itemKey = this.byCitekey.get(citekey);
    return itemKey ? this.mapped.get(itemKey) : undefined;
  }

  /** Takes keys given before (from a saved copy), kept while they still fit. */
  restoreKeys(keys: Iterable<[string, ChosenKey]>): void {
    for (const [itemKey, key] of keys) this.keys.set(itemKey, key);
  }

  /** Drops every paper and key (a different library, or a reset copy). */
  clear(): void {
    this.mapped.clear();
    this.keys.clear();
    this.byCitekey.clear();
    this.betterBibtexKeys.clear();
    this.ordered = [];
  }

  /** Re-maps the works a batch touched (or all) and chooses their keys. */
  async rebuild(state: ZoteroSyncState, rebuild: Rebuild, slicer: Slicer): Promise<void> {
    const paths = collectionPaths(state.collections);
    const children = await childrenInSlices(state.items.values(), slicer);
    const context = {
      library: this.options.library,
      collectionPath: (key: string) => paths.get(key),
      localFiles: this.options.localFiles,
    };
    const targets: string[] = [];
    if (rebuild.all) {
      for (const [key, item] of state.items) {
        if (isWork(item)) targets.push(key);
        if (slicer.due) await slicer.yield();
      }
      const wanted = new Set(targets);
      for (const key of new Set([...this.mapped.keys(), ...this.keys.keys()])) if (!wanted.has(key)) this.forget(key);
    } else {
      for (const key of rebuild.removed) this.forget(key);
      targets.push(...rebuild.touched);
    }

    const remapped: string[] = [];
    for (const key of targets) {
      const item = state.items.get(key);
      const mapped = item ? mapZoteroItem(item, { ...context, children: children.get(key) }) : undefined;
      if (mapped) {
        this.mapped.set(key, mapped);
        remapped.push(key);
      } else {
        this.forget(key);
      }
      if (slicer.due) await slicer.yield();
    }
    await this.chooseKeys(remapped, rebuild.all, slicer);
    this.order();
  }

  private forget(itemKey: string): void {
    this.mapped.delete(itemKey);
    const key = this.keys.get(itemKey);
    if (key && this.byCitekey.get(key.key) === itemKey) this.byCitekey.delete(key.key);
    this.keys.delete(itemKey);
  }

  private candidates(mapped: MappedZoteroItem): ZoteroKeyCandidates {
    return { zotero: mapped.nativeKey, betterBibtex: this.betterBibtexKeys.get(mapped.itemKey), extra: mapped.pinnedKey };
  }

  /**
   * Keys for re-mapped works, in the order items were added (so a full rebuild gives the same keys
   * every run). User keys first, so a template key never takes one; a template-keyed paper whose
   * key a user key now claims is re-keyed.
   */
  private async chooseKeys(itemKeys: readonly string[], all: boolean, slicer: Slicer): Promise<void> {
    const order = itemKeys.map((key) => [addedOrder(this.mapped.get(key)), key] as const).sort(byFirst).map(([, key]) => key);
    const changing = new Set(order);
    const taken = new Set(this.options.takenElsewhere?.() ?? []);
    for (const [itemKey, key] of this.keys) if (!changing.has(itemKey) && this.mapped.has(itemKey)) taken.add(key.key);

    const pending: string[] = [];
    const claimed = new Set<string>();
    for (const itemKey of order) {
      const own = userKey(this.candidates(this.mapped.get(itemKey)!));
      if (own) {
        this.setKey(itemKey, own);
        taken.add(own.key);
        claimed.add(own.key);
      } else {
        pending.push(itemKey);
      }
      if (slicer.due) await slicer.yield();
    }
    // Template-keyed papers outside this batch whose key a user key just claimed.
    if (!all) {
      for (const [itemKey, key] of this.keys) {
        if (key.source === 'template' && claimed.has(key.key) && !changing.has(itemKey)) pending.push(itemKey);
      }
    }
    for (const itemKey of pending) {
      const mapped = this.mapped.get(itemKey)!;
      const previous = this.keys.get(itemKey);
      const template = previous?.source === 'template' && !claimed.has(previous.key) ? previous.key : undefined;
      const chosen = chooseCitationKey(this.candidates(mapped), mapped.paper, taken, this.options.keyTemplate, template);
      this.setKey(itemKey, chosen);
      taken.add(chosen.key);
      if (slicer.due) await slicer.yield();
    }
  }

  private setKey(itemKey: string, chosen: ChosenKey): void {
    const old = this.keys.get(itemKey);
    if (old && this.byCitekey.get(old.key) === itemKey) this.byCitekey.delete(old.key);
    this.keys.set(itemKey, chosen);
    // A user key takes the lookup from a template key (which is then re-chosen); two user keys that
    // coincide (the user's own duplicate) leave it with the first.
    const holder = this.byCitekey.get(chosen.key);
    if (!holder || (chosen.source !== 'template' && this.keys.get(holder)?.source === 'template')) this.byCitekey.set(chosen.key, itemKey);
    const mapped = this.mapped.get(itemKey);
    if (mapped) mapped.paper.id = chosen.key;
  }

  private order(): void {
    this.ordered = [...this.mapped.values()].map((m) => [addedOrder(m), m] as const).sort(byFirst).map(([, m]) => m.paper);
  }
}

/** Notes and attachments by the work they belong to (`childrenByWork`, in slices). */
async function childrenInSlices(items: Iterable<ZoteroItem>, slicer: Slicer): Promise<Map<string, ZoteroItem[]>> {
  const result = new Map<string, ZoteroItem[]>();
  for (const item of items) {
    if (!isWork(item)) {
      const parent = workKeyOf(item);
      if (parent) {
        const list = result.get(parent);
        if (list) list.push(item);
        else result.set(parent, [item]);
      }
    }
    if (slicer.due) await slicer.yield();
  }
  return result;
}

/** Items in the order they were added to Zotero, then by key: the same order on every run. */
function addedOrder(mapped: MappedZoteroItem | undefined): string {
  return `${mapped?.dateAdded ?? ''}\u0000${mapped?.itemKey ?? ''}`;
}

function byFirst(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

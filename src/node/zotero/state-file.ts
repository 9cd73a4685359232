/**
 * A library's synced copy on disk, so a restart (or the next `litcite` run) continues with a cheap
 * poll instead of a full download. JSON Lines: a header line (format version, which API, base URL
 * and library it belongs to, the sync cursor, collections), then one line per item with its chosen
 * citation key. Lines are parsed and written in slices, so a 10,000-item copy never holds the
 * main thread for long. A file that is missing, corrupt, of another format version or of another
 * library is ignored: the caller syncs from scratch and overwrites it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ZoteroKeySource } from '../../core/zotero/citekey';
import type { SyncCursor } from '../../core/zotero/sync';
import type { ZoteroCollection, ZoteroItem } from '../../core/zotero/types';
import type { Slicer } from './slices';

/** Bumped whenever the file's meaning changes; older files are ignored. */
export const STATE_FORMAT_VERSION = 1;
const FORMAT = 'litcite-zotero-state';

/** What identifies the library a file belongs to. */
export interface StateIdentity {
  via: 'local' | 'web';
  baseUrl: string;
  /** `users/0`, `groups/4711`. */
  library: string;
}

/** The header line. */
export interface StateHeader extends StateIdentity {
  format: typeof FORMAT;
  formatVersion: number;
  cursor: SyncCursor;
  /** The library the API answered for (`users/0` on the web API resolves to the key owner's `users/<id>`). */
  resolved: string;
  /** Zotero 10+'s local database id; a different one means other versions. */
  serverId?: string;
  libraryName: string;
  /** Better BibTeX's version when it answered, false when it did not. */
  betterBibtex?: string | false;
  /** The key template the stored template keys were made with. */
  keyTemplate: string;
  collections: ZoteroCollection[];
  savedAt: string;
}

/** One item line: the item and, for works, the key it was given. */
export interface StateLine {
  item: ZoteroItem;
  key?: string;
  source?: ZoteroKeySource;
  /** Better BibTeX's key for it, when Better BibTeX gave one. */
  bbt?: string;
}

/** A read state file. */
export interface StoredState {
  header: StateHeader;
  lines: StateLine[];
}

/** The file for a library in a folder: readable, and unique per API, server and library. */
export function stateFilePath(folder: string, identity: StateIdentity): string {
  const hash = createHash('sha256').update(`${identity.via}\n${identity.baseUrl}\n${identity.library}`).digest('hex').slice(0, 10);
  return path.join(folder, `zotero-${identity.via}-${identity.library.replace('/', '-')}-${hash}.jsonl`);
}

/** Reads a state file, or undefined when it is missing, unreadable, corrupt or for another library or format. */
export async function readStateFile(file: string, identity: StateIdentity, slicer: Slicer): Promise<StoredState | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch {
    return undefined;
  }
  try {
    let start = 0;
    let header: StateHeader | undefined;
    const lines: StateLine[] = [];
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      if (end > start) {
        const value = JSON.parse(bytes.toString('utf8', start, end)) as unknown;
        if (!header) {
          header = value as StateHeader;
          if (!isValidHeader(header, identity)) return undefined;
        } else {
          const line = value as StateLine;
          if (!line || typeof line !== 'object' || !line.item || typeof line.item.key !== 'string' || !line.item.data) return undefined;
          lines.push(line);
        }
      }
      start = end + 1;
      if (slicer.due) await slicer.yield();
    }
    return header ? { header, lines } : undefined;
  } catch {
    return undefined;
  }
}

function isValidHeader(header: StateHeader, identity: StateIdentity): boolean {
  return !!header && header.format === FORMAT && header.formatVersion === STATE_FORMAT_VERSION
    && header.via === identity.via && header.baseUrl === identity.baseUrl && header.library === identity.library
    && !!header.cursor && (header.cursor.kind === 'version' || header.cursor.kind === 'modified')
    && Array.isArray(header.collections) && typeof header.keyTemplate === 'string' && typeof header.resolved === 'string';
}

/** Writes a state file (to a temporary name, then renamed over the old one, so a crash never leaves half a file). */
export async function writeStateFile(file: string, header: StateHeader, lines: Iterable<StateLine>, slicer: Slicer): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await fs.promises.open(temporary, 'w');
  try {
    let chunk = `${JSON.stringify(header)}\n`;
    for (const line of lines) {
      chunk += `${JSON.stringify(line)}\n`;
      if (slicer.due) {
        await handle.write(chunk);
        chunk = '';
        await slicer.yield();
      }
    }
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temporary, file);
}

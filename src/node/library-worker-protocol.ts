/** The messages between the extension and its library worker (dist/library-worker.js). */
import type { BibDelta } from '../core/bibtex/incremental';
import type { MacroDefinition } from '../core/bibtex/read';
import type { SourceIdentity } from '../core/cache-format';
import type { Problem } from '../core/types';

export type WorkerRequest =
  /** Load a file: from its cache entry when it still describes it, else parse and index it. */
  | { type: 'load'; id: number; file: string; cacheDir?: string; external?: Array<[string, MacroDefinition]> }
  /** The file (or its unsaved buffer, `text`) changed: read only what the edit touched when that is enough. */
  | { type: 'update'; id: number; file: string; text?: string; cacheDir?: string; external?: Array<[string, MacroDefinition]> }
  | { type: 'forget'; file: string };

export type WorkerReply =
  /** The file in the cache format (transferred, not copied). */
  | { type: 'loaded'; id: number; bytes: Uint8Array; fromCache: boolean; parseMs: number }
  /** An edit read on its own: the entries it replaced and added, the file's problems now. */
  | { type: 'delta'; id: number; delta: BibDelta; problems: Problem[]; identity: SourceIdentity }
  | { type: 'failed'; id: number; message: string; missing: boolean };

/* Build step: parses the bundled corpus once so the extension and CLI load it without parsing. */
import * as path from 'path';
import { writeCorpusCache } from './seeds';

const root = path.join(__dirname, '..');
const count = writeCorpusCache(path.join(root, 'seeds'), path.join(root, 'dist', 'seeds-cache.bin'));
console.log(`dist/seeds-cache.bin         ${count} papers`);

/* Build step: parses the bundled corpus once so the extension and CLI load it without parsing. */
import * as path from 'path';
import { writeCorpusCache } from './seeds';

const root = path.join(__dirname, '..');
const count = writeCorpusCache(path.join(root, 'seeds'), path.join(root, 'dist', 'seeds-cache.json'));
console.log(`dist/seeds-cache.json        ${count} papers`);

/* Entry point of dist/load-worker.js: parses one library file off the extension host's main thread. */
import { parentPort } from 'worker_threads';
import { BATCH_SIZE, LoadMessage, LoadRequest, parseLibrary } from './library-loader';

const port = parentPort;
port?.once('message', (request: LoadRequest) => {
  const post = (message: LoadMessage): void => port.postMessage(message);
  try {
    const started = performance.now();
    const { papers, problems } = parseLibrary(request);
    for (let i = 0; i < papers.length; i += BATCH_SIZE) post({ type: 'papers', papers: papers.slice(i, i + BATCH_SIZE) });
    post({ type: 'done', problems, parseMs: performance.now() - started });
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message });
  }
});

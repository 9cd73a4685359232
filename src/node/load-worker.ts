/* Entry point of dist/load-worker.js: parses one library file off the extension host's main thread. */
import { parentPort } from 'worker_threads';
import type { Paper } from '../core/types';
import { BATCH_SIZE, LoadMessage, LoadRequest, parseLibrary } from './library-loader';

const port = parentPort;
port?.once('message', (request: LoadRequest) => {
  const post = (message: LoadMessage): void => port.postMessage(message);
  let batches: Paper[][] = [];
  let done: LoadMessage | undefined;
  // A batch per request: the main thread asks for the next only after handling one, so its
  // event loop runs between batches instead of draining all of them in one go.
  const next = (): void => {
    const batch = batches.shift();
    if (batch) post({ type: 'papers', papers: batch });
    else if (done) post(done);
  };
  try {
    const started = performance.now();
    const { papers, problems } = parseLibrary(request);
    for (let i = 0; i < papers.length; i += BATCH_SIZE) batches.push(papers.slice(i, i + BATCH_SIZE));
    done = { type: 'done', problems, parseMs: performance.now() - started };
  } catch (err) {
    batches = [];
    done = { type: 'failed', message: (err as Error).message };
  }
  port.on('message', next);
  // Two in flight: the next batch is serialised here while the main thread reads the last one.
  next();
  next();
});

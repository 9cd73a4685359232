import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGet, parseBackoff, parseRetryAfter, USER_AGENT } from '../../src/node/online/http';
import { RequestGate } from '../../src/node/online/request-gate';
import { type OnlineFixtureServer, startOnlineServer } from '../servers/online-server';

describe('Retry-After and Backoff', () => {
  const now = Date.UTC(2026, 9, 21, 7, 28, 0);

  it('reads delay-seconds and HTTP-dates', () => {
    assert.equal(parseRetryAfter('20', now), 20_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date in the past: now');
  });

  it('refuses what is neither, and caps absurd waits at a day', () => {
    for (const value of [undefined, null, '', '-5', '1.5', 'soon', 'Wed, 99 Foo 2026']) assert.equal(parseRetryAfter(value, now), undefined, String(value));
    assert.equal(parseRetryAfter('99999999', now), 24 * 3600 * 1000);
  });

  it('reads Backoff seconds', () => {
    assert.equal(parseBackoff('5'), 5000);
    assert.equal(parseBackoff('x'), undefined);
    assert.equal(parseBackoff(null), undefined);
  });
});

describe('one request', () => {
  let server: OnlineFixtureServer;
  before(async () => { server = await startOnlineServer(); });
  after(() => server.close());
  beforeEach(() => server.reset());

  const crossref = (query: string): string => `${server.crossrefApiUrl}/works?query.bibliographic=${encodeURIComponent(query)}`;

  it('answers ok with the body, sending the User-Agent and the headers given', async () => {
    const outcome = await httpGet({ url: crossref('bert'), headers: { Accept: 'application/json', 'x-test': '1' } });
    assert.equal(outcome.kind, 'ok');
    assert.ok(outcome.kind === 'ok' && outcome.body.includes('BERT'));
    const [request] = server.requests;
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.equal(request.headers['x-test'], '1');
  });

  it('reads 429 and 503-with-Retry-After as rate-limited, other 503s and 404s as http', async () => {
    server.behave('crossref', { kind: 'rate-limited', status: 429, retryAfter: '20' }, 1);
    assert.deepEqual(await httpGet({ url: crossref('bert') }), { kind: 'rate-limited', status: 429, retryAfterMs: 20_000, body: '{"status":"error","message":"Too many requests"}' });
    server.behave('crossref', { kind: 'rate-limited', status: 503, retryAfter: 'Wed, 21 Oct 2026 07:28:30 GMT' }, 1);
    const dated = await httpGet({ url: crossref('bert'), now: () => Date.UTC(2026, 9, 21, 7, 28, 0) });
    assert.equal(dated.kind === 'rate-limited' && dated.retryAfterMs, 30_000);
    server.behave('crossref', { kind: 'rate-limited', status: 429 }, 1);
    const bare = await httpGet({ url: crossref('bert') });
    assert.equal(bare.kind, 'rate-limited');
    assert.equal(bare.kind === 'rate-limited' && bare.retryAfterMs, undefined);
    server.behave('crossref', { kind: 'unavailable' }, 1);
    const down = await httpGet({ url: crossref('bert') });
    assert.equal(down.kind === 'http' && down.status, 503);
    const missing = await httpGet({ url: `${server.crossrefApiUrl}/nothing` });
    assert.equal(missing.kind === 'http' && missing.status, 404);
  });

  it('passes on a Backoff the service asks for', async () => {
    server.behave('crossref', { kind: 'backoff', seconds: 7 }, 1);
    const outcome = await httpGet({ url: crossref('bert') });
    assert.equal(outcome.kind === 'ok' && outcome.backoffMs, 7000);
  });

  it('times out a slow answer', async () => {
    server.behave('crossref', { kind: 'slow', delayMs: 5000 });
    const start = performance.now();
    assert.deepEqual(await httpGet({ url: crossref('bert'), timeoutMs: 200 }), { kind: 'timeout', timeoutMs: 200 });
    assert.ok(performance.now() - start < 2000);
  });

  it('is cancelled by the signal, before or during the request', async () => {
    const early = new AbortController();
    early.abort();
    assert.deepEqual(await httpGet({ url: crossref('bert'), signal: early.signal }), { kind: 'cancelled' });
    assert.equal(server.requests.length, 0, 'nothing sent');
    server.behave('crossref', { kind: 'slow', delayMs: 5000 });
    const late = new AbortController();
    setTimeout(() => late.abort(), 100);
    assert.deepEqual(await httpGet({ url: crossref('bert'), signal: late.signal }), { kind: 'cancelled' });
  });

  it('reports a refused connection and a dropped one as offline, and a cut-off body as bad-body', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await httpGet({ url: `http://127.0.0.1:${port}/works` });
    assert.equal(refused.kind, 'offline');
    assert.equal(refused.kind === 'offline' && refused.code, 'ECONNREFUSED');
    server.behave('crossref', { kind: 'drop' }, 1);
    assert.equal((await httpGet({ url: crossref('bert') })).kind, 'offline');
    server.behave('crossref', { kind: 'cut-off' }, 1);
    const cut = await httpGet({ url: crossref('bert') });
    assert.equal(cut.kind, 'bad-body');
  });
});

describe('request pacing', () => {
  it('spaces request starts and limits how many run at once', async () => {
    const gate = new RequestGate({ minIntervalMs: 100, maxConcurrent: 1 });
    const starts: number[] = [];
    const task = async (): Promise<void> => {
      starts.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await Promise.all([gate.run(task), gate.run(task), gate.run(task)]);
    assert.equal(starts.length, 3);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 95, `gap ${starts[i] - starts[i - 1]}`);
  });

  it('lets a cancelled waiter leave the queue without running', async () => {
    const gate = new RequestGate({ minIntervalMs: 200, maxConcurrent: 1 });
    let ran = 0;
    const task = async (): Promise<number> => ++ran;
    const controller = new AbortController();
    const first = gate.run(task);
    const second = gate.run(task, controller.signal);
    controller.abort();
    assert.deepEqual(await second, { cancelled: true });
    assert.deepEqual(await first, { cancelled: false, value: 1 });
    assert.equal(gate.waiting, 0);
    assert.equal(ran, 1);
  });
});

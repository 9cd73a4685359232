import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rankCompletions } from '../../src/core/cite-complete';

describe('rankCompletions', () => {
  const candidates = [
    { key: 'shen2023positional', score: 0.9 },
    { key: 'lee2023teaching', score: 0.7 },
    { key: 'lee2023', score: 0.2 },
    { key: 'wu2016google', score: 0.8 },
    { key: 'shen2023positional', score: 0.1 },
  ];

  it('puts keys starting with the typed text first, shorter first, then the rest by score', () => {
    assert.deepEqual(rankCompletions('Lee', candidates, 10).map((c) => c.key), ['lee2023', 'lee2023teaching', 'shen2023positional', 'wu2016google']);
  });

  it('orders by score alone when nothing is typed, each key once, up to the limit', () => {
    assert.deepEqual(rankCompletions('', candidates, 3).map((c) => c.key), ['shen2023positional', 'wu2016google', 'lee2023teaching']);
  });

  it('keeps the first candidate for a key', () => {
    assert.equal(rankCompletions('', candidates, 10).find((c) => c.key === 'shen2023positional')?.score, 0.9);
  });
});

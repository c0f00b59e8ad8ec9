import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../dist/index.js';

test('grows by factor up to maxMs, without jitter', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
});

test('reset starts again from initialMs', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
  b.next();
  b.next();
  b.reset();
  assert.equal(b.next(), 100);
});

test('jitter stays within ±jitter of the base and never above maxMs', () => {
  for (const r of [0, 0.25, 0.5, 0.999]) {
    const b = new Backoff({ initialMs: 1000, maxMs: 1500, factor: 2, jitter: 0.5 }, () => r);
    const first = b.next();
    assert.ok(first >= 500 && first <= 1500, `first ${first} for r=${r}`);
    const second = b.next(); // base 1500 (capped), spread up to 2250 is capped at maxMs
    assert.ok(second >= 750 && second <= 1500, `second ${second} for r=${r}`);
  }
});

test('jitter spreads delays (clients do not reconnect in lockstep)', () => {
  const seen = new Set();
  for (let i = 0; i < 50; ++i) seen.add(new Backoff({ initialMs: 1000 }).next());
  assert.ok(seen.size > 10, `only ${seen.size} distinct delays`);
});

test('refuses nonsense options', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 100, maxMs: 50 }), RangeError);
  assert.throws(() => new Backoff({ factor: 0.5 }), RangeError);
});

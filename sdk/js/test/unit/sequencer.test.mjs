import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequencer } from '../../dist/index.js';

const env = (seq, convo = 'c1', extra = {}) => ({
  server_msg_id: `m${seq}`,
  convo_id: convo,
  seq_no: seq,
  sender_id: 'u1',
  client_msg_id: `cm${seq}`,
  ts: seq,
  content: { n: seq },
  ...extra,
});
const seqs = (r) => r.deliver.map((e) => e.seq_no);

test('in-order pushes are delivered, duplicates dropped', () => {
  const s = new Sequencer();
  s.track('c1', 0);
  assert.deepEqual(seqs(s.push(env(1))), [1]);
  assert.deepEqual(seqs(s.push(env(2))), [2]);
  assert.deepEqual(seqs(s.push(env(2))), []);
  assert.deepEqual(seqs(s.push(env(1))), []);
  assert.equal(s.cursor('c1'), 2);
});

test('a gap holds later pushes and asks for a sync from the cursor', () => {
  const s = new Sequencer();
  s.track('c1', 3);
  const r = s.push(env(6));
  assert.deepEqual(seqs(r), []);
  assert.equal(r.syncFrom, 3);
  s.setSyncing('c1', true);
  assert.equal(s.push(env(7)).syncFrom, undefined, 'no second sync while one is in flight');
  // The sync answers 4..5 (read before 6 was stored); 6 and 7 come from the held pushes.
  const page = s.syncPage('c1', 3, [env(4), env(5)], false);
  assert.deepEqual(seqs(page), [4, 5, 6, 7]);
  assert.equal(page.syncFrom, undefined);
  assert.equal(s.cursor('c1'), 7);
});

test('sync pages overlapping live pushes deliver each message once', () => {
  const s = new Sequencer();
  s.track('c1', 0);
  s.setSyncing('c1', true);
  const out = [];
  out.push(...seqs(s.push(env(1))));
  out.push(...seqs(s.push(env(2))));
  out.push(...seqs(s.syncPage('c1', 0, [env(1), env(2), env(3)], false)));
  out.push(...seqs(s.push(env(3))));
  out.push(...seqs(s.push(env(4))));
  assert.deepEqual(out, [1, 2, 3, 4]);
});

test('has_more asks for the next page from the new cursor', () => {
  const s = new Sequencer();
  s.track('c1', 0);
  const r = s.syncPage('c1', 0, [env(1), env(2)], true);
  assert.deepEqual(seqs(r), [1, 2]);
  assert.equal(r.syncFrom, 2);
});

test('a sync page is authoritative across a retention hole', () => {
  const s = new Sequencer();
  s.track('c1', 5);
  const r = s.syncPage('c1', 5, [env(40), env(41)], false);
  assert.deepEqual(seqs(r), [40, 41]);
  assert.equal(s.cursor('c1'), 41);
});

test('held pushes still past a gap after a page ask for another sync', () => {
  const s = new Sequencer();
  s.track('c1', 0);
  s.push(env(5));
  const r = s.syncPage('c1', 0, [env(1), env(2)], false);
  assert.deepEqual(seqs(r), [1, 2]);
  assert.equal(r.syncFrom, 2);
  assert.deepEqual(seqs(s.syncPage('c1', 2, [env(3), env(4), env(5)], false)), [3, 4, 5]);
});

test('an untracked conversation starts at its first push', () => {
  const s = new Sequencer();
  assert.deepEqual(seqs(s.push(env(9, 'new'))), [9]);
  assert.equal(s.cursor('new'), 9);
});

test('track keeps the higher cursor and drops held pushes it covers', () => {
  const s = new Sequencer();
  s.track('c1', 10);
  s.track('c1', 4);
  assert.equal(s.cursor('c1'), 10);
  s.push(env(12));
  s.track('c1', 12);
  assert.deepEqual(seqs(s.push(env(13))), [13]);
});

test('held pushes are bounded; the sync brings back what was dropped', () => {
  const s = new Sequencer(3);
  s.track('c1', 0);
  for (let i = 2; i <= 10; ++i) s.push(env(i));
  const r = s.syncPage('c1', 0, [env(1), env(2), env(3), env(4)], true);
  assert.deepEqual(seqs(r), [1, 2, 3, 4]);
  assert.equal(r.syncFrom, 4);
  assert.deepEqual(seqs(s.syncPage('c1', 4, [5, 6, 7, 8, 9, 10].map((n) => env(n)), false)), [5, 6, 7, 8, 9, 10]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryOutbox, resendable, ConfabClient } from '../../dist/index.js';

const entry = (id, extra = {}) => ({ convoId: 'c1', clientMsgId: id, content: { id }, createdMs: 1, ...extra });

test('MemoryOutbox keeps entries by client_msg_id, oldest first, as copies', () => {
  const o = new MemoryOutbox();
  const a = entry('a');
  o.put(a);
  o.put(entry('b'));
  a.content = 'changed';
  assert.deepEqual(o.load().map((e) => e.clientMsgId), ['a', 'b']);
  assert.deepEqual(o.load()[0].content, { id: 'a' });
  o.put(entry('a', { firstSentMs: 5 }));
  assert.equal(o.load().length, 2);
  o.remove('a');
  assert.deepEqual(o.load().map((e) => e.clientMsgId), ['b']);
});

test('never-sent and recently sent entries are resent at once', () => {
  const now = 10_000_000;
  const list = [entry('never'), entry('recent', { firstSentMs: now - 1000 })];
  assert.deepEqual(resendable(list, now, 3_600_000, () => false).map((e) => e.clientMsgId), ['never', 'recent']);
});

test('entries sent longer ago than the dedup window wait for their conversation to be synced', () => {
  const now = 10_000_000;
  const old = entry('old', { firstSentMs: now - 3_600_000 });
  assert.deepEqual(resendable([old], now, 3_600_000, () => false), []);
  assert.deepEqual(resendable([old], now, 3_600_000, (c) => c === 'c1'), [old]);
  // 10 % margin: 95 % of the window is already too close to trust the server's memory.
  const close = entry('close', { firstSentMs: now - 3_420_000 });
  assert.deepEqual(resendable([close], now, 3_600_000, () => false), []);
});

test('a client restored from a persistent outbox lists its entries and rejects nothing when closed offline', async () => {
  const o = new MemoryOutbox();
  o.put(entry('kept'));
  const client = new ConfabClient({ url: 'http://127.0.0.1:1', token: 't', outbox: o });
  assert.deepEqual((await client.pendingSends()).map((e) => e.clientMsgId), ['kept']);
  const p = client.send('c1', { text: 'queued offline' }, { clientMsgId: 'q1' });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(o.load().map((e) => e.clientMsgId), ['kept', 'q1'], 'the send is in the store before any connection');
  client.close();
  await assert.rejects(p, { name: 'ClosedError' });
  assert.equal(o.load().length, 2, 'close() keeps the outbox for the next start');
});

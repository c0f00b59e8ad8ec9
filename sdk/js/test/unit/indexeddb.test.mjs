// IndexedDbOutbox on fake-indexeddb (an in-memory IndexedDB for Node): the browser outbox keeps
// unacked sends across a "reload" (a new client on the same database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbOutbox, ConfabClient } from '../../dist/index.js';

test('entries survive a new IndexedDbOutbox on the same database, oldest first', async () => {
  const factory = new IDBFactory();
  const a = new IndexedDbOutbox('outbox-a', factory);
  await a.put({ convoId: 'c', clientMsgId: 'x2', content: { n: 2 }, createdMs: 2 });
  await a.put({ convoId: 'c', clientMsgId: 'x1', content: { n: 1 }, createdMs: 1 });
  await a.put({ convoId: 'c', clientMsgId: 'x1', content: { n: 1 }, createdMs: 1, firstSentMs: 7 });
  const b = new IndexedDbOutbox('outbox-a', factory);
  const loaded = await b.load();
  assert.deepEqual(loaded.map((e) => e.clientMsgId), ['x1', 'x2']);
  assert.equal(loaded[0].firstSentMs, 7);
  await b.remove('x1');
  assert.deepEqual((await a.load()).map((e) => e.clientMsgId), ['x2']);
});

test('a client restarted on the same IndexedDB lists the sends the previous one queued offline', async () => {
  const factory = new IDBFactory();
  const first = new ConfabClient({ url: 'http://127.0.0.1:1', token: 't', outbox: new IndexedDbOutbox('app', factory) });
  const p = first.send('c', { text: 'queued' }, { clientMsgId: 'q1' });
  await new Promise((r) => setTimeout(r, 50));
  first.close();
  await assert.rejects(p, { name: 'ClosedError' });
  const second = new ConfabClient({ url: 'http://127.0.0.1:1', token: 't', outbox: new IndexedDbOutbox('app', factory) });
  assert.deepEqual((await second.pendingSends()).map((e) => [e.clientMsgId, e.content]), [['q1', { text: 'queued' }]]);
  second.close();
});

test('without indexedDB the constructor says so', () => {
  assert.throws(() => new IndexedDbOutbox('x'), TypeError);
});

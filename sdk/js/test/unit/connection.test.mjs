import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabClient } from '../../dist/index.js';

/** A WebSocket that never opens: the client waits for its `connection.ack` forever. */
class SilentSocket {
  constructor() {
    this.readyState = 0;
    this.onopen = this.onmessage = this.onclose = this.onerror = null;
  }
  send() {}
  close() {
    this.readyState = 3;
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('close() while the socket is still opening leaves no timer behind to keep the process alive', async () => {
  const before = timers();
  const client = new ConfabClient({ url: 'http://127.0.0.1:1', token: 't', WebSocket: SilentSocket, requestTimeoutMs: 60000 });
  const connected = client.connect().catch((e) => e);
  await new Promise((r) => setImmediate(r)); // the token resolves and the socket is made
  await new Promise((r) => setImmediate(r));
  assert.ok(timers() > before, 'the client waits for the ack with a timer');
  client.close();
  assert.equal((await connected).name, 'ClosedError');
  assert.equal(timers(), before, 'no timer is left after close()');
});

// Captures the example exchanges of docs/protocol.md from a running confabd: every REST call and
// WebSocket frame below is printed as it went over the wire (request, then answer).
//   node --experimental-websocket scripts/protocol-examples.mjs http://127.0.0.1:8080 http://127.0.0.1:8081 ADMIN_TOKEN
// Node.js 20 (Debian 12's nodejs package); the WebSocket client is Node's built-in one.
const [publicUrl, internalUrl, adminToken] = process.argv.slice(2);
if (!adminToken) {
  console.error('usage: protocol-examples.mjs PUBLIC_URL INTERNAL_URL ADMIN_TOKEN');
  process.exit(2);
}
const wsUrl = publicUrl.replace(/^http/, 'ws') + '/v1/ws';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const out = (s) => process.stdout.write(s + '\n');

async function rest(method, url, token, body, { show = true, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const path = url.replace(/^https?:\/\/[^/]+/, '');
  if (show) out(`\n> ${method} ${path}${body === undefined ? '' : '\n> ' + JSON.stringify(body)}`);
  const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (show) out(`< ${res.status}${text ? ' ' + text : ''}`);
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

// A WebSocket that logs what it sends and receives under a name.
class Client {
  constructor(name, url) {
    this.name = name;
    this.frames = [];
    this.waiters = [];
    out(`${name} > (opens ${url.replace(/^wss?:\/\/[^/]+/, '')})`);
    this.closed = new Promise((resolve) => {
      this.ws = new WebSocket(url);
      this.ws.onmessage = (e) => {
        out(`${this.name} < ${e.data}`);
        const f = JSON.parse(e.data);
        this.frames.push(f);
        this.waiters = this.waiters.filter((w) => !w(f));
      };
      this.ws.onclose = (e) => {
        out(`${this.name} < (close ${e.code} "${e.reason}")`);
        resolve(e.code);
      };
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = reject;
    });
  }
  send(frame) {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    out(`${this.name} > ${text}`);
    this.ws.send(text);
  }
  wait(type, pred = () => true) {
    const i = this.frames.findIndex((f) => f.type === type && pred(f));
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${type}`)), 5000);
      this.waiters.push((f) => {
        if (f.type !== type || !pred(f)) return false;
        clearTimeout(timer);
        this.frames.splice(this.frames.indexOf(f), 1);
        resolve(f);
        return true;
      });
    });
  }
}

const section = (title) => out(`\n### ${title}`);

section('admin REST: an app, a key, tokens');
const app = (await rest('POST', `${internalUrl}/admin/apps`, adminToken, { name: 'demo' })).json;
const key = (await rest('POST', `${internalUrl}/admin/apps/${app.app_id}/keys`, adminToken, { label: 'backend' })).json;
await rest('GET', `${internalUrl}/admin/apps`, adminToken);
await rest('PATCH', `${internalUrl}/admin/apps/${app.app_id}`, adminToken, { limits: { user_msgs_per_min: 120 } });
const rotated = (await rest('POST', `${internalUrl}/admin/apps/${app.app_id}/keys/${key.key_id}/rotate`, adminToken, { grace_s: 60 })).json;
const spare = (await rest('POST', `${internalUrl}/admin/apps/${app.app_id}/keys`, adminToken, { label: 'spare' }, { show: false })).json;
await rest('DELETE', `${internalUrl}/admin/apps/${app.app_id}/keys/${spare.key_id}`, adminToken);
const apiKey = rotated.api_key;
const token = async (user, show = false) =>
  (await rest('POST', `${publicUrl}/v1/auth/token`, apiKey, { user_id: user, ttl_s: 3600 }, { show })).json.access_token;
const alice = await token('alice', true);
const bob = await token('bob');
const carol = await token('carol');

section('app REST: conversations');
const convo = (await rest('POST', `${publicUrl}/v1/conversations`, apiKey, { id: 'team-1', kind: 'group', members: ['alice', 'bob'], title: 'Team', owner_id: 'alice' })).json;
await rest('POST', `${publicUrl}/v1/conversations`, alice, { kind: 'direct', members: ['alice', 'bob'] });
await rest('POST', `${publicUrl}/v1/conversations`, alice, { kind: 'direct', members: ['alice', 'bob'] });
await rest('GET', `${publicUrl}/v1/conversations/${convo.id}`, bob);

section('WebSocket: authentication');
const a = new Client('alice', `${wsUrl}?access_token=${alice}`);
await a.opened;
await a.wait('connection.ack');
const b = new Client('bob', wsUrl);
await b.opened;
b.send({ type: 'auth', token: bob });
await b.wait('connection.ack');
a.send({ type: 'ping', req: 'p1' });
await a.wait('pong');

section('WebSocket: send, ack, create, duplicate');
a.send({ type: 'message.send', req: 'r1', convo_id: convo.id, client_msg_id: 'm-0001', content: { text: 'hi bob' } });
await a.wait('message.ack');
await b.wait('message.create');
await a.wait('message.create');
a.send({ type: 'message.send', req: 'r2', convo_id: convo.id, client_msg_id: 'm-0001', content: { text: 'hi bob' } });
await a.wait('message.ack');

section('WebSocket: receipts, typing, presence');
b.send({ type: 'message.delivered', convo_id: convo.id, seq_no: 1 });
await a.wait('message.delivery');
b.send({ type: 'message.read', convo_id: convo.id, seq_no: 1 });
await a.wait('message.read');
b.send({ type: 'typing.start', convo_id: convo.id });
await a.wait('typing');
b.send({ type: 'typing.stop', convo_id: convo.id });
await a.wait('typing');
a.send({ type: 'presence.subscribe', req: 'ps1', user_ids: ['bob'] });
await a.wait('presence.update');

section('app REST: messages and history');
await rest('POST', `${publicUrl}/v1/conversations/${convo.id}/messages`, apiKey, { client_msg_id: 'srv-0001', sender_id: 'bob', content: { text: 'from the back end' } });
await a.wait('message.create');
await b.wait('message.create');
for (let i = 3; i <= 5; ++i)
  await rest('POST', `${publicUrl}/v1/conversations/${convo.id}/messages`, apiKey, { client_msg_id: `srv-000${i}`, sender_id: 'alice', content: { text: `n${i}` } }, { show: false });
const page = (await rest('GET', `${publicUrl}/v1/conversations/${convo.id}/messages?limit=2`, bob)).json;
await rest('GET', `${publicUrl}/v1/conversations/${convo.id}/messages?limit=2&page_token=${encodeURIComponent(page.next_page_token)}`, bob);
await rest('GET', `${publicUrl}/v1/conversations/${convo.id}/messages?after_seq=3`, bob);
await rest('GET', `${publicUrl}/v1/conversations`, bob);
for (let i = 0; i < 3; ++i) await a.wait('message.create');
for (let i = 0; i < 3; ++i) await b.wait('message.create');

section('WebSocket: sync');
a.send({ type: 'sync', req: 's1', convo_id: convo.id, after_seq: 3, limit: 1 });
await a.wait('sync.result');

section('membership: conversation.updated');
await rest('POST', `${publicUrl}/v1/conversations/${convo.id}/members`, alice, { user_id: 'carol' });
await a.wait('conversation.updated');
await rest('DELETE', `${publicUrl}/v1/conversations/${convo.id}/members/carol`, alice);
await a.wait('conversation.updated', (f) => f.change === 'member_removed');

section('attachments');
const att = await rest('POST', `${publicUrl}/v1/attachments`, alice, { convo_id: convo.id, filename: 'cat.png', content_type: 'image/png', size: 1234 });
if (att.status === 201) await rest('GET', `${publicUrl}/v1/attachments/url?key=${encodeURIComponent(att.json.key)}`, bob);

section('errors');
a.send({ type: 'message.send', req: 'r3', convo_id: convo.id, content: { text: 'no id' } });
await a.wait('error');
a.send({ type: 'sync', req: 's2', convo_id: 'not-mine', after_seq: 0 });
await a.wait('error');
a.send({ type: 'auth.refresh', req: 'ar1', token: await token('alice') });
await a.wait('auth.refreshed');
a.send({ type: 'auth.refresh', req: 'ar2', token: bob });
await a.wait('error');
await rest('GET', `${publicUrl}/v1/conversations/nope`, alice);
await rest('POST', `${publicUrl}/v1/conversations`, apiKey, { kind: 'group' });
await rest('GET', `${publicUrl}/v1/conversations`, 'not-a-token');

section('close codes');
const c1 = new Client('anonymous', wsUrl);
await c1.opened;
c1.send({ type: 'ping' });
await c1.closed;
const c2 = new Client('carol(1)', `${wsUrl}?access_token=${carol}`);
await c2.opened;
await c2.wait('connection.ack');
c2.send('not json');
await c2.closed;
// conns_per_user_per_10s is 5 by default: the sixth new connection of a user within 10 s.
const burst = [];
for (let i = 0; i < 5; ++i) burst.push(new Client(`carol(${i + 2})`, `${wsUrl}?access_token=${carol}`));
await Promise.all(burst.map((c) => c.closed.catch(() => 0) && c.opened));
await sleep(500);
for (const c of burst) {
  if (c.ws.readyState === 1) {
    c.ws.onclose = null; // their normal closes are not part of the example
    c.ws.close(1000);
  }
}

section('admin: operations');
await rest('POST', `${internalUrl}/admin/flush`, adminToken);
await rest('POST', `${internalUrl}/admin/retention/run`, adminToken);
await rest('GET', `${internalUrl}/admin/dead-letters`, adminToken);
await rest('POST', `${internalUrl}/admin/dead-letters/nope/retry`, adminToken);
await rest('GET', `${internalUrl}/healthz`);
await rest('GET', `${internalUrl}/readyz`);
const adm = new Client('admin', internalUrl.replace(/^http/, 'ws') + `/admin/ws?access_token=${adminToken}`);
await adm.opened;
await adm.wait('connection.ack');
adm.send({ type: 'stats.subscribe', interval_ms: 1000 });
await adm.wait('stats');
adm.send({ type: 'stats.unsubscribe' });
adm.send({ type: 'flush.now', req: 'r4' });
await adm.wait('result');
adm.send({ type: 'dead_letters.list', req: 'r1', limit: 100 });
await adm.wait('dead_letters');
adm.send({ type: 'retention.run', req: 'r5' });
await adm.wait('result');

a.ws.close(1000);
b.ws.close(1000);
adm.ws.close(1000);
await Promise.all([a.closed, b.closed, adm.closed]);
process.exit(0);

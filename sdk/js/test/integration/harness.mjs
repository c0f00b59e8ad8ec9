// Real services for the SDK's integration tests: the ctest `services` fixture's PostgreSQL and
// S3 server (CONFAB_TEST_ENV), a Redis of our own, confabd nodes from the build tree
// (CONFAB_BIN_DIR), and a TCP proxy between a client and a node to cut or deafen the network.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const ADMIN_TOKEN = 'sdk-test-admin-token';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function testEnv() {
  const path = process.env.CONFAB_TEST_ENV;
  if (!path) throw new Error('CONFAB_TEST_ENV is not set: run through ctest (ctest -R tst_sdk_js)');
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Poll until fn() answers truthy; fails with `what` after timeoutMs. */
export async function waitFor(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

let dbCounter = 0;
export function createDatabase(env) {
  const name = `t_sdk_js_${process.pid}_${dbCounter++}`;
  execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', env.CONFAB_TEST_PG_URL, '-c', `CREATE DATABASE "${name}"`]);
  const url = new URL(env.CONFAB_TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export class Redis {
  async start() {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'sdk-redis-'));
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dir], {
      stdio: 'ignore',
    });
    this.exited = exitOf(this.proc);
    await waitFor('redis', () => canConnect(this.port), 10000);
    return this;
  }
  get url() {
    return `redis://127.0.0.1:${this.port}/0`;
  }
  async stop() {
    if (this.proc) await stopProcess(this.proc, this.exited, 'SIGTERM', 'redis-server');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resolves with `{ code, signal }` when the process has exited. */
function exitOf(proc) {
  return new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
}

/**
 * Send `signal` unless the process has already exited, and wait for it: at most 30 s (confabd's
 * drain is at most 19 s), then SIGKILL and an error, so a process that does not stop fails the
 * test with what it printed instead of hanging it until ctest's timeout.
 */
async function stopProcess(proc, exited, signal, what, output = () => '') {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  let timer;
  const late = new Promise((r) => (timer = setTimeout(() => r(undefined), 30000)));
  const status = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (status) return status;
  proc.kill('SIGKILL');
  await exited;
  throw new Error(`${what} did not exit within 30 s of ${signal}: ${output()}`);
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** One confabd node; start() again after kill() restarts it on the same ports. */
export class Node {
  constructor(shared, nodeId, extraEnv = {}) {
    this.shared = shared;
    this.nodeId = nodeId;
    this.extraEnv = extraEnv;
    this.output = '';
  }
  async start() {
    if (!this.publicPort) {
      this.publicPort = await freePort();
      this.internalPort = await freePort();
    }
    const bin = `${process.env.CONFAB_BIN_DIR}/server/confabd`;
    this.proc = spawn(bin, ['serve'], {
      env: {
        ...process.env,
        ...this.shared,
        CONFAB_SERVER_LISTEN: `127.0.0.1:${this.publicPort}`,
        CONFAB_SERVER_INTERNAL_LISTEN: `127.0.0.1:${this.internalPort}`,
        CONFAB_SERVER_NODE_ID: this.nodeId,
        ...this.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = exitOf(this.proc);
    this.signalled = undefined;
    const keep = (d) => (this.output = (this.output + d.toString()).slice(-20000));
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    await waitFor(`confabd ${this.nodeId} ready`, async () => {
      if (this.proc.exitCode !== null) throw new Error(`confabd exited: ${this.output}`);
      try {
        return (await fetch(`${this.internal}/readyz`)).status === 200;
      } catch {
        return false;
      }
    }, 30000);
    return this;
  }
  get url() {
    return `http://127.0.0.1:${this.publicPort}`;
  }
  get internal() {
    return `http://127.0.0.1:${this.internalPort}`;
  }
  /**
   * Send `signal` and wait for the exit. Throws, with the node's output, if it had died of a
   * signal nobody sent (a crash) or exited non-zero after a SIGTERM, which drains and exits 0.
   */
  async kill(signal = 'SIGKILL') {
    if (!this.proc) return;
    const running = this.proc.exitCode === null && this.proc.signalCode === null;
    if (running) this.signalled = signal;
    const { code, signal: died } = await stopProcess(this.proc, this.exited, signal, `confabd ${this.nodeId}`, () => this.output);
    if (died && died !== this.signalled) throw new Error(`confabd ${this.nodeId} died of ${died}: ${this.output}`);
    if (!died && code !== 0) throw new Error(`confabd ${this.nodeId} exited with ${code}: ${this.output}`);
  }
}

/** PostgreSQL database, Redis and S3 settings shared by the nodes of one test file. */
export class Cluster {
  constructor(extraEnv = {}) {
    this.extraEnv = extraEnv;
    this.nodes = [];
  }
  async start(nodeCount = 1) {
    const env = testEnv();
    this.redis = await new Redis().start();
    this.shared = {
      CONFAB_POSTGRES_URL: createDatabase(env),
      CONFAB_REDIS_URL: this.redis.url,
      CONFAB_ADMIN_TOKEN: ADMIN_TOKEN,
      CONFAB_S3_ENDPOINT: env.CONFAB_TEST_S3_ENDPOINT,
      CONFAB_S3_BUCKET: env.CONFAB_TEST_S3_BUCKET,
      CONFAB_S3_ACCESS_KEY: 'S3RVER',
      CONFAB_S3_SECRET_KEY: 'S3RVER',
      ...this.extraEnv,
    };
    for (let i = 0; i < nodeCount; ++i) this.nodes.push(await new Node(this.shared, `node${i + 1}`).start());
    return this;
  }
  get node() {
    return this.nodes[0];
  }
  /** Stops every node and Redis, then throws the first thing that went wrong (see Node.kill). */
  async stop() {
    const errors = [];
    for (const n of this.nodes) await n.kill('SIGTERM').catch((e) => errors.push(e));
    await this.redis?.stop().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }
  async call(method, url, token, body) {
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
  /** A new app and an API key for it; `extra` as in POST /admin/apps (limits...). */
  async createApp(extra = {}) {
    const app = await this.call('POST', `${this.node.internal}/admin/apps`, ADMIN_TOKEN, { name: 'sdk-test', ...extra });
    const key = await this.call('POST', `${this.node.internal}/admin/apps/${app.app_id}/keys`, ADMIN_TOKEN, { label: 'sdk' });
    return { appId: app.app_id, apiKey: key.api_key };
  }
  async mintToken(apiKey, userId, ttlS = 3600) {
    const r = await this.call('POST', `${this.node.url}/v1/auth/token`, apiKey, { user_id: userId, ttl_s: ttlS });
    return r.access_token;
  }
  async createConversation(apiKey, id, members) {
    return this.call('POST', `${this.node.url}/v1/conversations`, apiKey, { id, kind: 'group', members, title: id });
  }
  /** Every message of a conversation, through REST history. */
  async history(apiKey, convoId) {
    const out = [];
    let after = 0;
    for (;;) {
      const page = await this.call('GET', `${this.node.url}/v1/conversations/${convoId}/messages?after_seq=${after}&limit=200`, apiKey);
      out.push(...page.messages);
      if (page.messages.length === 0 || !page.next_page_token) return out;
      after = page.messages[page.messages.length - 1].seq_no;
    }
  }
}

/**
 * A TCP proxy in front of a node: `down()` cuts every connection and refuses new ones until
 * `up()`; `deaf()` lets the client's bytes through but drops the server's (acks get lost);
 * `stall()` stops reading the server's bytes until `up()` (a slow consumer).
 */
export class Proxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.mode = 'up';
    this.pairs = new Set();
  }
  async start() {
    this.server = net.createServer((client) => {
      if (this.mode === 'down') return client.destroy();
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      const pair = { client, upstream };
      this.pairs.add(pair);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (this.mode === 'up') client.write(d);
      });
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    this.port = await freePort();
    await new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
    return this;
  }
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  set targetPortTo(port) {
    this.targetPort = port;
  }
  down() {
    this.mode = 'down';
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }
  deaf() {
    this.mode = 'deaf';
  }
  /** Stop reading from the node (a client that does not read): its send buffers fill up. */
  stall() {
    this.mode = 'stall';
    for (const { upstream } of this.pairs) upstream.pause();
  }
  up() {
    this.mode = 'up';
    for (const { upstream } of this.pairs) upstream.resume();
  }
  async stop() {
    this.down();
    await new Promise((r) => this.server.close(r));
  }
}

/** Collects a client's 'message' events per conversation. */
export function collect(client) {
  const byConvo = new Map();
  client.on('message', (m) => {
    if (!byConvo.has(m.convo_id)) byConvo.set(m.convo_id, []);
    byConvo.get(m.convo_id).push(m);
  });
  return (convo) => byConvo.get(convo) ?? [];
}

// What the browser test runs against: a database on the `services` fixture's PostgreSQL, a
// redis-server of its own (as tests/integration/harness.cpp's Cluster does), an S3 server of
// its own whose bucket allows the page's origin (s3cors.cjs), confabd from the build tree, a
// demo app and API key, and examples/web-chat/server.mjs.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const adminToken = 'webchat-browser-test-admin-token';
const s3Bucket = 'confab-webchat';
const here = fileURLToPath(new URL('.', import.meta.url));

export function readServicesEnv() {
  const path = process.env.CONFAB_TEST_ENV;
  if (!path)
    throw new Error('CONFAB_TEST_ENV is not set: run this test through ctest (fixture services)');
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0)
      vars[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return vars;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value)
        return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  });
}

// A child process whose output is kept (shown when the test fails) and that is killed at the end.
class Child {
  constructor(name, cmd, args, options) {
    this.name = name;
    this.output = '';
    this.proc = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.proc.stdout, this.proc.stderr])
      stream.on('data', (d) => { this.output += d.toString(); });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

async function json(method, url, token, body) {
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export class Stack {
  constructor({ confabd, exampleDir, users }) {
    this.confabdPath = confabd;
    this.exampleDir = exampleDir;
    this.users = users;
    this.children = [];
    this.dir = mkdtempSync(join(tmpdir(), 'confab-webchat-'));
  }

  async start() {
    const env = readServicesEnv();
    const db = `t_webchat_${process.pid}`;
    this.pgAdminUrl = env.CONFAB_TEST_PG_URL;
    execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', this.pgAdminUrl, '-c', `CREATE DATABASE "${db}"`]);
    this.db = db;
    const pgUrl = new URL(this.pgAdminUrl);
    pgUrl.pathname = `/${db}`;

    const redisPort = await freePort();
    this.children.push(new Child('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--dir', this.dir]));
    await waitFor('redis-server', () => portOpen(redisPort));

    const [publicPort, internalPort, webPort, s3Port] = [await freePort(), await freePort(), await freePort(), await freePort()];
    this.webUrl = `http://127.0.0.1:${webPort}`;
    const s3 = new Child('s3', process.execPath, [join(here, 's3cors.cjs'), String(s3Port), join(this.dir, 's3'),
      s3Bucket, this.webUrl], { env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' } });
    this.children.push(s3);
    await waitFor('the S3 server', () => s3.output.includes('s3 ready'), 60000);
    this.s3Url = `http://127.0.0.1:${s3Port}`;

    this.confabUrl = `http://127.0.0.1:${publicPort}`;
    this.adminUrl = `http://127.0.0.1:${internalPort}`;
    const confabEnv = {
      ...process.env,
      CONFAB_SERVER_LISTEN: `127.0.0.1:${publicPort}`,
      CONFAB_SERVER_INTERNAL_LISTEN: `127.0.0.1:${internalPort}`,
      CONFAB_SERVER_NODE_ID: 'webchat',
      // The page is served by the example server, another origin than confabd's (README: CORS).
      CONFAB_SERVER_CORS_ORIGINS: this.webUrl,
      CONFAB_POSTGRES_URL: pgUrl.toString(),
      CONFAB_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
      CONFAB_ADMIN_TOKEN: adminToken,
      // Every typing.start relayed: the test types again less than the default 3 s after a send.
      CONFAB_LIMITS_TYPING_INTERVAL: '0s',
      CONFAB_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      CONFAB_S3_BUCKET: s3Bucket,
      CONFAB_S3_ACCESS_KEY: 'S3RVER',
      CONFAB_S3_SECRET_KEY: 'S3RVER',
    };
    const confabd = new Child('confabd', this.confabdPath, ['serve'], { env: confabEnv });
    this.children.push(confabd);
    await waitFor('confabd /readyz', async () => (await fetch(`${this.adminUrl}/readyz`)).ok, 60000);

    const app = await json('POST', `${this.adminUrl}/admin/apps`, adminToken, { name: 'web-chat' });
    const key = await json('POST', `${this.adminUrl}/admin/apps/${app.app_id}/keys`, adminToken, { label: 'web-chat' });
    this.apiKey = key.api_key;

    const web = new Child('web-chat', process.execPath, ['server.mjs', '--confab', this.confabUrl,
      '--port', String(webPort), '--users', this.users.join(',')],
    { cwd: this.exampleDir, env: { ...process.env, CONFAB_API_KEY: this.apiKey } });
    this.children.push(web);
    await waitFor('the web-chat server', () => web.output.includes('web-chat: http://'), 30000);
  }

  // REST as the app (API key), for the test's own checks of what the server stored.
  api(method, path, body) {
    return json(method, this.confabUrl + path, this.apiKey, body);
  }

  logs() {
    return this.children.map((c) => `----- ${c.name}\n${c.output.slice(-8000)}`).join('\n');
  }

  async stop() {
    for (const c of [...this.children].reverse())
      await c.stop();
    if (this.db) {
      try {
        execFileSync('psql', ['-qAtX', this.pgAdminUrl, '-c', `DROP DATABASE IF EXISTS "${this.db}" WITH (FORCE)`]);
      } catch {
        // the fixture's cleanup removes the whole cluster anyway
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

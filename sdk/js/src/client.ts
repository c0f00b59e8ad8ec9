import { Backoff, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import {
  AuthError,
  ClosedError,
  ConfabError,
  ConnectionError,
  ServerError,
  TimeoutError,
  isFinalSendError,
  type UploadState,
} from './errors.js';
import { MemoryOutbox, resendable, type OutboxEntry, type OutboxStore } from './outbox.js';
import { Rest, type FetchLike } from './rest.js';
import { Sequencer } from './sequencer.js';
import { defaultWebSocket, frameText, wsUrl, type SocketConstructor, type SocketLike } from './transport.js';
import type {
  Attachment,
  ClientState,
  ConnectionAck,
  Conversation,
  ConversationEvent,
  Envelope,
  HistoryPage,
  Json,
  NoticeEvent,
  PresenceEvent,
  ReceiptEvent,
  SendAck,
  TypingEvent,
} from './types.js';
import { Uploader, type UploadOptions, type UploadProgress, type UploadSource } from './upload.js';

export interface ClientOptions {
  /** Base URL of the public listener, `http(s)://host:port`. */
  url: string;
  /** A user token, or a callback answering a fresh one (called at each connect and after a 4001 close). */
  token: string | (() => string | Promise<string>);
  /** Where unacked sends are kept (default: memory). */
  outbox?: OutboxStore;
  /** Last seq_no the app already holds, per conversation. */
  cursors?: Record<string, number>;
  /** List and track every conversation of the user at each connect (default true). */
  trackAll?: boolean;
  backoff?: BackoffOptions;
  /** The server's `[limits] dedup_window` in ms (default 1 h). */
  dedupWindowMs?: number;
  /** A request not answered in this time counts as a lost connection (default 15 s). */
  requestTimeoutMs?: number;
  /** WebSocket implementation (default: global WebSocket, else the `ws` package). */
  WebSocket?: SocketConstructor;
  /** fetch implementation (default: global fetch). */
  fetch?: FetchLike;
  /** Sends in flight at once on one connection (default 16; the server allows 64 requests). */
  maxInflightSends?: number;
  /**
   * With a token callback and a JWT with `exp`: fetch a new token shortly before it expires and
   * renew the session in place with `auth.refresh` (default true). Off, or if that fails, the
   * server closes with 4001 at expiry and the client reconnects with a fresh token.
   */
  refreshBeforeExpiry?: boolean;
}

export interface SendOptions {
  attachments?: Attachment[];
  /** Defaults to a random UUID. Reusing one makes the send idempotent across restarts. */
  clientMsgId?: string;
}

export interface SendRetryEvent {
  clientMsgId: string;
  convoId: string;
  code: string;
  /** When the send will be tried again (ms since the epoch). */
  retryAtMs: number;
}

export interface ClientEvents {
  message: Envelope;
  sent: { entry: OutboxEntry; ack: SendAck };
  'send.retry': SendRetryEvent;
  state: ClientState;
  connected: ConnectionAck;
  disconnected: { code: number; reason: string };
  read: ReceiptEvent;
  delivery: ReceiptEvent;
  typing: TypingEvent;
  presence: PresenceEvent;
  conversation: ConversationEvent;
  notice: NoticeEvent;
  'upload.progress': UploadProgress;
  error: ConfabError;
}

type InflightInit =
  | { kind: 'send'; id: string }
  | { kind: 'sync'; convoId: string; afterSeq: number }
  | { kind: 'ping' }
  | { kind: 'refresh' };
type Inflight = InflightInit & { timer: ReturnType<typeof setTimeout> };

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

/** Protocol version this package speaks; the package's major version is the same number. */
export const PROTOCOL_VERSION = 1;

/** A JWT's `exp` in ms, if it has one. */
export function jwtExpiryMs(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const payload = JSON.parse(atob(b64)) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; ++i) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export class ConfabClient extends Emitter<ClientEvents> {
  private _state: ClientState = 'idle';
  private _userId?: string;
  private lastAck?: ConnectionAck;

  private readonly opts: ClientOptions;
  private readonly rest: Rest;
  private readonly uploader: Uploader;
  private readonly fetchImpl: FetchLike;
  private readonly sequencer = new Sequencer();
  private readonly outbox: OutboxStore;
  private readonly backoff: Backoff;
  private readonly dedupWindowMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxInflightSends: number;

  private readonly entries = new Map<string, OutboxEntry>();
  private readonly waiters = new Map<string, Waiter<SendAck>>();
  private readonly inflight = new Map<string, Inflight>();
  private readonly sending = new Set<string>();
  private readonly notBefore = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly caughtUp = new Set<string>();
  private readonly presenceIds = new Set<string>();
  private connectWaiters: Waiter<ConnectionAck>[] = [];

  private socket?: SocketLike;
  private generation = 0;
  private sessionReady = false;
  private reqSeq = 0;
  private token?: string;
  private needFreshToken = false;
  private authFailures = 0;
  private outboxLoaded: Promise<void>;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pumpTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private refreshTimer?: ReturnType<typeof setTimeout>;

  constructor(options: ClientOptions) {
    super();
    if (!options?.url) throw new TypeError('ConfabClient: options.url is required');
    if (!options.token) throw new TypeError('ConfabClient: options.token is required');
    this.opts = options;
    const f = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (!f) throw new TypeError('ConfabClient: no fetch in this environment (options.fetch)');
    this.fetchImpl = f.bind(globalThis) as FetchLike;
    const base = options.url.replace(/\/+$/, '');
    this.rest = new Rest(base, this.fetchImpl, (fresh) => this.getToken(fresh));
    this.uploader = new Uploader(this.rest, this.fetchImpl);
    this.outbox = options.outbox ?? new MemoryOutbox();
    this.backoff = new Backoff(options.backoff);
    this.dedupWindowMs = options.dedupWindowMs ?? 3600000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    this.maxInflightSends = Math.max(1, Math.min(60, options.maxInflightSends ?? 16));
    for (const [convo, seq] of Object.entries(options.cursors ?? {})) this.sequencer.track(convo, seq);
    this.outboxLoaded = Promise.resolve()
      .then(() => this.outbox.load())
      .then((list) => {
        for (const e of list) if (!this.entries.has(e.clientMsgId)) this.entries.set(e.clientMsgId, e);
      })
      .catch((err) => this.emit('error', new ConfabError('outbox', `could not load the outbox: ${String(err)}`)));
  }

  /** An 'error' with no listener is written to console.error: never dropped silently. */
  protected override emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const err = payload as ConfabError;
      console.error(`@confab/client: ${err.name}: ${err.message}`);
      return;
    }
    super.emit(event, payload);
  }

  get state(): ClientState {
    return this._state;
  }

  get userId(): string | undefined {
    return this._userId;
  }

  // ---- connection -----------------------------------------------------------------------

  /** Open the connection and keep it open (reconnecting) until close(). Resolves at the first connection.ack. */
  connect(): Promise<ConnectionAck> {
    if (this._state === 'closed') return Promise.reject(new ClosedError());
    if (this._state === 'open' && this.lastAck) return Promise.resolve(this.lastAck);
    const p = new Promise<ConnectionAck>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this._state === 'idle') void this.open();
    return p;
  }

  /** Close for good. Pending send() promises reject with ClosedError (a persistent outbox keeps them). */
  close(): void {
    if (this._state === 'closed') return;
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    this.stopPing();
    const s = this.socket;
    this.socket = undefined;
    ++this.generation;
    if (s) {
      this.detach(s);
      try {
        s.close(1000, 'client closed');
      } catch {
        /* already closed */
      }
    }
    this.failInflight();
    const err = new ClosedError();
    for (const w of this.connectWaiters) w.reject(err);
    this.connectWaiters = [];
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  /** Drop the current connection and reconnect at once (as after a network change). */
  reconnect(): void {
    if (this._state === 'closed' || this._state === 'idle') return;
    if (this.socket) this.dropSocket(1006, 'reconnect requested');
    else {
      clearTimeout(this.reconnectTimer);
      void this.open();
    }
  }

  private setState(s: ClientState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  private async getToken(fresh: boolean): Promise<string> {
    if (this.token && !fresh) return this.token;
    const t = this.opts.token;
    if (typeof t === 'string') {
      this.token = t;
      return t;
    }
    let value: string;
    try {
      value = await t();
    } catch (err) {
      throw new AuthError(`the token callback failed: ${String(err)}`);
    }
    if (typeof value !== 'string' || !value) throw new AuthError('the token callback answered no token');
    this.token = value;
    return value;
  }

  private async open(): Promise<void> {
    if (this._state === 'closed') return;
    const gen = ++this.generation;
    this.setState(this.lastAck ? 'reconnecting' : 'connecting');
    let token: string;
    let Ctor: SocketConstructor;
    try {
      token = await this.getToken(this.needFreshToken);
      this.needFreshToken = false;
      Ctor = this.opts.WebSocket ?? (await defaultWebSocket());
    } catch (err) {
      if (gen !== this.generation) return;
      const e = err instanceof ConfabError ? err : new ConnectionError(String(err));
      this.emit('error', e);
      if (e instanceof AuthError) this.rejectConnectWaiters(e);
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    if (gen !== this.generation || (this._state as ClientState) === 'closed') return;
    let sock: SocketLike;
    try {
      sock = new Ctor(wsUrl(this.opts.url));
    } catch (err) {
      this.emit('error', new ConnectionError(`cannot open the WebSocket: ${String(err)}`));
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    this.socket = sock;
    const authTimer = setTimeout(() => {
      if (gen === this.generation && !this.sessionReady && this.socket === sock) this.dropSocket(1006, 'no connection.ack in time');
    }, this.requestTimeoutMs);
    sock.onopen = () => {
      if (gen !== this.generation) return;
      sock.send(JSON.stringify({ type: 'auth', token }));
    };
    sock.onmessage = (ev) => {
      if (gen !== this.generation) return;
      let frame: any;
      try {
        frame = JSON.parse(frameText(ev.data));
      } catch {
        this.emit('error', new ConfabError('protocol', 'the server sent a frame that is not JSON'));
        return;
      }
      if (frame?.type === 'connection.ack') clearTimeout(authTimer);
      this.handleFrame(frame);
    };
    sock.onclose = (ev) => {
      clearTimeout(authTimer);
      if (gen !== this.generation) return;
      this.handleClose(ev.code, ev.reason ?? '');
    };
    sock.onerror = () => {
      /* a close follows */
    };
  }

  private detach(s: SocketLike): void {
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    // Keep an error listener: 'ws' throws on an error event with none.
    s.onerror = () => undefined;
  }

  /** Give up on the socket now (a dead peer may never complete a close handshake). */
  private dropSocket(code: number, reason: string): void {
    const s = this.socket;
    if (!s) return;
    this.detach(s);
    const terminate = (s as { terminate?: () => void }).terminate;
    try {
      if (terminate) terminate.call(s);
      else s.close(4000, reason);
    } catch {
      /* already closed */
    }
    this.handleClose(code, reason);
  }

  private handleClose(code: number, reason: string): void {
    const wasReady = this.sessionReady;
    this.socket = undefined;
    this.sessionReady = false;
    ++this.generation;
    this.stopPing();
    this.failInflight();
    this.caughtUp.clear();
    this.emit('disconnected', { code, reason });
    if ((this._state as ClientState) === 'closed') return; // a listener may have closed the client
    this.setState(this.lastAck ? 'reconnecting' : 'connecting');
    if (code === 4001) {
      this.needFreshToken = true;
      if (wasReady) {
        // The session outlived its token: fetch a new one and come straight back.
        this.authFailures = 0;
        this.scheduleReconnect(Math.floor(Math.random() * 200));
        return;
      }
      ++this.authFailures;
      const err = new AuthError(`the server refused the token: ${reason || 'close 4001'}`, 4001);
      if (typeof this.opts.token === 'string') {
        this.emit('error', err);
        this.rejectConnectWaiters(err);
        this.close();
        return;
      }
      if (this.authFailures >= 2) {
        this.emit('error', err);
        this.rejectConnectWaiters(err);
      }
      this.scheduleReconnect(this.authFailures === 1 ? 0 : this.backoff.next());
      return;
    }
    if ([1002, 1007, 1009, 4000].includes(code))
      this.emit('error', new ConnectionError(`the server closed the connection: ${code} ${reason}`, code));
    this.scheduleReconnect(this.backoff.next());
  }

  private rejectConnectWaiters(err: Error): void {
    for (const w of this.connectWaiters) w.reject(err);
    this.connectWaiters = [];
  }

  private scheduleReconnect(delayMs: number): void {
    clearTimeout(this.reconnectTimer);
    if (this._state === 'closed') return;
    this.reconnectTimer = setTimeout(() => void this.open(), delayMs);
  }

  private failInflight(): void {
    for (const [, f] of this.inflight) {
      clearTimeout(f.timer);
      if (f.kind === 'sync') this.sequencer.setSyncing(f.convoId, false);
    }
    this.inflight.clear();
    this.sending.clear();
  }

  private sendFrame(frame: Record<string, unknown>): boolean {
    const s = this.socket;
    if (!s || s.readyState !== 1) return false;
    s.send(JSON.stringify(frame));
    return true;
  }

  private request(frame: Record<string, unknown>, entry: InflightInit): string | undefined {
    const req = `r${++this.reqSeq}`;
    if (!this.sendFrame({ ...frame, req })) return undefined;
    const timer = setTimeout(() => {
      if (!this.inflight.has(req)) return;
      this.emit('error', new TimeoutError(`no answer to ${String(frame.type)} within ${this.requestTimeoutMs} ms: reconnecting`));
      this.dropSocket(1006, 'request timeout');
    }, this.requestTimeoutMs);
    this.inflight.set(req, { ...entry, timer } as Inflight);
    return req;
  }

  private startPing(heartbeatMs: number): void {
    this.stopPing();
    const every = Math.max(5000, Math.min(heartbeatMs || 25000, 60000));
    this.pingTimer = setInterval(() => {
      if (this.sessionReady) this.request({ type: 'ping' }, { kind: 'ping' });
    }, every);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /** Renew the session before its token's exp (the server's clock: `server_time`). */
  private scheduleRefresh(ack: ConnectionAck): void {
    if (this.opts.refreshBeforeExpiry === false || typeof this.opts.token === 'string' || !this.token) return;
    const exp = jwtExpiryMs(this.token);
    if (exp === undefined) return;
    const serverNow = typeof ack.server_time === 'number' ? ack.server_time : Date.now();
    const left = exp - serverNow;
    const delay = Math.max(0, left - Math.min(60000, left * 0.2));
    const gen = this.generation;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshToken(gen), delay);
  }

  private async refreshToken(gen: number): Promise<void> {
    let token: string;
    try {
      token = await this.getToken(true);
    } catch (err) {
      this.emit('error', err instanceof ConfabError ? err : new AuthError(String(err)));
      return; // the server's 4001 at expiry leads to a reconnect, which asks again
    }
    if (gen !== this.generation || !this.sessionReady || !this.lastAck) return;
    this.request({ type: 'auth.refresh', token }, { kind: 'refresh' });
  }


  // ---- frames ---------------------------------------------------------------------------

  private handleFrame(f: any): void {
    const req: string | undefined = typeof f.req === 'string' ? f.req : undefined;
    const pending = req ? this.inflight.get(req) : undefined;
    if (pending) {
      clearTimeout(pending.timer);
      this.inflight.delete(req!);
    }
    switch (f.type) {
      case 'connection.ack':
        return this.onConnectionAck(f as ConnectionAck);
      case 'message.ack':
        if (pending?.kind === 'send') this.onSendAck(pending.id, f);
        return;
      case 'error':
        return this.onErrorFrame(f, pending);
      case 'message.create':
        if (f.message) this.deliver(this.sequencer.push(f.message as Envelope), (f.message as Envelope).convo_id);
        return;
      case 'sync.result':
        if (pending?.kind === 'sync') {
          const res = this.sequencer.syncPage(pending.convoId, pending.afterSeq, f.messages ?? [], !!f.has_more);
          this.deliver(res, pending.convoId);
          if (res.syncFrom === undefined) {
            this.caughtUp.add(pending.convoId);
            this.pump();
          }
        }
        return;
      case 'sync.required':
        for (const c of (f.convo_ids ?? []) as string[]) this.requestSync(c);
        return;
      case 'message.read':
        return this.emit('read', { convo_id: f.convo_id, user_id: f.user_id, seq_no: f.seq_no });
      case 'message.delivery':
        return this.emit('delivery', { convo_id: f.convo_id, user_id: f.user_id, seq_no: f.seq_no });
      case 'typing':
        return this.emit('typing', { convo_id: f.convo_id, user_id: f.user_id, state: f.state });
      case 'presence.update':
        return this.emit('presence', { user_id: f.user_id, status: f.status, last_seen_ms: f.last_seen_ms });
      case 'conversation.updated':
        return this.onConversationUpdated(f as ConversationEvent);
      case 'system.notice':
        return this.emit('notice', { code: f.code, message: f.message, grace_ms: f.grace_ms });
      case 'auth.refreshed':
        if (this.lastAck) this.scheduleRefresh({ ...this.lastAck, server_time: Date.now() });
        return;
      default:
        return; // pong, frames added by later servers
    }
  }

  private onConnectionAck(ack: ConnectionAck): void {
    this.lastAck = ack;
    this._userId = ack.user_id;
    this.sessionReady = true;
    this.authFailures = 0;
    this.backoff.reset();
    this.setState('open');
    this.startPing(ack.heartbeat_ms);
    this.scheduleRefresh(ack);
    this.emit('connected', ack);
    for (const w of this.connectWaiters) w.resolve(ack);
    this.connectWaiters = [];
    void this.resume(this.generation);
  }

  /** After every (re)connect: track, resubscribe, catch up, then drain the outbox. */
  private async resume(gen: number): Promise<void> {
    await this.outboxLoaded;
    if (this.opts.trackAll !== false) {
      try {
        const list = await this.listConversations();
        if (gen !== this.generation) return;
        for (const c of list) if (!this.sequencer.has(c.id)) this.sequencer.track(c.id, c.last_seq);
      } catch (err) {
        if (gen !== this.generation) return;
        this.emit('error', err instanceof ConfabError ? err : new ConfabError('internal', String(err)));
      }
    }
    if (gen !== this.generation) return;
    if (this.presenceIds.size > 0) this.sendFrame({ type: 'presence.subscribe', user_ids: [...this.presenceIds] });
    for (const convo of this.sequencer.convoIds()) this.requestSync(convo);
    this.pump();
  }

  private requestSync(convoId: string): void {
    if (!this.sessionReady || !this.sequencer.has(convoId) || this.sequencer.isSyncing(convoId)) return;
    const afterSeq = this.sequencer.cursor(convoId)!;
    this.caughtUp.delete(convoId);
    const req = this.request(
      { type: 'sync', convo_id: convoId, after_seq: afterSeq, limit: 200 },
      { kind: 'sync', convoId, afterSeq },
    );
    if (req) this.sequencer.setSyncing(convoId, true);
  }

  private deliver(res: { deliver: Envelope[]; syncFrom?: number }, convoId: string): void {
    for (const env of res.deliver) {
      this.emit('message', env);
      const entry = this.entries.get(env.client_msg_id);
      if (entry && entry.convoId === env.convo_id && env.sender_id === this._userId) {
        // Our own message is in the conversation: whatever happened to its ack, it is sent.
        this.completeEntry(entry, {
          status: 'ok',
          server_msg_id: env.server_msg_id,
          seq_no: env.seq_no,
          ts: env.ts,
          duplicate: true,
          client_msg_id: env.client_msg_id,
          convo_id: env.convo_id,
        });
      }
    }
    if (res.syncFrom !== undefined) this.requestSync(convoId);
  }

  private onConversationUpdated(ev: ConversationEvent): void {
    this.emit('conversation', ev);
    if (ev.user_id !== this._userId) return;
    if (ev.change === 'member_removed') {
      this.sequencer.untrack(ev.convo_id);
    } else if (ev.change === 'member_added' && !this.sequencer.has(ev.convo_id) && this.opts.trackAll !== false) {
      const gen = this.generation;
      this.getConversation(ev.convo_id).then(
        (c) => {
          if (!this.sequencer.has(c.id)) this.sequencer.track(c.id, c.last_seq);
          if (gen === this.generation) this.requestSync(c.id);
        },
        (err) => this.emit('error', err instanceof ConfabError ? err : new ConfabError('internal', String(err))),
      );
    }
  }

  private onErrorFrame(f: any, pending?: Inflight): void {
    const err = new ServerError(String(f.code ?? 'internal'), String(f.message ?? ''), {
      retryAfterMs: typeof f.retry_after_ms === 'number' ? f.retry_after_ms : undefined,
      req: f.req,
    });
    if (pending?.kind === 'send') return this.onSendError(pending.id, err);
    if (pending?.kind === 'refresh') return this.emit('error', new AuthError(`auth.refresh refused: ${err.code}: ${err.message}`));
    if (pending?.kind === 'sync') {
      this.sequencer.setSyncing(pending.convoId, false);
      if (err.code === 'not_member' || err.code === 'not_found') {
        this.sequencer.untrack(pending.convoId);
        this.caughtUp.delete(pending.convoId);
        this.emit('error', err);
        this.pump();
      } else {
        const gen = this.generation;
        setTimeout(() => gen === this.generation && this.requestSync(pending.convoId), err.retryAfterMs ?? 1000);
        if (err.code !== 'rate_limited') this.emit('error', err);
      }
      return;
    }
    this.emit('error', err);
  }

  // ---- outbox ---------------------------------------------------------------------------

  /** Queue a message; resolves with its ack once the server has it (resent until then). */
  async send(convoId: string, content: Json, options: SendOptions = {}): Promise<SendAck> {
    if (this._state === 'closed') throw new ClosedError();
    if (typeof convoId !== 'string' || !convoId) throw new TypeError('send: convoId must be a non-empty string');
    await this.outboxLoaded;
    const entry: OutboxEntry = {
      convoId,
      clientMsgId: options.clientMsgId ?? randomId(),
      content,
      createdMs: Date.now(),
    };
    if (options.attachments?.length) entry.attachments = options.attachments;
    const existing = this.entries.get(entry.clientMsgId);
    const p = new Promise<SendAck>((resolve, reject) => {
      const prev = this.waiters.get(entry.clientMsgId);
      this.waiters.set(entry.clientMsgId, {
        resolve: (a) => (prev?.resolve(a), resolve(a)),
        reject: (e) => (prev?.reject(e), reject(e)),
      });
    });
    if (!existing) {
      this.entries.set(entry.clientMsgId, entry);
      await this.outbox.put(entry);
    }
    this.pump();
    return p;
  }

  /** What the outbox holds (sends not acknowledged yet). */
  async pendingSends(): Promise<OutboxEntry[]> {
    await this.outboxLoaded;
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    if (!this.sessionReady || this._state !== 'open') return;
    const now = Date.now();
    let wakeAt = Infinity;
    const blocked = new Set<string>(); // conversations whose earlier entry waits: keep their order
    const ready = resendable([...this.entries.values()], now, this.dedupWindowMs, (c) => this.caughtUp.has(c) || !this.sequencer.has(c));
    const readyIds = new Set(ready.map((e) => e.clientMsgId));
    for (const entry of this.entries.values()) {
      if (this.sending.has(entry.clientMsgId)) continue;
      if (this.sending.size >= this.maxInflightSends) break;
      const at = this.notBefore.get(entry.clientMsgId) ?? 0;
      if (blocked.has(entry.convoId) || at > now || !readyIds.has(entry.clientMsgId)) {
        blocked.add(entry.convoId);
        if (at > now) wakeAt = Math.min(wakeAt, at);
        continue;
      }
      void this.transmit(entry);
    }
    if (wakeAt !== Infinity) this.pumpTimer = setTimeout(() => this.pump(), Math.max(0, wakeAt - now));
  }

  private async transmit(entry: OutboxEntry): Promise<void> {
    this.sending.add(entry.clientMsgId);
    const gen = this.generation;
    if (entry.firstSentMs === undefined) {
      // Remember (durably, before it leaves) that the server may hold it from now on.
      entry.firstSentMs = Date.now();
      try {
        await this.outbox.put(entry);
      } catch (err) {
        this.emit('error', new ConfabError('outbox', `could not store the outbox entry: ${String(err)}`));
      }
      if (gen !== this.generation) return; // the connection changed meanwhile: pump() sends again
    }
    if (!this.entries.has(entry.clientMsgId)) {
      this.sending.delete(entry.clientMsgId);
      return;
    }
    const frame: Record<string, unknown> = {
      type: 'message.send',
      convo_id: entry.convoId,
      client_msg_id: entry.clientMsgId,
      content: entry.content,
    };
    if (entry.attachments) frame.attachments = entry.attachments;
    if (!this.request(frame, { kind: 'send', id: entry.clientMsgId })) this.sending.delete(entry.clientMsgId);
  }

  private onSendAck(id: string, f: any): void {
    this.sending.delete(id);
    const entry = this.entries.get(id);
    if (entry)
      this.completeEntry(entry, {
        status: 'ok',
        server_msg_id: f.server_msg_id,
        seq_no: f.seq_no,
        ts: f.ts,
        duplicate: !!f.duplicate,
        client_msg_id: id,
        convo_id: entry.convoId,
      });
    this.pump();
  }

  private onSendError(id: string, err: ServerError): void {
    this.sending.delete(id);
    const entry = this.entries.get(id);
    if (!entry) return;
    if (!isFinalSendError(err.code)) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      const delay = err.code === 'rate_limited' ? err.retryAfterMs ?? 1000 : Math.min(30000, 500 * Math.pow(2, n - 1));
      const retryAtMs = Date.now() + delay;
      this.notBefore.set(id, retryAtMs);
      this.emit('send.retry', { clientMsgId: id, convoId: entry.convoId, code: err.code, retryAtMs });
      this.pump();
      return;
    }
    this.forget(entry);
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    if (w) w.reject(err);
    else this.emit('error', err);
    this.pump();
  }

  private completeEntry(entry: OutboxEntry, ack: SendAck): void {
    this.forget(entry);
    const w = this.waiters.get(entry.clientMsgId);
    this.waiters.delete(entry.clientMsgId);
    w?.resolve(ack);
    this.emit('sent', { entry, ack });
  }

  private forget(entry: OutboxEntry): void {
    this.entries.delete(entry.clientMsgId);
    this.notBefore.delete(entry.clientMsgId);
    this.failures.delete(entry.clientMsgId);
    Promise.resolve()
      .then(() => this.outbox.remove(entry.clientMsgId))
      .catch((err) => this.emit('error', new ConfabError('outbox', `could not remove the outbox entry: ${String(err)}`)));
  }

  // ---- receipts, typing, presence, tracking ---------------------------------------------

  markRead(convoId: string, seqNo: number): void {
    this.sendFrame({ type: 'message.read', convo_id: convoId, seq_no: seqNo });
  }

  markDelivered(convoId: string, seqNo: number): void {
    this.sendFrame({ type: 'message.delivered', convo_id: convoId, seq_no: seqNo });
  }

  typing(convoId: string, on: boolean): void {
    this.sendFrame({ type: on ? 'typing.start' : 'typing.stop', convo_id: convoId });
  }

  /** Watch these users' presence ('presence' events); kept across reconnects. */
  presence(userIds: string[]): void {
    const added = userIds.filter((u) => !this.presenceIds.has(u));
    for (const u of added) this.presenceIds.add(u);
    if (added.length > 0 && this.sessionReady) this.sendFrame({ type: 'presence.subscribe', user_ids: added });
  }

  /** Deliver a conversation's messages after `afterSeq` (syncs now if online). */
  track(convoId: string, afterSeq = 0): void {
    this.sequencer.track(convoId, afterSeq);
    this.requestSync(convoId);
  }

  /** The last seq_no delivered to the app for this conversation. */
  cursor(convoId: string): number | undefined {
    return this.sequencer.cursor(convoId);
  }

  // ---- REST -----------------------------------------------------------------------------

  async listConversations(): Promise<Conversation[]> {
    const r = await this.rest.call<{ conversations: Conversation[] }>('GET', '/v1/conversations');
    return r.conversations;
  }

  getConversation(id: string): Promise<Conversation> {
    return this.rest.call<Conversation>('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  }

  async createConversation(body: { id?: string; kind: 'direct' | 'group'; members: string[]; title?: string }): Promise<Conversation> {
    const c = await this.rest.call<Conversation>('POST', '/v1/conversations', body);
    if (!this.sequencer.has(c.id)) this.track(c.id, 0);
    return c;
  }

  async history(
    convoId: string,
    q: { afterSeq?: number; beforeSeq?: number; limit?: number; pageToken?: string } = {},
  ): Promise<HistoryPage> {
    const params = new URLSearchParams();
    if (q.afterSeq !== undefined) params.set('after_seq', String(q.afterSeq));
    if (q.beforeSeq !== undefined) params.set('before_seq', String(q.beforeSeq));
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    if (q.pageToken) params.set('page_token', q.pageToken);
    const qs = params.toString();
    const r = await this.rest.call<{ messages: Envelope[]; next_page_token: string | null }>(
      'GET',
      `/v1/conversations/${encodeURIComponent(convoId)}/messages${qs ? `?${qs}` : ''}`,
    );
    return { messages: r.messages, nextPageToken: r.next_page_token ?? null };
  }

  /** A presigned download URL for an attachment key. */
  async attachmentUrl(key: string): Promise<{ download_url: string; expires_ms: number }> {
    return this.rest.call('GET', `/v1/attachments/url?key=${encodeURIComponent(key)}`);
  }

  // ---- uploads --------------------------------------------------------------------------

  upload(convoId: string, file: UploadSource, options: UploadOptions = {}): Promise<Attachment> {
    return this.uploader.upload(convoId, file, this.withProgress(options));
  }

  resumeUpload(state: UploadState, file: UploadSource, options: UploadOptions = {}): Promise<Attachment> {
    return this.uploader.resume(state, file, this.withProgress(options));
  }

  abortUpload(state: UploadState): Promise<void> {
    return this.uploader.abort(state);
  }

  private withProgress(options: UploadOptions): UploadOptions {
    return {
      ...options,
      onProgress: (p) => {
        options.onProgress?.(p);
        this.emit('upload.progress', p);
      },
    };
  }
}

import { Backoff } from './backoff.js';
import { AuthError, ClosedError, ConfabError, ConnectionError, TimeoutError } from './errors.js';
import { jwtExpiryMs, type ClientOptions } from './options.js';
import { defaultWebSocket, frameText, wsUrl, type SocketConstructor, type SocketLike } from './transport.js';
import type { ClientState, ConnectionAck } from './types.js';

/** What a request was sent for; its answer (or error frame) is handed to the client with it. */
export type InflightInit =
  | { kind: 'send'; id: string }
  | { kind: 'sync'; convoId: string; afterSeq: number }
  | { kind: 'ping' }
  | { kind: 'refresh' };
type Inflight = InflightInit & { timer: ReturnType<typeof setTimeout> };

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

/** What the connection needs from the client. */
export interface ConnectionHost {
  emit(event: 'state' | 'connected' | 'disconnected' | 'error', payload: unknown): void;
  /** A session is open (connection.ack) on connection `generation`: catch up. */
  opened(generation: number): void;
  /** Every frame but connection.ack and auth.refreshed, with the request it answers, if any. */
  frame(f: any, pending?: InflightInit): void;
  /** The socket is gone (dropped, or close()): these requests will never be answered. */
  lost(unanswered: InflightInit[]): void;
  /** close(): for good; `err` for whoever still waits. */
  closed(err: ClosedError): void;
}

/**
 * One authenticated WebSocket at a time, kept open from connect() until close(): the token
 * (cached; asked fresh after a 4001 close or a REST 401), the auth handshake, reconnects with
 * backoff, the session renewed in place before its token expires, heartbeats, and requests
 * matched to their answers (one not answered within requestTimeoutMs drops the socket).
 * What the frames mean is the client's.
 */
export class Connection {
  private _state: ClientState = 'idle';
  private lastAck?: ConnectionAck;

  private readonly backoff: Backoff;
  private readonly requestTimeoutMs: number;

  private readonly inflight = new Map<string, Inflight>();
  private connectWaiters: Waiter<ConnectionAck>[] = [];

  private socket?: SocketLike;
  private _generation = 0;
  private _sessionReady = false;
  private reqSeq = 0;
  private token?: string;
  private needFreshToken = false;
  private authFailures = 0;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  /** Drops a socket that has not answered `auth` in time; cleared with the socket. */
  private authTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly opts: ClientOptions,
    private readonly host: ConnectionHost,
  ) {
    this.backoff = new Backoff(opts.backoff);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15000;
  }

  get state(): ClientState {
    return this._state;
  }

  /** The last connection.ack (kept across reconnects). */
  get ack(): ConnectionAck | undefined {
    return this.lastAck;
  }

  /** Changes with every connection; work started on an older one is abandoned. */
  get generation(): number {
    return this._generation;
  }

  /** connection.ack arrived on the current socket. */
  get sessionReady(): boolean {
    return this._sessionReady;
  }

  /** A session is open and the client's state says so. */
  ready(): boolean {
    return this._sessionReady && this._state === 'open';
  }

  connect(): Promise<ConnectionAck> {
    if (this._state === 'closed') return Promise.reject(new ClosedError());
    if (this._state === 'open' && this.lastAck) return Promise.resolve(this.lastAck);
    const p = new Promise<ConnectionAck>((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
    if (this._state === 'idle') void this.open();
    return p;
  }

  close(): void {
    if (this._state === 'closed') return;
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.authTimer);
    this.stopPing();
    const s = this.socket;
    this.socket = undefined;
    ++this._generation;
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
    this.host.closed(err);
  }

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
    this.host.emit('state', s);
  }

  /** The user's token: the cached one, or (`fresh`, or none yet) from options.token. */
  async getToken(fresh: boolean): Promise<string> {
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
    const gen = ++this._generation;
    this.setState(this.lastAck ? 'reconnecting' : 'connecting');
    let token: string;
    let Ctor: SocketConstructor;
    try {
      token = await this.getToken(this.needFreshToken);
      this.needFreshToken = false;
      Ctor = this.opts.WebSocket ?? (await defaultWebSocket());
    } catch (err) {
      if (gen !== this._generation) return;
      const e = err instanceof ConfabError ? err : new ConnectionError(String(err));
      this.host.emit('error', e);
      if (e instanceof AuthError) this.rejectConnectWaiters(e);
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    if (gen !== this._generation || (this._state as ClientState) === 'closed') return;
    let sock: SocketLike;
    try {
      sock = new Ctor(wsUrl(this.opts.url));
    } catch (err) {
      this.host.emit('error', new ConnectionError(`cannot open the WebSocket: ${String(err)}`));
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    this.socket = sock;
    clearTimeout(this.authTimer);
    this.authTimer = setTimeout(() => {
      if (gen === this._generation && !this._sessionReady && this.socket === sock) this.dropSocket(1006, 'no connection.ack in time');
    }, this.requestTimeoutMs);
    sock.onopen = () => {
      if (gen !== this._generation) return;
      sock.send(JSON.stringify({ type: 'auth', token }));
    };
    sock.onmessage = (ev) => {
      if (gen !== this._generation) return;
      let frame: any;
      try {
        frame = JSON.parse(frameText(ev.data));
      } catch {
        this.host.emit('error', new ConfabError('protocol', 'the server sent a frame that is not JSON'));
        return;
      }
      if (frame?.type === 'connection.ack') clearTimeout(this.authTimer);
      this.handleFrame(frame);
    };
    sock.onclose = (ev) => {
      if (gen !== this._generation) return;
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
    const wasReady = this._sessionReady;
    clearTimeout(this.authTimer);
    this.socket = undefined;
    this._sessionReady = false;
    ++this._generation;
    this.stopPing();
    this.failInflight();
    this.host.emit('disconnected', { code, reason });
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
        this.host.emit('error', err);
        this.rejectConnectWaiters(err);
        this.close();
        return;
      }
      if (this.authFailures >= 2) {
        this.host.emit('error', err);
        this.rejectConnectWaiters(err);
      }
      this.scheduleReconnect(this.authFailures === 1 ? 0 : this.backoff.next());
      return;
    }
    if ([1002, 1007, 1009, 4000].includes(code))
      this.host.emit('error', new ConnectionError(`the server closed the connection: ${code} ${reason}`, code));
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
    for (const [, f] of this.inflight) clearTimeout(f.timer);
    const unanswered: InflightInit[] = [...this.inflight.values()];
    this.inflight.clear();
    this.host.lost(unanswered);
  }

  /** Write a frame; false when no socket is open. */
  sendFrame(frame: Record<string, unknown>): boolean {
    const s = this.socket;
    if (!s || s.readyState !== 1) return false;
    s.send(JSON.stringify(frame));
    return true;
  }

  /** Write a frame with a fresh `req`; answers it, or undefined when no socket is open. */
  request(frame: Record<string, unknown>, entry: InflightInit): string | undefined {
    const req = `r${++this.reqSeq}`;
    if (!this.sendFrame({ ...frame, req })) return undefined;
    const timer = setTimeout(() => {
      if (!this.inflight.has(req)) return;
      this.host.emit('error', new TimeoutError(`no answer to ${String(frame.type)} within ${this.requestTimeoutMs} ms: reconnecting`));
      this.dropSocket(1006, 'request timeout');
    }, this.requestTimeoutMs);
    this.inflight.set(req, { ...entry, timer } as Inflight);
    return req;
  }

  private startPing(heartbeatMs: number): void {
    this.stopPing();
    const every = Math.max(5000, Math.min(heartbeatMs || 25000, 60000));
    this.pingTimer = setInterval(() => {
      if (this._sessionReady) this.request({ type: 'ping' }, { kind: 'ping' });
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
    const gen = this._generation;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshToken(gen), delay);
  }

  private async refreshToken(gen: number): Promise<void> {
    let token: string;
    try {
      token = await this.getToken(true);
    } catch (err) {
      this.host.emit('error', err instanceof ConfabError ? err : new AuthError(String(err)));
      return; // the server's 4001 at expiry leads to a reconnect, which asks again
    }
    if (gen !== this._generation || !this._sessionReady || !this.lastAck) return;
    this.request({ type: 'auth.refresh', token }, { kind: 'refresh' });
  }

  /** Match an answer to its request; the session's own frames stay here, the rest go to the client. */
  private handleFrame(f: any): void {
    const req: string | undefined = typeof f.req === 'string' ? f.req : undefined;
    const pending = req ? this.inflight.get(req) : undefined;
    if (pending) {
      clearTimeout(pending.timer);
      this.inflight.delete(req!);
    }
    if (f.type === 'connection.ack') return this.onConnectionAck(f as ConnectionAck);
    if (f.type === 'auth.refreshed') {
      if (this.lastAck) this.scheduleRefresh({ ...this.lastAck, server_time: Date.now() });
      return;
    }
    this.host.frame(f, pending);
  }

  private onConnectionAck(ack: ConnectionAck): void {
    this.lastAck = ack;
    this._sessionReady = true;
    this.authFailures = 0;
    this.backoff.reset();
    this.setState('open');
    this.startPing(ack.heartbeat_ms);
    this.scheduleRefresh(ack);
    this.host.emit('connected', ack);
    for (const w of this.connectWaiters) w.resolve(ack);
    this.connectWaiters = [];
    this.host.opened(this._generation);
  }
}

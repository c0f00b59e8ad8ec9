import { ConfabError, ServerError, isFinalSendError } from './errors.js';
import { resendable, type OutboxEntry, type OutboxStore } from './outbox.js';
import type { Envelope, SendAck } from './types.js';

/** What the queue needs from the client's connection. */
export interface SendHost {
  /** A session is open and its catch-up may start. */
  ready(): boolean;
  /** Changes with every connection; a send started on an older one is abandoned. */
  generation(): number;
  /** Write a request; answers its req, or undefined when no socket is open. */
  request(frame: Record<string, unknown>, clientMsgId: string): string | undefined;
  /** This conversation has been synced since the connection opened (or is not tracked). */
  caughtUp(convoId: string): boolean;
  emit(event: 'sent' | 'send.retry' | 'error', payload: unknown): void;
}

interface Waiter {
  resolve: (v: SendAck) => void;
  reject: (e: Error) => void;
}

/**
 * The outbox at work: entries kept in the store until acked (or found in the conversation),
 * (re)sent with the same client_msg_id, rate limits and `unavailable` waited out, final errors
 * reported; entries older than the dedup window wait for their conversation's catch-up.
 */
export class SendQueue {
  readonly loaded: Promise<void>;
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly sending = new Set<string>();
  private readonly notBefore = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private pumpTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly host: SendHost,
    private readonly outbox: OutboxStore,
    private readonly dedupWindowMs: number,
    private readonly maxInflight: number,
  ) {
    this.loaded = Promise.resolve()
      .then(() => this.outbox.load())
      .then((list) => {
        for (const e of list) if (!this.entries.has(e.clientMsgId)) this.entries.set(e.clientMsgId, e);
      })
      .catch((err) => this.host.emit('error', new ConfabError('outbox', `could not load the outbox: ${String(err)}`)));
  }

  async add(entry: OutboxEntry): Promise<SendAck> {
    await this.loaded;
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

  async list(): Promise<OutboxEntry[]> {
    await this.loaded;
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  stop(): void {
    clearTimeout(this.pumpTimer);
  }

  rejectWaiters(err: Error): void {
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  /** The socket is gone: nothing is in flight any more. */
  connectionLost(): void {
    this.sending.clear();
  }

  /** One of our own messages reached the app: whatever happened to its ack, it is sent. */
  delivered(env: Envelope): void {
    const entry = this.entries.get(env.client_msg_id);
    if (!entry || entry.convoId !== env.convo_id) return;
    this.complete(entry, {
      status: 'ok',
      server_msg_id: env.server_msg_id,
      seq_no: env.seq_no,
      ts: env.ts,
      duplicate: true,
      client_msg_id: env.client_msg_id,
      convo_id: env.convo_id,
    });
  }

  pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    if (!this.host.ready()) return;
    const now = Date.now();
    let wakeAt = Infinity;
    const blocked = new Set<string>(); // conversations whose earlier entry waits: keep their order
    const ready = resendable([...this.entries.values()], now, this.dedupWindowMs, (c) => this.host.caughtUp(c));
    const readyIds = new Set(ready.map((e) => e.clientMsgId));
    for (const entry of this.entries.values()) {
      if (this.sending.has(entry.clientMsgId)) continue;
      if (this.sending.size >= this.maxInflight) break;
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
    const gen = this.host.generation();
    if (entry.firstSentMs === undefined) {
      // Remember (durably, before it leaves) that the server may hold it from now on.
      entry.firstSentMs = Date.now();
      try {
        await this.outbox.put(entry);
      } catch (err) {
        this.host.emit('error', new ConfabError('outbox', `could not store the outbox entry: ${String(err)}`));
      }
      if (gen !== this.host.generation()) return; // the connection changed meanwhile: pump() sends again
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
    if (!this.host.request(frame, entry.clientMsgId)) this.sending.delete(entry.clientMsgId);
  }

  onAck(id: string, f: { server_msg_id: string; seq_no: number; ts: number; duplicate?: boolean }): void {
    this.sending.delete(id);
    const entry = this.entries.get(id);
    if (entry)
      this.complete(entry, {
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

  onError(id: string, err: ServerError): void {
    this.sending.delete(id);
    const entry = this.entries.get(id);
    if (!entry) return;
    if (!isFinalSendError(err.code)) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      const delay = err.code === 'rate_limited' ? err.retryAfterMs ?? 1000 : Math.min(30000, 500 * Math.pow(2, n - 1));
      const retryAtMs = Date.now() + delay;
      this.notBefore.set(id, retryAtMs);
      this.host.emit('send.retry', { clientMsgId: id, convoId: entry.convoId, code: err.code, retryAtMs });
      this.pump();
      return;
    }
    this.forget(entry);
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    if (w) w.reject(err);
    else this.host.emit('error', err);
    this.pump();
  }

  private complete(entry: OutboxEntry, ack: SendAck): void {
    this.forget(entry);
    const w = this.waiters.get(entry.clientMsgId);
    this.waiters.delete(entry.clientMsgId);
    w?.resolve(ack);
    this.host.emit('sent', { entry, ack });
  }

  private forget(entry: OutboxEntry): void {
    this.entries.delete(entry.clientMsgId);
    this.notBefore.delete(entry.clientMsgId);
    this.failures.delete(entry.clientMsgId);
    Promise.resolve()
      .then(() => this.outbox.remove(entry.clientMsgId))
      .catch((err) => this.host.emit('error', new ConfabError('outbox', `could not remove the outbox entry: ${String(err)}`)));
  }
}

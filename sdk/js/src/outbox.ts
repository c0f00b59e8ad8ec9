import type { Attachment, Json } from './types.js';

/** A send the server has not acknowledged yet. */
export interface OutboxEntry {
  convoId: string;
  clientMsgId: string;
  content: Json;
  attachments?: Attachment[];
  /** When send() was called (ms since the epoch). */
  createdMs: number;
  /** When it was first written to a socket, if ever: after that the server may hold it. */
  firstSentMs?: number;
}

/** Where the outbox lives. All methods may be async (IndexedDB) or not (memory). */
export interface OutboxStore {
  /** Every entry, oldest first. */
  load(): Promise<OutboxEntry[]> | OutboxEntry[];
  put(entry: OutboxEntry): Promise<void> | void;
  remove(clientMsgId: string): Promise<void> | void;
}

/** The default: lost when the process or page ends. */
export class MemoryOutbox implements OutboxStore {
  private readonly entries = new Map<string, OutboxEntry>();
  load(): OutboxEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }
  put(entry: OutboxEntry): void {
    this.entries.set(entry.clientMsgId, { ...entry });
  }
  remove(clientMsgId: string): void {
    this.entries.delete(clientMsgId);
  }
}

type IdbFactory = {
  open(name: string, version?: number): IdbRequest;
};
type IdbRequest = {
  result: any;
  error: unknown;
  onsuccess: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onupgradeneeded?: ((ev: unknown) => void) | null;
};

/** Browser outbox in IndexedDB: unacked sends survive a reload and are resent on the next connect. */
export class IndexedDbOutbox implements OutboxStore {
  private readonly dbName: string;
  private readonly factory: IdbFactory;
  private db?: Promise<any>;

  constructor(dbName = 'confab-outbox', factory?: IdbFactory) {
    this.dbName = dbName;
    const f = factory ?? (globalThis as { indexedDB?: IdbFactory }).indexedDB;
    if (!f) throw new TypeError('IndexedDbOutbox: no indexedDB in this environment');
    this.factory = f;
  }

  private open(): Promise<any> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const req = this.factory.open(this.dbName, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'clientMsgId' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return this.db;
  }

  private async run<T>(mode: 'readonly' | 'readwrite', op: (store: any) => IdbRequest): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction('outbox', mode);
      const req = op(tx.objectStore('outbox'));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error ?? req.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  async load(): Promise<OutboxEntry[]> {
    const all = await this.run<OutboxEntry[]>('readonly', (s) => s.getAll());
    return all.sort((a, b) => a.createdMs - b.createdMs);
  }
  async put(entry: OutboxEntry): Promise<void> {
    await this.run('readwrite', (s) => s.put(entry));
  }
  async remove(clientMsgId: string): Promise<void> {
    await this.run('readwrite', (s) => s.delete(clientMsgId));
  }
}

/**
 * Which outbox entries may be (re)sent now. An entry first sent longer ago than the server's
 * dedup window may already be in history with its id forgotten by the server, so it waits until
 * its conversation has been synced (which drops it if found); the others are resent at once and
 * the server answers a duplicate with the original ack.
 */
export function resendable(
  entries: OutboxEntry[],
  now: number,
  dedupWindowMs: number,
  caughtUp: (convoId: string) => boolean,
): OutboxEntry[] {
  return entries.filter((e) => {
    if (e.firstSentMs === undefined) return true;
    // 10 % margin: the server remembers an id for at least the window, counted from its accept.
    if (now - e.firstSentMs < dedupWindowMs * 0.9) return true;
    return caughtUp(e.convoId);
  });
}

// The WebSocket implementation: the global one (browsers, Node 22+), else the `ws` package (Node 18/20).

/** The subset of the WebSocket API the client uses (browser WebSocket and `ws` both have it). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

let cached: Promise<SocketConstructor> | undefined;

export function defaultWebSocket(): Promise<SocketConstructor> {
  const global = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (global) return Promise.resolve(global);
  if (!cached) {
    cached = import('ws').then(
      (mod: any) => (mod.WebSocket ?? mod.default ?? mod) as SocketConstructor,
      (err: unknown) => {
        cached = undefined;
        throw new TypeError(`no WebSocket in this environment and the 'ws' package could not be loaded: ${String(err)}`);
      },
    );
  }
  return cached;
}

/** `http://h:p/base` -> `ws://h:p/base/v1/ws` (https -> wss). */
export function wsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = url.pathname.replace(/\/+$/, '') + '/v1/ws';
  return url.toString();
}

/** A text frame's payload as a string (the server sends only text frames). */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array);
  return String(data);
}

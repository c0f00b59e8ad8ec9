// A WebSocket for the SDK (its `WebSocket` option) that gives up its connection as soon as
// the browser says it went offline.
//
// Why: a browser keeps an open WebSocket open when the network goes away (Chromium does so
// even when DevTools switches the page offline), so without this the client would notice only
// when its heartbeat times out, and meanwhile sends would sit on a dead socket. Dropping it at
// the `offline` event makes the SDK reconnect at once: connection attempts fail until the
// network is back, sends wait in the SDK's outbox, and the first connection after `online`
// resends them with their client_msg_id (so each arrives once).

type Handler<E> = ((ev: E) => void) | null;

export function offlineAwareWebSocket() {
  const live = new Set<OfflineAwareSocket>();
  window.addEventListener('offline', () => {
    for (const s of [...live]) s.drop('the browser went offline');
  });

  class OfflineAwareSocket {
    onopen: Handler<unknown> = null;
    onmessage: Handler<{ data: unknown }> = null;
    onclose: Handler<{ code: number; reason: string }> = null;
    onerror: Handler<unknown> = null;
    private readonly ws: WebSocket;
    private dropped = false;

    constructor(url: string) {
      this.ws = new WebSocket(url);
      live.add(this);
      this.ws.onopen = (ev) => this.onopen?.(ev);
      this.ws.onmessage = (ev) => this.onmessage?.(ev);
      this.ws.onerror = (ev) => this.onerror?.(ev);
      this.ws.onclose = (ev) => {
        live.delete(this);
        if (!this.dropped) this.onclose?.({ code: ev.code, reason: ev.reason });
      };
    }

    get readyState(): number {
      return this.dropped ? WebSocket.CLOSED : this.ws.readyState;
    }

    send(data: string): void {
      if (this.dropped) throw new Error('the socket was dropped (offline)');
      this.ws.send(data);
    }

    close(code?: number, reason?: string): void {
      this.ws.close(code, reason);
    }

    // Report an abnormal close now: the real close handshake may never finish without a network.
    drop(reason: string): void {
      if (this.dropped) return;
      this.dropped = true;
      live.delete(this);
      this.ws.close(1000, reason);
      this.onclose?.({ code: 1006, reason });
    }
  }
  return OfflineAwareSocket;
}

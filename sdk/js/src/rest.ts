import { ServerError } from './errors.js';

export type FetchLike = (input: string, init?: {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}) => Promise<{
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** Parse a REST error body `{"error":{"code","message"}}` into a ServerError. */
export function restError(status: number, body: string, retryAfterHeader?: string | null): ServerError {
  let code = status === 401 ? 'unauthorized' : status >= 500 ? 'unavailable' : 'bad_request';
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
    if (parsed.error?.code) code = parsed.error.code;
    if (parsed.error?.message) message = parsed.error.message;
  } catch {
    if (body) message = `HTTP ${status}: ${body.slice(0, 200)}`;
  }
  const retry = retryAfterHeader ? Number(retryAfterHeader) * 1000 : undefined;
  return new ServerError(code, message, { status, retryAfterMs: Number.isFinite(retry) ? retry : undefined });
}

/** JSON calls to `/v1/...` with the user's bearer token; a 401 gets one retry with a fresh token. */
export class Rest {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: FetchLike,
    private readonly token: (fresh: boolean) => Promise<string>,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; ++attempt) {
      const token = await this.token(attempt > 0);
      const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 401 && attempt === 0) continue;
      if (!res.ok) throw restError(res.status, text, res.headers.get('retry-after'));
      return (text ? JSON.parse(text) : undefined) as T;
    }
  }
}

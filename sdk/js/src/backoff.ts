export interface BackoffOptions {
  /** First delay, ms (default 500). */
  initialMs?: number;
  /** Upper bound, ms (default 30000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Relative randomisation, 0..1: the delay is multiplied by a value in [1-jitter, 1+jitter] (default 0.5). */
  jitter?: number;
}

/** Jittered exponential backoff: attempt n (from 0) waits min(maxMs, initialMs·factor^n) ± jitter. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1))
      throw new RangeError('backoff: need 0 < initialMs <= maxMs and factor >= 1');
  }

  /** The delay before the next attempt; each call counts one attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * Math.pow(this.factor, this.attempt));
    this.attempt = Math.min(this.attempt + 1, 64);
    const spread = 1 - this.jitter + 2 * this.jitter * this.random();
    return Math.max(0, Math.round(Math.min(this.maxMs, base * spread)));
  }

  /** A success: the next delay starts from initialMs again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * Pacing for one service: at most `maxConcurrent` requests in flight, and request starts at least
 * `minIntervalMs` apart (arXiv: one at a time, every 3 s). Waiting requests form a queue served in
 * order; a cancelled one leaves the queue at once. Nothing spins: a single timer waits for the
 * next start.
 */

export interface GateOptions {
  minIntervalMs: number;
  maxConcurrent: number;
  now?: () => number;
}

interface Waiter {
  resolve(admitted: boolean): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RequestGate {
  private readonly queue: Waiter[] = [];
  private active = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: GateOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `task` when the pacing allows, or not at all when `signal` is aborted first (then
   * `cancelled` is true). The task's slot is freed when it settles.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<{ cancelled: true } | { cancelled: false; value: T }> {
    const admitted = await this.acquire(signal);
    if (!admitted) return { cancelled: true };
    try {
      return { cancelled: false, value: await task() };
    } finally {
      this.active--;
      this.pump();
    }
  }

  /** How many requests are waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  private acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, signal };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          resolve(false);
          if (!this.queue.length && this.timer) {
            // Nobody is waiting any more: do not hold the process open for a start that will not happen.
            clearTimeout(this.timer);
            this.timer = undefined;
          }
          this.pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Admits waiters while a slot is free and the interval has passed; otherwise sets one timer. */
  private pump(): void {
    if (this.timer) return;
    while (this.queue.length && this.active < this.options.maxConcurrent) {
      const wait = this.lastStart + this.options.minIntervalMs - this.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const waiter = this.queue.shift();
      if (!waiter) return;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.active++;
      this.lastStart = this.now();
      waiter.resolve(true);
    }
  }
}

/**
 * Long work on the extension host's main thread, cut into slices: the caller checks `due` between
 * units of work and awaits `yield()` when a slice has used its time, so typing, hovers and other
 * extensions get the thread in between (the bench reports the longest slice).
 */

/** Slices of at most `sliceMs` of synchronous work. */
export class Slicer {
  private start = performance.now();
  /** How many times work yielded (for the bench). */
  yields = 0;

  constructor(private readonly sliceMs = 8) {}

  /** Whether the current slice has used its time. */
  get due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  /** Lets other work run, then starts a new slice. */
  async yield(): Promise<void> {
    this.yields++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }

  /** Yields when the slice is used up. */
  async check(): Promise<void> {
    if (this.due) await this.yield();
  }
}

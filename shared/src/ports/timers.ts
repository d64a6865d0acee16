/** Waiting, running later and wall-clock time, injected so shared code uses no platform timers. */
export interface Timers {
  sleep(ms: number): Promise<void>;
  /** Runs `fn` after the current work (after the HTTP answer has gone out). */
  defer(fn: () => void): void;
  /** Runs `fn` after `ms` unless the returned cancel is called first. */
  after(ms: number, fn: () => void): () => void;
  /**
   * Wall-clock epoch ms, for platform deadlines (a CloudBase invocation's time limit), whatever
   * clock the product's own time runs on (tests and the sandbox move that one).
   */
  wallNow(): number;
}

/**
 * At most `max` tasks at a time per key (a merchant), the rest queued in order. One shop's burst
 * then waits in its own queue instead of crowding every other shop's work off the event loop.
 * In-process only: across processes, the per-customer leases keep work from running twice.
 */
export interface KeyedLimiter {
  /** `first`: wait at the head of the key's queue instead of its tail (work already under way). */
  run<T>(key: string, task: () => Promise<T>, first?: boolean): Promise<T>;
  /** Tasks running and waiting for a key (for logs and tests). */
  load(key: string): { running: number; waiting: number };
}

export function createKeyedLimiter(max: number): KeyedLimiter {
  if (!Number.isInteger(max) || max < 1) throw new Error(`limit must be a positive integer, got ${max}`);
  const lanes = new Map<string, { running: number; waiting: (() => void)[] }>();

  const release = (key: string) => {
    const lane = lanes.get(key)!;
    const next = lane.waiting.shift();
    if (next) return next(); // the slot passes straight to the next task
    lane.running--;
    if (lane.running === 0) lanes.delete(key);
  };

  return {
    async run(key, task, first = false) {
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = { running: 0, waiting: [] }));
      if (lane.running < max) lane.running++;
      else await new Promise<void>((resolve) => (first ? lane.waiting.unshift(resolve) : lane.waiting.push(resolve)));
      try {
        return await task();
      } finally {
        release(key);
      }
    },
    load(key) {
      const lane = lanes.get(key);
      return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
    },
  };
}

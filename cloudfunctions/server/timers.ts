import type { Timers } from '@xiaoer/shared/ports/timers';

/** The Timers port on Node's event loop. */
export const nodeTimers: Timers = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  defer: (fn) => void setImmediate(fn),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  wallNow: () => Date.now(),
};

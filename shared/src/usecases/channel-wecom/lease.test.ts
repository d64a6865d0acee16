import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import type { Timers } from '../../ports/timers';
import { testDeps } from '../../../../test/helpers/deps';
import { tryAcquireLease } from './lease';

/** Timers whose callbacks run only when the test says so (a dead process runs none). */
function manualTimers(): Timers & { fire(): void; pending: number } {
  let due: (() => void)[] = [];
  return {
    sleep: async () => {},
    defer: (fn) => fn(),
    after(_ms, fn) {
      due.push(fn);
      return () => {
        due = due.filter((f) => f !== fn);
      };
    },
    wallNow: () => 0,
    fire() {
      const now = due;
      due = [];
      for (const f of now) f();
    },
    get pending() {
      return due.length;
    },
  };
}

let deps: Deps & { clock: ManualClock };
let timers: ReturnType<typeof manualTimers>;
beforeEach(() => {
  timers = manualTimers();
  deps = { ...testDeps(), timers };
});
afterEach(() => deps.storage.close());

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('customer lease', () => {
  it('is kept while its holder works (heartbeat) and released on demand', async () => {
    const lease = await tryAcquireLease(deps, 'shop', 'u1', 10_000);
    expect(lease).not.toBeNull();
    for (let i = 0; i < 5; i++) {
      deps.clock.advance(8_000);
      timers.fire();
      await settle();
      expect(await tryAcquireLease(deps, 'shop', 'u1', 10_000)).toBeNull();
    }
    await lease!.release();
    expect(timers.pending).toBe(0);
    expect(await tryAcquireLease(deps, 'shop', 'u1', 10_000)).not.toBeNull();
  });

  it('lapses within its length when the holder died (no heartbeat ran)', async () => {
    expect(await tryAcquireLease(deps, 'shop', 'u2', 10_000)).not.toBeNull();
    deps.clock.advance(9_000);
    expect(await tryAcquireLease(deps, 'shop', 'u2', 10_000)).toBeNull();
    deps.clock.advance(1_500);
    expect(await tryAcquireLease(deps, 'shop', 'u2', 10_000)).not.toBeNull();
  });
});

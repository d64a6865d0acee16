import { createKeyedLimiter } from './keyed-limiter';

/** A task that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { open, done };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('a per-merchant limit on concurrent work', () => {
  it('runs at most `max` tasks of one key at once and the rest in order', async () => {
    const limit = createKeyedLimiter(2);
    const gates = [0, 1, 2, 3].map(gate);
    const started: number[] = [];
    const all = gates.map((g, i) =>
      limit.run('shop-a', async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limit.load('shop-a')).toEqual({ running: 2, waiting: 2 });
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3]);
    expect(limit.load('shop-a')).toEqual({ running: 0, waiting: 0 });
  });

  it("lets another shop's task run while one shop's burst waits in its own queue", async () => {
    const limit = createKeyedLimiter(2);
    const burst = Array.from({ length: 50 }, gate);
    const order: string[] = [];
    const a = burst.map((g, i) =>
      limit.run('busy-shop', async () => {
        order.push(`a${i}`);
        await g.done;
      }),
    );
    const b = limit.run('quiet-shop', async () => void order.push('b'));
    await b;
    // the quiet shop's one task ran before all but the first two of the burst
    expect(order).toEqual(['a0', 'a1', 'b']);
    burst.forEach((g) => g.open());
    await Promise.all(a);
    expect(order).toHaveLength(51);
  });

  it('frees the slot when a task fails', async () => {
    const limit = createKeyedLimiter(1);
    await expect(limit.run('s', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run('s', async () => 'next')).resolves.toBe('next');
    expect(limit.load('s')).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createKeyedLimiter(0)).toThrow();
    expect(() => createKeyedLimiter(1.5)).toThrow();
  });

  it('puts a task marked `first` at the head of its queue, ahead of the tasks waiting already', async () => {
    const limit = createKeyedLimiter(1);
    const hold = gate();
    const order: string[] = [];
    const running = limit.run('shop-a', () => hold.done);
    const fresh = ['a', 'b', 'c'].map((n) => limit.run('shop-a', async () => void order.push(n)));
    const again = limit.run('shop-a', async () => void order.push('retry'), true);
    await tick();
    expect(limit.load('shop-a')).toEqual({ running: 1, waiting: 4 });
    hold.open();
    await Promise.all([running, ...fresh, again]);
    expect(order).toEqual(['retry', 'a', 'b', 'c']);
  });
});

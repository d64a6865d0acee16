import { syncOnce } from './sync-flight';

describe('syncOnce (single-flight per kf account)', () => {
  it('callbacks during a running sync share one trailing pass, with the newest token', async () => {
    const scope = {};
    const passes: (string | undefined)[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = async (token: string | undefined) => {
      passes.push(token);
      if (passes.length === 1) await gate;
      return passes.length;
    };
    const first = syncOnce(scope, 'k', { token: 't1', run });
    const joiners = ['t2', 't3', 't4'].map((token) => syncOnce(scope, 'k', { token, run }));
    release();
    const [a, ...rest] = await Promise.all([first, ...joiners]);
    expect(passes).toEqual(['t1', 't4']);
    expect(a).toEqual({ result: 1, owner: true });
    // the first to arrive during the pass owns the trailing one; every joiner sees that pass
    expect(rest).toEqual([
      { result: 2, owner: true },
      { result: 2, owner: false },
      { result: 2, owner: false },
    ]);
    // afterwards the account is idle again: the next callback starts a pass at once
    expect(await syncOnce(scope, 'k', { run })).toEqual({ result: 3, owner: true });
  });

  it('keys and scopes are independent; a failed pass fails its callers, not the next pass', async () => {
    const calls: string[] = [];
    const run =
      (name: string, fail = false) =>
      async () => {
        calls.push(name);
        if (fail) throw new Error('sync failed');
        return name;
      };
    const [x, y, z] = await Promise.allSettled([syncOnce({}, 'k', { run: run('a', true) }), syncOnce({}, 'k', { run: run('b') }), syncOnce({}, 'other', { run: run('c') })]);
    expect(x.status).toBe('rejected');
    expect([y.status, z.status]).toEqual(['fulfilled', 'fulfilled']);
    const scope = {};
    const failing = syncOnce(scope, 'k', { run: run('d', true) });
    const after = syncOnce(scope, 'k', { run: run('e') });
    await expect(failing).rejects.toThrow('sync failed');
    await expect(after).resolves.toEqual({ result: 'e', owner: true });
  });
});

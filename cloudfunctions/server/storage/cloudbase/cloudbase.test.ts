import { runStorageContracts } from '../contract';
import { createCloudbaseStorage, ensureCollections, COLLECTIONS } from '.';
import { fakeDatabase } from '../../../../test/cloudbase-fake/sdk-double';
import { customer } from '../contract/fixtures';

/**
 * The repository contracts against the CloudBase adapter, through the real SDK query builder
 * over an in-memory engine with CloudBase's semantics. Pages are forced down to 3 documents so
 * any method that forgets to paginate loses data and fails its contract.
 */
describe('CloudBase storage (SDK database double, 3 documents per page)', () => {
  runStorageContracts(async () => {
    const { db, engine } = fakeDatabase({ maxPage: 3 });
    await ensureCollections(db);
    engine.log.length = 0;
    return createCloudbaseStorage(db);
  });

  it('reads 250 documents through 3-document pages', async () => {
    const { db, engine } = fakeDatabase({ maxPage: 3 });
    await ensureCollections(db);
    const s = createCloudbaseStorage(db);
    for (let i = 0; i < 250; i++)
      engine.insert('customers', { ...customer('big', `wm${String(i).padStart(3, '0')}`), idx_lastActive: 1000 + i, schemaVersion: 1, _id: `big:wm${String(i).padStart(3, '0')}` });
    engine.log.length = 0;
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.customers.list('big', { limit: 100, cursor });
      all.push(...page.items.map((c) => c.externalUserId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toHaveLength(250);
    expect(new Set(all).size).toBe(250);
    expect(all[0]).toBe('wm249');
    expect(await s.customers.count('big')).toBe(250);
    expect(engine.log.filter((l) => l.action === 'database.getDocument').length).toBeGreaterThanOrEqual(84);
  });

  it('counts a new event on a counter document it has met with one request, a repeated event with none applied', async () => {
    const { db, engine } = fakeDatabase({ maxPage: 3 });
    await ensureCollections(db);
    const s = createCloudbaseStorage(db);
    const inc = (eventId: string) => ({ day: '2026-12-06', hour: 10, name: 'customerMessages' as const, amount: 1, eventId });
    // first meeting: each document (day, hour) inserted then updated
    expect(await s.counters.increment('m', [inc('e1')])).toBe(1);
    engine.log.length = 0;
    expect(await s.counters.increment('m', [inc('e2')])).toBe(1);
    expect(engine.log).toHaveLength(2); // one update for the day, one for the hour
    expect(await s.counters.increment('m', [inc('e2')])).toBe(0);
    // another instance (cold) meets the same documents: inserts are no-ops, nothing counted twice
    const other = createCloudbaseStorage(db);
    expect(await other.counters.increment('m', [inc('e2'), inc('e3')])).toBe(1);
    expect((await s.counters.days('m', '2026-12-06', '2026-12-06'))['2026-12-06']!.customerMessages).toBe(3);
    expect((await s.counters.hours('m', '2026-12-06', '2026-12-06'))['2026-12-06']![10]!.customerMessages).toBe(3);
  });

  it('creates every collection at start and tolerates ones that exist', async () => {
    const { db, engine } = fakeDatabase();
    expect(await ensureCollections(db)).toEqual([...COLLECTIONS]);
    expect(await ensureCollections(db)).toEqual([]);
    expect([...engine.collections.keys()].sort()).toEqual([...COLLECTIONS].sort());
  });

  it('stamps documents with schemaVersion and keeps tenants apart by _id', async () => {
    const { db, engine } = fakeDatabase();
    await ensureCollections(db);
    const s = createCloudbaseStorage(db);
    await s.customers.upsert(customer('a', 'wm1'));
    await s.customers.upsert(customer('b', 'wm1'));
    const docs = engine.find('customers');
    expect(docs.map((d) => d._id).sort()).toEqual(['a:wm1', 'b:wm1']);
    expect(docs.every((d) => d.schemaVersion === 1)).toBe(true);
  });
});

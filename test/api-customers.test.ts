import { callApi as callApiBare } from '@xiaoer/shared/api/dispatch';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createChannel, removeChannel } from '@xiaoer/shared/usecases/channels/manage';

/** 客户 through the api: the list's filters, sort, total and paging; the profile's fields; who sees what. */

const OWNER = { openid: 'local:shop:owner' };
const STAFF = { openid: 'local:shop:staff' };
const DAY = 86_400_000;
let deps: Deps & { clock: ManualClock };
const call = async (raw: Record<string, unknown>, who = OWNER) => (await callApiBare(deps, who, { merchantId: 'shop', ...raw })).result as any;
const refused = (raw: Record<string, unknown>, who = OWNER) =>
  callApiBare(deps, who, { merchantId: 'shop', ...raw }).then(
    () => null,
    (e: { code: string; status: number; details?: { path: string }[] }) => ({ code: e.code, status: e.status, paths: (e.details ?? []).map((d) => d.path) }),
  );

function customer(ext: string, over: Partial<Customer>): Customer {
  const now = deps.clock.now();
  return { merchantId: 'shop', externalUserId: ext, name: ext, source: 'kf', tags: [], totalSpentFen: 0, orderCount: 0, lost: false, createdAt: now, updatedAt: now, ...over };
}

/** Every page of a list query, with the totals the pages reported. */
async function pages(query: Record<string, unknown>, who = OWNER) {
  const ids: string[] = [];
  const totals = new Set<number>();
  let cursor: string | undefined;
  do {
    const page = await call({ action: 'customers.list', limit: 2, ...query, ...(cursor ? { cursor } : {}) }, who);
    ids.push(...page.items.map((c: { externalUserId: string }) => c.externalUserId));
    totals.add(page.total);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, totals: [...totals] };
}

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A });
  await createMerchant(deps, { id: 'other', name: '别家', ...VECTOR_A, corpId: 'ww0000000000other' });
  await ensureLocalMember(deps, 'shop', 'owner');
  await ensureLocalMember(deps, 'shop', 'staff');
  const now = deps.clock.now();
  const rows: [string, string[], number, number, number][] = [
    // ext, tags, spent (fen), added (days ago), last message (days ago)
    ['wmA', ['VIP', '复购'], 150_000, 300, 1],
    ['wmB', ['VIP'], 320_000, 100, 5],
    ['wmC', ['复购'], 40_000, 30, 0],
    ['wmD', ['沉睡'], 150_000, 400, 90],
    ['wmE', [], 0, 2, 2],
  ];
  for (const [ext, tags, totalSpentFen, added, last] of rows) {
    await deps.storage.customers.upsert(customer(ext, { tags, totalSpentFen, orderCount: totalSpentFen ? 3 : 0, createdAt: now - added * DAY, lastMessageAt: now - last * DAY }));
  }
  await deps.storage.customers.upsert({ ...customer('wmX', { tags: ['VIP', '复购'], totalSpentFen: 9_999_999 }), merchantId: 'other' });
});
afterEach(() => deps.storage.close());

describe('customers.list', () => {
  it('sorts by last visit (default), spend or added date, newest or highest first, with every page counting all matches', async () => {
    expect(await pages({})).toEqual({ ids: ['wmC', 'wmA', 'wmE', 'wmB', 'wmD'], totals: [5] });
    // equal spend (wmA, wmD) goes by id, so no page end skips or repeats one
    expect(await pages({ sort: 'spend' })).toEqual({ ids: ['wmB', 'wmA', 'wmD', 'wmC', 'wmE'], totals: [5] });
    expect(await pages({ sort: 'added' })).toEqual({ ids: ['wmE', 'wmC', 'wmB', 'wmA', 'wmD'], totals: [5] });
  });

  it('filters by tags, all of them or any, beside search; the old single tag still works', async () => {
    expect(await pages({ tags: ['VIP', '复购'] })).toEqual({ ids: ['wmA'], totals: [1] });
    expect(await pages({ tags: ['VIP', '复购'], tagMode: 'any', sort: 'spend' })).toEqual({ ids: ['wmB', 'wmA', 'wmC'], totals: [3] });
    expect(await pages({ tags: ['VIP', '沉睡'], tagMode: 'any', search: 'wmD' })).toEqual({ ids: ['wmD'], totals: [1] });
    expect(await pages({ tag: 'VIP' })).toEqual({ ids: ['wmA', 'wmB'], totals: [2] });
    expect(await pages({ tags: ['没有这个标签'] })).toEqual({ ids: [], totals: [0] });
  });

  it('gives staff the same list without money and with masked phones', async () => {
    await deps.storage.customers.upsert(customer('wmP', { phone: '13812345678', totalSpentFen: 5_000 }));
    const [first] = (await call({ action: 'customers.list', search: '5678' }, STAFF)).items;
    expect(first).toMatchObject({ externalUserId: 'wmP', phone: '138****5678', totalSpentFen: null, sourceText: '微信客服' });
    expect((await call({ action: 'customers.list', search: '5678' })).items[0]).toMatchObject({ phone: '13812345678', totalSpentFen: 5_000 });
    // sorting by spend is allowed to staff (they see the order, not the amounts)
    expect((await pages({ sort: 'spend' }, STAFF)).ids[0]).toBe('wmB');
  });

  it('refuses bad filters with INPUT.INVALID naming the field', async () => {
    expect(await refused({ action: 'customers.list', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) })).toEqual({ code: 'INPUT.INVALID', status: 400, paths: ['tags'] });
    expect(await refused({ action: 'customers.list', tagMode: 'some' })).toMatchObject({ code: 'INPUT.INVALID', paths: ['tagMode'] });
    expect(await refused({ action: 'customers.list', sort: 'name' })).toMatchObject({ code: 'INPUT.INVALID', paths: ['sort'] });
    expect(await refused({ action: 'customers.list', tags: ['x'.repeat(31)] })).toMatchObject({ code: 'INPUT.INVALID', paths: ['tags.0'] });
  });
});

describe('customers.get', () => {
  it('shows the profile: source in plain Chinese, note, birthday, store, first contact, last order', async () => {
    await deps.storage.stores.upsert({ id: 's1', merchantId: 'shop', name: '人民路店', address: '', createdAt: 1 });
    const now = deps.clock.now();
    await deps.storage.customers.upsert(
      customer('wmQ', {
        name: '王姐',
        phone: '13812345678',
        source: 'contact_way',
        sourceState: 'counter-card',
        storeId: 's1',
        note: '只喝少冰',
        birthday: { month: 6, day: 18 },
        totalSpentFen: 88_800,
        orderCount: 4,
        lastOrderAt: now - 3 * DAY,
        createdAt: now - 60 * DAY,
      }),
    );
    const owner = (await call({ action: 'customers.get', externalUserId: 'wmQ' })).customer;
    expect(owner).toMatchObject({
      source: 'contact_way',
      sourceText: '渠道活码',
      note: '只喝少冰',
      birthday: { month: 6, day: 18 },
      storeId: 's1',
      storeName: '人民路店',
      firstContactAt: now - 60 * DAY,
      lastOrderAt: now - 3 * DAY,
      totalSpentFen: 88_800,
      phone: '13812345678',
    });
    const staff = (await call({ action: 'customers.get', externalUserId: 'wmQ' }, STAFF)).customer;
    expect(staff).toMatchObject({ phone: '138****5678', totalSpentFen: null, note: '只喝少冰', storeName: '人民路店' });
  });

  it('says nothing is set rather than leaving fields out, and never shows a raw code as the source', async () => {
    await deps.storage.customers.upsert(customer('wmR', { source: 'campaign' }));
    expect((await call({ action: 'customers.get', externalUserId: 'wmR' })).customer).toMatchObject({
      sourceText: '活动',
      note: null,
      birthday: null,
      storeId: null,
      storeName: null,
      lastOrderAt: null,
    });
    // a code from a newer writer reads as 其他, not as the code
    await deps.storage.customers.upsert({ ...customer('wmS', {}), source: 'mystery' as Customer['source'] });
    expect((await call({ action: 'customers.get', externalUserId: 'wmS' })).customer.sourceText).toBe('其他');
  });

  it('names the channel QR code that brought a customer in the list and the profile, until the code is deleted', async () => {
    const owner = (await deps.storage.members.list('shop')).find((m) => m.role === 'owner')!;
    await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
    const env = { deps, wecom: new FakeWecomApi() };
    const bag = await createChannel(env, 'shop', { name: '外卖袋', members: ['LaoBan'] });
    await deps.storage.customers.upsert(customer('wmA', { source: 'contact_way', sourceState: bag.state }));
    const listed = (await call({ action: 'customers.list', limit: 10 })).items.find((c: { externalUserId: string }) => c.externalUserId === 'wmA');
    expect(listed.sourceText).toBe('渠道活码 · 外卖袋');
    expect((await call({ action: 'customers.get', externalUserId: 'wmA' }, STAFF)).customer.sourceText).toBe('渠道活码 · 外卖袋');
    await removeChannel(env, 'shop', bag.state);
    expect((await call({ action: 'customers.get', externalUserId: 'wmA' })).customer.sourceText).toBe('渠道活码');
  });

  it("keeps other shops' customers out", async () => {
    expect(await refused({ action: 'customers.get', externalUserId: 'wmX' })).toMatchObject({ code: 'NOT_FOUND.CUSTOMER', status: 404 });
  });
});

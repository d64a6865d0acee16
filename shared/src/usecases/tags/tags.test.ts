import type { ManualClock } from '../../domain/time';
import type { Customer } from '../../domain/customer';
import { OrderEvent } from '../../domain/order-event';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { SHOP, VECTOR_A, setupHarness } from '../../testing/wecom-harness';
import { processInboxEntry } from '../channel-wecom/inbox';
import { ingestOrderEvent } from '../orders/ingest';
import { schedulerTick } from '../scheduling/scheduler';
import { createTagBatchJob, createTagNightlyJob, createTagSweepJob, createTagSyncJob, NIGHTLY_KIND, planNightly } from './jobs';
import { enableTemplate, saveRule } from './rules';
import { applyAllRules, previewRule, sweepTags } from './run';
import { TAG_NS } from './store';
import { GROUP_NAME, MARK_CONCURRENCY, SWEEP_KIND } from './sync';
import { tagCustomer } from './profile';

const DAY = 86_400_000;
let deps: Deps & { clock: ManualClock };

/** The fake WeCom, with mark_tag taking a moment so concurrent calls overlap, and the most ever in flight kept. */
class MeteredWecom extends FakeWecomApi {
  inFlight = 0;
  peak = 0;
  override async markTag(merchantId: string, req: { userid: string; external_userid: string; add_tag?: string[]; remove_tag?: string[] }) {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      return await super.markTag(merchantId, req);
    } finally {
      this.inFlight--;
    }
  }
  marks(ext?: string) {
    return this.callsTo('externalcontact/mark_tag').filter((c) => !ext || (c.req as { external_userid: string }).external_userid === ext);
  }
}
let wecom: MeteredWecom;

function customer(ext: string, over: Partial<Customer> = {}): Customer {
  const now = deps.clock.now();
  return {
    merchantId: SHOP,
    externalUserId: ext,
    name: ext,
    source: 'qr',
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: now - 200 * DAY,
    updatedAt: now,
    ...over,
  };
}
const tagsOf = async (ext: string) => (await deps.storage.customers.get(SHOP, ext))!.tags;

beforeEach(async () => {
  deps = testDeps();
  await setupHarness(deps);
  wecom = new MeteredWecom();
});
afterEach(() => deps.storage.close());

describe('tag rules over a shop (奶茶 spend tiers: VIP from ¥1000)', () => {
  beforeEach(async () => {
    await enableTemplate(deps, SHOP, 'milktea:spend');
    const spends = [0, 50_000, 99_999, 100_000, 120_000, 250_000, 300_000, 800_000];
    for (const [i, fen] of spends.entries()) {
      await deps.storage.customers.upsert(customer(`wm${i}`, { totalSpentFen: fen, orderCount: fen ? 3 : 0, followUserId: i === 1 ? undefined : `staff${i % 2}`, tags: ['会员'] }));
    }
    // a customer who left: nothing reaches them, nothing changes
    await deps.storage.customers.upsert(customer('wmGone', { totalSpentFen: 900_000, orderCount: 9, followUserId: 'staff0', lost: true }));
  });

  it('previews the count a direct count gives, and 10 of them, writing nothing', async () => {
    for (let i = 0; i < 30; i++) await deps.storage.customers.upsert(customer(`wmX${i}`, { totalSpentFen: i * 7_000, orderCount: 1 }));
    const when = { field: 'totalSpentFen' as const, op: '>=' as const, value: 100_000 };
    const all = (await deps.storage.customers.list(SHOP, { limit: 1000 })).items;
    const direct = all.filter((c) => !c.lost && c.totalSpentFen >= 100_000).length;
    const p = await previewRule(deps, SHOP, { when });
    expect(p.count).toBe(direct);
    expect(p.count).toBeGreaterThan(10);
    expect(p.sample).toHaveLength(10);
    expect(p.sample.every((s) => s.totalSpentFen >= 100_000)).toBe(true);
    expect(await tagsOf('wm5')).toEqual(['会员']);
  });

  it('tags each customer once however often it runs, and calls WeCom once per customer', async () => {
    const first = await applyAllRules(deps, SHOP, wecom);
    expect(await tagsOf('wm0')).toEqual(['会员']); // never ordered: no tier
    expect(await tagsOf('wm2')).toEqual(['会员', '普通']);
    expect(await tagsOf('wm3')).toEqual(['会员', 'VIP']);
    expect(await tagsOf('wm7')).toEqual(['会员', '超级VIP']);
    expect((await deps.storage.customers.get(SHOP, 'wmGone'))!.tags).toEqual([]);
    expect(first).toMatchObject({ customers: 8, changed: 7, added: 7, removed: 0, wecomFailed: 0 });
    // every followed customer's tags (会员 included) reach WeCom: one mark_tag each, never for wm1 (no member)
    expect(wecom.marks()).toHaveLength(7);
    expect(wecom.marks('wm1')).toHaveLength(0);
    expect(wecom.marks('wm3')[0]!.req).toMatchObject({ userid: 'staff1', external_userid: 'wm3', add_tag: expect.any(Array) });
    const group = wecom.corpTags.find((g) => g.group_name === GROUP_NAME)!;
    expect(group.tag.map((t) => t.name).sort()).toEqual(['VIP', '会员', '普通', '超级VIP'].sort());
    expect(wecom.callsTo('externalcontact/add_corp_tag')).toHaveLength(1);
    expect(wecom.peak).toBeLessThanOrEqual(MARK_CONCURRENCY);
    expect(wecom.peak).toBeGreaterThan(1);

    const again = await applyAllRules(deps, SHOP, wecom);
    expect(again).toMatchObject({ changed: 0, added: 0, removed: 0, wecomCalls: 0 });
    expect(wecom.marks()).toHaveLength(7);
  });

  it('moves a customer between tiers with one mark_tag that adds the new tier and takes the old off', async () => {
    await applyAllRules(deps, SHOP, wecom);
    const c = (await deps.storage.customers.get(SHOP, 'wm2'))!;
    await deps.storage.customers.upsert({ ...c, totalSpentFen: 150_000 });
    const r = await applyAllRules(deps, SHOP, wecom);
    expect(r).toMatchObject({ changed: 1, added: 1, removed: 1 });
    expect(await tagsOf('wm2')).toEqual(['会员', 'VIP']);
    const ids = Object.fromEntries(wecom.corpTags.find((g) => g.group_name === GROUP_NAME)!.tag.map((t) => [t.name, t.id]));
    expect(wecom.marks('wm2').at(-1)!.req).toEqual({ userid: 'staff0', external_userid: 'wm2', add_tag: [ids.VIP], remove_tag: [ids['普通']] });
  });

  it('keeps failed WeCom calls in the ledger and retries only those', async () => {
    wecom.failNext('externalcontact/mark_tag', -1, { when: (req) => req.external_userid === 'wm4', times: 1 });
    const r = await applyAllRules(deps, SHOP, wecom);
    expect(r.wecomFailed).toBe(1);
    expect((await deps.storage.kv.list(SHOP, TAG_NS.ledger, 10)).map((e) => e.key)).toEqual(['wm4']);
    const before = wecom.marks().length;
    // the retry job was booked; the scheduler runs it when due
    deps.clock.advance(2 * 60_000);
    const tick = await schedulerTick(deps, [createTagSyncJob(wecom)]);
    expect(tick.done).toBe(1);
    expect(
      wecom
        .marks()
        .slice(before)
        .map((c) => (c.req as { external_userid: string }).external_userid),
    ).toEqual(['wm4']);
    expect(await deps.storage.kv.list(SHOP, TAG_NS.ledger, 10)).toEqual([]);
  });

  it('past one run’s limit, the rest reach WeCom a minute later through the sweep job', async () => {
    const first = await applyAllRules(deps, SHOP, wecom, 3);
    expect(first).toMatchObject({ changed: 7, wecomFailed: 0, wecomLater: 4 });
    expect(wecom.marks()).toHaveLength(3);
    const sweep = createTagSweepJob(wecom);
    // booked for the next minute, not now
    expect((await schedulerTick(deps, [sweep])).ran).toEqual([]);
    deps.clock.advance(60_000);
    const tick = await schedulerTick(deps, [sweep]);
    expect(tick.ran).toEqual([expect.objectContaining({ key: expect.stringContaining('tags:sweep:'), status: 'done' })]);
    expect(tick.ran[0]!.key.startsWith(`tags:sweep:${SHOP}:`)).toBe(true);
    expect(sweep.kind).toBe(SWEEP_KIND);
    // every followed customer marked exactly once, none twice
    const marked = wecom.marks().map((c) => (c.req as { external_userid: string }).external_userid);
    expect(marked.sort()).toEqual(['wm0', 'wm2', 'wm3', 'wm4', 'wm5', 'wm6', 'wm7']);
    deps.clock.advance(60_000);
    expect((await schedulerTick(deps, [sweep])).ran).toEqual([]);
  });

  it('a sweep takes at most its limit, books itself while more remain, and leaves a failure to its backoff', async () => {
    await applyAllRules(deps, SHOP); // tags written, WeCom left to the ledger
    await deps.storage.kv.list(SHOP, TAG_NS.ledger, 100).then((l) => Promise.all(l.map((e) => deps.storage.kv.delete(SHOP, TAG_NS.ledger, e.key))));
    wecom.failNext('externalcontact/mark_tag', -1, { when: (req) => req.external_userid === 'wm7', times: 1 });
    const env = { deps, wecom };
    expect(await sweepTags(env, SHOP, 3)).toMatchObject({ marked: 3, failed: 0, deferred: 4 });
    expect(await sweepTags(env, SHOP, 3)).toMatchObject({ marked: 3, failed: 0, deferred: 1 });
    expect(await sweepTags(env, SHOP, 3)).toMatchObject({ marked: 0, failed: 1, deferred: 0 });
    // wm7 waits out its backoff in the ledger: a sweep now does not call WeCom for it
    const calls = wecom.marks().length;
    expect(await sweepTags(env, SHOP, 3)).toMatchObject({ marked: 0, failed: 0, deferred: 0, wecomCalls: 0 });
    expect(wecom.marks()).toHaveLength(calls);
    deps.clock.advance(2 * 60_000);
    expect(await sweepTags(env, SHOP, 3)).toMatchObject({ marked: 1, failed: 0, deferred: 0 });
    expect(await deps.storage.kv.list(SHOP, TAG_NS.ledger, 10)).toEqual([]);
    expect(wecom.marks('wm7')).toHaveLength(1);
  });

  it('a batch with more changes than one run may write goes on in tags.batch runs, then WeCom gets everyone once', async () => {
    for (let i = 0; i < 230; i++)
      await deps.storage.customers.upsert(customer(`wmB${String(i).padStart(3, '0')}`, { totalSpentFen: 150_000, orderCount: 3, followUserId: 'staff0' }));
    const first = await applyAllRules(deps, SHOP, wecom, undefined, { maxWrites: 50 });
    // pages shrink to 100 near the limit: one page's changes, then it stops
    expect(first).toMatchObject({ continuing: true, wecomCalls: 0 });
    expect(first.changed).toBeGreaterThanOrEqual(50);
    expect(first.changed).toBeLessThanOrEqual(100);
    expect(wecom.marks()).toHaveLength(0);
    const jobs = [createTagBatchJob(wecom), createTagSweepJob(wecom)];
    deps.clock.advance(60_000);
    const rest = await schedulerTick(deps, jobs);
    expect(rest.ran.map((r) => [r.key.split(':').slice(0, 2).join(':'), r.status])).toEqual([['tags:batch', 'done']]);
    const all = (await deps.storage.customers.list(SHOP, { limit: 1000 })).items.filter((c) => !c.lost);
    expect(all.filter((c) => c.externalUserId.startsWith('wmB')).every((c) => c.tags.includes('VIP'))).toBe(true);
    expect(await tagsOf('wm7')).toEqual(['会员', '超级VIP']);
    expect(await deps.storage.kv.get(SHOP, TAG_NS.batch, 'cursor')).toBeNull();
    // the last run booked the sweep: every followed customer marked at WeCom exactly once
    deps.clock.advance(60_000);
    expect((await schedulerTick(deps, jobs)).ran.map((r) => r.key.split(':').slice(0, 2).join(':'))).toEqual(['tags:sweep']);
    const marked = wecom.marks().map((c) => (c.req as { external_userid: string }).external_userid);
    expect(new Set(marked).size).toBe(marked.length);
    expect(marked.length).toBe(all.filter((c) => c.followUserId).length);
    deps.clock.advance(60_000);
    expect((await schedulerTick(deps, jobs)).ran).toEqual([]);
  });

  it('a customer who orders crosses into VIP on the order event; WeCom follows through the ledger', async () => {
    await applyAllRules(deps, SHOP, wecom);
    await deps.storage.customers.upsert({ ...(await deps.storage.customers.get(SHOP, 'wm2'))!, totalSpentFen: 0, orderCount: 0 });
    const ev = (no: string, fen: number) =>
      OrderEvent.parse({ orderNo: no, status: 'paid', amountFen: fen, items: [], customer: { externalUserId: 'wm2' }, placedAt: deps.clock.now(), updatedAt: deps.clock.now() });
    await ingestOrderEvent(deps, { id: SHOP, timezone: 'Asia/Shanghai' }, ev('T-1', 60_000), 'webhook');
    expect(await tagsOf('wm2')).toEqual(['会员', '普通']);
    await ingestOrderEvent(deps, { id: SHOP, timezone: 'Asia/Shanghai' }, ev('T-2', 45_000), 'webhook');
    // ¥1050 in two orders: VIP now, without waiting for the night
    expect(await tagsOf('wm2')).toEqual(['会员', 'VIP']);
    const before = wecom.marks('wm2').length;
    deps.clock.advance(60_000);
    await schedulerTick(deps, [createTagSyncJob(wecom)]);
    expect(wecom.marks('wm2')).toHaveLength(before + 1);
  });

  it('manual tags reach WeCom like the rules’ tags; unchanged tags cost nothing', async () => {
    await applyAllRules(deps, SHOP, wecom);
    const n = wecom.marks().length;
    await tagCustomer(deps, SHOP, 'wm3', { add: ['爱喝果茶'], remove: ['会员'] }, wecom);
    expect(await tagsOf('wm3')).toEqual(['VIP', '爱喝果茶']);
    await tagCustomer(deps, SHOP, 'wm3', { add: ['爱喝果茶'], remove: [] }, wecom);
    expect(wecom.marks().length).toBe(n + 1);
  });
});

describe('frequency over time (奶茶: 沉睡 after 14 days without an order)', () => {
  it('the nightly batch moves 复购 to 沉睡 once the days have passed', async () => {
    await enableTemplate(deps, SHOP, 'milktea:frequency');
    const now = deps.clock.now();
    await deps.storage.customers.upsert(customer('wmR', { orderCount: 3, totalSpentFen: 9_000, lastOrderAt: now - 5 * DAY, followUserId: 'staff0' }));
    await deps.storage.customers.upsert(customer('wmN', { createdAt: now - DAY }));
    await applyAllRules(deps, SHOP, wecom);
    expect(await tagsOf('wmR')).toEqual(['复购']);
    expect(await tagsOf('wmN')).toEqual(['新客']);
    deps.clock.advance(10 * DAY);
    const job = createTagNightlyJob(wecom);
    const merchant = (await deps.storage.merchants.get(SHOP))!;
    const [planned] = planNightly(deps.clock.now(), [merchant]);
    expect(planned).toMatchObject({ kind: NIGHTLY_KIND, merchantId: SHOP });
    const tick = await schedulerTick(deps, [job]);
    expect(tick.ran.map((r) => r.status)).toEqual(['done']);
    expect(await tagsOf('wmR')).toEqual(['沉睡']);
    expect(await tagsOf('wmN')).toEqual(['新客']);
    expect(wecom.marks('wmR').at(-1)!.req).toMatchObject({ add_tag: [expect.any(String)], remove_tag: [expect.any(String)] });
    // the same night again: nothing planned twice, nothing moved
    expect((await schedulerTick(deps, [job])).ran).toEqual([]);
  });
});

describe('events', () => {
  it('a new customer from 客户联系 gets the rules at once, marked through their member', async () => {
    const h = await setupHarnessAgain();
    await saveRule(deps, SHOP, { rule: { name: '门店码', tags: ['到店'], when: { field: 'source', op: '=', value: 'table-qr' } } });
    h.fake.contacts.set('wmNEW', { external_contact: { external_userid: 'wmNEW', name: '新朋友' }, follow_user: [{ userid: 'zhangsan', state: 'table-qr' }] });
    const entry = await h.callback({
      ToUserName: VECTOR_A.corpId,
      FromUserName: 'sys',
      CreateTime: Math.floor(deps.clock.now() / 1000),
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: 'wmNEW',
      State: 'table-qr',
    });
    await processInboxEntry(h.ctx, entry);
    expect(await tagsOf('wmNEW')).toEqual(['到店']);
    expect(h.fake.callsTo('externalcontact/mark_tag')).toHaveLength(1);
  });

  it('a customer asking about the member card gets 问过会员卡 on the message (the reply path only queues WeCom work)', async () => {
    const h = await setupHarnessAgain();
    await enableTemplate(deps, SHOP, 'milktea:keywords');
    h.fake.push(h.text('wmK', '请问你们有会员卡吗？怎么办卡'));
    await processInboxEntry(h.ctx, await h.kfCallback());
    expect(await tagsOf('wmK')).toEqual(['问过会员卡']);
    // a 微信客服 customer has no member: their tags stay ours
    expect(h.fake.callsTo('externalcontact/mark_tag')).toHaveLength(0);
    const p = await previewRule(deps, SHOP, { when: { field: 'keyword', op: 'contains', value: { words: ['办卡'], withinDays: 7 } } });
    expect(p.count).toBe(1);
    deps.clock.advance(8 * DAY);
    expect((await previewRule(deps, SHOP, { when: { field: 'keyword', op: 'contains', value: { words: ['办卡'], withinDays: 7 } } })).count).toBe(0);
  });

  it('a member tagging in the WeCom client (edit_external_contact) flows back into our tags', async () => {
    const h = await setupHarnessAgain();
    await deps.storage.customers.upsert(customer('wmE', { followUserId: 'zhangsan', tags: ['VIP', '会员'] }));
    await applyAllRules(deps, SHOP, h.fake);
    // in the client: 会员 taken off, 爱喝果茶 (our group) and 其他组的标签 (another group) put on
    h.fake.contacts.set('wmE', {
      external_contact: { external_userid: 'wmE', name: 'wmE' },
      follow_user: [
        {
          userid: 'zhangsan',
          tags: [
            { group_name: GROUP_NAME, tag_name: 'VIP', type: 1 },
            { group_name: GROUP_NAME, tag_name: '爱喝果茶', type: 1 },
            { group_name: '别的组', tag_name: '其他组的标签', type: 1 },
          ],
        },
      ],
    });
    const entry = await h.callback({
      ToUserName: VECTOR_A.corpId,
      FromUserName: 'sys',
      CreateTime: Math.floor(deps.clock.now() / 1000),
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'edit_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: 'wmE',
    });
    await processInboxEntry(h.ctx, entry);
    expect(await tagsOf('wmE')).toEqual(['VIP', '爱喝果茶']);
    // what WeCom has is what we have: nothing to send back
    expect((await applyAllRules(deps, SHOP, h.fake)).wecomCalls).toBe(0);
  });
});

/** A harness on a fresh storage (the shop is created by it). */
async function setupHarnessAgain() {
  await deps.storage.close();
  deps = testDeps();
  return setupHarness(deps);
}

import { newJob } from '../../domain/job';
import { checkOrderEvent, type OrderEventInput } from '../../domain/order-event';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { FakeWecomApi } from '../../testing/fake-wecom-api';
import { createMerchant } from '../shop/merchants';
import { ensureLocalMember } from '../shop/members';
import { ingestOrderEvent } from '../orders/ingest';
import { createAlertJob } from './jobs';
import { listAlerts } from './store';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const SHOP = 'review-shop';

let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
const merchant = async () => (await deps.storage.merchants.get(SHOP))!;

function event(over: Partial<OrderEventInput>) {
  const c = checkOrderEvent({
    orderNo: 'NO-7',
    status: 'fulfilled',
    amountFen: 3000,
    items: [{ sku: 'A', name: '招牌奶茶', qty: 2, priceFen: 1500 }],
    customer: { externalUserId: 'wm-zhang' },
    placedAt: '2026-11-20T12:00:00+08:00',
    updatedAt: '2026-11-20T15:00:00+08:00',
    ...over,
  });
  if (!c.ok) throw new Error(c.message);
  return c.event;
}
const ingest = async (over: Partial<OrderEventInput>) => ingestOrderEvent(deps, await merchant(), event(over), 'webhook');
const reviews = async () => (await listAlerts(deps, SHOP, 'owner', 100)).filter((a) => a.kind === 'badReview');

beforeEach(async () => {
  deps = testDeps(sh('2026-11-20T16:00:00'));
  await createMerchant(deps, { id: SHOP, name: '阿香奶茶', ...CORP, agentId: 1000002, appSecret: 'app-secret' });
  const owner = await ensureLocalMember(deps, SHOP, 'owner');
  await deps.storage.members.save({ ...owner, wecomUserId: 'LaoBan' });
  fake = new FakeWecomApi();
  const now = deps.clock.now();
  await deps.storage.customers.upsert({
    merchantId: SHOP,
    externalUserId: 'wm-zhang',
    name: '张小姐',
    source: 'kf',
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: now,
    updatedAt: now,
    lastMessageAt: now,
  });
});
afterEach(() => deps.storage.close());

describe('bad-review alert', () => {
  it('a review of 2 stars or fewer raises one alert per order, in plain words, however often it comes', async () => {
    await ingest({ review: { rating: 1, text: '  太甜了，还洒了一半  ' } });
    // the same delivery again, a later one with the review edited, and an older event carrying it
    await ingest({ review: { rating: 1, text: '  太甜了，还洒了一半  ' } });
    await ingest({ updatedAt: '2026-11-20T18:00:00+08:00', review: { rating: 2, text: '改成两星吧' } });
    await ingest({ status: 'paid', updatedAt: '2026-11-20T12:00:05+08:00', review: { rating: 1 } });
    const [alert, ...rest] = await reviews();
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ key: 'order:review:NO-7', day: '2026-11-20' });
    expect(alert!.text).toBe('差评：客户「张小姐」给订单 NO-7 打了 1 星，评价说：“太甜了，还洒了一半”。尽快联系客户问问情况');
  });

  it('3 stars or more, or no review at all, raise nothing; an unknown customer is named as such', async () => {
    await ingest({ review: { rating: 3, text: '一般' } });
    await ingest({ orderNo: 'NO-8', updatedAt: '2026-11-20T15:00:01+08:00' });
    expect(await reviews()).toEqual([]);
    await ingest({ orderNo: 'NO-9', customer: {}, review: { rating: 2 } });
    expect((await reviews()).map((a) => a.text)).toEqual(['差评：有位客户给订单 NO-9 打了 2 星，没写评价内容。尽快联系客户问问情况']);
  });

  it('goes out once through the channels with the next alert run', async () => {
    await ingest({ review: { rating: 1, text: '难喝' } });
    const run = () =>
      createAlertJob({ wecom: fake }).run(newJob({ key: 'alert:orders:x', merchantId: SHOP, kind: 'alert', runAt: 0, payload: { type: 'orders', at: deps.clock.now() } }, 0), deps);
    expect(await run()).toMatchObject({ pushed: 1 });
    expect(await run()).toMatchObject({ pushed: 0 });
    const sent = fake.callsTo('message/send').map((c) => c.req as { text: { content: string } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text.content).toContain('差评：客户「张小姐」给订单 NO-7 打了 1 星');
  });

  it('the order schema takes a review as optional, refusing stars outside 1–5 in words', () => {
    expect(checkOrderEvent({ ...event({}), placedAt: 1763611200000, updatedAt: 1763611200000 }).ok).toBe(true);
    const bad = checkOrderEvent({ orderNo: 'X', status: 'paid', amountFen: 1, items: [], placedAt: 1763611200000, updatedAt: 1763611200000, review: { rating: 6 } });
    expect(bad).toMatchObject({ ok: false, message: '评价的星级：要写 1 到 5 的整数' });
  });
});

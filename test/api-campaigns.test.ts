import { callApi as callApiBare } from '@xiaoer/shared/api/dispatch';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

/**
 * 群发 through the api as the app uses it: the quiet-hours note says a move only when quiet hours
 * made one — not when 确认发送 comes after a draft's time and the send simply goes out now.
 */

const OWNER = { openid: 'local:shop:owner' };
const HOUR = 3_600_000;
let deps: Deps & { clock: ManualClock };
const call = async (raw: Record<string, unknown>) => (await callApiBare(deps, OWNER, { merchantId: 'shop', ...raw })).result as any;

const customer = (ext: string): Customer => ({
  merchantId: 'shop',
  externalUserId: ext,
  name: ext,
  source: 'contact_way',
  followUserId: 'zhangsan',
  tags: ['会员'],
  totalSpentFen: 0,
  orderCount: 0,
  lost: false,
  createdAt: 0,
  updatedAt: 0,
});

beforeEach(async () => {
  // 2026-12-07 14:00 in Shanghai: outside the default quiet hours (21:00–09:00)
  deps = testDeps(Date.parse('2026-12-07T14:00:00+08:00'));
  await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A });
  await ensureLocalMember(deps, 'shop', 'owner');
  await deps.storage.members.add({ id: 'm-z', merchantId: 'shop', openid: 'oz', name: '张三', role: 'staff', onDuty: true, wecomUserId: 'zhangsan', createdAt: 0 });
  for (const ext of ['wmA', 'wmB']) await deps.storage.customers.upsert(customer(ext));
});
afterEach(() => deps.storage.close());

describe('the quiet-hours note', () => {
  it('is there when the asked time falls in quiet hours, with the time it moved to', async () => {
    const f = await call({ action: 'campaigns.forecast', audience: '会员', texts: ['你好'], sendAt: Date.parse('2026-12-07T22:30:00+08:00') });
    expect(f.sendAt).toBe(Date.parse('2026-12-08T09:00:00+08:00'));
    expect(f.quietNote).toBe('21:00–09:00 不打扰客户，改到第二天 09:00发');
    expect(f.bySender).toEqual([{ userid: 'zhangsan', name: '张三', count: 2, chunks: 1 }]);
  });

  it('is absent for a send now, and for a draft booked after its time had passed (sent now, nothing moved)', async () => {
    expect((await call({ action: 'campaigns.forecast', audience: '会员', texts: ['你好'] })).quietNote).toBeNull();
    const { campaign } = await call({ action: 'campaigns.save', audience: '会员', texts: ['你好'] });
    deps.clock.advance(2 * HOUR);
    const booked = await call({ action: 'campaigns.schedule', id: campaign.id });
    expect(booked.campaign.sendAt).toBe(deps.clock.now());
    const got = await call({ action: 'campaigns.get', id: campaign.id });
    expect(got.plan.sendAt).not.toBe(got.plan.askedAt);
    expect(got.plan.quietNote).toBeNull();
  });
});

describe('a link card on a 群发', () => {
  it('is saved with the draft and read back from campaigns.get as it was given, beside a picture', async () => {
    const link = { type: 'link', title: '春季新品，点开看看', url: 'https://shop.example.com/spring', desc: '全场第二件半价' };
    const image = { type: 'image', url: 'https://img.example.com/a.png' };
    const saved = await call({ action: 'campaigns.save', audience: '会员', texts: ['你好'], attachments: [image, link] });
    expect(saved.campaign.attachments).toEqual([image, link]);
    const got = await call({ action: 'campaigns.get', id: saved.campaign.id });
    expect(got.campaign.attachments).toEqual([image, link]);

    // the app's edit: the same draft with the link replaced
    const edited = { ...link, title: '夏季上新', url: 'http://shop.example.com/summer' };
    await call({ action: 'campaigns.save', id: saved.campaign.id, audience: '会员', texts: ['你好'], attachments: [image, edited] });
    expect((await call({ action: 'campaigns.get', id: saved.campaign.id })).campaign.attachments).toEqual([image, edited]);
  });

  it('a title over 60 characters is refused with the path the app shows it under', async () => {
    const long = { type: 'link', title: '长'.repeat(61), url: 'https://shop.example.com' };
    await expect(call({ action: 'campaigns.save', audience: '会员', texts: ['你好'], attachments: [long] })).rejects.toMatchObject({
      code: 'INPUT.INVALID',
      details: expect.arrayContaining([expect.objectContaining({ path: 'attachments.0.title' })]),
    });
  });
});

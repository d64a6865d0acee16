import { raiseAlert } from '@xiaoer/shared/usecases/alerts/store';
import { API_ACTIONS, ACTION_POLICY, ApiResults, type ApiAction, type ApiRequestOf } from '@xiaoer/shared/contracts/api';
import { callApi as callApiBare } from '@xiaoer/shared/api/dispatch';
import type { WecomContext } from '@xiaoer/shared/usecases/channel-wecom/context';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createInvite, createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';
import { recordUnanswered } from '@xiaoer/shared/usecases/knowledge/teach';
import { parseKbContent } from '../cloudfunctions/server/kb/formats';
import { parseOrderContent } from '../cloudfunctions/server/orders/files';
import { writeXlsx } from '../cloudfunctions/server/reports/xlsx';
import { ensureDailyReport } from '@xiaoer/shared/usecases/reports/daily-job';
import { saveQuickReplies } from '@xiaoer/shared/usecases/conversations/quick-replies';
import { createChannel } from '@xiaoer/shared/usecases/channels/manage';
import { planDraft } from '@xiaoer/shared/usecases/campaigns/plan';

/**
 * Every action of the api union, enumerated at run time: each one must refuse another
 * merchant's data, and each owner-only action must refuse staff. A new action without an
 * example here fails to compile (and the first test fails at run time).
 */
const MARK = 'A店专属-9f3c';
const invitePool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
/** Teach-queue entries of shop A (one per conversation); shop B has none, so its ids are A's. */
const teachPool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
/** Staff of shop A an owner may remove (one per call); shop B is asked for A's ids, never found. */
const removablePool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
/** Tag rules of shop A an owner may remove (one per call); shop B is asked for A's ids, never found. */
const rulePool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
/** Channel QR codes of shop A: one kept for updates, the rest removed one per call; B is asked for A's ids. */
const channelPool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
let keptChannel = '';
/** Campaign drafts of shop A: one kept to read, the rest scheduled or cancelled one per call; B is asked for A's ids. */
const campaignPool: Record<string, string[]> = { 'shop-a': [], 'shop-b': [] };
let keptCampaign = '';
const ANY_SPEND = { name: '都算', tags: ['VIP'], when: { field: 'totalSpentFen' as const, op: '>=' as const, value: 0 } };
const examples: { [A in ApiAction]: (merchantId: string) => ApiRequestOf<A> } = {
  'me.get': () => ({ action: 'me.get' }),
  'me.join': (merchantId) => ({ action: 'me.join', code: invitePool[merchantId].shift()! }),
  'me.signOutEverywhere': (merchantId) => ({ action: 'me.signOutEverywhere', merchantId }),
  'dashboard.today': (merchantId) => ({ action: 'dashboard.today', merchantId }),
  'customers.list': (merchantId) => ({ action: 'customers.list', merchantId }),
  'customers.get': (merchantId) => ({ action: 'customers.get', merchantId, externalUserId: 'wm-a' }),
  'conversations.list': (merchantId) => ({ action: 'conversations.list', merchantId }),
  'conversations.get': (merchantId) => ({ action: 'conversations.get', merchantId, conversationId: 'conv-a' }),
  'conversations.reply': (merchantId) => ({ action: 'conversations.reply', merchantId, conversationId: 'conv-a', text: '您好，我是店长，马上帮您看' }),
  'conversations.takeOver': (merchantId) => ({ action: 'conversations.takeOver', merchantId, conversationId: 'conv-a' }),
  'conversations.handBack': (merchantId) => ({ action: 'conversations.handBack', merchantId, conversationId: 'conv-a' }),
  'conversations.retrySend': (merchantId) => ({ action: 'conversations.retrySend', merchantId, conversationId: 'conv-a', messageId: 'out-failed-a' }),
  'conversations.transfer': (merchantId) => ({ action: 'conversations.transfer', merchantId, conversationId: 'conv-a2', servicerUserId: 'zhangsan' }),
  'dashboard.trends': (merchantId) => ({ action: 'dashboard.trends', merchantId, days: 30 }),
  'badges.get': (merchantId) => ({ action: 'badges.get', merchantId }),
  'kb.list': (merchantId) => ({ action: 'kb.list', merchantId }),
  'media.get': (merchantId) => ({ action: 'media.get', merchantId, ref: mediaRef }),
  'kb.save': (merchantId) => ({ action: 'kb.save', merchantId, question: '可以开发票吗', answer: '可以，结账时说一声就行' }),
  'kb.setEnabled': (merchantId) => ({ action: 'kb.setEnabled', merchantId, id: 'f1', enabled: true }),
  'kb.import': (merchantId) => ({
    action: 'kb.import',
    merchantId,
    format: 'json',
    content: JSON.stringify({
      faqs: [
        { id: 'imp1', question: '几点开门', answer: '十点' },
        { id: '', question: '' },
      ],
    }),
  }),
  'kb.ask': (merchantId) => ({ action: 'kb.ask', merchantId, text: '几点开门' }),
  'teach.list': (merchantId) => ({ action: 'teach.list', merchantId }),
  'teach.save': (merchantId) => ({ action: 'teach.save', merchantId, itemId: teachPool[merchantId].shift() ?? 'none', question: '能带狗进店吗', answer: '可以的，小狗要牵绳' }),
  'teach.dismiss': (merchantId) => ({ action: 'teach.dismiss', merchantId, itemId: teachPool[merchantId].shift() ?? 'none' }),
  'setup.check': (merchantId) => ({ action: 'setup.check', merchantId }),
  'members.update': (merchantId) => ({ action: 'members.update', merchantId, memberId: 'local-owner', onDuty: true, wecomUserId: 'LaoBan' }),
  'settings.get': (merchantId) => ({ action: 'settings.get', merchantId }),
  'settings.update': (merchantId) => ({ action: 'settings.update', merchantId, aiPersona: '热情一点' }),
  'members.list': (merchantId) => ({ action: 'members.list', merchantId }),
  'members.remove': (merchantId) => ({ action: 'members.remove', merchantId, memberId: removablePool[merchantId].shift() ?? 'none' }),
  'invites.create': (merchantId) => ({ action: 'invites.create', merchantId, role: 'staff' }),
  'audit.list': (merchantId) => ({ action: 'audit.list', merchantId }),
  'webhook.get': (merchantId) => ({ action: 'webhook.get', merchantId }),
  'webhook.rotate': (merchantId) => ({ action: 'webhook.rotate', merchantId }),
  // one good row (its phone matches nobody: an unmatched order) and one bad one
  'orders.import': (merchantId) => ({
    action: 'orders.import',
    merchantId,
    format: 'csv',
    content: 'orderNo,status,amount,placedAt,phone\nIMP-1,paid,18.00,2026-11-22 10:00,13900000000\n,paid,x,,\n',
  }),
  'orders.unmatched': (merchantId) => ({ action: 'orders.unmatched', merchantId }),
  'orders.link': (merchantId) => ({ action: 'orders.link', merchantId, orderNo: 'A-UNMATCHED', externalUserId: 'wm-a' }),
  // today: recomputed (A's name and unanswered questions carry the mark); the list: A's stored report
  'reports.get': (merchantId) => ({ action: 'reports.get', merchantId, kind: 'daily', date: '2026-11-22' }),
  'reports.list': (merchantId) => ({ action: 'reports.list', merchantId, kind: 'daily' }),
  'reports.robot.set': (merchantId) => ({ action: 'reports.robot.set', merchantId, url: null }),
  'reports.testPush': (merchantId) => ({ action: 'reports.testPush', merchantId, channel: 'robot' }),
  'reports.export': (merchantId) => ({ action: 'reports.export', merchantId, kind: 'daily', date: '2026-11-21' }),
  'reports.subscribe.get': (merchantId) => ({ action: 'reports.subscribe.get', merchantId }),
  'reports.subscribe.grant': (merchantId) => ({ action: 'reports.subscribe.grant', merchantId, results: { 'tmpl-report': 'accept' } }),
  // A's alert and product carry the mark; B naming A's sku finds nothing
  'alerts.list': (merchantId) => ({ action: 'alerts.list', merchantId }),
  'stock.set': (merchantId) => ({ action: 'stock.set', merchantId, sku: 'P-A', stock: 7, lowStockAt: 3, redStockAt: 1 }),
  'alerts.settings': (merchantId) => ({ action: 'alerts.settings', merchantId, bigOrderFen: 50_000, unfulfilledHours: 12 }),
  // A's product carries the mark; B's list is its own (empty), B importing A's sku finds nothing
  'stock.list': (merchantId) => ({ action: 'stock.list', merchantId, search: 'P-' }),
  'stock.import': (merchantId) => ({ action: 'stock.import', merchantId, format: 'csv', content: 'sku,stock\nP-A,9\n,1\n' }),
  'inbox.changes': (merchantId) => ({ action: 'inbox.changes', merchantId, since: 0 }),
  'inbox.servicers': (merchantId) => ({ action: 'inbox.servicers', merchantId }),
  'inbox.followUp.get': (merchantId) => ({ action: 'inbox.followUp.get', merchantId }),
  'inbox.followUp.save': (merchantId) => ({ action: 'inbox.followUp.save', merchantId, setting: { mode: 'ai_after', minutes: 15 } }),
  // A's saved replies carry the mark; B's list is its own
  'quickReplies.list': (merchantId) => ({ action: 'quickReplies.list', merchantId }),
  'quickReplies.save': (merchantId) => ({ action: 'quickReplies.save', merchantId, items: ['您好，马上为您查'] }),
  // A's rules and tags carry the mark; B naming A's rule ids finds nothing, B's previews count only B's customers
  'tags.list': (merchantId) => ({ action: 'tags.list', merchantId }),
  'tags.rules.list': (merchantId) => ({ action: 'tags.rules.list', merchantId }),
  'tags.rules.save': (merchantId) => ({ action: 'tags.rules.save', merchantId, rule: { ...ANY_SPEND, name: '新规则' } }),
  'tags.rules.setEnabled': (merchantId) => ({ action: 'tags.rules.setEnabled', merchantId, id: 'rule-a-keep', enabled: true }),
  'tags.rules.remove': (merchantId) => ({ action: 'tags.rules.remove', merchantId, id: rulePool[merchantId].shift() ?? 'none' }),
  'tags.preview': (merchantId) => ({ action: 'tags.preview', merchantId, rule: ANY_SPEND }),
  'tags.templates.list': (merchantId) => ({ action: 'tags.templates.list', merchantId }),
  'tags.templates.preview': (merchantId) => ({ action: 'tags.templates.preview', merchantId, templateId: 'general:spend' }),
  'tags.templates.enable': (merchantId) => ({ action: 'tags.templates.enable', merchantId, templateId: 'general:frequency' }),
  'tags.apply': (merchantId) => ({ action: 'tags.apply', merchantId }),
  'customers.tag': (merchantId) => ({ action: 'customers.tag', merchantId, externalUserId: 'wm-a', add: ['熟客'] }),
  'customers.update': (merchantId) => ({ action: 'customers.update', merchantId, externalUserId: 'wm-a', note: '爱喝少糖', birthday: { month: 3, day: 8 } }),
  // A's channels carry the mark; B naming A's channel ids finds nothing, B's codes route to B's own members
  'channels.list': (merchantId) => ({ action: 'channels.list', merchantId }),
  'channels.create': (merchantId) => ({ action: 'channels.create', merchantId, name: '门店柜台', members: ['zhangsan'], tags: ['到店'], welcome: '欢迎光临' }),
  'channels.update': (merchantId) => ({ action: 'channels.update', merchantId, id: keptChannel, tags: ['外卖'] }),
  'channels.remove': (merchantId) => ({ action: 'channels.remove', merchantId, id: channelPool[merchantId].shift() ?? 'none' }),
  // A's campaigns carry the mark in their text; B naming A's campaign ids finds nothing
  'campaigns.list': (merchantId) => ({ action: 'campaigns.list', merchantId }),
  'campaigns.get': (merchantId) => ({ action: 'campaigns.get', merchantId, id: keptCampaign }),
  'campaigns.forecast': (merchantId) => ({ action: 'campaigns.forecast', merchantId, audience: { any: ['VIP', MARK] }, texts: ['周末第二杯半价'] }),
  'campaigns.save': (merchantId) => ({ action: 'campaigns.save', merchantId, name: '周末活动', audience: 'VIP', texts: ['周末第二杯半价'] }),
  'campaigns.schedule': (merchantId) => ({ action: 'campaigns.schedule', merchantId, id: campaignPool[merchantId].shift() ?? 'none' }),
  'campaigns.cancel': (merchantId) => ({ action: 'campaigns.cancel', merchantId, id: campaignPool[merchantId].shift() ?? 'none' }),
  'marketing.settings.get': (merchantId) => ({ action: 'marketing.settings.get', merchantId }),
  'followups.list': (merchantId) => ({ action: 'followups.list', merchantId }),
  'followups.draft': (merchantId) => ({ action: 'followups.draft', merchantId, kind: 'birthday' }),
  'followups.save': (merchantId) => ({ action: 'followups.save', merchantId, kind: 'dormant', enabled: true, params: { dormantDays: 45 } }),
  'followups.preview': (merchantId) => ({ action: 'followups.preview', merchantId, kind: 'dormant', params: { dormantDays: 30 } }),
  'marketing.settings.save': (merchantId) => ({ action: 'marketing.settings.save', merchantId, settings: { quota: 'week7', quietHours: { from: '22:00', to: '08:30' } } }),
};

let deps: Deps;
let channel: WecomContext;
let mediaRef = '';
const who = { aOwner: 'local:shop-a:owner', aStaff: 'local:shop-a:staff', bOwner: 'local:shop-b:owner' };

beforeAll(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: 'shop-a', name: `一号店${MARK}`, ...VECTOR_A });
  await createMerchant(deps, { id: 'shop-b', name: '二号店', ...VECTOR_A, corpId: 'ww00000000000000bb' });
  for (const [m, r] of [
    ['shop-a', 'owner'],
    ['shop-a', 'staff'],
    ['shop-b', 'owner'],
  ] as const)
    await ensureLocalMember(deps, m, r);
  for (const m of ['shop-a', 'shop-b']) for (let i = 0; i < 5; i++) invitePool[m].push((await createInvite(deps, m, 'staff')).code);
  const now = deps.clock.now();
  await deps.storage.customers.upsert({
    merchantId: 'shop-a',
    externalUserId: 'wm-a',
    name: `张三${MARK}`,
    phone: '13812345678',
    source: 'kf',
    tags: ['VIP'],
    totalSpentFen: 8800,
    orderCount: 3,
    lost: false,
    createdAt: now,
    updatedAt: now,
    lastMessageAt: now,
  });
  await deps.storage.conversations.upsert({
    id: 'conv-a',
    merchantId: 'shop-a',
    externalUserId: 'wm-a',
    channel: 'kf',
    kfAccountId: 'wkA',
    state: 'waiting_human',
    waitingSince: now,
    lastCustomerMessageAt: now,
    missed: false,
    lastMessagePreview: MARK,
    createdAt: now,
    updatedAt: now,
  });
  await deps.storage.conversations.upsert({
    id: 'conv-a2',
    merchantId: 'shop-a',
    externalUserId: 'wm-a2',
    channel: 'kf',
    kfAccountId: 'wkA',
    state: 'waiting_human',
    waitingSince: now,
    lastCustomerMessageAt: now,
    missed: false,
    lastMessagePreview: MARK,
    createdAt: now,
    updatedAt: now,
  });
  const media = new Map<string, { bytes: Uint8Array; contentType: string }>();
  channel = {
    deps,
    wecom: new FakeWecomApi(),
    answerer: { answer: async () => ({ reply: null, handoff: true, reason: 'test', knowledgeIds: [], confidence: 0 }) },
    // subscribe credits are the caller's own (reports.subscribe.*): a template, and a sender that takes everything
    subscribe: { sender: { send: async () => {} }, templateId: 'tmpl-report', fields: { thing1: 'title' } },
    // an in-memory media store, per merchant like the real ones
    media: {
      save: async (m, f) => {
        const ref = `media:${'ab'.repeat(16)}`;
        media.set(`${m}/${ref}`, f);
        return ref;
      },
      load: async (m, ref) => media.get(`${m}/${ref}`) ?? null,
    },
  };
  mediaRef = await channel.media!.save('shop-a', { bytes: new TextEncoder().encode(MARK), contentType: 'image/png' });
  await deps.storage.messages.add({ id: 'msg-a', merchantId: 'shop-a', conversationId: 'conv-a', sender: 'customer', at: now, type: 'text', text: MARK });
  // an AI reply that did not go out (重发)
  await deps.storage.messages.add({
    id: 'out-failed-a',
    merchantId: 'shop-a',
    conversationId: 'conv-a',
    sender: 'ai',
    at: now,
    type: 'text',
    text: MARK,
    wecomMsgId: 'failedA1',
    delivery: 'failed',
  });
  for (let i = 0; i < 5; i++) {
    await deps.storage.members.add({ id: `rm${i}`, merchantId: 'shop-a', openid: `rm-${i}`, name: MARK, role: 'staff', onDuty: true, createdAt: now });
    removablePool['shop-a'].push(`rm${i}`);
    removablePool['shop-b'].push(`rm${i}`);
  }
  await deps.storage.knowledge.upsertFaq({ id: 'f1', merchantId: 'shop-a', question: MARK, answer: MARK, alternatives: [], enabled: true, updatedAt: now });
  await deps.storage.audit.append({ id: 'au1', merchantId: 'shop-a', actor: MARK, action: 'settings.update', target: '', detail: {}, at: now });
  // an unmatched order of A; linked to wm-a its 8800 becomes wm-a's whole spend (the 8800 checked below)
  const unmatched = { merchantId: 'shop-a', amountFen: 8800, paidFen: 8800, status: 'paid' as const, placedAt: now, updatedAt: now, rev: 1 };
  await deps.storage.orders.put({ ...unmatched, id: 'A-UNMATCHED', items: [{ sku: 'm', name: MARK, qty: 1, priceFen: 8800 }], customerRef: { phone: '13700000000' } }, null);
  await deps.storage.knowledge.upsertProduct({ merchantId: 'shop-a', sku: 'P-A', name: MARK, priceFen: 100, stock: 2, lowStockAt: 5, updatedAt: now });
  // a cancelled order of wm-a (never paid: it moves no spend) for the profile's order list
  await deps.storage.orders.put(
    { ...unmatched, id: 'A-CANCELLED', status: 'cancelled', paidFen: undefined, externalUserId: 'wm-a', items: [{ sku: 'P-A', name: MARK, qty: 2, priceFen: 4400 }] },
    null,
  );
  await saveQuickReplies(deps, 'shop-a', [`${MARK}您好，马上为您查`]);
  for (const id of ['rule-a-keep', 'rule-a-0', 'rule-a-1', 'rule-a-2', 'rule-a-3', 'rule-a-4']) {
    await deps.storage.tagRules.upsert({ ...ANY_SPEND, id, merchantId: 'shop-a', name: `${MARK}规则`, tags: [MARK], enabled: true, createdAt: now, updatedAt: now });
    if (id !== 'rule-a-keep') for (const m of ['shop-a', 'shop-b']) rulePool[m].push(id);
  }
  // a member with a WeCom account in each shop (channel codes route to them), and A's codes
  await deps.storage.members.add({ id: 'cw-a', merchantId: 'shop-a', openid: 'cw-a', name: '店员甲', role: 'staff', onDuty: true, wecomUserId: 'zhangsan', createdAt: now });
  await deps.storage.members.add({ id: 'cw-b', merchantId: 'shop-b', openid: 'cw-b', name: '店员乙', role: 'staff', onDuty: true, wecomUserId: 'zhangsan', createdAt: now });
  for (let i = 0; i < 6; i++) {
    const c = await createChannel({ deps, wecom: channel.wecom }, 'shop-a', { name: `${MARK}码${i}`, members: ['zhangsan'], tags: [MARK], welcome: MARK });
    if (i === 0) keptChannel = c.state;
    else for (const m of ['shop-a', 'shop-b']) channelPool[m].push(c.state);
  }
  // a customer of A's WeCom member, so A's drafts have someone to send to
  await deps.storage.customers.upsert({
    merchantId: 'shop-a',
    externalUserId: 'wm-camp',
    name: MARK,
    source: 'contact_way',
    followUserId: 'zhangsan',
    tags: ['VIP'],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: now,
    updatedAt: now,
  });
  const merchantA = (await deps.storage.merchants.get('shop-a'))!;
  for (let i = 0; i < 6; i++) {
    const p = await planDraft(deps, merchantA, { name: `${MARK}活动${i}`, audience: 'VIP', texts: [`${MARK}上新啦`] });
    if (i === 0) keptCampaign = p.campaignId;
    else for (const m of ['shop-a', 'shop-b']) campaignPool[m].push(p.campaignId);
  }
  await raiseAlert(deps, 'shop-a', { key: 'stock:P-A', kind: 'stockYellow', day: '2026-11-21', text: MARK, at: now, pushed: false });
  // a stored daily report of A (its text names the shop, so it carries the mark)
  await ensureDailyReport(deps, (await deps.storage.merchants.get('shop-a'))!, '2026-11-21');
  for (let i = 0; i < 8; i++) {
    await recordUnanswered(deps, { merchantId: 'shop-a', conversationId: `tq${i}`, externalUserId: 'wm-a', question: `${MARK}问题${i}`, reason: 'handoff:unsure', askedAt: now });
    teachPool['shop-a'].push(`tq${i}`);
    teachPool['shop-b'].push(`tq${i}`); // A's ids, asked as B: never found
  }
});
afterAll(() => deps.storage.close());

/** Every call goes through the api use case with a (fake) WeCom channel. */
const callApi = (d: Deps, caller: { openid: string }, raw: unknown) => callApiBare(d, caller, raw, channel, parseKbContent, parseOrderContent, writeXlsx);

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe('api authorization', () => {
  it('has an example for every action in the union', () => {
    expect(API_ACTIONS.length).toBeGreaterThan(5);
    expect(Object.keys(examples).sort()).toEqual([...API_ACTIONS].sort());
  });

  describe.each(API_ACTIONS)('%s', (action) => {
    const make = examples[action] as (m: string) => unknown;
    const policy = ACTION_POLICY[action];

    it('works for an owner of the shop and returns its declared shape', async () => {
      const { result } = await callApi(deps, { openid: who.aOwner }, make('shop-a'));
      expect(ApiResults[action].safeParse(result).success).toBe(true);
    });

    it("refuses another merchant's data", async () => {
      if (policy.scope === 'self' || policy.scope === 'join') {
        const { result } = await callApi(deps, { openid: who.bOwner }, make('shop-b'));
        expect(JSON.stringify(result)).not.toContain(MARK);
        if (policy.scope === 'join') {
          // a code works once: nobody joins A on a code that was already used
          const used = { action: 'me.join', code: (make('shop-b') as { code: string }).code };
          await callApi(deps, { openid: 'someone' }, used);
          expect(await code(callApi(deps, { openid: who.bOwner }, used))).toBe('INVITE.USED');
          expect(await code(callApi(deps, { openid: who.bOwner }, { action: 'me.join', code: 'NOTACODE' }))).toBe('INVITE.NOT_FOUND');
        }
        return;
      }
      // naming the other shop is refused outright
      expect(await code(callApi(deps, { openid: who.bOwner }, make('shop-a')))).toBe('AUTH.FORBIDDEN');
      // naming their own shop with the other shop's object ids finds nothing of it
      const own = await code(
        callApi(deps, { openid: who.bOwner }, make('shop-b')).then((r) => {
          expect(JSON.stringify(r.result)).not.toContain(MARK);
        }),
      );
      expect([
        'OK',
        'NOT_FOUND.CUSTOMER',
        'NOT_FOUND.CONVERSATION',
        'NOT_FOUND.FAQ',
        'NOT_FOUND.TEACH',
        'NOT_FOUND.MEDIA',
        'NOT_FOUND.MEMBER',
        'NOT_FOUND.ORDER',
        'NOT_FOUND.PRODUCT',
        'NOT_FOUND.TAG_RULE',
        'NOT_FOUND.CHANNEL',
        'NOT_FOUND.CAMPAIGN',
      ]).toContain(own);
      // a stranger with no membership at all is refused too
      expect(await code(callApi(deps, { openid: 'stranger' }, make('shop-a')))).toBe('AUTH.FORBIDDEN');
    });

    it(policy.role === 'owner' ? 'refuses staff (owner only)' : 'is open to staff', async () => {
      const got = await code(callApi(deps, { openid: who.aStaff }, make('shop-a')));
      expect(got).toBe(policy.role === 'owner' ? 'AUTH.ROLE_REQUIRED' : 'OK');
    });
  });

  it('masks phone numbers and hides spend and revenue from staff', async () => {
    const staff = await callApi(deps, { openid: who.aStaff }, { action: 'customers.get', merchantId: 'shop-a', externalUserId: 'wm-a' });
    expect(staff.result).toMatchObject({ customer: { phone: '138****5678', totalSpentFen: null } });
    const owner = await callApi(deps, { openid: who.aOwner }, { action: 'customers.get', merchantId: 'shop-a', externalUserId: 'wm-a' });
    expect(owner.result).toMatchObject({ customer: { phone: '13812345678', totalSpentFen: 8800 } });
    // the profile's orders: amounts for the owner only
    const line = (r: unknown, no: string) => (r as { orders: { recent: { orderNo: string; amountFen: number | null }[] } }).orders.recent.find((o) => o.orderNo === no);
    expect(line(owner.result, 'A-CANCELLED')).toMatchObject({ amountFen: 8800, status: 'cancelled', summary: `${MARK}×2` });
    expect(line(staff.result, 'A-CANCELLED')).toMatchObject({ amountFen: null, summary: `${MARK}×2` });
    // 商品和库存: staff read the counts without prices
    const stock = { action: 'stock.list', merchantId: 'shop-a' };
    const priceOf = async (openid: string) =>
      ((await callApi(deps, { openid }, stock)).result as { items: { sku: string; priceFen: number | null }[] }).items.find((p) => p.sku === 'P-A')?.priceFen;
    expect(await priceOf(who.aStaff)).toBeNull();
    expect(await priceOf(who.aOwner)).toBe(100);
    const dash = await callApi(deps, { openid: who.aStaff }, { action: 'dashboard.today', merchantId: 'shop-a' });
    expect(dash.result).toMatchObject({ revenueFen: null, role: 'staff' });
    const report = { action: 'reports.get', merchantId: 'shop-a', kind: 'daily', date: '2026-11-21' };
    const staffReport = (await callApi(deps, { openid: who.aStaff }, report)).result as { numbers: { revenueFen: unknown; weekBefore: { revenueFen: unknown } }; text: string };
    expect(staffReport.numbers).toMatchObject({ revenueFen: null, weekBefore: { revenueFen: null } });
    expect(staffReport.text).not.toContain('营业额');
    expect(((await callApi(deps, { openid: who.aOwner }, report)).result as { text: string }).text).toContain('营业额');
  });

  it('audits settings changes with the actor', async () => {
    (deps.clock as ManualClock).advance(60_000);
    await callApi(deps, { openid: who.aOwner }, { action: 'settings.update', merchantId: 'shop-a', name: '一号店（新）' });
    const log = await deps.storage.audit.list('shop-a', 5);
    expect(log[0]).toMatchObject({ action: 'settings.update', actor: 'local-owner', detail: { fields: ['name'] } });
  });
});

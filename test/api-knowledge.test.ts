import { callApi as callApiBare } from '@xiaoer/shared/api/dispatch';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { recordUnanswered } from '@xiaoer/shared/usecases/knowledge/teach';
import { recordStatus } from '@xiaoer/shared/usecases/channel-wecom/channel-status';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createEngineAnswerer } from '@xiaoer/shared/usecases/answer/answerer';
import type { WecomContext } from '@xiaoer/shared/usecases/channel-wecom/context';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { ManualClock } from '@xiaoer/shared/domain/time';
import { parseKbContent, toXlsx } from '../cloudfunctions/server/kb/formats';
import { VECTOR_A } from './helpers/host';
import { testDeps } from './helpers/deps';

const OWNER = { openid: 'local:shop:owner' };
const STAFF = { openid: 'local:shop:staff' };
let deps: Deps & { clock: ManualClock };
let fake: FakeWecomApi;
let channel: WecomContext;
const call = async (raw: Record<string, unknown>, who = OWNER) => (await callApiBare(deps, who, { merchantId: 'shop', ...raw }, channel, parseKbContent)).result as any;
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e) => e.code,
  );

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: 'shop', name: '茶小满', ...VECTOR_A, kfSecret: 'kf-secret' });
  await ensureLocalMember(deps, 'shop', 'owner');
  await ensureLocalMember(deps, 'shop', 'staff');
  fake = new FakeWecomApi();
  channel = { deps, wecom: fake, answerer: createEngineAnswerer(deps.storage.knowledge), appUrl: () => 'https://xiaoer.example.com' };
});
afterEach(() => deps.storage.close());

describe('knowledge base actions', () => {
  it('adds, edits and disables a FAQ; 问问 AI answers from it with the knowledge used and stops when disabled', async () => {
    const added = await call(
      { action: 'kb.save', question: '可以开发票吗', answer: '可以开，结账时跟店员说抬头和税号', alternatives: ['能开票吗', '能开票吗', '可以开发票吗'] },
      STAFF,
    );
    expect(added.created).toBe(true);
    expect(added.faq.alternatives).toEqual(['能开票吗']);
    const ask = await call({ action: 'kb.ask', text: '你们能开票吗' }, STAFF);
    expect(ask).toMatchObject({ reply: '可以开，结账时跟店员说抬头和税号', handoff: false, knowledge: [{ id: added.faq.id, question: '可以开发票吗' }], engine: 'offline' });
    expect(ask.confidence).toBeGreaterThan(0.3);

    const edited = await call({ action: 'kb.save', id: added.faq.id, question: '可以开发票吗', answer: '可以，电子发票' });
    expect(edited).toMatchObject({ created: false, faq: { answer: '可以，电子发票', alternatives: [] } });
    await call({ action: 'kb.setEnabled', id: added.faq.id, enabled: false });
    expect((await call({ action: 'kb.list' })).faqs[0]).toMatchObject({ enabled: false });
    const after = await call({ action: 'kb.ask', text: '可以开发票吗' });
    expect(after.knowledge).toEqual([]);
    // nothing was sent to anyone and nothing counted
    expect(fake.callsTo('kf/send_msg')).toHaveLength(0);
  });

  it('refuses an answer with a banned word, with the words named', async () => {
    const err = await callApiBare(deps, OWNER, { action: 'kb.save', merchantId: 'shop', question: '你们便宜吗', answer: '全网最低价' }, channel).catch((e) => e);
    expect(err).toMatchObject({ code: 'INPUT.BANNED_WORD', status: 400 });
    expect(err.message).toContain('全网最低');
  });

  it('says a handoff question goes to a person', async () => {
    expect(await call({ action: 'kb.ask', text: '我要投诉' })).toMatchObject({ reply: null, handoff: true, reasonText: '客户在投诉或不高兴' });
  });

  it('imports json, csv and xlsx from the app, keeping good rows and naming bad ones', async () => {
    const json = await call({
      action: 'kb.import',
      format: 'json',
      content: JSON.stringify({
        faqs: [
          { id: 'a', question: '几点开门', answer: '十点' },
          { id: 'b', question: '', answer: 'x' },
        ],
      }),
    });
    expect(json.added).toBe(1);
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0].message).toContain('faqs 第 2 条');
    const csv = await call({
      action: 'kb.import',
      format: 'csv',
      content: 'id,question,answer,alternatives,enabled\na,几点开门,早上十点,营业时间|几点关门,true\nc,能停车吗,有车位,,true\n',
    });
    expect(csv).toMatchObject({ added: 1, updated: 1, errors: [] });
    const xlsx = (await toXlsx({ merchant: { name: 'x', industry: '' }, faqs: [{ id: 'd', question: '有 wifi 吗', answer: '有', alternatives: [], enabled: true }] })).toString(
      'base64',
    );
    expect(await call({ action: 'kb.import', format: 'xlsx', content: xlsx })).toMatchObject({ added: 1, updated: 0 });
    expect((await call({ action: 'kb.list' })).faqs.map((f: { id: string }) => f.id).sort()).toEqual(['a', 'c', 'd']);
    expect(await code(call({ action: 'kb.import', format: 'json', content: '{"faqs": [' }))).toBe('INPUT.INVALID');
    expect(await code(call({ action: 'kb.import', format: 'json', content: '{}' }, STAFF))).toBe('AUTH.ROLE_REQUIRED');
  });
});

describe('teach actions', () => {
  it('lists the queue with who asked and why, teaches one and dismisses another', async () => {
    await deps.storage.customers.upsert({
      merchantId: 'shop',
      externalUserId: 'u1',
      name: '王阿姨',
      source: 'kf',
      tags: [],
      totalSpentFen: 0,
      orderCount: 0,
      lost: false,
      createdAt: 0,
      updatedAt: 0,
    });
    await recordUnanswered(deps, { merchantId: 'shop', conversationId: 'c1', externalUserId: 'u1', question: '能带狗进店吗', reason: 'unanswered_twice', askedAt: 1 });
    await recordUnanswered(deps, { merchantId: 'shop', conversationId: 'c2', externalUserId: 'u2', question: '你们老板帅吗', reason: 'clarify', askedAt: 2 });
    const list = await call({ action: 'teach.list' }, STAFF);
    expect(list.items.map((i: { id: string }) => i.id)).toEqual(['c2', 'c1']);
    expect(list.items[1]).toMatchObject({ customerName: '王阿姨', reasonText: '连着两次没答上来，转给了人', staffReply: null });
    expect((await call({ action: 'badges.get' })).unanswered).toBe(2);

    expect(await code(call({ action: 'teach.save', itemId: 'c1', question: '能带狗进店吗' }))).toBe('INPUT.INVALID'); // no answer yet
    const saved = await call({ action: 'teach.save', itemId: 'c1', question: '能带狗进店吗', answer: '可以，要牵绳' }, STAFF);
    expect(saved).toMatchObject({ created: true, faq: { question: '能带狗进店吗', answer: '可以，要牵绳' } });
    await call({ action: 'teach.dismiss', itemId: 'c2' });
    expect((await call({ action: 'teach.list' })).items).toEqual([]);
    expect(await code(call({ action: 'teach.dismiss', itemId: 'c2' }))).toBe('NOT_FOUND.TEACH');
    expect((await call({ action: 'kb.ask', text: '可以带狗进店吗' })).reply).toBe('可以，要牵绳');
  });

  it('refuses to teach what the shop must handle (a complaint), as a new answer or as another phrasing, and keeps it queued', async () => {
    await recordUnanswered(deps, { merchantId: 'shop', conversationId: 'c3', externalUserId: 'u3', question: '奶茶里有根头发怎么回事', reason: 'handoff:complaint', askedAt: 3 });
    expect(await code(call({ action: 'teach.save', itemId: 'c3', question: '奶茶里有头发', answer: '不好意思，下次注意' }))).toBe('TEACH.NEEDS_HANDLING');
    const saved = await call({ action: 'kb.save', question: '奶茶里有什么', answer: '鲜奶、红茶和珍珠' });
    expect(await code(call({ action: 'teach.save', itemId: 'c3', question: '奶茶里有头发', faqId: saved.faq.id }))).toBe('TEACH.NEEDS_HANDLING');
    expect((await call({ action: 'kb.list' })).faqs.find((f: { id: string }) => f.id === saved.faq.id).alternatives).toEqual([]);
    expect((await call({ action: 'teach.list' })).items.map((i: { id: string; teachable: boolean }) => [i.id, i.teachable])).toEqual([['c3', false]]);
  });
});

describe('trends, badges, members, settings', () => {
  it('gives 7 or 30 days ending today in the shop time zone, revenue for owners only', async () => {
    deps.clock.set(Date.parse('2026-11-22T17:00:00Z')); // 2026-11-23 01:00 in Shanghai
    await deps.storage.counters.increment('shop', [{ name: 'revenueFen', day: '2026-11-23', eventId: 'o1', amount: 1500 }] as never);
    const week = await call({ action: 'dashboard.trends', days: 7 });
    expect(week.days.map((d: { day: string }) => d.day)).toEqual(['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23']);
    expect(week.days[6].counters.revenueFen).toBe(1500);
    const staff = await call({ action: 'dashboard.trends', days: 30 }, STAFF);
    expect(staff.days).toHaveLength(30);
    expect(staff).toMatchObject({ revenueShown: false });
    expect(staff.days[29].counters.revenueFen).toBe(0);
  });

  it('lets the owner set who is on duty and their WeCom account', async () => {
    const m = await call({ action: 'members.update', memberId: 'local-staff', onDuty: false, wecomUserId: 'XiaoLi' });
    expect(m.member).toMatchObject({ id: 'local-staff', onDuty: false, wecomUserId: 'XiaoLi' });
    expect((await call({ action: 'members.update', memberId: 'local-staff', wecomUserId: '' })).member.wecomUserId).toBeNull();
    expect(await code(call({ action: 'members.update', memberId: 'nobody', onDuty: true }))).toBe('NOT_FOUND.MEMBER');
    expect(await code(call({ action: 'members.update', memberId: 'local-staff', wecomUserId: '张 三' }))).toBe('INPUT.INVALID');
    expect(await code(call({ action: 'members.update', memberId: 'local-owner', onDuty: true }, STAFF))).toBe('AUTH.ROLE_REQUIRED');
  });

  it('saves answer rules and clears business hours', async () => {
    const s = await call({
      action: 'settings.update',
      businessHours: { open: '09:00', close: '01:00', closedDays: [1] },
      answerRules: { handoffWords: ['包场'], bannedWords: ['最便宜'], aliases: [{ term: '招牌', means: '杨枝甘露' }] },
    });
    expect(s).toMatchObject({
      businessHours: { open: '09:00', close: '01:00', closedDays: [1] },
      answerRules: { handoffWords: ['包场'], aliases: [{ term: '招牌', means: '杨枝甘露' }] },
    });
    expect((await call({ action: 'settings.update', businessHours: null })).businessHours).toBeNull();
    expect(await code(call({ action: 'settings.update', answerRules: { handoffWords: [''], bannedWords: [], aliases: [] } }))).toBe('INPUT.INVALID');
  });
});

describe('setup checker', () => {
  it('is red with a fix for everything on a new shop, and turns green as the channel records success', async () => {
    fake.failNext('kf/account/list', 40001);
    let r = await call({ action: 'setup.check' });
    const byKey = (k: string) => r.items.find((i: { key: string }) => i.key === k);
    expect(r.allOk).toBe(false);
    expect(byKey('callback')).toMatchObject({ ok: false });
    expect(byKey('callback').fix).toContain('https://xiaoer.example.com/wecom/callback/shop');
    expect(byKey('token_app')).toMatchObject({ ok: false, detail: '还没填 Secret' });
    expect(byKey('notify').fix).toContain('企业微信账号');

    await recordStatus(deps, 'shop', (c) => ({
      ...c,
      callbackVerifiedAt: deps.clock.now(),
      lastEvent: { at: deps.clock.now(), type: 'kf_msg_or_event' },
      tokens: { kf: { at: deps.clock.now(), ok: false, code: 'WECOM.E60020', errcode: 60020 } },
    }));
    r = await call({ action: 'setup.check' });
    expect(byKey('callback')).toMatchObject({ ok: true, fix: null });
    expect(byKey('events')).toMatchObject({ ok: true });
    expect(byKey('token_kf')).toMatchObject({ ok: false });
    expect(byKey('token_kf').fix).toContain('可信IP');
    expect(await code(call({ action: 'setup.check' }, STAFF))).toBe('AUTH.ROLE_REQUIRED');
  });
});

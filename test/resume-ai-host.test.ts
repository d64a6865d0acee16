import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { schedulerTick } from '@xiaoer/shared/usecases/scheduling/scheduler';
import { makeLoginLink } from '../cloudfunctions/server/host/login';
import { api, loginCookie, sandboxControl, startTestHost, type TestHost, VECTOR_A } from './helpers/host';

/**
 * The AI-resume timer through a real host and the WeCom sandbox (店铺设置 · 客户再发消息时 =
 * 店员 10 分钟没回，让 AI 先答有把握的问题): a customer writes while a person holds the conversation,
 * nobody from the shop replies, and ten minutes later the host's own scheduler jobs (the list the
 * `scheduler` function runs) hand it back to the AI, which answers through WeCom once.
 */
jest.setTimeout(120_000);

const SHOP = 'resume-shop';
type Sent = { api: string; to: string; text: string; errcode: number };
const MIN = 60_000;

let h: TestHost;
let ticking: NodeJS.Timeout;
beforeAll(async () => {
  h = await startTestHost();
  await createMerchant(h.rt.deps, {
    id: SHOP,
    name: '续答店',
    ...VECTOR_A,
    corpId: 'ww5566778899003344',
    appSecret: 'resume-app-secret-1',
    contactSecret: 'resume-contact-secret-2',
    kfSecret: 'resume-kf-secret-3',
    agentId: 1000002,
  });
  await h.rt.deps.storage.knowledge.upsertFaq({
    id: 'hours',
    merchantId: SHOP,
    question: '你们几点开门',
    answer: '每天早上十点开门，晚上十点打烊',
    alternatives: ['营业时间'],
    enabled: true,
    updatedAt: 0,
  });
  // a ManualClock: let product time pass (the fragment window is on it)
  ticking = setInterval(() => h.clock.advance(100), 100);
});
afterAll(async () => {
  clearInterval(ticking);
  await h.close();
});

const ctl = (route: string, body?: unknown) => sandboxControl(h.url)(route, body);
const repliesTo = async (customer: string) => ((await ctl(`sent?merchantId=${SHOP}`)) as Sent[]).filter((s) => s.api === 'kf/send_msg' && s.to === customer && s.errcode === 0);
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await f();
  }
  return v;
}

it('a customer left waiting ten minutes gets the AI’s sure answer from the scheduler, once', async () => {
  const cookie = await loginCookie(await makeLoginLink(h.rt, SHOP, 'owner', h.url));
  const saved = await api(h.url, cookie, { action: 'inbox.followUp.save', merchantId: SHOP, setting: { mode: 'ai_after', minutes: 10 } });
  expect(saved.body).toMatchObject({ ok: true });

  await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmWait', text: '我要找老板' });
  const conv = await until(
    () => h.rt.storage.conversations.findByCustomer(SHOP, 'wmWait', 'kf'),
    (c) => c?.state === 'waiting_human',
  );
  expect(conv?.state).toBe('waiting_human');
  expect(
    await until(
      () => repliesTo('wmWait'),
      (r) => r.length === 1,
    ),
  ).toHaveLength(1);

  h.clock.advance(MIN);
  await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmWait', text: '你们几点开门？' });
  // stored, and its callback done with (the fragment window passed): the AI said nothing
  await until(
    async () => (await h.rt.storage.inbox.listPending(h.clock.now() + 1, 10)).length,
    (n) => n === 0,
  );
  expect((await h.rt.storage.messages.listByConversation(SHOP, conv!.id, 20)).filter((m) => m.sender === 'customer')).toHaveLength(2);
  // one minute after the handoff the AI stays quiet: the question waits for a person
  const tick = () => schedulerTick(h.rt.deps, h.rt.jobs);
  await tick();
  expect((await h.rt.storage.conversations.get(SHOP, conv!.id))?.state).toBe('waiting_human');
  expect(await repliesTo('wmWait')).toHaveLength(1);

  h.clock.advance(10 * MIN);
  const report = await tick();
  expect(report.ran).toContainEqual({ key: expect.stringMatching(/^conversations\.resume-ai:/), status: 'done' });
  const replies = await until(
    () => repliesTo('wmWait'),
    (r) => r.length === 2,
  );
  expect(replies.map((r) => r.text)).toEqual([expect.any(String), '每天早上十点开门，晚上十点打烊']);
  // the app shows why the AI spoke, and the conversation left 待人工
  const thread = await api(h.url, cookie, { action: 'conversations.get', merchantId: SHOP, conversationId: conv!.id });
  expect(thread.body.data.conversation.state).toBe('ai');
  expect(thread.body.data.messages.filter((m: { event?: string }) => m.event === 'ai_resumed')).toHaveLength(1);

  // the next minutes' runs send nothing more
  h.clock.advance(MIN);
  await tick();
  h.clock.advance(20 * MIN);
  await tick();
  expect(await repliesTo('wmWait')).toHaveLength(2);
});

import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { api, loginCookie, startTestHost, type TestHost, VECTOR_A, sandboxControl } from './helpers/host';
import { makeLoginLink } from '../cloudfunctions/server/host/login';

/**
 * The 微信客服 loop end to end: the sandbox plays WeCom (real encrypted callbacks, sync_msg,
 * send_msg with its rules), the host acknowledges, stores and answers.
 */
jest.setTimeout(120_000);

const SHOP = 'kf-shop';
const SECRETS = { appSecret: 'kf-e2e-app-secret-1', contactSecret: 'kf-e2e-contact-secret-2', kfSecret: 'kf-e2e-kf-secret-3', agentId: 1000002 };
type Sent = { api: string; to: string; text: string; errcode: number; msgid: string };

async function setupShop(h: { rt: TestHost['rt'] }) {
  await createMerchant(h.rt.deps, { id: SHOP, name: '客服店', ...VECTOR_A, corpId: 'ww5566778899001122', ...SECRETS });
  await h.rt.deps.storage.knowledge.upsertFaq({
    id: 'hours',
    merchantId: SHOP,
    question: '你们几点开门',
    answer: '每天早上十点开门，晚上十点打烊',
    alternatives: ['营业时间'],
    enabled: true,
    updatedAt: 0,
  });
}

describe('kf loop through the sandbox (in-process host)', () => {
  let h: TestHost;
  let ticking: NodeJS.Timeout;
  beforeAll(async () => {
    h = await startTestHost();
    await setupShop(h);
    // this host's clock is a ManualClock: let product time pass (the fragment window is on it)
    ticking = setInterval(() => h.clock.advance(100), 100);
  });
  afterAll(async () => {
    clearInterval(ticking);
    await h.close();
  });
  const ctl = (route: string, body?: unknown) => sandboxControl(h.url)(route, body);
  const repliesTo = async (customer: string) => ((await ctl(`sent?merchantId=${SHOP}`)) as Sent[]).filter((s) => s.api === 'kf/send_msg' && s.to === customer);
  const until = async <T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000) => {
    const end = Date.now() + ms;
    let v = await f();
    while (!ok(v) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      v = await f();
    }
    return v;
  };

  it('answers from the knowledge base; the same callback delivered 3 times gets one reply', async () => {
    const posted = await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmThrice', text: '你们几点开门？' });
    expect(posted.callback.status).toBe(200);
    const entry = await h.rt.storage.inbox.get(SHOP, `sha256:${posted.callback.plaintextSha256}`);
    for (let i = 0; i < 2; i++) {
      const again = await ctl('callback', { merchantId: SHOP, xml: entry!.plaintext, kf: true });
      expect(again.callback.status).toBe(200);
    }
    const replies = await until(
      () => repliesTo('wmThrice'),
      (r) => r.length > 0,
    );
    expect(replies.map((r) => [r.text, r.errcode])).toEqual([['每天早上十点开门，晚上十点打烊', 0]]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await repliesTo('wmThrice')).toHaveLength(1);
  });

  it('keeps a customer image in our media store and asks them to type', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmPic', image: { base64: png.toString('base64'), contentType: 'image/png', fileName: 'p.png' } });
    const replies = await until(
      () => repliesTo('wmPic'),
      (r) => r.length > 0,
    );
    expect(replies[0].text).toMatch(/文字/);
    const conv = await h.rt.storage.conversations.findByCustomer(SHOP, 'wmPic', 'kf');
    const [img] = (await h.rt.storage.messages.listByConversation(SHOP, conv!.id, 10)).filter((m) => m.type === 'image');
    expect(img).toMatchObject({ type: 'image', mediaRef: expect.stringMatching(/^media:[0-9a-f]{64}$/), mime: 'image/png' });
    const stored = await h.rt.inbox.media!.load(SHOP, (img as { mediaRef: string }).mediaRef);
    expect(Buffer.from(stored!.bytes).equals(png)).toBe(true);
  });

  it('a handoff, then staff reply from the app, hand back, and 转企业微信人工', async () => {
    await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmAngry', text: '我要投诉，昨天的奶茶里有异物' });
    const handoff = await until(
      () => repliesTo('wmAngry'),
      (r) => r.length > 0,
    );
    expect(handoff[0].text).toMatch(/同事|人工|稍等/);
    const conv = await until(
      () => h.rt.storage.conversations.findByCustomer(SHOP, 'wmAngry', 'kf'),
      (c) => c?.state === 'waiting_human',
    );
    expect(conv?.state).toBe('waiting_human');

    const cookie = await loginCookie(await makeLoginLink(h.rt, SHOP, 'staff', h.url));
    const reply = await api(h.url, cookie, { action: 'conversations.reply', merchantId: SHOP, conversationId: conv!.id, text: '非常抱歉！我是店长，马上给您退款重做' });
    expect(reply.body).toMatchObject({ ok: true, data: { sentParts: 1, conversation: { state: 'waiting_human' } } });
    expect((await repliesTo('wmAngry')).map((r) => r.text)).toContain('非常抱歉！我是店长，马上给您退款重做');

    expect((await api(h.url, cookie, { action: 'conversations.handBack', merchantId: SHOP, conversationId: conv!.id })).body).toMatchObject({
      ok: true,
      data: { conversation: { state: 'ai' } },
    });
    const moved = await api(h.url, cookie, { action: 'conversations.transfer', merchantId: SHOP, conversationId: conv!.id, servicerUserId: 'zhangsan' });
    expect(moved.body).toMatchObject({ ok: true, data: { conversation: { state: 'human_in_wecom' } } });
    expect((await api(h.url, cookie, { action: 'conversations.reply', merchantId: SHOP, conversationId: conv!.id, text: '还在吗' })).body).toMatchObject({
      ok: false,
      code: 'CONFLICT.HUMAN_IN_WECOM',
    });
    const audit = (await h.rt.storage.audit.list(SHOP, 10)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['conversation.hand_back', 'conversation.transfer_to_wecom']));
  });

  it('recovers from an expired token and an injected 45009 mid-flow, and sends once', async () => {
    await ctl('clock', { advanceMs: 7300 * 1000 }); // every token the product holds has expired
    await ctl('fault', { api: 'kf/send_msg', errcode: 45009, times: 1 });
    await ctl('customer-message', { merchantId: SHOP, externalUserId: 'wmBusy', text: '营业时间' });
    const replies = await until(
      () => repliesTo('wmBusy'),
      (r) => r.some((x) => x.errcode === 0),
    );
    expect(replies.filter((r) => r.errcode === 0)).toHaveLength(1);
    expect(replies.map((r) => r.errcode)).toEqual([45009, 0]);
    // the retry reused the reply's msgid: WeCom (and our sandbox) would refuse a duplicate
    expect(new Set(replies.map((r) => r.msgid)).size).toBe(1);
  });
});

// kill -9 between the acknowledgement and the reply: test/crash.test.ts (with the other kill -9 test)

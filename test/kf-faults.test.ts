import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { startTestHost, type TestHost, VECTOR_A, sandboxControl } from './helpers/host';

/**
 * A quiet shop, one customer message, one transient fault on one call of the loop (the token,
 * the sync, the send): the customer still gets exactly one answer, well within 60 s, with no
 * later callback and no sweep to rescue it. The sandbox plays the faulty network.
 */
jest.setTimeout(180_000);

const SHOP = 'fault-shop';
const SECRETS = { appSecret: 'fault-app-secret-1', contactSecret: 'fault-contact-secret-2', kfSecret: 'fault-kf-secret-3', agentId: 1000002 };
const ANSWER = '每天早上十点开门，晚上十点打烊';
type Sent = { api: string; to: string; text: string; errcode: number };

let h: TestHost;
let ticking: NodeJS.Timeout;

beforeAll(async () => {
  // a short client timeout so a hanging WeCom costs 1.5 s per attempt, not 10
  h = await startTestHost({ WECOM_TIMEOUT_MS: '1500' });
  await createMerchant(h.rt.deps, { id: SHOP, name: '故障店', ...VECTOR_A, corpId: 'ww1122334455667788', ...SECRETS });
  await h.rt.deps.storage.knowledge.upsertFaq({ id: 'hours', merchantId: SHOP, question: '你们几点开门', answer: ANSWER, alternatives: ['营业时间'], enabled: true, updatedAt: 0 });
  ticking = setInterval(() => h.clock.advance(100), 100);
});
afterAll(async () => {
  clearInterval(ticking);
  await h.close();
});

const ctl = (route: string, body?: unknown) => sandboxControl(h.url)(route, body);
const repliesTo = async (customer: string) => ((await ctl(`sent?merchantId=${SHOP}`)) as Sent[]).filter((s) => s.api === 'kf/send_msg' && s.to === customer && s.errcode === 0);

const FAULTS = [{ mode: 'timeout' }, { mode: 'reset' }, { mode: 'http5xx' }, { mode: 'errcode', errcode: -1 }, { mode: 'errcode', errcode: 45009 }] as const;
const CALLS = ['gettoken', 'kf/sync_msg', 'kf/send_msg'] as const;
/** WeCom calling the access token invalid (40014) or expired (42001) on a call that carries one. */
const TOKEN_FAULTS = [
  { mode: 'errcode', errcode: 40014 },
  { mode: 'errcode', errcode: 42001 },
] as const;
const CASES = [
  ...CALLS.flatMap((api) => FAULTS.map((f) => [api, f.mode === 'errcode' ? `errcode ${f.errcode}` : f.mode, f] as const)),
  ...(['kf/sync_msg', 'kf/send_msg'] as const).flatMap((api) => TOKEN_FAULTS.map((f) => [api, `errcode ${f.errcode}`, f] as const)),
];

describe('one transient fault on one call of the loop', () => {
  let n = 0;
  it.each(CASES)('%s answering with %s: the customer is answered once', async (api, _label, fault) => {
    const customer = `wmFault${++n}`;
    // a fresh token must be fetched for the gettoken cases: let the cached ones expire
    if (api === 'gettoken') await ctl('clock', { advanceMs: 3 * 3600_000 });
    await ctl('fault', { api, times: 1, ...fault });
    const started = Date.now();
    await ctl('customer-message', { merchantId: SHOP, externalUserId: customer, text: '你们几点开门？' });
    let replies = await repliesTo(customer);
    while (!replies.length && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 200));
      replies = await repliesTo(customer);
    }
    expect(replies.map((r) => r.text)).toEqual([ANSWER]);
    // the fault was really hit (not left for a later call)
    expect((await ctl('fault')) as unknown[]).toEqual([]);
    // and nothing arrives twice once the retries have settled
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await repliesTo(customer)).toHaveLength(1);
  });
});

import crypto from 'node:crypto';
import { ManualClock } from '@xiaoer/shared/domain/time';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { SubscribeSendRequest } from '@xiaoer/shared/ports/subscribe';
import { WecomApiError } from '@xiaoer/shared/ports/wecom';
import { FakeWecomApi } from '@xiaoer/shared/testing/fake-wecom-api';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { updateSettings } from '@xiaoer/shared/usecases/shop/settings';
import { createDailyReportJob } from '@xiaoer/shared/usecases/reports/daily-job';
import { creditsOf, grantSubscribe } from '@xiaoer/shared/usecases/reports/subscribe';
import { parseSubscribeFields, type SubscribeEnv } from '@xiaoer/shared/usecases/reports/subscribe-data';
import { fakeDatabase } from '../../../test/cloudbase-fake/sdk-double';
import { createCloudbaseStorage, ensureCollections } from '../storage/cloudbase';
import { createSecretBox } from '../security/secret-box';
import { randomIds } from '../ids';
import { nodeTimers } from '../timers';
import { createCloudSubscribeSender, type CloudOpenapi } from './subscribe-sender';

/**
 * The CloudBase side of the subscribe message (NOT verified against WeChat): the cloud call
 * `cloud.openapi.subscribeMessage.send` as wx-server-sdk exposes it, played by a double that
 * answers like the SDK (camelCase parameters; a refusal thrown as `{errCode, errMsg}`), over the
 * CloudBase storage double (the credits live in its kv collection).
 */
/** wx-server-sdk's CloudSDKError: an Error carrying WeChat's errCode and errMsg. */
const sdkError = (errCode: number, errMsg: string) => Object.assign(new Error(errMsg), { errCode, errMsg });

class FakeOpenapi implements CloudOpenapi {
  calls: SubscribeSendRequest[] = [];
  /** What WeChat holds per `${templateId}|${openid}`: taps minus sends. */
  granted = new Map<string, number>();
  private faults: Error[] = [];
  failNext(err: Error) {
    this.faults.push(err);
  }
  subscribeMessage = {
    send: async (req: SubscribeSendRequest) => {
      const fault = this.faults.shift();
      if (fault) throw fault;
      const r = req as unknown as Record<string, unknown>;
      // the SDK's parameters are camelCase; the HTTPS API's snake_case names are not understood here
      if (typeof r.touser !== 'string' || typeof r.templateId !== 'string' || 'template_id' in r || typeof r.data !== 'object') {
        throw sdkError(47003, 'openapi.subscribeMessage.send:fail argument invalid!');
      }
      const key = `${req.templateId}|${req.touser}`;
      const left = this.granted.get(key) ?? 0;
      if (left <= 0) throw sdkError(43101, 'openapi.subscribeMessage.send:fail user refuse to accept the msg');
      this.granted.set(key, left - 1);
      this.calls.push(req);
      return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
    },
  };
}

const TEMPLATE = 'cloud-tmpl';
const OPENID = 'local:cb-shop:owner';
let deps: Deps & { clock: ManualClock };
let wx: FakeOpenapi;
let sub: SubscribeEnv;

beforeEach(async () => {
  const { db } = fakeDatabase();
  await ensureCollections(db);
  deps = {
    storage: createCloudbaseStorage(db),
    clock: new ManualClock(Date.parse('2026-11-20T21:00:00+08:00')),
    secrets: createSecretBox(crypto.randomBytes(32)),
    ids: randomIds,
    timers: nodeTimers,
  };
  wx = new FakeOpenapi();
  sub = { sender: createCloudSubscribeSender(async () => wx), templateId: TEMPLATE, fields: parseSubscribeFields('thing1:title,amount2:amount'), miniprogramState: 'formal' };
  await createMerchant(deps, { id: 'cb-shop', name: '云上店', corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  await ensureLocalMember(deps, 'cb-shop', 'owner');
  await updateSettings(deps, 'cb-shop', 'local-owner', { reports: { channels: ['subscribe'] } });
});

const ledger = {
  key: 'report:daily:cb-shop:2026-11-20',
  merchantId: 'cb-shop',
  kind: 'report.daily',
  runAt: 0,
  payload: { day: '2026-11-20' },
  status: 'running' as const,
  attempts: 1,
  maxAttempts: 5,
  createdAt: 0,
  updatedAt: 0,
};
const tap = async () => {
  await grantSubscribe(deps, sub, OPENID, { [TEMPLATE]: 'accept' });
  wx.granted.set(`${TEMPLATE}|${OPENID}`, (wx.granted.get(`${TEMPLATE}|${OPENID}`) ?? 0) + 1);
};

describe('subscribe message on CloudBase (cloud.openapi.subscribeMessage.send)', () => {
  it("the daily report goes through the cloud call once, with the SDK's parameters, its credit kept in CloudBase", async () => {
    await tap();
    await tap();
    const job = createDailyReportJob({ wecom: new FakeWecomApi(), subscribe: sub });
    expect(await job.run(ledger, deps)).toEqual({ day: '2026-11-20', push: 'off', subscribe: 'sent' });
    expect(await job.run({ ...ledger, attempts: 2 }, deps)).toEqual({ day: '2026-11-20', push: 'off', subscribe: 'sent' });
    expect(wx.calls).toEqual([
      {
        touser: OPENID,
        templateId: TEMPLATE,
        page: 'sub/report/index?merchant=cb-shop&kind=daily&date=2026-11-20',
        // no order yet: no amount rather than a ¥0 that looks real
        data: { thing1: { value: '云上店日报' } },
        miniprogramState: 'formal',
      },
    ]);
    expect(await creditsOf(deps, TEMPLATE, OPENID)).toBe(1);
  });

  it("the SDK's refusals become WeChat's codes: 43101 is no credit, a busy WeChat is retried by the ledger", async () => {
    await tap();
    wx.failNext(sdkError(-1, 'openapi.subscribeMessage.send:fail system error'));
    const job = createDailyReportJob({ wecom: new FakeWecomApi(), subscribe: sub });
    await expect(job.run(ledger, deps)).rejects.toMatchObject({ code: 'PUSH.FAILED', details: { channel: 'subscribe', reason: 'wx_-1' } });
    expect(await job.run({ ...ledger, attempts: 2 }, deps)).toMatchObject({ subscribe: 'sent' });
    // WeChat holds no subscription though the product counts one: WeChat's 43101 wins
    await grantSubscribe(deps, sub, OPENID, { [TEMPLATE]: 'accept' });
    expect(await job.run({ ...ledger, key: 'k2', payload: { day: '2026-11-21' } }, deps)).toMatchObject({ subscribe: 'skipped:no_credit' });
    expect(await creditsOf(deps, TEMPLATE, OPENID)).toBe(0);
    expect(wx.calls).toHaveLength(1);
  });

  it('maps an error answer without a throw, and leaves transport trouble as it is', async () => {
    const answering = createCloudSubscribeSender(async () => ({ subscribeMessage: { send: async () => ({ errCode: 40037, errMsg: 'invalid template id' }) } }));
    await expect(answering.send({ touser: 'o', templateId: 't', data: {} })).rejects.toEqual(new WecomApiError('message/subscribe/send', 40037, 'invalid template id'));
    const broken = createCloudSubscribeSender(async () => ({ subscribeMessage: { send: async () => Promise.reject(new Error('ECONNRESET')) } }));
    await expect(broken.send({ touser: 'o', templateId: 't', data: {} })).rejects.toThrow('ECONNRESET');
  });
});

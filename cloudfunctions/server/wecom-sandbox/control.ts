import type { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput as parse } from '@xiaoer/shared/contracts/envelope';
import type { Runtime } from '../composition';
import { CallbackSender } from './callback';
import type { SandboxConfig, SandboxRules } from './config';
import { contactAdd, contactDelete, contactWayAdd } from './control-contact';
import { confirmGroupMsg } from './groupmsg-confirm';
import { quotaPeriodOf, quotaWindow, receivedThisPeriod, setQuotaPeriod } from './groupmsg-quota';
import { inFlightOf } from './inflight';
import { KfSide } from './control-kf';
import {
  Clock,
  ConfigBody,
  ContactAdd,
  ContactDelete,
  ContactWayAdd,
  CustomerMessage,
  FaultBody,
  GroupConfirm,
  GroupQuota,
  GroupQuotaQuery,
  Hold,
  KfAccountsBody,
  KfEvent,
  KfSessionBody,
  RawCallback,
  Reset,
  ROUTES,
  ServicerMessage,
  WebhookKey,
} from './control-schemas';
import type { MerchantRegistry } from './registry';
import { NS, PLATFORM, type Fault, type SandboxStore, type SentRecord } from './store';
import type { SandboxEnv } from './wx';

export type { CallbackResult } from './callback';

/** The sandbox's control routes (`/sandbox/_control/*`): what a test or the CLI does to "WeCom's side". */
export class SandboxControl {
  private readonly env: SandboxEnv;
  private readonly callbacks: CallbackSender;
  private readonly kf: KfSide;

  constructor(
    private rt: Runtime,
    private store: SandboxStore,
    registry: MerchantRegistry,
    private ruleOverrides: Partial<SandboxRules>,
  ) {
    this.env = { rt, store, registry };
    this.callbacks = new CallbackSender(this.env);
    this.kf = new KfSide(this.env, this.callbacks);
  }

  /** Routes a control request; `base` is where the product's callback URL lives. */
  async route(method: string, path: string, query: URLSearchParams, body: unknown, base: string): Promise<unknown> {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /':
        return ROUTES;
      case 'POST /customer-message':
        return this.kf.customerMessage(parse(CustomerMessage, body), base);
      case 'POST /servicer-message':
        return this.kf.servicerMessage(parse(ServicerMessage, body), base);
      case 'POST /kf-event':
        return this.kf.kfEvent(parse(KfEvent, body), base);
      case 'POST /kf-session':
        return this.kf.kfSession(parse(KfSessionBody, body));
      case 'POST /contact-add':
        return contactAdd(this.env, this.callbacks, parse(ContactAdd, body), base);
      case 'POST /contact-delete':
        return contactDelete(this.env, this.callbacks, parse(ContactDelete, body), base);
      case 'POST /contact-way-add':
        return contactWayAdd(this.env, this.callbacks, parse(ContactWayAdd, body), base);
      case 'GET /kf-accounts':
        return this.kfAccounts(parse(MerchantId, query.get('merchantId')));
      case 'POST /kf-accounts':
        return this.setKfAccounts(parse(KfAccountsBody, body));
      case 'GET /hold':
        return this.hold(parse(Hold.omit({ on: true }), { merchantId: query.get('merchantId'), api: query.get('api') }));
      case 'POST /hold':
        return this.hold(parse(Hold, body));
      case 'POST /callback': {
        const b = parse(RawCallback, body);
        return { callback: await this.callbacks.deliver(await this.env.registry.require(b.merchantId), b.xml, b.kf, base) };
      }
      case 'GET /clock':
        return this.clockNow();
      case 'POST /clock':
        return this.moveClock(parse(Clock, body));
      case 'GET /fault':
        return (await this.store.list<Fault>(PLATFORM, NS.fault)).filter((e) => e.value.times > 0).map((e) => ({ api: e.key, ...e.value }));
      case 'POST /fault':
        return this.setFault(parse(FaultBody, body));
      case 'GET /config':
        return this.store.config(this.ruleOverrides);
      case 'POST /config':
        return this.setConfig(parse(ConfigBody, body));
      case 'GET /sent':
        return this.sent(query);
      case 'POST /reset':
        return this.reset(parse(Reset, body));
      case 'POST /groupmsg-confirm':
        return confirmGroupMsg(this.env, (await this.store.config(this.ruleOverrides)).rules, parse(GroupConfirm, body));
      case 'GET /groupmsg-quota':
        return this.groupMsgQuota(parse(GroupQuotaQuery, { merchantId: query.get('merchantId'), externalUserId: (query.get('externalUserId') ?? '').split(',').filter(Boolean) }));
      case 'POST /groupmsg-quota': {
        const q = parse(GroupQuota, body);
        await setQuotaPeriod(this.store, (await this.env.registry.require(q.merchantId)).id, q.period);
        return this.groupMsgQuota({ merchantId: q.merchantId, externalUserId: [] });
      }
      case 'POST /webhook-key': {
        const w = parse(WebhookKey, body);
        await this.env.registry.require(w.merchantId);
        await this.store.put(PLATFORM, NS.webhook, w.key, { merchantId: w.merchantId });
        return { merchantId: w.merchantId };
      }
      default:
        throw new AppError('NOT_FOUND.ROUTE', `沙箱没有 ${key} 这个控制接口（GET /sandbox/_control 列出全部）`, 404);
    }
  }

  private async kfAccounts(merchantId: string) {
    const m = await this.env.registry.require(merchantId);
    return { accounts: await this.env.registry.accounts(m) };
  }

  /** WeCom's side of the shop's 微信客服 accounts, replaced (the doctor's "no kf account" case). */
  private async setKfAccounts(b: z.infer<typeof KfAccountsBody>) {
    // learnt first, so the first-use bootstrap can't add the default account back afterwards
    const m = await this.env.registry.require(b.merchantId);
    for (const e of await this.store.list(m.id, NS.kfAccount)) await this.store.delete(m.id, NS.kfAccount, e.key);
    for (const a of b.accounts) await this.env.registry.addAccount(m, a.openKfId, a.name, a.managePrivilege);
    return this.kfAccounts(m.id);
  }

  private clockNow() {
    const now = this.rt.deps.clock.now();
    return { now, iso: new Date(now).toISOString() };
  }

  private moveClock(b: z.infer<typeof Clock>) {
    const clock = this.rt.deps.clock as Partial<{ advance(ms: number): void; set(t: number): void }>;
    if ('advanceMs' in b) {
      if (typeof clock.advance !== 'function') throw new AppError('CONFLICT.CLOCK_FIXED', '这个进程用的是系统时钟，不能拨', 409);
      clock.advance(b.advanceMs);
    } else {
      if (typeof clock.set !== 'function') throw new AppError('CONFLICT.CLOCK_FIXED', '这个进程用的是系统时钟，不能拨', 409);
      clock.set(typeof b.set === 'number' ? b.set : Date.parse(b.set));
    }
    return this.clockNow();
  }

  private async setFault(f: z.infer<typeof FaultBody>) {
    await this.store.put<Fault>(PLATFORM, NS.fault, f.api, { mode: f.mode, errcode: f.errcode, times: f.times, ...(f.merchantId ? { merchantId: f.merchantId } : {}) });
    return { api: f.api, mode: f.mode, errcode: f.errcode, times: f.times };
  }

  private async setConfig(c: z.infer<typeof ConfigBody>) {
    await this.store.update<Partial<SandboxConfig>>(PLATFORM, NS.config, 'config', (cur) => ({
      ...(cur ?? {}),
      ...c,
      rules: { ...(cur?.rules ?? {}), ...(c.rules ?? {}) } as SandboxRules,
    }));
    return this.store.config(this.ruleOverrides);
  }

  private async sent(query: URLSearchParams) {
    const merchantId = query.get('merchantId') ?? '';
    if (merchantId !== PLATFORM && !MerchantId.safeParse(merchantId).success) throw new AppError('INPUT.INVALID', '要给 merchantId', 400);
    const after = Number(query.get('after') ?? 0) || 0;
    return (await this.store.list<SentRecord>(merchantId, NS.sent)).filter((e) => Number(e.key) > after).map((e) => ({ seq: Number(e.key), ...e.value }));
  }

  private async hold(h: { merchantId: string; api: string; on?: boolean }) {
    const m = await this.env.registry.require(h.merchantId);
    const f = inFlightOf(this.store);
    if (h.on === true) f.hold(m.wecom.corpId, h.api);
    if (h.on === false) f.release(m.wecom.corpId, h.api);
    return { api: h.api, held: f.held(m.wecom.corpId, h.api), inFlight: f.count(m.wecom.corpId, h.api) };
  }

  private async reset(r: z.infer<typeof Reset>) {
    inFlightOf(this.store).releaseAll(); // a held call must not outlive the test that held it
    const ids = r.merchantId ? [r.merchantId] : (await this.rt.storage.merchants.listAll()).map((m) => m.id);
    const removed = await this.store.clear(ids, !r.merchantId);
    return { removed };
  }

  /** The merchant's quota setting, its cap in the period the clock is in, and what the named customers received in it. */
  private async groupMsgQuota(q: z.infer<typeof GroupQuotaQuery>) {
    const m = await this.env.registry.require(q.merchantId);
    const now = this.rt.deps.clock.now();
    const period = await quotaPeriodOf(this.store, m.id);
    const received = q.externalUserId.length ? { received: await receivedThisPeriod(this.store, m.id, now, q.externalUserId) } : {};
    return { merchantId: m.id, period, cap: quotaWindow(period, now).cap, ...received };
  }
}

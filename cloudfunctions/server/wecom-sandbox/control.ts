import { encrypt, getSignature } from '@wecom/crypto';
import { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import { MerchantId } from '@xiaoer/shared/domain/ids';
import { parseInput as parse } from '@xiaoer/shared/contracts/envelope';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import type { Runtime } from '../composition';
import { LIMITS, RULE_NAMES, type SandboxConfig, type SandboxRules } from './config';
import { MerchantRegistry } from './registry';
import type { SandboxApi } from './api';
import {
  NS,
  PLATFORM,
  sessionKey,
  type CodeRecord,
  type Fault,
  type GroupMsgTask,
  type KfSession,
  type MediaRecord,
  type SandboxContact,
  type SandboxCustomer,
  type SandboxKfMessage,
  type SandboxStore,
  type SentRecord,
} from './store';
import { cdata, randomDigits, randomId, sha256 } from './util';

export interface CallbackResult {
  /** The product's callback URL that was called (without the signed query). */
  url: string;
  /** What the host answered (0 when it could not be reached). */
  status: number;
  body: string;
  /** sha256 of the decrypted XML: the product's inbox keys events by `sha256:<this>`. */
  plaintextSha256: string;
  error?: string;
}

const Id = z.string().min(1).max(128).regex(/^[0-9A-Za-z_@.-]+$/, '只能是字母、数字和 _@.-');
const KfId = z.string().regex(/^wk[0-9A-Za-z_-]{1,62}$/, 'open_kfid 以 wk 开头');
const Media = z.object({ base64: z.string().min(1), contentType: z.string().default('image/jpeg'), fileName: z.string().default('image.jpg') });

const CustomerMessage = z
  .object({
    merchantId: MerchantId,
    externalUserId: Id,
    text: z.string().min(1).max(20_000).optional(),
    image: Media.optional(),
    openKfId: KfId.optional(),
    nickname: z.string().max(60).optional(),
  })
  .refine((v) => Boolean(v.text) !== Boolean(v.image), { message: 'text 和 image 二选一', path: ['text'] });
const ServicerMessage = z.object({ merchantId: MerchantId, externalUserId: Id, servicerUserId: Id, text: z.string().min(1).max(20_000), openKfId: KfId.optional() });
const KfEvent = z.object({
  merchantId: MerchantId,
  externalUserId: Id,
  openKfId: KfId.optional(),
  eventType: z.string().min(1).max(64).default('enter_session'),
  scene: z.string().max(32).default(''),
  sceneParam: z.string().max(128).default(''),
  /** Extra fields of the event object, for event types other than enter_session. */
  event: z.record(z.string(), z.unknown()).default({}),
  /** false: queue the event for sync_msg but send no callback (tests of the raw endpoints). */
  notify: z.boolean().default(true),
});
const KfSessionBody = z.object({
  merchantId: MerchantId,
  externalUserId: Id,
  openKfId: KfId.optional(),
  serviceState: z.number().int().min(0).max(4).optional(),
  servicerUserId: z.string().max(64).optional(),
  lastCustomerMessageAt: z.number().int().nonnegative().optional(),
  repliesSinceCustomer: z.number().int().min(0).max(100).optional(),
});
const ContactAdd = z.object({
  merchantId: MerchantId,
  userId: Id,
  externalUserId: Id,
  name: z.string().max(60).optional(),
  state: z.string().max(30).optional(),
  welcome: z.boolean().default(true),
  /** false: only create the contact and code, send no callback (tests of the raw endpoints). */
  notify: z.boolean().default(true),
});
const RawCallback = z.object({ merchantId: MerchantId, xml: z.string().min(5).max(60_000), kf: z.boolean().default(false) });
const Clock = z.union([z.object({ advanceMs: z.number().int() }), z.object({ set: z.union([z.number().int().nonnegative(), z.string().datetime()]) })]);
const FaultBody = z.object({
  api: z.string().min(1).max(80),
  mode: z.enum(['errcode', 'timeout', 'reset', 'http5xx']).default('errcode'),
  errcode: z.number().int().default(-1),
  times: z.number().int().min(0).max(1_000_000).default(1), merchantId: MerchantId.optional() });
const ConfigBody = z
  .object({
    rules: z.object(Object.fromEntries(RULE_NAMES.map((r) => [r, z.boolean().optional()])) as Record<(typeof RULE_NAMES)[number], z.ZodOptional<z.ZodBoolean>>).strict().optional(),
    syncPageSize: z.number().int().min(1).max(LIMITS.syncMaxLimit).optional(),
    ratePerMinute: z.number().int().min(1).optional(),
    webhookPerMinute: z.number().int().min(1).optional(),
  })
  .strict();
const Reset = z.object({ merchantId: MerchantId.optional() });
const GroupConfirm = z.object({ merchantId: MerchantId, msgid: z.string().min(1), userid: z.string().optional() });
const WebhookKey = z.object({ merchantId: MerchantId, key: z.string().min(1).max(200) });


/** The sandbox's control routes (`/sandbox/_control/*`): what a test or the CLI does to "WeCom's side". */
export class SandboxControl {
  constructor(
    private rt: Runtime,
    private store: SandboxStore,
    private registry: MerchantRegistry,
    private api: SandboxApi,
    private ruleOverrides: Partial<SandboxRules>,
  ) {}

  private now() {
    return this.rt.deps.clock.now();
  }

  private async merchant(id: string): Promise<Merchant> {
    const m = await this.registry.get(id);
    if (!m) throw new AppError('NOT_FOUND.MERCHANT', `没有 ${id} 这家店`, 404);
    await this.registry.ensure(m);
    return m;
  }

  private async kfAccountOf(m: Merchant, wanted?: string): Promise<string> {
    if (wanted) {
      await this.registry.addAccount(m, wanted); // a customer writing to an account WeCom has: the sandbox learns it
      return wanted;
    }
    return (await this.registry.accounts(m))[0]?.open_kfid ?? MerchantRegistry.defaultKfId(m);
  }

  /** Routes a control request; `base` is where the product's callback URL lives. */
  async route(method: string, path: string, query: URLSearchParams, body: unknown, base: string): Promise<unknown> {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /':
        return ROUTES;
      case 'POST /customer-message':
        return this.customerMessage(parse(CustomerMessage, body), base);
      case 'POST /servicer-message':
        return this.servicerMessage(parse(ServicerMessage, body), base);
      case 'POST /kf-event':
        return this.kfEvent(parse(KfEvent, body), base);
      case 'POST /kf-session':
        return this.kfSession(parse(KfSessionBody, body));
      case 'POST /contact-add':
        return this.contactAdd(parse(ContactAdd, body), base);
      case 'POST /callback': {
        const b = parse(RawCallback, body);
        return { callback: await this.deliver(await this.merchant(b.merchantId), b.xml, b.kf, base) };
      }
      case 'GET /clock':
        return this.clockNow();
      case 'POST /clock':
        return this.moveClock(parse(Clock, body));
      case 'GET /fault':
        return (await this.store.list<Fault>(PLATFORM, NS.fault)).filter((e) => e.value.times > 0).map((e) => ({ api: e.key, ...e.value }));
      case 'POST /fault': {
        const f = parse(FaultBody, body);
        await this.store.put<Fault>(PLATFORM, NS.fault, f.api, { mode: f.mode, errcode: f.errcode, times: f.times, ...(f.merchantId ? { merchantId: f.merchantId } : {}) });
        return { api: f.api, mode: f.mode, errcode: f.errcode, times: f.times };
      }
      case 'GET /config':
        return this.store.config(this.ruleOverrides);
      case 'POST /config': {
        const c = parse(ConfigBody, body);
        await this.store.update<Partial<SandboxConfig>>(PLATFORM, NS.config, 'config', (cur) => ({
          ...(cur ?? {}),
          ...c,
          rules: { ...(cur?.rules ?? {}), ...(c.rules ?? {}) } as SandboxRules,
        }));
        return this.store.config(this.ruleOverrides);
      }
      case 'GET /sent': {
        const merchantId = query.get('merchantId') ?? '';
        if (merchantId !== PLATFORM && !MerchantId.safeParse(merchantId).success) throw new AppError('INPUT.INVALID', '要给 merchantId', 400);
        const after = Number(query.get('after') ?? 0) || 0;
        return (await this.store.list<SentRecord>(merchantId, NS.sent)).filter((e) => Number(e.key) > after).map((e) => ({ seq: Number(e.key), ...e.value }));
      }
      case 'POST /reset': {
        const r = parse(Reset, body);
        const ids = r.merchantId ? [r.merchantId] : (await this.rt.storage.merchants.listAll()).map((m) => m.id);
        const removed = await this.store.clear(ids, !r.merchantId);
        return { removed };
      }
      case 'POST /groupmsg-confirm': {
        const g = parse(GroupConfirm, body);
        const now = this.now();
        const { value } = await this.store.update<GroupMsgTask>(g.merchantId, NS.groupmsg, g.msgid, (t) => {
          if (!t) throw new AppError('NOT_FOUND.GROUPMSG', `没有 ${g.msgid} 这条群发`, 404);
          return { ...t, tasks: t.tasks.map((x) => (!g.userid || x.userid === g.userid ? { ...x, status: 2 as const, sendTime: now } : x)) };
        });
        return value;
      }
      case 'POST /webhook-key': {
        const w = parse(WebhookKey, body);
        await this.merchant(w.merchantId);
        await this.store.put(PLATFORM, NS.webhook, w.key, { merchantId: w.merchantId });
        return { merchantId: w.merchantId };
      }
      default:
        throw new AppError('NOT_FOUND.ROUTE', `沙箱没有 ${key} 这个控制接口（GET /sandbox/_control 列出全部）`, 404);
    }
  }

  private clockNow() {
    const now = this.now();
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

  private async appendKf(m: Merchant, msg: SandboxKfMessage): Promise<number> {
    return this.store.append(m.id, NS.kfMsg, msg);
  }

  private async customerMessage(b: z.infer<typeof CustomerMessage>, base: string) {
    const m = await this.merchant(b.merchantId);
    const openKfId = await this.kfAccountOf(m, b.openKfId);
    const now = this.now();
    const ext = b.externalUserId;
    // the customer, as kf/customer/batchget will describe them
    const known = await this.store.get<SandboxCustomer>(m.id, NS.customer, ext);
    if (!known || b.nickname) {
      const product = await this.rt.storage.customers.get(m.id, ext);
      await this.store.put<SandboxCustomer>(m.id, NS.customer, ext, {
        nickname: b.nickname ?? known?.nickname ?? (product?.name || `顾客${ext.slice(-4)}`),
        avatar: '',
        gender: 0,
        unionid: '',
      });
    }
    // replies to this message come after this point of the sent list
    const sentSeq = await this.store.lastSeq(m.id, NS.sent);
    const msgid = randomId(32);
    let body: Partial<SandboxKfMessage>;
    if (b.image) {
      const mediaId = `3${randomId(47)}`;
      await this.store.create<MediaRecord>(m.id, NS.media, mediaId, { type: 'image', contentType: b.image.contentType, fileName: b.image.fileName, base64: b.image.base64, createdAt: now });
      body = { msgtype: 'image', image: { media_id: mediaId } };
    } else {
      body = { msgtype: 'text', text: { content: b.text! } };
    }
    const msg = { msgid, open_kfid: openKfId, external_userid: ext, send_time: Math.floor(now / 1000), origin: 3, ...body } as SandboxKfMessage;
    await this.appendKf(m, msg);
    // a customer message: a new session if none is open, and the 48 h / 5-reply budget starts again
    await this.store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, ext), (cur) => {
      const fresh = !cur || cur.state === 4;
      return {
        openKfId,
        externalUserId: ext,
        state: fresh ? 0 : cur.state,
        servicerUserId: fresh ? undefined : cur.servicerUserId,
        lastCustomerAt: now,
        repliesSinceCustomer: 0,
        updatedAt: now,
      };
    });
    const callback = await this.kfCallback(m, openKfId, base);
    return { merchantId: m.id, openKfId, externalUserId: ext, msgid, at: now, sentSeq, callback };
  }

  private async servicerMessage(b: z.infer<typeof ServicerMessage>, base: string) {
    const m = await this.merchant(b.merchantId);
    const openKfId = await this.kfAccountOf(m, b.openKfId);
    const now = this.now();
    const msgid = randomId(32);
    await this.appendKf(m, {
      msgid,
      open_kfid: openKfId,
      external_userid: b.externalUserId,
      send_time: Math.floor(now / 1000),
      origin: 5,
      servicer_userid: b.servicerUserId,
      msgtype: 'text',
      text: { content: b.text },
    });
    return { msgid, openKfId, at: now, callback: await this.kfCallback(m, openKfId, base) };
  }

  private async kfEvent(b: z.infer<typeof KfEvent>, base: string) {
    const m = await this.merchant(b.merchantId);
    const openKfId = await this.kfAccountOf(m, b.openKfId);
    const now = this.now();
    let welcomeCode: string | undefined;
    const event: Record<string, unknown> = { event_type: b.eventType, open_kfid: openKfId, external_userid: b.externalUserId, ...b.event };
    if (b.eventType === 'enter_session') {
      welcomeCode = randomId(40);
      await this.store.create<CodeRecord>(m.id, NS.code, welcomeCode, {
        kind: 'kf_welcome',
        externalUserId: b.externalUserId,
        openKfId,
        issuedAt: now,
        expiresAt: now + LIMITS.welcomeCodeTtlMs,
      });
      Object.assign(event, { scene: b.scene, scene_param: b.sceneParam, welcome_code: welcomeCode });
      await this.store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, b.externalUserId), (cur) =>
        cur && cur.state !== 4 ? undefined : { openKfId, externalUserId: b.externalUserId, state: 0, repliesSinceCustomer: 0, updatedAt: now },
      );
    }
    const msgid = randomId(32);
    await this.appendKf(m, { msgid, open_kfid: openKfId, send_time: Math.floor(now / 1000), origin: 4, msgtype: 'event', event: event as unknown as SandboxKfMessage['event'] });
    return { msgid, openKfId, at: now, welcomeCode, callback: b.notify ? await this.kfCallback(m, openKfId, base) : null };
  }

  private async kfSession(b: z.infer<typeof KfSessionBody>) {
    const m = await this.merchant(b.merchantId);
    const openKfId = await this.kfAccountOf(m, b.openKfId);
    const now = this.now();
    const { value } = await this.store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, b.externalUserId), (cur) => ({
      openKfId,
      externalUserId: b.externalUserId,
      state: (b.serviceState ?? cur?.state ?? 1) as KfSession['state'],
      servicerUserId: b.servicerUserId ?? cur?.servicerUserId,
      lastCustomerAt: b.lastCustomerMessageAt ?? cur?.lastCustomerAt,
      repliesSinceCustomer: b.repliesSinceCustomer ?? cur?.repliesSinceCustomer ?? 0,
      updatedAt: now,
    }));
    return value;
  }

  private async contactAdd(b: z.infer<typeof ContactAdd>, base: string) {
    const m = await this.merchant(b.merchantId);
    const now = this.now();
    const sec = Math.floor(now / 1000);
    const existing = await this.api.contact(m.id, b.externalUserId);
    await this.store.update<SandboxContact>(m.id, NS.contact, b.externalUserId, (cur) => {
      const c: SandboxContact = structuredClone(cur ?? existing ?? {
        external_contact: { external_userid: b.externalUserId, name: b.name ?? `客户${b.externalUserId.slice(-4)}`, avatar: '', type: 1, gender: 0 },
        follow_user: [],
      });
      if (b.name) c.external_contact.name = b.name;
      if (!c.follow_user.some((f) => f.userid === b.userId)) {
        c.follow_user.push({ userid: b.userId, remark: '', description: '', createtime: sec, tags: [], state: b.state, add_way: 1 });
      }
      return c;
    });
    let welcomeCode: string | undefined;
    if (b.welcome) {
      welcomeCode = randomId(43);
      await this.store.create<CodeRecord>(m.id, NS.code, welcomeCode, {
        kind: 'contact_welcome',
        externalUserId: b.externalUserId,
        userId: b.userId,
        issuedAt: now,
        expiresAt: now + LIMITS.welcomeCodeTtlMs,
      });
    }
    const xml =
      `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${sec}</CreateTime>` +
      `<MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_contact')}</Event><ChangeType>${cdata('add_external_contact')}</ChangeType>` +
      `<UserID>${cdata(b.userId)}</UserID><ExternalUserID>${cdata(b.externalUserId)}</ExternalUserID>` +
      (b.state !== undefined ? `<State>${cdata(b.state)}</State>` : '') +
      (welcomeCode ? `<WelcomeCode>${cdata(welcomeCode)}</WelcomeCode>` : '') +
      `</xml>`;
    return { welcomeCode, callback: b.notify ? await this.deliver(m, xml, false, base) : null };
  }

  /** The `kf_msg_or_event` callback with a fresh sync Token (valid 10 min). */
  private async kfCallback(m: Merchant, openKfId: string, base: string): Promise<CallbackResult> {
    const now = this.now();
    const token = `ENC${randomId(44)}`;
    await this.store.create(m.id, NS.syncToken, token, { openKfId, expiresAt: now + LIMITS.syncTokenTtlMs });
    const xml =
      `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><CreateTime>${Math.floor(now / 1000)}</CreateTime>` +
      `<MsgType>${cdata('event')}</MsgType><Event>${cdata('kf_msg_or_event')}</Event>` +
      `<Token>${cdata(token)}</Token><OpenKfId>${cdata(openKfId)}</OpenKfId></xml>`;
    return this.deliver(m, xml, true, base);
  }

  /**
   * Sends a callback the way WeCom does: the XML encrypted with the merchant's EncodingAESKey
   * (the 微信客服 pair for kf callbacks when it has one), receiveid = CorpID, signed with the
   * Token over (token, timestamp, nonce, Encrypt), timestamp from the shared clock.
   */
  async deliver(m: Merchant, xml: string, kf: boolean, base: string): Promise<CallbackResult> {
    const pair = this.registry.callbackPair(m, kf);
    const encrypted = encrypt(pair.aesKey, xml, m.wecom.corpId);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = randomDigits(10);
    const signature = getSignature(pair.token, timestamp, nonce, encrypted);
    const envelope = `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt></xml>`;
    const url = `${base}/wecom/callback/${encodeURIComponent(m.id)}`;
    const plaintextSha256 = sha256(xml);
    try {
      const res = await fetch(`${url}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: envelope,
        signal: AbortSignal.timeout(15_000),
      });
      return { url, status: res.status, body: (await res.text()).slice(0, 2000), plaintextSha256 };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { url, status: 0, body: '', plaintextSha256, error: cause ?? (err as Error).message };
    }
  }
}

/** GET /sandbox/_control: the route list (the README snippet says the same). */
const ROUTES = {
  'POST /sandbox/_control/customer-message': '{merchantId, externalUserId, text | image:{base64,contentType?,fileName?}, openKfId?, nickname?} → a customer message (origin 3) + the encrypted kf_msg_or_event callback; returns {msgid, at, sentSeq, callback:{status, body, plaintextSha256}}',
  'POST /sandbox/_control/servicer-message': '{merchantId, externalUserId, servicerUserId, text, openKfId?} → a 接待人员 reply (origin 5) + callback',
  'POST /sandbox/_control/kf-event': '{merchantId, externalUserId, openKfId?, eventType="enter_session", scene?, sceneParam?, event?} → an event (origin 4; enter_session carries a 20 s welcome_code) + callback',
  'POST /sandbox/_control/kf-session': '{merchantId, externalUserId, openKfId?, serviceState?, servicerUserId?, lastCustomerMessageAt?, repliesSinceCustomer?} → sets WeCom\'s side of a session',
  'POST /sandbox/_control/contact-add': '{merchantId, userId, externalUserId, name?, state?, welcome=true, notify=true} → 客户联系 add_external_contact callback with a 20 s WelcomeCode',
  'POST /sandbox/_control/callback': '{merchantId, xml, kf=false} → encrypts, signs and delivers any callback XML',
  'GET|POST /sandbox/_control/clock': '{advanceMs} | {set: epoch ms or ISO} → moves the shared clock; returns {now, iso}',
  'GET|POST /sandbox/_control/fault': '{api, mode="errcode"|"timeout"|"reset"|"http5xx", errcode=-1, times=1, merchantId?} → the next `times` calls of api answer errcode, never answer, drop the connection, or answer HTTP 503 (times 0 clears)',
  'GET|POST /sandbox/_control/config': '{rules?:{<rule>:bool}, syncPageSize?, ratePerMinute?, webhookPerMinute?} → effective config',
  'GET /sandbox/_control/sent?merchantId=&after=': 'the sent list, oldest first, each {seq, at, api, to, msgtype, text, msgid, errcode}',
  'POST /sandbox/_control/reset': '{merchantId?} → forgets sandbox state (all merchants, config and faults when no merchantId)',
  'POST /sandbox/_control/groupmsg-confirm': '{merchantId, msgid, userid?} → members confirm a mass message (task status 2, recipients status 1)',
  'POST /sandbox/_control/webhook-key': '{merchantId, key} → robot sends with this key are listed under that merchant',
};

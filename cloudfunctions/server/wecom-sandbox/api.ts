import type { IncomingHttpHeaders } from 'node:http';
import type { Merchant, SecretKind } from '@xiaoer/shared/domain/merchant';
import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Runtime } from '../composition';
import { E, LIMITS, SEND_APIS, type ErrName, type SandboxConfig, type SandboxRules } from './config';
import { parseMultipart } from './multipart';
import { MerchantRegistry } from './registry';
import {
  NS,
  PLATFORM,
  sessionKey,
  type CodeRecord,
  type ContactTag,
  type Fault,
  type FaultMode,
  type GroupMsgTask,
  type KfAccount,
  type KfSession,
  type MediaRecord,
  type SandboxContact,
  type SandboxCustomer,
  type SandboxKfMessage,
  type SandboxStore,
  type SandboxTagGroup,
  type SentRecord,
  type TokenRecord,
  seqKey,
} from './store';
import { byteLength, mask, obj, randomId, sha256, str, strList, textOf } from './util';

export interface ApiRequest {
  /** The path after /cgi-bin/, e.g. `kf/send_msg`. */
  api: string;
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type ApiAnswer =
  | { kind: 'json'; status: number; body: Record<string, unknown> }
  /** An injected transport fault: the HTTP layer hangs, drops the connection or answers 503. */
  | { kind: 'transport'; mode: Exclude<FaultMode, 'errcode'> }
  | { kind: 'file'; bytes: Buffer; contentType: string; fileName: string };

/** An injected fault that is not an errcode, thrown inside handlers. */
class TransportFault extends Error {
  constructor(readonly mode: Exclude<FaultMode, 'errcode'>) {
    super(`sandbox: injected ${mode}`);
  }
}

function raise(fault: Fault): never {
  if (fault.mode && fault.mode !== 'errcode') throw new TransportFault(fault.mode);
  throw new WxError(fault.errcode, `sandbox: injected fault ${fault.errcode}`);
}

/** A WeCom error answer, thrown inside handlers. */
class WxError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}
function fail(name: ErrName, detail?: string): never {
  const [code, msg] = E[name];
  throw new WxError(code, detail ? `${msg}, hint: [sandbox] ${detail}` : msg);
}
const answer = (body: Record<string, unknown>, status = 200): ApiAnswer => ({ kind: 'json', status, body });
const okBody = (rest: Record<string, unknown> = {}) => ({ errcode: 0, errmsg: 'ok', ...rest });

interface Ctx {
  api: string;
  merchant: Merchant;
  kind: SecretKind;
  now: number;
  cfg: SandboxConfig;
  rules: SandboxRules;
  body: Record<string, unknown>;
  req: ApiRequest;
  /** What goes into the sent list for send APIs; handlers fill in what the request alone does not say. */
  rec: Omit<SentRecord, 'at' | 'errcode'>;
}

type Handler = { kinds: SecretKind[]; method: 'GET' | 'POST'; run(ctx: Ctx): Promise<Record<string, unknown> | ApiAnswer> };

const KF: SecretKind[] = ['kf', 'app'];
const CONTACT: SecretKind[] = ['contact', 'app'];
const ANY: SecretKind[] = ['app', 'contact', 'kf'];
const KF_MSGTYPES = new Set(['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'msgmenu', 'location', 'ca_link']);
const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'file']);
const APP_MSGTYPES = new Set(['text', 'markdown', 'textcard', 'news', 'mpnews', 'image', 'voice', 'video', 'file', 'template_card', 'miniprogram_notice']);
const ROBOT_MSGTYPES = new Set(['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card']);
const MSGID = /^[0-9a-zA-Z_-]{1,32}$/;
/** Allowed service_state moves (protocol §4; third-party summary, UNVERIFIED official). */
const TRANSITIONS: Record<number, number[]> = { 0: [1, 2, 3, 4], 1: [1, 2, 3, 4], 2: [2, 3, 4], 3: [3, 4], 4: [] };

const TOKEN_RE = /^sbx\.([a-z0-9][a-z0-9_-]{1,39})\.[A-Za-z0-9]{40}$/;

function need(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || !v) fail('invalidParam', `${field} is required`);
  return v;
}

function intIn(v: unknown, lo: number, hi: number, dflt: number, field: string): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) fail('invalidParam', `${field} must be ${lo}..${hi}`);
  return n;
}

/** Paging cursor: an opaque base64url of the offset / sequence. */
const encCursor = (n: number) => Buffer.from(`c${n}`).toString('base64url');
function decCursor(c: unknown): number {
  if (c === undefined || c === null || c === '') return 0;
  const m = /^c(\d{1,15})$/.exec(Buffer.from(String(c), 'base64url').toString('utf8'));
  if (!m) fail('invalidParam', 'invalid cursor');
  return Number(m[1]);
}

/**
 * WeCom's server API under `/sandbox/cgi-bin/*`, shapes and error codes as WeCom answers them
 * (HTTP 200 with errcode, except the sandbox-only 404 for an unknown api).
 */
export class SandboxApi {
  private handlers: Record<string, Handler>;

  constructor(
    private rt: Runtime,
    private store: SandboxStore,
    private registry: MerchantRegistry,
    private ruleOverrides: Partial<SandboxRules>,
  ) {
    this.handlers = this.buildHandlers();
  }

  private now() {
    return this.rt.deps.clock.now();
  }

  async call(req: ApiRequest): Promise<ApiAnswer> {
    try {
      if (req.api === 'gettoken') return answer(await this.gettoken(req));
      if (req.api === 'webhook/send') return answer(await this.webhook(req));
    } catch (err) {
      if (err instanceof TransportFault) return { kind: 'transport', mode: err.mode };
      if (err instanceof WxError) return answer({ errcode: err.errcode, errmsg: err.errmsg });
      this.rt.logger.error({ err, api: req.api }, 'sandbox api failed');
      return answer({ errcode: E.busy[0], errmsg: E.busy[1] });
    }
    const h = this.handlers[req.api];
    if (!h) return answer({ errcode: 404, errmsg: `sandbox: unknown api ${req.api} (sandbox-only answer)` }, 404);

    let ctx: Ctx | null = null;
    try {
      const token = req.query.get('access_token');
      if (!token) fail('missingToken');
      const merchantId = TOKEN_RE.exec(token)?.[1];
      const rec = merchantId ? await this.store.get<TokenRecord>(merchantId, NS.token, token) : null;
      const merchant = rec && merchantId ? await this.registry.get(merchantId) : null;
      if (!rec || !merchant) fail('invalidToken');
      const cfg = await this.store.config(this.ruleOverrides);
      const now = this.now();
      if (cfg.rules.tokenExpiry && now >= rec.expiresAt) fail('tokenExpired');
      if (!h.kinds.includes(rec.kind)) fail('apiForbidden', `${req.api} does not accept a ${rec.kind} token`);
      await this.registry.ensure(merchant);
      const body = h.method === 'POST' && !/multipart\//i.test(req.headers['content-type'] ?? '') ? parseBody(req.body) : {};
      ctx = { api: req.api, merchant, kind: rec.kind, now, cfg, rules: cfg.rules, body, req, rec: describe(req.api, body) };
      const fault = await this.takeFault(req.api, merchant.id);
      if (fault) raise(fault);
      if (cfg.rules.rateLimit && !(await this.hit(merchant.id, req.api, cfg.ratePerMinute))) fail('freqLimit', `more than ${cfg.ratePerMinute} calls of ${req.api} this minute`);
      const out = await h.run(ctx);
      if ('kind' in out && (out.kind === 'file' || out.kind === 'json')) return out as ApiAnswer;
      const body2: Record<string, unknown> = okBody(out as Record<string, unknown>);
      await this.record(ctx, 0, str(body2.msgid));
      return answer(body2);
    } catch (err) {
      if (err instanceof TransportFault) return { kind: 'transport', mode: err.mode };
      const e = err instanceof WxError ? err : null;
      if (!e) this.rt.logger.error({ err, api: req.api }, 'sandbox api failed');
      const errcode = e ? e.errcode : E.busy[0];
      if (ctx) await this.record(ctx, errcode, '');
      return answer({ errcode, errmsg: e ? e.errmsg : E.busy[1] });
    }
  }

  private async record(ctx: Ctx, errcode: number, msgid: string) {
    if (!SEND_APIS.has(ctx.api)) return;
    const entry: SentRecord = { at: ctx.now, ...ctx.rec, msgid: msgid || ctx.rec.msgid, errcode };
    await this.store.append(ctx.merchant.id, NS.sent, entry);
  }

  /** Consumes one injected fault of this api (control route `fault`); null when none. */
  async takeFault(api: string, merchantId: string | null): Promise<Fault | null> {
    const { value, changed } = await this.store.update<Fault>(PLATFORM, NS.fault, api, (f) => {
      if (!f || f.times <= 0) return undefined;
      if (f.merchantId && merchantId && f.merchantId !== merchantId) return undefined;
      return { ...f, times: f.times - 1 };
    });
    return changed && value ? value : null;
  }

  /** Counts a call in the clock minute; false when over the cap. */
  private async hit(scope: string, key: string, cap: number): Promise<boolean> {
    const minute = Math.floor(this.now() / 60_000);
    const { value } = await this.store.update<{ minute: number; n: number }>(scope, NS.rate, key, (c) => (c && c.minute === minute ? { minute, n: c.n + 1 } : { minute, n: 1 }));
    return (value?.n ?? 0) <= cap;
  }

  // ---- gettoken --------------------------------------------------------------------------
  private async gettoken(req: ApiRequest): Promise<Record<string, unknown>> {
    const corpid = req.query.get('corpid');
    const secret = req.query.get('corpsecret');
    if (!corpid) fail('missingCorpId');
    if (!secret) fail('missingSecret');
    const fault = await this.takeFault('gettoken', null);
    if (fault) raise(fault);
    const merchants = await this.registry.byCorpId(corpid);
    if (!merchants.length) fail('invalidCorpId');
    let found: { m: Merchant; kind: SecretKind } | null = null;
    for (const m of merchants) {
      for (const kind of ['app', 'contact', 'kf'] as const) {
        if (!found && this.registry.secret(m, kind) === secret) found = { m, kind };
      }
    }
    if (!found) fail('invalidSecret');
    const cfg = await this.store.config(this.ruleOverrides);
    if (cfg.rules.rateLimit && !(await this.hit(PLATFORM, `gettoken:${corpid}`, cfg.ratePerMinute))) fail('freqLimit');
    const { m, kind } = found;
    const now = this.now();
    // WeCom hands out the same token while it is valid (protocol §7); expires_in is what is left
    const current = await this.store.get<{ token: string }>(m.id, NS.tokenKind, kind);
    const rec = current ? await this.store.get<TokenRecord>(m.id, NS.token, current.token) : null;
    if (current && rec && rec.kind === kind && now < rec.expiresAt - 1000) {
      return okBody({ access_token: current.token, expires_in: Math.floor((rec.expiresAt - now) / 1000) });
    }
    const token = `sbx.${m.id}.${randomId(40)}`;
    await this.store.create<TokenRecord>(m.id, NS.token, token, { kind, issuedAt: now, expiresAt: now + LIMITS.tokenTtlMs });
    await this.store.put(m.id, NS.tokenKind, kind, { token });
    return okBody({ access_token: token, expires_in: LIMITS.tokenTtlMs / 1000 });
  }

  // ---- group robot -----------------------------------------------------------------------
  private async webhook(req: ApiRequest): Promise<Record<string, unknown>> {
    const key = req.query.get('key');
    if (!key) fail('invalidWebhook', 'key is required');
    const body = parseBody(req.body);
    const owner = (await this.store.get<{ merchantId: string }>(PLATFORM, NS.webhook, key))?.merchantId ?? PLATFORM;
    const msgtype = str(body.msgtype);
    const now = this.now();
    const rec: Omit<SentRecord, 'at' | 'errcode'> = { api: 'webhook/send', to: `robot:${mask(key)}`, msgtype, text: textOf(msgtype, body), msgid: '' };
    let errcode = 0;
    try {
      const fault = await this.takeFault('webhook/send', owner === PLATFORM ? null : owner);
      if (fault) raise(fault);
      const cfg = await this.store.config(this.ruleOverrides);
      if (cfg.rules.rateLimit && !(await this.hit(PLATFORM, `webhook:${sha256(key).slice(0, 16)}`, cfg.webhookPerMinute))) {
        fail('freqLimit', `more than ${cfg.webhookPerMinute} messages this minute for this robot`);
      }
      if (!ROBOT_MSGTYPES.has(msgtype)) fail('invalidMsgtype');
      if (msgtype === 'text' || msgtype === 'markdown' || msgtype === 'markdown_v2') {
        checkText(cfg.rules, str(obj(body[msgtype]).content), msgtype === 'text' ? LIMITS.textBytes : LIMITS.robotMarkdownBytes);
      }
      return okBody();
    } catch (err) {
      errcode = err instanceof WxError ? err.errcode : E.busy[0];
      throw err;
    } finally {
      await this.store.append(owner, NS.sent, { at: now, ...rec, errcode } satisfies SentRecord);
    }
  }

  // ---- helpers shared by handlers ---------------------------------------------------------
  private async account(ctx: Ctx, openKfId: string): Promise<KfAccount> {
    if (!/^wk[0-9A-Za-z_-]{1,62}$/.test(openKfId)) fail('invalidOpenKfId');
    const a = await this.store.get<KfAccount>(ctx.merchant.id, NS.kfAccount, openKfId);
    if (!a) fail('openKfIdNotExist');
    return a;
  }

  private async productCustomer(merchantId: string, ext: string): Promise<Customer | null> {
    return this.rt.storage.customers.get(merchantId, ext);
  }

  private async allProductCustomers(merchantId: string): Promise<Customer[]> {
    const out: Customer[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 200; i++) {
      const page = await this.rt.storage.customers.list(merchantId, { limit: 100, cursor });
      out.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return out;
  }

  private contactFromCustomer(c: Customer): SandboxContact | null {
    if (!c.followUserId) return null;
    return {
      external_contact: { external_userid: c.externalUserId, name: c.name || c.externalUserId, avatar: c.avatar ?? '', type: 1, gender: 0 },
      follow_user: [{ userid: c.followUserId, remark: '', description: '', createtime: Math.floor(c.createdAt / 1000), tags: [], state: c.sourceState, add_way: 1 }],
    };
  }

  /** A 客户联系 contact: the sandbox's own record, else one derived from the product's customer (followUserId). */
  async contact(merchantId: string, ext: string): Promise<SandboxContact | null> {
    const own = await this.store.get<SandboxContact>(merchantId, NS.contact, ext);
    if (own) return own;
    const c = await this.productCustomer(merchantId, ext);
    return c ? this.contactFromCustomer(c) : null;
  }

  private async kfCustomer(merchantId: string, ext: string): Promise<SandboxCustomer | null> {
    const own = await this.store.get<SandboxCustomer>(merchantId, NS.customer, ext);
    if (own) return own;
    const c = await this.productCustomer(merchantId, ext);
    return c ? { nickname: c.name || ext, avatar: c.avatar ?? '', gender: 0, unionid: '' } : null;
  }

  private async tagGroups(merchantId: string): Promise<SandboxTagGroup[]> {
    return (await this.store.get<SandboxTagGroup[]>(merchantId, NS.tags, 'groups')) ?? [];
  }

  /**
   * A kf send under a msgid (rule msgidDedupe): claims the msgid, runs the send's checks, and
   * releases the claim if they fail (a failed msgid may be retried), else records it as sent.
   */
  private async sendOnce(ctx: Ctx, msgid: string | undefined, checks: () => Promise<unknown>): Promise<{ msgid: string }> {
    if (msgid !== undefined && !MSGID.test(msgid)) fail('invalidParam', 'msgid must be ≤32 characters of [0-9a-zA-Z_-]');
    const id = msgid ?? randomId(32);
    const created = await this.store.create(ctx.merchant.id, NS.sentMsgid, id, { at: ctx.now, pending: true });
    if (!created && ctx.rules.msgidDedupe) fail('sandboxMsgidSent', `msgid ${id}`);
    ctx.rec.msgid = id;
    try {
      await checks();
    } catch (err) {
      if (created) await this.store.delete(ctx.merchant.id, NS.sentMsgid, id);
      throw err;
    }
    await this.store.put(ctx.merchant.id, NS.sentMsgid, id, { at: ctx.now });
    return { msgid: id };
  }

  /** Uses a welcome code / msg_code once (rule welcomeCode: single use, 20 s or its own TTL). */
  private async useCode(ctx: Ctx, code: string, kinds: CodeRecord['kind'][]): Promise<CodeRecord> {
    const { value } = await this.store.update<CodeRecord>(ctx.merchant.id, NS.code, code, (c) => {
      if (!c || !kinds.includes(c.kind)) fail('welcomeCodeInvalid', 'unknown code');
      if (ctx.rules.welcomeCode && c.usedAt !== undefined) fail('welcomeCodeUsed');
      if (ctx.rules.welcomeCode && ctx.now > c.expiresAt) fail('welcomeCodeInvalid', `expired ${Math.round((ctx.now - c.issuedAt) / 1000)} s after it was issued`);
      return { ...c, usedAt: c.usedAt ?? ctx.now };
    });
    return value!;
  }

  private buildHandlers(): Record<string, Handler> {
    const h: Record<string, Handler> = {};

    // ---- 微信客服 --------------------------------------------------------------------------
    h['kf/account/list'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const offset = intIn(ctx.body.offset, 0, 1_000_000, 0, 'offset');
        const limit = intIn(ctx.body.limit, 1, 100, 100, 'limit');
        const all = await this.registry.accounts(ctx.merchant);
        return { account_list: all.slice(offset, offset + limit).map((a) => ({ open_kfid: a.open_kfid, name: a.name, avatar: a.avatar, manage_privilege: true })) };
      },
    };

    h['kf/sync_msg'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const after = decCursor(b.cursor);
        const limit = intIn(b.limit, 1, LIMITS.syncMaxLimit, LIMITS.syncMaxLimit, 'limit');
        const openKfId = str(b.open_kfid);
        if (openKfId) await this.account(ctx, openKfId);
        if (b.token !== undefined && b.token !== '') {
          const t = await this.store.get<{ openKfId: string; expiresAt: number }>(ctx.merchant.id, NS.syncToken, str(b.token));
          if (!t) fail('kfInvalidMsgToken', 'unknown token');
          if (ctx.rules.syncTokenExpiry && ctx.now > t.expiresAt) fail('kfInvalidMsgToken', 'the callback Token is valid 10 minutes');
        }
        const page = Math.min(limit, Math.max(1, ctx.cfg.syncPageSize));
        const since = Math.floor((ctx.now - LIMITS.syncHistoryMs) / 1000);
        const entries = (await this.store.list<SandboxKfMessage>(ctx.merchant.id, NS.kfMsg)).map((e) => ({ seq: Number(e.key), msg: e.value }));
        const matching = entries.filter((e) => e.seq > after && e.msg.send_time >= since && (!openKfId || e.msg.open_kfid === openKfId));
        const chunk = matching.slice(0, page);
        const lastSeq = entries.length ? entries[entries.length - 1].seq : 0;
        const next = chunk.length ? chunk[chunk.length - 1].seq : Math.max(after, matching.length ? after : lastSeq);
        return { next_cursor: encCursor(next), has_more: matching.length > chunk.length ? 1 : 0, msg_list: chunk.map((e) => e.msg) };
      },
    };

    h['kf/send_msg'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const touser = need(b, 'touser');
        const openKfId = need(b, 'open_kfid');
        await this.account(ctx, openKfId);
        const msgtype = need(b, 'msgtype');
        if (!KF_MSGTYPES.has(msgtype)) fail('invalidMsgtype');
        await this.checkKfContent(ctx, msgtype, b);
        return this.sendOnce(ctx, b.msgid === undefined ? undefined : str(b.msgid), () =>
          this.store.update<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, touser), (cur) => {
            const s: KfSession = cur ?? { openKfId, externalUserId: touser, state: 4, repliesSinceCustomer: 0, updatedAt: ctx.now };
            if (ctx.rules.kfSessionState && s.state !== 0 && s.state !== 1) fail('kfSessionStatus', `service_state is ${s.state}`);
            if (ctx.rules.kfWindow48h && (s.lastCustomerAt === undefined || ctx.now - s.lastCustomerAt > LIMITS.kfWindowMs)) {
              fail('kfSendTime', 'more than 48 h after the customer\'s last message');
            }
            if (ctx.rules.kfFivePerMessage && s.repliesSinceCustomer >= LIMITS.kfRepliesPerMessage) fail('kfSendCount', '5 messages per customer message');
            return { ...s, repliesSinceCustomer: s.repliesSinceCustomer + 1, updatedAt: ctx.now };
          }),
        );
      },
    };

    h['kf/send_msg_on_event'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const code = need(b, 'code');
        const peek = await this.store.get<CodeRecord>(ctx.merchant.id, NS.code, code);
        if (peek) ctx.rec.to = peek.externalUserId;
        const msgtype = need(b, 'msgtype');
        if (msgtype !== 'text' && msgtype !== 'msgmenu') fail('invalidMsgtype', 'send_msg_on_event takes text or msgmenu');
        await this.checkKfContent(ctx, msgtype, b);
        return this.sendOnce(ctx, b.msgid === undefined ? undefined : str(b.msgid), () => this.useCode(ctx, code, ['kf_welcome', 'kf_session']));
      },
    };

    h['kf/service_state/get'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const openKfId = need(ctx.body, 'open_kfid');
        const ext = need(ctx.body, 'external_userid');
        await this.account(ctx, openKfId);
        const s = await this.store.get<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, ext));
        return { service_state: s?.state ?? 4, servicer_userid: s?.servicerUserId ?? '' };
      },
    };

    h['kf/service_state/trans'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const openKfId = need(b, 'open_kfid');
        const ext = need(b, 'external_userid');
        await this.account(ctx, openKfId);
        const to = Number(b.service_state);
        if (!Number.isInteger(to) || to < 0 || to > 4) fail('invalidParam', 'service_state must be 0..4');
        const servicer = str(b.servicer_userid);
        if (to === 3 && !servicer) fail('invalidParam', 'servicer_userid is required for service_state 3');
        let from = 4;
        await this.store.update<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, ext), (cur) => {
          const s: KfSession = cur ?? { openKfId, externalUserId: ext, state: 4, repliesSinceCustomer: 0, updatedAt: ctx.now };
          from = s.state;
          if (!TRANSITIONS[s.state].includes(to)) fail('kfBadTransition', `${s.state} → ${to}`);
          return { ...s, state: to as KfSession['state'], servicerUserId: to === 2 || to === 3 ? servicer || undefined : s.servicerUserId, updatedAt: ctx.now };
        });
        // a msg_code for the first move to 2 or 3, and for ending (protocol §4)
        if ((to === 2 || to === 3 || to === 4) && from !== to) {
          const code = randomId(40);
          const ttl = to === 4 ? LIMITS.welcomeCodeTtlMs : LIMITS.sessionCodeTtlMs;
          await this.store.create<CodeRecord>(ctx.merchant.id, NS.code, code, { kind: 'kf_session', externalUserId: ext, openKfId, issuedAt: ctx.now, expiresAt: ctx.now + ttl });
          return { msg_code: code };
        }
        return {};
      },
    };

    h['kf/customer/batchget'] = {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const list = strList(ctx.body.external_userid_list);
        if (!list || list.length < 1 || list.length > 100) fail('invalidParam', 'external_userid_list takes 1..100 ids');
        const withContext = Number(ctx.body.need_enter_session_context) === 1;
        const customer_list: Record<string, unknown>[] = [];
        const invalid: string[] = [];
        for (const ext of list) {
          const c = await this.kfCustomer(ctx.merchant.id, ext);
          if (!c) invalid.push(ext);
          else customer_list.push({ external_userid: ext, ...c, ...(withContext ? { enter_session_context: { scene: '', scene_param: '', wechat_channels: { nickname: '', scene: 0 } } } : {}) });
        }
        return { customer_list, invalid_external_userid: invalid };
      },
    };

    // ---- media -----------------------------------------------------------------------------
    h['media/upload'] = {
      kinds: ANY,
      method: 'POST',
      run: async (ctx) => {
        const type = ctx.req.query.get('type') ?? '';
        if (!MEDIA_TYPES.has(type)) fail('invalidMediaType', 'type must be image, voice, video or file');
        const parts = parseMultipart(ctx.req.headers['content-type'], ctx.req.body);
        const part = parts?.find((p) => p.name === 'media');
        if (!part) fail('invalidParam', 'multipart/form-data with a `media` field is required');
        if (part.data.length < LIMITS.mediaMinBytes) fail('invalidFileSize', 'files must be larger than 5 bytes');
        if (part.data.length > LIMITS.mediaMaxBytes) fail('invalidFileSize', `the sandbox keeps files up to ${LIMITS.mediaMaxBytes} bytes`);
        const mediaId = `3${randomId(47)}`;
        await this.store.create<MediaRecord>(ctx.merchant.id, NS.media, mediaId, {
          type,
          contentType: part.contentType,
          fileName: part.fileName || `${type}.bin`,
          base64: part.data.toString('base64'),
          createdAt: ctx.now,
        });
        return { type, media_id: mediaId, created_at: String(Math.floor(ctx.now / 1000)) };
      },
    };

    h['media/get'] = {
      kinds: ANY,
      method: 'GET',
      run: async (ctx) => {
        const id = ctx.req.query.get('media_id') ?? '';
        const m = id ? await this.store.get<MediaRecord>(ctx.merchant.id, NS.media, id) : null;
        if (!m || ctx.now - m.createdAt > LIMITS.mediaTtlMs) fail('invalidMediaId');
        return { kind: 'file', bytes: Buffer.from(m.base64, 'base64'), contentType: m.contentType, fileName: m.fileName } satisfies ApiAnswer;
      },
    };

    // ---- 客户联系 ---------------------------------------------------------------------------
    h['externalcontact/get'] = {
      kinds: CONTACT,
      method: 'GET',
      run: async (ctx) => {
        const ext = ctx.req.query.get('external_userid') ?? '';
        if (!ext) fail('invalidParam', 'external_userid is required');
        const c = await this.contact(ctx.merchant.id, ext);
        if (!c) fail('notContact');
        return { external_contact: c.external_contact, follow_user: c.follow_user };
      },
    };

    h['externalcontact/batch/get_by_user'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const users = strList(ctx.body.userid_list);
        if (!users || users.length < 1 || users.length > 100) fail('invalidParam', 'userid_list takes 1..100 userids');
        const limit = intIn(ctx.body.limit, 1, 100, 50, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const contacts = new Map<string, SandboxContact>();
        for (const c of await this.allProductCustomers(ctx.merchant.id)) {
          const x = this.contactFromCustomer(c);
          if (x) contacts.set(c.externalUserId, x);
        }
        for (const e of await this.store.list<SandboxContact>(ctx.merchant.id, NS.contact)) contacts.set(e.key, e.value);
        const rows: Record<string, unknown>[] = [];
        for (const ext of [...contacts.keys()].sort()) {
          const c = contacts.get(ext)!;
          for (const fu of c.follow_user) {
            if (!users.includes(fu.userid)) continue;
            const { tags, ...rest } = fu;
            rows.push({ external_contact: c.external_contact, follow_info: { ...rest, tag_id: tags.map((t) => t.tag_id) } });
          }
        }
        const chunk = rows.slice(offset, offset + limit);
        return { external_contact_list: chunk, next_cursor: offset + limit < rows.length ? encCursor(offset + limit) : '' };
      },
    };

    h['externalcontact/get_corp_tag_list'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const groups = await this.tagGroups(ctx.merchant.id);
        const gids = strList(ctx.body.group_id) ?? [];
        const tids = strList(ctx.body.tag_id) ?? [];
        if (gids.length) return { tag_group: groups.filter((g) => gids.includes(g.group_id)) };
        if (tids.length) return { tag_group: groups.map((g) => ({ ...g, tag: g.tag.filter((t) => tids.includes(t.id)) })).filter((g) => g.tag.length) };
        return { tag_group: groups };
      },
    };

    h['externalcontact/add_corp_tag'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const wanted = Array.isArray(b.tag) ? b.tag.map(obj) : [];
        if (!wanted.length || wanted.some((t) => !str(t.name) || str(t.name).length > 30)) fail('invalidParam', 'tag needs 1+ names of ≤30 characters');
        const groupId = str(b.group_id);
        const groupName = str(b.group_name);
        if (!groupId && !groupName) fail('invalidParam', 'group_id or group_name is required');
        let result: SandboxTagGroup | null = null;
        await this.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
          const groups = structuredClone(cur ?? []);
          let g = groupId ? groups.find((x) => x.group_id === groupId) : groups.find((x) => x.group_name === groupName);
          if (groupId && !g) fail('invalidTagId', `group ${groupId}`);
          if (!g) {
            g = { group_id: `et${randomId(20)}`, group_name: groupName, create_time: Math.floor(ctx.now / 1000), order: Number(b.order) || 0, deleted: false, tag: [] };
            groups.push(g);
          }
          const added: SandboxTagGroup['tag'] = [];
          for (const t of wanted) {
            if (g.tag.some((x) => x.name === str(t.name)) || added.some((x) => x.name === str(t.name))) fail('tagNameExists', str(t.name));
            added.push({ id: `et${randomId(20)}`, name: str(t.name), create_time: Math.floor(ctx.now / 1000), order: Number(t.order) || 0, deleted: false });
          }
          g.tag.push(...added);
          result = { ...g, tag: added };
          return groups;
        });
        return { tag_group: result };
      },
    };

    h['externalcontact/edit_corp_tag'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const id = need(ctx.body, 'id');
        const name = ctx.body.name === undefined ? undefined : str(ctx.body.name);
        const order = ctx.body.order === undefined ? undefined : Number(ctx.body.order);
        await this.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
          const groups = structuredClone(cur ?? []);
          const g = groups.find((x) => x.group_id === id);
          if (g) {
            if (name && groups.some((x) => x !== g && x.group_name === name)) fail('tagNameExists', name);
            if (name) g.group_name = name;
            if (order !== undefined) g.order = order;
            return groups;
          }
          for (const grp of groups) {
            const t = grp.tag.find((x) => x.id === id);
            if (!t) continue;
            if (name && grp.tag.some((x) => x !== t && x.name === name)) fail('tagNameExists', name);
            if (name) t.name = name;
            if (order !== undefined) t.order = order;
            return groups;
          }
          fail('invalidTagId', id);
        });
        return {};
      },
    };

    h['externalcontact/del_corp_tag'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const tids = strList(ctx.body.tag_id) ?? [];
        const gids = strList(ctx.body.group_id) ?? [];
        if (!tids.length && !gids.length) fail('invalidParam', 'tag_id and group_id cannot both be empty');
        await this.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
          const groups = structuredClone(cur ?? []);
          for (const gid of gids) if (!groups.some((g) => g.group_id === gid)) fail('invalidTagId', gid);
          for (const tid of tids) if (!groups.some((g) => g.tag.some((t) => t.id === tid))) fail('invalidTagId', tid);
          // a group whose tags are all deleted goes too
          return groups
            .filter((g) => !gids.includes(g.group_id))
            .map((g) => ({ ...g, tag: g.tag.filter((t) => !tids.includes(t.id)) }))
            .filter((g) => g.tag.length);
        });
        return {};
      },
    };

    h['externalcontact/mark_tag'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const userid = need(ctx.body, 'userid');
        const ext = need(ctx.body, 'external_userid');
        const add = strList(ctx.body.add_tag ?? []) ?? fail('invalidParam', 'add_tag must be a list of tag ids');
        const remove = strList(ctx.body.remove_tag ?? []) ?? fail('invalidParam', 'remove_tag must be a list of tag ids');
        if (!add.length && !remove.length) fail('invalidParam', 'add_tag and remove_tag cannot both be empty');
        const groups = await this.tagGroups(ctx.merchant.id);
        const tagById = new Map<string, ContactTag>();
        for (const g of groups) for (const t of g.tag) tagById.set(t.id, { group_name: g.group_name, tag_name: t.name, tag_id: t.id, type: 1 });
        for (const id of [...add, ...remove]) if (!tagById.has(id)) fail('invalidTagId', id);
        const base = await this.contact(ctx.merchant.id, ext);
        if (!base) fail('notContact');
        await this.store.update<SandboxContact>(ctx.merchant.id, NS.contact, ext, (cur) => {
          const c = structuredClone(cur ?? base);
          const fu = c.follow_user.find((f) => f.userid === userid);
          if (!fu) fail('notContact', `${ext} is not a customer of ${userid}`);
          fu.tags = fu.tags.filter((t) => !remove.includes(t.tag_id));
          for (const id of add) if (!fu.tags.some((t) => t.tag_id === id)) fu.tags.push(tagById.get(id)!);
          return c;
        });
        return {};
      },
    };

    h['externalcontact/send_welcome_msg'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const code = need(ctx.body, 'welcome_code');
        const peek = await this.store.get<CodeRecord>(ctx.merchant.id, NS.code, code);
        if (peek) ctx.rec.to = peek.externalUserId;
        const content = str(obj(ctx.body.text).content);
        const attachments = Array.isArray(ctx.body.attachments) ? ctx.body.attachments : [];
        if (!content && !attachments.length) fail('invalidParam', 'text and attachments cannot both be empty');
        if (attachments.length > 9) fail('invalidParam', 'at most 9 attachments');
        if (content) checkText(ctx.rules, content, LIMITS.longTextBytes);
        await this.useCode(ctx, code, ['contact_welcome']);
        return {};
      },
    };

    h['externalcontact/add_msg_template'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const chatType = (str(b.chat_type) || 'single') as 'single' | 'group';
        if (chatType !== 'single' && chatType !== 'group') fail('invalidParam', 'chat_type is single or group');
        const sender = str(b.sender);
        const content = str(obj(b.text).content);
        const attachments = Array.isArray(b.attachments) ? b.attachments : [];
        if (!content && !attachments.length) fail('invalidParam', 'text and attachments cannot both be empty');
        if (content) checkText(ctx.rules, content, LIMITS.longTextBytes);
        const msgid = `msg${randomId(28)}`;
        let tasks: GroupMsgTask['tasks'];
        const failList: string[] = [];
        if (chatType === 'group') {
          const chats = strList(b.chat_id_list ?? []) ?? fail('invalidParam', 'chat_id_list must be a list');
          if (!sender) fail('invalidParam', 'sender is required for chat_type group');
          if (chats.length > LIMITS.templateChats) fail('invalidParam', `chat_id_list exceeds ${LIMITS.templateChats}`);
          tasks = [{ userid: sender, status: 0, recipients: chats }];
        } else {
          const ids = strList(b.external_userid ?? []) ?? fail('invalidParam', 'external_userid must be a list');
          if (!ids.length && !sender) fail('invalidParam', 'external_userid and sender cannot both be empty');
          if (ctx.rules.templateRecipients && ids.length > LIMITS.templateRecipients) fail('invalidParam', `external_userid exceeds ${LIMITS.templateRecipients}`);
          if (sender) {
            tasks = [{ userid: sender, status: 0, recipients: ids }];
          } else {
            // no sender: each customer's own member sends; customers nobody follows fail
            const follow = new Map<string, string>();
            for (const c of await this.allProductCustomers(ctx.merchant.id)) if (c.followUserId) follow.set(c.externalUserId, c.followUserId);
            for (const e of await this.store.list<SandboxContact>(ctx.merchant.id, NS.contact)) {
              const u = e.value.follow_user[0]?.userid;
              if (u) follow.set(e.key, u);
            }
            const byUser = new Map<string, string[]>();
            for (const id of ids) {
              const u = follow.get(id);
              if (!u) failList.push(id);
              else byUser.set(u, [...(byUser.get(u) ?? []), id]);
            }
            tasks = [...byUser].map(([userid, recipients]) => ({ userid, status: 0 as const, recipients }));
          }
        }
        await this.store.create<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid, { msgid, chatType, createdAt: ctx.now, text: content, tasks });
        return { fail_list: failList, msgid };
      },
    };

    h['externalcontact/get_groupmsg_task'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const msgid = need(ctx.body, 'msgid');
        const limit = intIn(ctx.body.limit, 1, 1000, 500, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const t = await this.store.get<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid);
        if (!t) fail('invalidParam', 'unknown msgid');
        const rows = t.tasks.map((x) => ({ userid: x.userid, status: x.status, ...(x.sendTime ? { send_time: Math.floor(x.sendTime / 1000) } : {}) }));
        return { task_list: rows.slice(offset, offset + limit), next_cursor: offset + limit < rows.length ? encCursor(offset + limit) : '' };
      },
    };

    h['externalcontact/get_groupmsg_send_result'] = {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const msgid = need(ctx.body, 'msgid');
        const userid = need(ctx.body, 'userid');
        const limit = intIn(ctx.body.limit, 1, 1000, 500, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const t = await this.store.get<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid);
        if (!t) fail('invalidParam', 'unknown msgid');
        const task = t.tasks.find((x) => x.userid === userid);
        const key = t.chatType === 'group' ? 'chat_id' : 'external_userid';
        const rows = (task?.recipients ?? []).map((r) => ({
          [key]: r,
          userid,
          status: task!.status === 2 ? 1 : 0,
          ...(task!.sendTime ? { send_time: Math.floor(task!.sendTime / 1000) } : {}),
        }));
        return { send_list: rows.slice(offset, offset + limit), next_cursor: offset + limit < rows.length ? encCursor(offset + limit) : '' };
      },
    };

    // ---- app messages ----------------------------------------------------------------------
    h['message/send'] = {
      kinds: ['app'],
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        if (!ctx.merchant.wecom.agentId || Number(b.agentid) !== ctx.merchant.wecom.agentId) fail('invalidAgentId');
        const msgtype = need(b, 'msgtype');
        if (!APP_MSGTYPES.has(msgtype)) fail('invalidMsgtype');
        const touser = str(b.touser);
        if (!touser && !str(b.toparty) && !str(b.totag)) fail('invalidParam', 'touser, toparty and totag cannot all be empty');
        if (touser && touser !== '@all' && touser.split('|').length > 1000) fail('invalidParam', 'touser takes at most 1000 userids');
        if (msgtype === 'text' || msgtype === 'markdown') checkText(ctx.rules, str(obj(b[msgtype]).content), LIMITS.textBytes);
        return { invaliduser: '', invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: randomId(40) };
      },
    };

    return h;
  }

  /** Content rules of kf/send_msg and send_msg_on_event. */
  private async checkKfContent(ctx: Ctx, msgtype: string, b: Record<string, unknown>) {
    const part = obj(b[msgtype]);
    if (msgtype === 'text') checkText(ctx.rules, str(part.content), LIMITS.textBytes);
    if (msgtype === 'msgmenu' && ctx.rules.textLength && byteLength(str(part.head_content)) > 1024) fail('contentTooLong', 'head_content over 1024 bytes');
    if (MEDIA_TYPES.has(msgtype)) {
      const id = str(part.media_id);
      const m = id ? await this.store.get<MediaRecord>(ctx.merchant.id, NS.media, id) : null;
      if (!m || ctx.now - m.createdAt > LIMITS.mediaTtlMs) fail('invalidMediaId');
    }
  }
}

function checkText(rules: SandboxRules, content: string, limit: number) {
  if (!content) fail('emptyContent');
  const n = byteLength(content);
  if (rules.textLength && n > limit) fail('contentTooLong', `${n} bytes > ${limit}`);
}

function parseBody(buf: Buffer): Record<string, unknown> {
  if (!buf.length) return {};
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    fail('dataFormat');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('dataFormat');
  return v as Record<string, unknown>;
}

/** What the sent list says about a send call, from the request alone. */
function describe(api: string, body: Record<string, unknown>): Omit<SentRecord, 'at' | 'errcode'> {
  const msgtype = str(body.msgtype);
  const base = { api, to: '', msgtype, text: textOf(msgtype, body), msgid: str(body.msgid) };
  switch (api) {
    case 'kf/send_msg':
      return { ...base, to: str(body.touser) };
    case 'externalcontact/send_welcome_msg': {
      const att = Array.isArray(body.attachments) ? body.attachments.map(obj) : [];
      const content = str(obj(body.text).content);
      return { ...base, msgtype: content ? (att.length ? 'text+attachments' : 'text') : str(att[0]?.msgtype), text: content };
    }
    case 'externalcontact/add_msg_template': {
      const ids = strList(body.chat_type === 'group' ? body.chat_id_list : body.external_userid) ?? [];
      const to = ids.length > 20 ? `${ids.slice(0, 20).join('|')}|…(+${ids.length - 20})` : ids.join('|') || str(body.sender);
      return { ...base, to, msgtype: str(obj(body.text).content) ? 'text' : 'attachments', text: str(obj(body.text).content) };
    }
    case 'message/send':
      return { ...base, to: [str(body.touser), str(body.toparty) && `party:${str(body.toparty)}`, str(body.totag) && `tag:${str(body.totag)}`].filter(Boolean).join(' ') };
    default:
      return base;
  }
}

export { seqKey };

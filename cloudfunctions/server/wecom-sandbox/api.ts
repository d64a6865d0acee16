import type { Runtime } from '../composition';
import { contactHandlers } from './contact';
import { contactWayHandlers } from './contact-way';
import { E, SEND_APIS, type SandboxRules } from './config';
import { groupMsgHandlers } from './groupmsg';
import { hit, takeFault } from './guards';
import { kfHandlers } from './kf';
import { mediaHandlers } from './media';
import { messageHandlers } from './message';
import type { MerchantRegistry } from './registry';
import { webhookSend } from './robot';
import { SUBSCRIBE_SEND, subscribeSend } from './subscribe';
import { NS, type SandboxStore, type SentRecord, type TokenRecord } from './store';
import { tagHandlers } from './tags';
import { TOKEN_RE, gettoken } from './token';
import { obj, str, strList, textOf } from './util';
import { TransportFault, WxError, answer, fail, okBody, parseBody, raise, type ApiAnswer, type ApiRequest, type Ctx, type Handler, type Handlers, type SandboxEnv } from './wx';

export type { ApiAnswer, ApiRequest } from './wx';

/**
 * WeCom's server API under `/sandbox/cgi-bin/*`, shapes and error codes as WeCom answers them
 * (HTTP 200 with errcode, except the sandbox-only 404 for an unknown api). This is the router:
 * token, fault, rate limit and the sent list here; each WeCom area's APIs in their own file.
 */
export class SandboxApi {
  private readonly env: SandboxEnv;
  private readonly handlers: Handlers;

  constructor(
    private rt: Runtime,
    private store: SandboxStore,
    registry: MerchantRegistry,
    private ruleOverrides: Partial<SandboxRules>,
  ) {
    this.env = { rt, store, registry };
    this.handlers = {
      ...kfHandlers(this.env),
      ...mediaHandlers(this.env),
      ...contactHandlers(this.env),
      ...tagHandlers(this.env),
      ...contactWayHandlers(this.env),
      ...groupMsgHandlers(this.env),
      ...messageHandlers(),
    };
  }

  async call(req: ApiRequest): Promise<ApiAnswer> {
    // the two APIs without a WeCom access_token, and the mini-program's subscribe message (its own token)
    try {
      if (req.api === 'gettoken') return answer(await gettoken(this.env, this.ruleOverrides, req));
      if (req.api === 'webhook/send') return answer(await webhookSend(this.env, this.ruleOverrides, req));
      if (req.api === SUBSCRIBE_SEND) return answer(await subscribeSend(this.env, this.ruleOverrides, req));
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
      ctx = await this.authenticate(req, h);
      const lost = await this.guard(ctx);
      const out = await h.run(ctx);
      if ('kind' in out && (out.kind === 'file' || out.kind === 'json')) return out as ApiAnswer;
      const body: Record<string, unknown> = okBody(out as Record<string, unknown>);
      await this.record(ctx, 0, str(body.msgid));
      // done at WeCom, but the answer never reaches the caller (the caller cannot tell it from a timeout)
      if (lost) return { kind: 'transport', mode: 'timeout' };
      return answer(body);
    } catch (err) {
      if (err instanceof TransportFault) return { kind: 'transport', mode: err.mode };
      const e = err instanceof WxError ? err : null;
      if (!e) this.rt.logger.error({ err, api: req.api }, 'sandbox api failed');
      const errcode = e ? e.errcode : E.busy[0];
      if (ctx) await this.record(ctx, errcode, '');
      return answer({ errcode, errmsg: e ? e.errmsg : E.busy[1] });
    }
  }

  /**
   * A valid, unexpired token of a kind the API takes, and a readable body. From here on the call
   * counts as made: a send refused later (fault, rate limit, WeCom's rules) shows in the sent list.
   */
  private async authenticate(req: ApiRequest, h: Handler): Promise<Ctx> {
    const token = req.query.get('access_token');
    if (!token) fail('missingToken');
    const merchantId = TOKEN_RE.exec(token)?.[1];
    const rec = merchantId ? await this.store.get<TokenRecord>(merchantId, NS.token, token) : null;
    const merchant = rec && merchantId ? await this.env.registry.get(merchantId) : null;
    if (!rec || !merchant) fail('invalidToken');
    const cfg = await this.store.config(this.ruleOverrides);
    const now = this.rt.deps.clock.now();
    if (cfg.rules.tokenExpiry && now >= rec.expiresAt) fail('tokenExpired');
    if (!h.kinds.includes(rec.kind)) fail('apiForbidden', `${req.api} does not accept a ${rec.kind} token`);
    await this.env.registry.ensure(merchant);
    const body = h.method === 'POST' && !/multipart\//i.test(req.headers['content-type'] ?? '') ? parseBody(req.body) : {};
    return { api: req.api, merchant, kind: rec.kind, now, cfg, rules: cfg.rules, body, req, rec: describe(req.api, body) };
  }

  /** An injected fault of this api, then the per-minute cap; true: a `lost` fault (carry the call out, lose its answer). */
  private async guard(ctx: Ctx): Promise<boolean> {
    const fault = await takeFault(this.store, ctx.api, ctx.merchant.id);
    if (fault && fault.mode !== 'lost') raise(fault);
    if (ctx.cfg.rules.rateLimit && !(await hit(this.store, this.rt.deps.clock.now(), ctx.merchant.id, ctx.api, ctx.cfg.ratePerMinute))) {
      fail('freqLimit', `more than ${ctx.cfg.ratePerMinute} calls of ${ctx.api} this minute`);
    }
    // the hour's quota as well (doc 90454: 150 000 per corp per API per hour)
    if (ctx.cfg.rules.rateLimit && !(await hit(this.store, this.rt.deps.clock.now(), ctx.merchant.id, ctx.api, ctx.cfg.ratePerHour, 3_600_000))) {
      fail('freqLimit', `more than ${ctx.cfg.ratePerHour} calls of ${ctx.api} this hour`);
    }
    return fault?.mode === 'lost';
  }

  private async record(ctx: Ctx, errcode: number, msgid: string) {
    if (!SEND_APIS.has(ctx.api)) return;
    const entry: SentRecord = { at: ctx.now, ...ctx.rec, msgid: msgid || ctx.rec.msgid, errcode };
    await this.store.append(ctx.merchant.id, NS.sent, entry);
  }
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
      const content = str(obj(body.text).content);
      const withAttachments = Array.isArray(body.attachments) && body.attachments.length > 0;
      // count: the recipients as the call names them (before WeCom splits them by member)
      return { ...base, to, msgtype: content ? (withAttachments ? 'text+attachments' : 'text') : 'attachments', text: content, count: ids.length };
    }
    case 'externalcontact/remind_groupmsg_send':
    case 'externalcontact/cancel_groupmsg_send':
      // the handler fills in `to` and `count`: the members reminded or stopped
      return { ...base, msgtype: 'groupmsg', count: 0 };
    case 'externalcontact/mark_tag':
      // tags put on a customer (through the member who follows them): ids as WeCom got them
      return {
        ...base,
        to: str(body.external_userid),
        msgtype: 'tags',
        text: [`by ${str(body.userid)}`, ...['add_tag', 'remove_tag'].map((k) => `${k}: ${(strList(body[k]) ?? []).join(',')}`)].join(' '),
      };
    case 'externalcontact/add_corp_tag':
    case 'externalcontact/edit_corp_tag':
    case 'externalcontact/del_corp_tag': {
      const names = Array.isArray(body.tag) ? body.tag.map((t) => str(obj(t).name)) : [];
      const ids = [str(body.id), ...(strList(body.tag_id) ?? []), ...(strList(body.group_id) ?? [])].filter(Boolean);
      return { ...base, msgtype: 'corp_tag', text: [str(body.group_name) && `group ${str(body.group_name)}`, str(body.name), ...names, ...ids].filter(Boolean).join(' ') };
    }
    case 'externalcontact/add_contact_way':
    case 'externalcontact/get_contact_way':
    case 'externalcontact/list_contact_way':
    case 'externalcontact/update_contact_way':
    case 'externalcontact/del_contact_way':
      // the handler replaces text with the stored way once it knows it
      return {
        ...base,
        to: (strList(body.user) ?? []).join('|'),
        msgtype: 'contact_way',
        text: [str(body.config_id), str(body.state) && `state ${str(body.state)}`].filter(Boolean).join(' '),
      };
    case 'message/send':
      return { ...base, to: [str(body.touser), str(body.toparty) && `party:${str(body.toparty)}`, str(body.totag) && `tag:${str(body.totag)}`].filter(Boolean).join(' ') };
    default:
      return base;
  }
}

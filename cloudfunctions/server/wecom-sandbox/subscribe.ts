import { CREDIT_NS, type CreditRecord } from '@xiaoer/shared/usecases/reports/subscribe';
import { SANDBOX_MP_TOKEN } from '../wecom/subscribe-sender';
import type { SandboxRules } from './config';
import { takeFault } from './guards';
import { NS, PLATFORM, type SentRecord } from './store';
import { obj, str } from './util';
import { WxError, fail, okBody, parseBody, raise, type ApiRequest, type SandboxEnv } from './wx';

/**
 * `message/subscribe/send`, the mini-program subscribe message as WeChat's HTTPS API takes it
 * (protocol doc §8). This is WeChat's side, played locally, NOT verified against WeChat.
 *
 * - the access_token must be there (41001) and be the sandbox's (40001): the local host has no
 *   mini-program AppSecret, so there is one fixed token;
 * - touser (40003), template_id (40037), page (41030) and data (47003: every value a string that
 *   fits its keyword's type, e.g. thing ≤ 20 characters) are checked;
 * - one send per subscription: what the user granted is read where the app's taps are recorded
 *   (the product's credit record: the sandbox has no WeChat client), what was delivered is
 *   counted here, and a send past the grants is refused with 43101 — so a product that spends a
 *   credit twice, or sends without one, is caught by WeChat's count, not by its own.
 *
 * Every call goes into `sandbox sent` under the merchant the page names (`?merchant=`).
 */
export const SUBSCRIBE_SEND = 'message/subscribe/send';

const OPENID = /^[A-Za-z0-9_:-]{1,128}$/;
const TEMPLATE = /^[A-Za-z0-9_-]{1,128}$/;
const PAGE = /^[A-Za-z0-9_/-]{1,256}(\?[^\s]{0,768})?$/;

/** WeChat's per-type limits (protocol doc §8); a keyword whose type is not listed takes 20 characters. */
function fits(key: string, value: string): boolean {
  const type = key.replace(/\d+$/, '');
  const n = Array.from(value).length;
  if (!value || n === 0) return false;
  switch (type) {
    case 'thing':
      return n <= 20;
    case 'number':
      return n <= 32 && /^[0-9.]+$/.test(value);
    case 'letter':
      return n <= 32 && /^[A-Za-z]+$/.test(value);
    case 'character_string':
      return n <= 32 && /^[\x21-\x7e]+$/.test(value);
    case 'phrase':
      return n <= 5;
    case 'name':
      return n <= 10;
    case 'amount':
      return /^[¥￥$]?\d{1,10}(\.\d{1,2})?元?$/.test(value) && value.replace(/\D/g, '').length <= 10;
    case 'time':
      return /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$|^\d{2}:\d{2}$/.test(value);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'phone_number':
      return n <= 17;
    default:
      return n <= 20;
  }
}

/** The keyword values as one line for `sandbox sent`: `thing1=日报 / amount3=¥12`. */
function describe(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([k, v]) => `${k}=${str(obj(v).value)}`)
    .join(' / ');
}

export async function subscribeSend(env: SandboxEnv, _rules: Partial<SandboxRules>, req: ApiRequest): Promise<Record<string, unknown>> {
  const { store } = env;
  const token = req.query.get('access_token');
  if (!token) fail('missingToken');
  if (token !== SANDBOX_MP_TOKEN) fail('invalidSecret', 'the sandbox mini-program token is the only one it knows');
  const body = parseBody(req.body);
  const page = str(body.page);
  const named = /[?&]merchant=([^&]+)/.exec(page)?.[1];
  const merchantId = named ? decodeURIComponent(named) : null;
  const owner = merchantId && (await env.registry.get(merchantId)) ? merchantId : PLATFORM;
  const touser = str(body.touser);
  const templateId = str(body.template_id);
  const data = obj(body.data);
  const now = env.rt.deps.clock.now();
  const rec: Omit<SentRecord, 'at' | 'errcode'> = { api: SUBSCRIBE_SEND, to: touser, msgtype: `subscribe:${templateId}`, text: describe(data), msgid: '' };
  let errcode = 0;
  try {
    const fault = await takeFault(store, SUBSCRIBE_SEND, owner === PLATFORM ? null : owner);
    if (fault) raise(fault);
    if (!OPENID.test(touser)) fail('invalidOpenid');
    if (!TEMPLATE.test(templateId)) fail('invalidTemplateId');
    if (page && !PAGE.test(page)) fail('invalidPage');
    if (body.data === undefined || !Object.keys(data).length) fail('argumentInvalid', 'data is required');
    for (const [key, v] of Object.entries(data)) {
      const value = obj(v).value;
      if (typeof value !== 'string' || !fits(key, value)) fail('argumentInvalid', `data.${key}.value does not fit its type`);
    }
    const state = body.miniprogram_state;
    if (state !== undefined && !['developer', 'trial', 'formal'].includes(str(state))) fail('argumentInvalid', 'miniprogram_state');
    const key = `${templateId}|${touser}`;
    const granted = (await env.rt.storage.kv.get<CreditRecord>(PLATFORM, CREDIT_NS, key))?.value.granted ?? 0;
    const { changed } = await store.update<{ delivered: number }>(PLATFORM, NS.subscribe, key, (cur) =>
      (cur?.delivered ?? 0) < granted ? { delivered: (cur?.delivered ?? 0) + 1 } : undefined,
    );
    if (!changed) fail('subscribeRefused', `${touser} granted ${granted} subscription(s) of ${templateId}, all used`);
    return okBody({ msgid: String(now) });
  } catch (err) {
    errcode = err instanceof WxError ? err.errcode : -1;
    throw err;
  } finally {
    await store.append(owner, NS.sent, { at: now, ...rec, errcode } satisfies SentRecord);
  }
}

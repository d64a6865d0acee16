import { E, LIMITS, type SandboxRules } from './config';
import { hit, takeFault } from './guards';
import { NS, PLATFORM, type SentRecord } from './store';
import { mask, obj, sha256, str, textOf } from './util';
import { WxError, checkText, fail, okBody, parseBody, raise, type ApiRequest, type SandboxEnv } from './wx';

const ROBOT_MSGTYPES = new Set(['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card']);

/**
 * webhook/send, the group robot: no access_token, only the key. Every call goes into the sent
 * list, failed ones too, under the merchant the key was given to (control `webhook-key`).
 */
export async function webhookSend(env: SandboxEnv, ruleOverrides: Partial<SandboxRules>, req: ApiRequest): Promise<Record<string, unknown>> {
  const { store } = env;
  const key = req.query.get('key');
  if (!key) fail('invalidWebhook', 'key is required');
  const body = parseBody(req.body);
  const owner = (await store.get<{ merchantId: string }>(PLATFORM, NS.webhook, key))?.merchantId ?? PLATFORM;
  const msgtype = str(body.msgtype);
  const now = env.rt.deps.clock.now();
  const rec: Omit<SentRecord, 'at' | 'errcode'> = { api: 'webhook/send', to: `robot:${mask(key)}`, msgtype, text: textOf(msgtype, body), msgid: '' };
  let errcode = 0;
  try {
    const fault = await takeFault(store, 'webhook/send', owner === PLATFORM ? null : owner);
    if (fault) raise(fault);
    const cfg = await store.config(ruleOverrides);
    if (cfg.rules.rateLimit && !(await hit(store, env.rt.deps.clock.now(), PLATFORM, `webhook:${sha256(key).slice(0, 16)}`, cfg.webhookPerMinute))) {
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
    await store.append(owner, NS.sent, { at: now, ...rec, errcode } satisfies SentRecord);
  }
}

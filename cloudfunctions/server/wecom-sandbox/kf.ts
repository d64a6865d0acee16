import { LIMITS } from './config';
import { kfCustomer, useCode } from './customers';
import { NS, sessionKey, type CodeRecord, type KfAccount, type KfSession, type MediaRecord, type SandboxKfMessage } from './store';
import { byteLength, obj, randomId, str, strList } from './util';
import { KF, MEDIA_TYPES, checkText, decCursor, encCursor, fail, intIn, need, type Ctx, type Handlers, type SandboxEnv } from './wx';

const KF_MSGTYPES = new Set(['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'msgmenu', 'location', 'ca_link']);
const MSGID = /^[0-9a-zA-Z_-]{1,32}$/;
/** Allowed service_state moves (protocol §4; third-party summary, UNVERIFIED official). */
const TRANSITIONS: Record<number, number[]> = { 0: [1, 2, 3, 4], 1: [1, 2, 3, 4], 2: [2, 3, 4], 3: [3, 4], 4: [] };

/** 微信客服: accounts, sync_msg, sending (with its 48 h / 5-reply / session-state rules), sessions, customers. */
export function kfHandlers(env: SandboxEnv): Handlers {
  const { store, registry } = env;
  return {
    'kf/account/list': {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const offset = intIn(ctx.body.offset, 0, 1_000_000, 0, 'offset');
        const limit = intIn(ctx.body.limit, 1, 100, 100, 'limit');
        const all = await registry.accounts(ctx.merchant);
        return {
          account_list: all.slice(offset, offset + limit).map((a) => ({ open_kfid: a.open_kfid, name: a.name, avatar: a.avatar, manage_privilege: a.manage_privilege !== false })),
        };
      },
    },
    'kf/sync_msg': { kinds: KF, method: 'POST', run: (ctx) => syncMsg(env, ctx) },
    'kf/send_msg': { kinds: KF, method: 'POST', run: (ctx) => sendMsg(env, ctx) },
    'kf/send_msg_on_event': {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        const code = need(b, 'code');
        const peek = await store.get<CodeRecord>(ctx.merchant.id, NS.code, code);
        if (peek) ctx.rec.to = peek.externalUserId;
        const msgtype = need(b, 'msgtype');
        if (msgtype !== 'text' && msgtype !== 'msgmenu') fail('invalidMsgtype', 'send_msg_on_event takes text or msgmenu');
        await checkKfContent(env, ctx, msgtype, b);
        return sendOnce(env, ctx, b.msgid === undefined ? undefined : str(b.msgid), () => useCode(env, ctx, code, ['kf_welcome', 'kf_session']));
      },
    },
    'kf/service_state/get': {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const openKfId = need(ctx.body, 'open_kfid');
        const ext = need(ctx.body, 'external_userid');
        await account(env, ctx, openKfId);
        const s = await store.get<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, ext));
        return { service_state: s?.state ?? 4, servicer_userid: s?.servicerUserId ?? '' };
      },
    },
    'kf/service_state/trans': { kinds: KF, method: 'POST', run: (ctx) => transServiceState(env, ctx) },
    'kf/customer/batchget': {
      kinds: KF,
      method: 'POST',
      run: async (ctx) => {
        const list = strList(ctx.body.external_userid_list);
        if (!list || list.length < 1 || list.length > 100) fail('invalidParam', 'external_userid_list takes 1..100 ids');
        const withContext = Number(ctx.body.need_enter_session_context) === 1;
        const customer_list: Record<string, unknown>[] = [];
        const invalid: string[] = [];
        for (const ext of list) {
          const c = await kfCustomer(env, ctx.merchant.id, ext);
          if (!c) invalid.push(ext);
          else
            customer_list.push({
              external_userid: ext,
              ...c,
              ...(withContext ? { enter_session_context: { scene: '', scene_param: '', wechat_channels: { nickname: '', scene: 0 } } } : {}),
            });
        }
        return { customer_list, invalid_external_userid: invalid };
      },
    },
  };
}

async function account(env: SandboxEnv, ctx: Ctx, openKfId: string): Promise<KfAccount> {
  if (!/^wk[0-9A-Za-z_-]{1,62}$/.test(openKfId)) fail('invalidOpenKfId');
  const a = await env.store.get<KfAccount>(ctx.merchant.id, NS.kfAccount, openKfId);
  if (!a) fail('openKfIdNotExist');
  return a;
}

/** Messages after the cursor from the last 3 days, a page at a time; the callback Token, if given, must be fresh. */
async function syncMsg(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const after = decCursor(b.cursor);
  const limit = intIn(b.limit, 1, LIMITS.syncMaxLimit, LIMITS.syncMaxLimit, 'limit');
  const openKfId = str(b.open_kfid);
  if (openKfId) await account(env, ctx, openKfId);
  if (b.token !== undefined && b.token !== '') {
    const t = await env.store.get<{ openKfId: string; expiresAt: number }>(ctx.merchant.id, NS.syncToken, str(b.token));
    if (!t) fail('kfInvalidMsgToken', 'unknown token');
    if (ctx.rules.syncTokenExpiry && ctx.now > t.expiresAt) fail('kfInvalidMsgToken', 'the callback Token is valid 10 minutes');
  }
  const page = Math.min(limit, Math.max(1, ctx.cfg.syncPageSize));
  const since = Math.floor((ctx.now - LIMITS.syncHistoryMs) / 1000);
  const entries = (await env.store.list<SandboxKfMessage>(ctx.merchant.id, NS.kfMsg)).map((e) => ({ seq: Number(e.key), msg: e.value }));
  const matching = entries.filter((e) => e.seq > after && e.msg.send_time >= since && (!openKfId || e.msg.open_kfid === openKfId));
  const chunk = matching.slice(0, page);
  const lastSeq = entries.length ? entries[entries.length - 1].seq : 0;
  const next = chunk.length ? chunk[chunk.length - 1].seq : Math.max(after, matching.length ? after : lastSeq);
  return { next_cursor: encCursor(next), has_more: matching.length > chunk.length ? 1 : 0, msg_list: chunk.map((e) => e.msg) };
}

async function sendMsg(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const touser = need(b, 'touser');
  const openKfId = need(b, 'open_kfid');
  await account(env, ctx, openKfId);
  const msgtype = need(b, 'msgtype');
  if (!KF_MSGTYPES.has(msgtype)) fail('invalidMsgtype');
  await checkKfContent(env, ctx, msgtype, b);
  return sendOnce(env, ctx, b.msgid === undefined ? undefined : str(b.msgid), () =>
    env.store.update<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, touser), (cur) => {
      const s: KfSession = cur ?? { openKfId, externalUserId: touser, state: 4, repliesSinceCustomer: 0, updatedAt: ctx.now };
      if (ctx.rules.kfSessionState && s.state !== 0 && s.state !== 1) fail('kfSessionStatus', `service_state is ${s.state}`);
      if (ctx.rules.kfWindow48h && (s.lastCustomerAt === undefined || ctx.now - s.lastCustomerAt > LIMITS.kfWindowMs)) {
        fail('kfSendTime', "more than 48 h after the customer's last message");
      }
      if (ctx.rules.kfFivePerMessage && s.repliesSinceCustomer >= LIMITS.kfRepliesPerMessage) fail('kfSendCount', '5 messages per customer message');
      return { ...s, repliesSinceCustomer: s.repliesSinceCustomer + 1, updatedAt: ctx.now };
    }),
  );
}

async function transServiceState(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const openKfId = need(b, 'open_kfid');
  const ext = need(b, 'external_userid');
  await account(env, ctx, openKfId);
  const to = Number(b.service_state);
  if (!Number.isInteger(to) || to < 0 || to > 4) fail('invalidParam', 'service_state must be 0..4');
  const servicer = str(b.servicer_userid);
  if (to === 3 && !servicer) fail('invalidParam', 'servicer_userid is required for service_state 3');
  let from = 4;
  await env.store.update<KfSession>(ctx.merchant.id, NS.kfSession, sessionKey(openKfId, ext), (cur) => {
    const s: KfSession = cur ?? { openKfId, externalUserId: ext, state: 4, repliesSinceCustomer: 0, updatedAt: ctx.now };
    from = s.state;
    if (!TRANSITIONS[s.state].includes(to)) fail('kfBadTransition', `${s.state} → ${to}`);
    return { ...s, state: to as KfSession['state'], servicerUserId: to === 2 || to === 3 ? servicer || undefined : s.servicerUserId, updatedAt: ctx.now };
  });
  // a msg_code for the first move to 2 or 3, and for ending (protocol §4)
  if ((to === 2 || to === 3 || to === 4) && from !== to) {
    const code = randomId(40);
    const ttl = to === 4 ? LIMITS.welcomeCodeTtlMs : LIMITS.sessionCodeTtlMs;
    await env.store.create<CodeRecord>(ctx.merchant.id, NS.code, code, { kind: 'kf_session', externalUserId: ext, openKfId, issuedAt: ctx.now, expiresAt: ctx.now + ttl });
    return { msg_code: code };
  }
  return {};
}

/**
 * A kf send under a msgid (rule msgidDedupe): claims the msgid, runs the send's checks, and
 * releases the claim if they fail (a failed msgid may be retried), else records it as sent.
 */
async function sendOnce(env: SandboxEnv, ctx: Ctx, msgid: string | undefined, checks: () => Promise<unknown>): Promise<{ msgid: string }> {
  const { store } = env;
  if (msgid !== undefined && !MSGID.test(msgid)) fail('invalidParam', 'msgid must be ≤32 characters of [0-9a-zA-Z_-]');
  const id = msgid ?? randomId(32);
  const created = await store.create(ctx.merchant.id, NS.sentMsgid, id, { at: ctx.now, pending: true });
  if (!created && ctx.rules.msgidDedupe) fail('sandboxMsgidSent', `msgid ${id}`);
  ctx.rec.msgid = id;
  try {
    await checks();
  } catch (err) {
    if (created) await store.delete(ctx.merchant.id, NS.sentMsgid, id);
    throw err;
  }
  await store.put(ctx.merchant.id, NS.sentMsgid, id, { at: ctx.now });
  return { msgid: id };
}

/** Content rules of kf/send_msg and send_msg_on_event. */
async function checkKfContent(env: SandboxEnv, ctx: Ctx, msgtype: string, b: Record<string, unknown>) {
  const part = obj(b[msgtype]);
  if (msgtype === 'text') checkText(ctx.rules, str(part.content), LIMITS.textBytes);
  if (msgtype === 'msgmenu' && ctx.rules.textLength && byteLength(str(part.head_content)) > 1024) fail('contentTooLong', 'head_content over 1024 bytes');
  if (MEDIA_TYPES.has(msgtype)) {
    const id = str(part.media_id);
    const m = id ? await env.store.get<MediaRecord>(ctx.merchant.id, NS.media, id) : null;
    if (!m || ctx.now - m.createdAt > LIMITS.mediaTtlMs) fail('invalidMediaId');
  }
}

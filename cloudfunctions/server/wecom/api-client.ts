import { AppError, invalid } from '@xiaoer/shared/domain/errors';
import type { Merchant, SecretKind } from '@xiaoer/shared/domain/merchant';
import { WecomApiError, type WecomApi } from '@xiaoer/shared/ports/wecom';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createWecomHttp, mediaBody, okJson, type HttpOptions, type RawResponse } from './http';
import { createTokenStore, type TokenStore } from './token-store';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';
import { clearProblem, recordProblem } from '@xiaoer/shared/usecases/channel-wecom/channel-status';

/**
 * The WeCom server API over HTTP (the WecomApi port). Every call: load the merchant, take the
 * access token of the call's kind from the shared token store, send, and turn the answer into
 * a result or a typed error:
 * - 40014 / 42001 / 41001 (token invalid, expired, missing): evict it and retry once with a fresh one;
 * - -1 / 45009 (busy, frequency limit): back off with jitter and retry up to twice;
 * - any other non-zero errcode (40001 wrong secret included): WecomApiError at once;
 * - a configuration errcode (CONFIG_ERRCODES) is recorded in the channel status for the owner, and
 *   cleared by the next call of the same kind that succeeds;
 * - timeout → WECOM.TIMEOUT, network failure → WECOM.NETWORK, non-JSON → WECOM.BAD_RESPONSE (not retried:
 *   a send may have gone through; the outbox retries with the same msgid).
 * Logs name the API, merchant and errcode only: never a URL (it holds the token), a secret or a body.
 */

export interface WecomApiOptions extends HttpOptions {
  deps: Deps;
  /** Share one store between the client and the refresh job; built from the same options when absent. */
  tokens?: TokenStore;
  /** Injected by tests so backoff takes no real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Backoff base for -1/45009: attempt n waits base·2^(n-1)·[0.5, 1.5). */
  retryBaseMs?: number;
  maxBusyRetries?: number;
  random?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

/** WeCom's answers to a token that is no good any more. */
const TOKEN_ERRCODES = new Set([40014, 41001, 42001]);

type Query = Record<string, string | number | undefined>;
interface Call<T> {
  api: string;
  /** Which secret's token; null for the group-robot webhook (its key is the credential). */
  kind: SecretKind | null;
  method: 'GET' | 'POST';
  query?: Query;
  /** Built per attempt: a retried upload needs a fresh body. */
  body?: (merchant: Merchant | null) => { body: RequestInit['body']; headers?: Record<string, string> } | undefined;
  read: (api: string, raw: RawResponse) => T;
}

/**
 * The answer without errcode/errmsg, over `defaults` for fields WeCom may leave out. The port's
 * result types describe WeCom's answers; the client does not re-validate them.
 */
const jsonResult =
  <T>(defaults: NoInfer<Partial<T>> = {}) =>
  (api: string, raw: RawResponse): T =>
    ({ ...defaults, ...okJson(api, raw) }) as T;

const json = (value: unknown) => ({ body: JSON.stringify(value ?? {}), headers: { 'content-type': 'application/json' } });

export function createWecomApi(opts: WecomApiOptions): WecomApi {
  const { deps } = opts;
  const http = createWecomHttp(opts);
  const tokens = opts.tokens ?? createTokenStore(opts);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const baseMs = opts.retryBaseMs ?? 500;
  const maxBusyRetries = opts.maxBusyRetries ?? 2;
  const random = opts.random ?? Math.random;

  const merchantOf = (merchantId: string): Promise<Merchant> => requireMerchant(deps, merchantId);

  // (merchant, kind) pairs known to have no recorded problem, until when (wall time): a successful
  // call then costs no storage read. Another process may record one meanwhile; this one clears it
  // within a minute of its next success.
  const knownClean = new Map<string, number>();
  const CLEAN_MEMO_MS = 60_000;
  const succeeded = async (merchantId: string, kind: SecretKind) => {
    const key = `${merchantId}:${kind}`;
    const now = deps.timers.wallNow();
    if ((knownClean.get(key) ?? 0) > now) return;
    if (await clearProblem(deps, merchantId, kind)) opts.logger?.warn({ merchantId, kind }, 'wecom configuration problem cleared by a successful call');
    knownClean.set(key, now + CLEAN_MEMO_MS);
  };
  const misconfigured = async (merchantId: string, kind: SecretKind, err: WecomApiError) => {
    knownClean.delete(`${merchantId}:${kind}`);
    await recordProblem(deps, merchantId, kind, err.api, err.errcode);
  };

  async function call<T>(merchantId: string | null, c: Call<T>): Promise<T> {
    const merchant = merchantId === null ? null : await merchantOf(merchantId);
    let tokenRetried = false;
    let busyRetries = 0;
    for (;;) {
      let token: string | undefined;
      try {
        const payload = c.body?.(merchant);
        if (merchant && c.kind) token = await tokens.getToken(merchant, c.kind);
        const raw = await http.exchange(c.api, `/cgi-bin/${c.api}`, { ...c.query, access_token: token }, { method: c.method, ...payload });
        const result = c.read(c.api, raw);
        if (merchant && c.kind) await succeeded(merchant.id, c.kind);
        return result;
      } catch (err) {
        if (!(err instanceof WecomApiError)) throw err;
        const log = { api: c.api, merchantId, kind: c.kind, errcode: err.errcode };
        if (merchant && c.kind && token !== undefined && !tokenRetried && TOKEN_ERRCODES.has(err.errcode)) {
          tokenRetried = true;
          opts.logger?.warn(log, 'wecom token rejected; evicting and retrying once');
          await tokens.evict(merchant.wecom.corpId, c.kind, token);
          continue;
        }
        if (err.retryable && busyRetries < maxBusyRetries) {
          busyRetries++;
          const delayMs = Math.round(baseMs * 2 ** (busyRetries - 1) * (0.5 + random()));
          opts.logger?.warn({ ...log, retry: busyRetries, delayMs }, 'wecom busy; backing off');
          await sleep(delayMs);
          continue;
        }
        if (merchant && c.kind && err.isConfig) await misconfigured(merchant.id, c.kind, err);
        throw err;
      }
    }
  }

  /** A JSON POST with the token of `kind`. */
  const post = <T>(api: string, kind: SecretKind, merchantId: string, body: unknown, defaults: NoInfer<Partial<T>> = {}): Promise<T> =>
    call(merchantId, { api, kind, method: 'POST', body: () => json(body), read: jsonResult<T>(defaults) });

  return {
    // 微信客服
    kfSyncMsg: (m, req) => post('kf/sync_msg', 'kf', m, req, { next_cursor: '', has_more: 0, msg_list: [] }),
    kfSendMsg: (m, req) => post('kf/send_msg', 'kf', m, req),
    kfSendMsgOnEvent: (m, req) => post('kf/send_msg_on_event', 'kf', m, req),
    kfServiceStateGet: (m, req) => post('kf/service_state/get', 'kf', m, req),
    kfServiceStateTrans: (m, req) => post('kf/service_state/trans', 'kf', m, req),
    kfCustomerBatchGet: (m, req) => post('kf/customer/batchget', 'kf', m, req, { customer_list: [], invalid_external_userid: [] }),
    kfAccountList: (m, req) => post('kf/account/list', 'kf', m, req ?? {}, { account_list: [] }),

    // media
    mediaGet: (m, kind, mediaId) => call(m, { api: 'media/get', kind, method: 'GET', query: { media_id: mediaId }, read: mediaBody }),
    mediaUpload: (m, kind, type, file) =>
      call(m, {
        api: 'media/upload',
        kind,
        method: 'POST',
        query: { type },
        body: () => {
          const form = new FormData();
          form.append('media', new Blob([file.bytes], { type: file.contentType }), file.fileName);
          return { body: form }; // fetch sets multipart/form-data with its boundary
        },
        read: (a, raw) => {
          const r = okJson(a, raw);
          const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
          return { media_id: text(r.media_id), created_at: text(r.created_at) };
        },
      }),

    // 客户联系
    externalContactGet: (m, externalUserId, cursor) =>
      call(m, {
        api: 'externalcontact/get',
        kind: 'contact',
        method: 'GET',
        query: { external_userid: externalUserId, cursor: cursor || undefined },
        read: jsonResult({ follow_user: [] }),
      }),
    externalContactBatchGetByUser: (m, req) => post('externalcontact/batch/get_by_user', 'contact', m, req, { external_contact_list: [] }),
    corpTagList: (m, req) => post('externalcontact/get_corp_tag_list', 'contact', m, req ?? {}, { tag_group: [] }),
    corpTagAdd: (m, req) => post('externalcontact/add_corp_tag', 'contact', m, req),
    corpTagEdit: (m, req) => post('externalcontact/edit_corp_tag', 'contact', m, req),
    corpTagDel: (m, req) => post('externalcontact/del_corp_tag', 'contact', m, req),
    markTag: (m, req) => post('externalcontact/mark_tag', 'contact', m, req),
    sendWelcomeMsg: (m, req) => post('externalcontact/send_welcome_msg', 'contact', m, req),
    addContactWay: (m, req) => post('externalcontact/add_contact_way', 'contact', m, req),
    getContactWay: (m, req) => post('externalcontact/get_contact_way', 'contact', m, req),
    updateContactWay: (m, req) => post('externalcontact/update_contact_way', 'contact', m, req),
    delContactWay: (m, req) => post('externalcontact/del_contact_way', 'contact', m, req),
    addMsgTemplate: (m, req) => post('externalcontact/add_msg_template', 'contact', m, req, { fail_list: [] }),
    getGroupmsgListV2: (m, req) => post('externalcontact/get_groupmsg_list_v2', 'contact', m, req, { group_msg_list: [] }),
    remindGroupmsgSend: (m, req) => post('externalcontact/remind_groupmsg_send', 'contact', m, req),
    cancelGroupmsgSend: (m, req) => post('externalcontact/cancel_groupmsg_send', 'contact', m, req),
    getGroupmsgTask: (m, req) => post('externalcontact/get_groupmsg_task', 'contact', m, req, { task_list: [] }),
    getGroupmsgSendResult: (m, req) => post('externalcontact/get_groupmsg_send_result', 'contact', m, req, { send_list: [] }),

    // app messages to members: the app's agentid comes from the merchant
    messageSend: (m, req) =>
      call(m, {
        api: 'message/send',
        kind: 'app',
        method: 'POST',
        body: (merchant) => {
          const agentid = merchant?.wecom.agentId;
          if (!agentid)
            throw new AppError('WECOM.NO_AGENT_ID', '还没填自建应用的 AgentId：请到 企业微信管理后台 → 应用管理 → 自建应用 里查看，填到店小二的企业微信设置里', 400, {
              merchantId: m,
            });
          return json({ ...req, agentid });
        },
        read: jsonResult(),
      }),

    // group robot: no token, the key is the credential (never logged)
    webhookSend: (key, req) => {
      if (!key) return Promise.reject(invalid('群机器人的 webhook key 不能为空'));
      return call(null, { api: 'webhook/send', kind: null, method: 'POST', query: { key }, body: () => json(req), read: jsonResult() });
    },
  } satisfies WecomApi;
}

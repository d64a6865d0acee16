import { SUBSCRIBE_API, type SubscribeSendRequest, type SubscribeSender } from '@xiaoer/shared/ports/subscribe';
import { WecomApiError } from '@xiaoer/shared/ports/wecom';
import { createWecomHttp, okJson, type BaseUrl, type FetchLike } from './http';

/**
 * The two senders of the mini-program subscribe message (ports/subscribe.ts). NOT verified
 * against WeChat: the HTTP one only ever talks to the local sandbox, the cloud one only to a
 * double of wx-server-sdk's `cloud.openapi` in tests.
 */

/**
 * The sandbox's token: the local host has no mini-program AppSecret to get a real one with, and
 * the sandbox wants the query parameter present, as WeChat does (41001 when missing).
 */
export const SANDBOX_MP_TOKEN = 'sandbox-miniprogram';

/** `POST <base>/cgi-bin/message/subscribe/send`: WeChat's HTTPS API, served locally by the sandbox. */
export function createSandboxSubscribeSender(opts: { baseUrl: BaseUrl; timeoutMs?: number; fetch?: FetchLike }): SubscribeSender {
  const http = createWecomHttp(opts);
  return {
    async send(req) {
      const body = {
        touser: req.touser,
        template_id: req.templateId,
        ...(req.page ? { page: req.page } : {}),
        data: req.data,
        ...(req.miniprogramState ? { miniprogram_state: req.miniprogramState } : {}),
        lang: 'zh_CN',
      };
      const raw = await http.exchange(
        SUBSCRIBE_API,
        '/cgi-bin/message/subscribe/send',
        { access_token: SANDBOX_MP_TOKEN },
        { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      );
      okJson(SUBSCRIBE_API, raw);
    },
  };
}

/** The slice of wx-server-sdk's `cloud.openapi` this uses (camelCase parameters: protocol doc §8). */
export interface CloudOpenapi {
  subscribeMessage: { send(req: SubscribeSendRequest): Promise<{ errCode?: number; errMsg?: string } | undefined> };
}

/** wx-server-sdk's errors carry `errCode` / `errMsg`; anything else is transport trouble (retried). */
function wxError(err: unknown): unknown {
  const e = err as { errCode?: unknown; errMsg?: unknown } | null;
  if (e && typeof e.errCode === 'number') return new WecomApiError(SUBSCRIBE_API, e.errCode, typeof e.errMsg === 'string' ? e.errMsg : '');
  return err;
}

/** The cloud call on CloudBase: no access token, the function's own identity (needs `permissions.openapi` in its config.json). */
export function createCloudSubscribeSender(openapi: () => Promise<CloudOpenapi>): SubscribeSender {
  return {
    async send(req) {
      let res: { errCode?: number; errMsg?: string } | undefined;
      try {
        res = await (await openapi()).subscribeMessage.send(req);
      } catch (err) {
        throw wxError(err);
      }
      if (res && typeof res.errCode === 'number' && res.errCode !== 0) throw new WecomApiError(SUBSCRIBE_API, res.errCode, res.errMsg ?? '');
    },
  };
}

let cloud: Promise<CloudOpenapi> | undefined;
/** wx-server-sdk, initialised once per warm instance and only when a subscribe message is sent. */
export function wxServerOpenapi(): Promise<CloudOpenapi> {
  cloud ??= import('wx-server-sdk').then((sdk) => {
    const mod = ((sdk as { default?: unknown }).default ?? sdk) as { init(o: { env: unknown }): void; DYNAMIC_CURRENT_ENV: unknown; openapi: unknown };
    mod.init({ env: mod.DYNAMIC_CURRENT_ENV });
    return mod.openapi as CloudOpenapi;
  });
  return cloud;
}

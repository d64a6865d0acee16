/**
 * The mini-program subscribe message (`subscribeMessage.send`, protocol doc §8 and §10): one
 * message to one user (openid) per subscription that user granted by tapping 允许 in the app.
 * On CloudBase it is the cloud call `cloud.openapi.subscribeMessage.send` (wx-server-sdk);
 * locally the sandbox's `POST /cgi-bin/message/subscribe/send`. NOT verified against WeChat.
 *
 * A refusal throws `WecomApiError` with api `message/subscribe/send` and WeChat's errcode
 * (43101: the user has no subscription left; 40003 bad openid; 40037 bad template; 47003 bad
 * data; 41030 bad page); transport trouble throws the same AppErrors as the WeCom client.
 */
export interface SubscribeSendRequest {
  touser: string;
  templateId: string;
  /** The mini-program page the message opens, with its query (`sub/report/index?merchant=…`). */
  page?: string;
  /** One entry per template keyword (`thing1`, `time2`, `amount3`, …). */
  data: Record<string, { value: string }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
}

export interface SubscribeSender {
  send(req: SubscribeSendRequest): Promise<void>;
}

export const SUBSCRIBE_API = 'message/subscribe/send';
/** WeChat: the user has no subscription of this template left (or refused it). */
export const SUBSCRIBE_NO_CREDIT = 43101;

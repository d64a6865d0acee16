import type { Customer } from '../../domain/customer';
import type { WecomApi } from '../../ports/wecom';
import type { Deps } from '../../ports/deps';
import type { MediaStore } from '../../ports/media';
import type { Answerer } from '../../ports/answerer';
import type { SetupProbe } from '../../ports/setup-probe';
import type { SubscribeEnv } from '../reports/subscribe-data';
import { SESSION_MS } from '../../domain/conversation-state';
import { onNewCustomer } from '../tags/jobs';

/** Tunables of the WeCom channel; every field has a default (DEFAULT_WECOM_OPTIONS). */
export interface WecomOptions {
  /** Customer messages typed within this window of each other are answered together. */
  fragmentWindowMs: number;
  /** How long a worker holds a customer's processing lease (kv) before another may take it. */
  leaseMs: number;
  /** Safety cap on sync_msg pages per callback (has_more loops). */
  maxSyncPages: number;
  /** A kf callback Token is valid 10 min; older entries sync without it. */
  kfTokenTtlMs: number;
  /** Called with a customer after 客户联系 adds them: the tag-rules hook (usecases/tags). */
  tagRules: (ctx: WecomContext, customer: Customer) => Promise<void>;
}

export const DEFAULT_WECOM_OPTIONS: WecomOptions = {
  fragmentWindowMs: 2_000,
  leaseMs: 10_000,
  maxSyncPages: 100,
  kfTokenTtlMs: 9 * 60_000,
  tagRules: (ctx, customer) => onNewCustomer(ctx, customer),
};

/** What every WeCom use case needs: storage & clock, the WeCom API, and the answer engine. */
export interface WecomContext {
  deps: Deps;
  wecom: WecomApi;
  answerer: Answerer;
  /** Where fetched media go (WeCom keeps a media_id 3 days); without one, the media_id is kept. */
  media?: MediaStore;
  options?: Partial<WecomOptions>;
  /**
   * When this invocation must be done (epoch ms; a CloudBase function's time limit): the model
   * gets only the time that is left, minus what sending needs. Absent: no limit (local host).
   */
  deadline?: number;
  /** Where the owner app lives, for links in handoff notices (absent: the notice says where to tap). */
  appUrl?: () => string | undefined;
  /** The mini-program subscribe-message channel of pushes (reports/subscribe.ts); absent: not set up. */
  subscribe?: SubscribeEnv;
  /** The setup doctor's live checks (gettoken, the callback round trip); absent: 企业微信连接检查 shows what was recorded. */
  probe?: SetupProbe;
}

export function optionsOf(ctx: WecomContext): WecomOptions {
  return { ...DEFAULT_WECOM_OPTIONS, ...ctx.options };
}

/** WeCom's kf session: 48 h after the customer's last message. */
export const SESSION_WINDOW_MS = SESSION_MS;
/** kf/send_msg: at most 5 messages per customer message. */
export const SENDS_PER_CUSTOMER_MESSAGE = 5;

/** kv namespaces this channel owns (all per merchant). */
export const NS = {
  cursor: 'wecom.kf.cursor', // key open_kfid → { cursor }
  seen: 'wecom.kf.seen', // key msgid → { state: 'queued' | 'done' }
  queue: 'wecom.kf.queue', // key external_userid → { items }
  lease: 'wecom.kf.lease', // key external_userid → { owner, until }
  budget: 'wecom.kf.budget', // key external_userid → { lastMsgId, lastCustomerAt, used }
  outbox: 'wecom.kf.outbox', // key our msgid → OutboxRecord
  inflight: 'wecom.kf.inflight', // key external_userid → { parts } (sends begun, not settled: inflight.ts)
  undelivered: 'wecom.kf.undelivered', // key conversationId → { messageIds } (failed or unknown sends, for 没发出去)
  welcome: 'wecom.kf.welcome', // key welcome_code → { at }
  entry: 'wecom.inbox.customers', // key inbox dedupeKey → { customers } (kf entries to finish)
  retry: 'wecom.inbox.retry', // key inbox dedupeKey → { attempts, lastError }
  contact: 'wecom.contact', // key 'corp-tags' → { tag_group, syncedAt }
  contactWelcome: 'wecom.contact.welcome', // key WelcomeCode → { state }
  transferFail: 'wecom.contact.transfer-fail', // key `${userId}:${externalUserId}:${createTime}`
} as const;

/** Texts the bot sends; a shop's facts may override `welcome`. */
export const TEXTS = {
  kfWelcome: (shop: string) => `您好，欢迎光临${shop}！有什么可以帮您的，直接发文字问我就好～`,
  contactWelcome: (shop: string) => `您好，我是${shop}的店小二，很高兴认识您！有任何问题随时发消息给我～`,
  handoff: '好的，这个问题我已经转给店里的同事，他们会尽快回复您，请稍等一下～',
  handoffClosed: (opensAt: string) => `好的，这个问题我已经转给店里的同事。现在店里下班了，${opensAt}开门后会第一时间回复您，请您稍等～`,
  askForText: '不好意思，我暂时看不了图片、语音或文件～麻烦您用文字描述一下，我马上帮您看看。',
  optedOut: '好的，以后不再给您发活动消息了。有需要随时找我们～',
};

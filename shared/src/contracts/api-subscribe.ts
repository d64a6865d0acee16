import { z } from 'zod';
import { MerchantId } from '../domain/ids';

/**
 * The subscribe-message actions of the `api` contract (api.ts spreads them into its union,
 * policy and results). The mini-program subscribe message is NOT verified against WeChat.
 *
 * Credits belong to the caller (the session's openid — the request never names one), so any
 * member may read and add their own; whether they get report pushes is still the owner's choice
 * (推送设置 · recipients).
 */
const m = { merchantId: MerchantId };

/** What `Taro.requestSubscribeMessage` answers per template id. */
export const SubscribeResult = z.enum(['accept', 'reject', 'ban', 'filter', 'acceptWithAudio']);
const TemplateId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, '模板编号不对');

export const SUBSCRIBE_REQUESTS = [
  /** The report template (for requestSubscribeMessage) and how many sends the caller has left. */
  z.object({ action: z.literal('reports.subscribe.get'), ...m }),
  /** One credit for each accepted report template, to the caller. */
  z.object({
    action: z.literal('reports.subscribe.grant'),
    ...m,
    results: z.record(TemplateId, SubscribeResult).refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 5, '一次最多订阅 5 个模板'),
  }),
] as const;

export const SUBSCRIBE_POLICY = {
  'reports.subscribe.get': { role: 'staff', scope: 'merchant' },
  'reports.subscribe.grant': { role: 'staff', scope: 'merchant' },
} as const;

export const SubscribeView = z.object({
  /** Null: this deployment has no template set up (the channel cannot send). */
  templateId: z.string().nullable(),
  /** Sends the caller has left. */
  left: z.number().int().nonnegative(),
});
export type SubscribeView = z.infer<typeof SubscribeView>;

export const SUBSCRIBE_RESULTS = {
  'reports.subscribe.get': SubscribeView,
  'reports.subscribe.grant': z.object({ templateId: z.string(), added: z.number().int().nonnegative(), left: z.number().int().nonnegative() }),
};

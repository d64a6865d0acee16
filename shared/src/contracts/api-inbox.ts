import { z } from 'zod';
import { MerchantId } from '../domain/ids';
import { FollowUpSetting } from '../domain/conversation-state-follow-up';

/**
 * The 会话 actions beyond the list and the thread (api.ts spreads them into its union, policy and
 * results): live updates, the transfer picker, the owner's follow-up setting and quick replies.
 */
const m = { merchantId: MerchantId };

export const INBOX_REQUESTS = [
  /** Polled every few seconds while the app is open: what changed after `since` (a previous `changedAt`; 0 the first time). */
  z.object({ action: z.literal('inbox.changes'), ...m, since: z.number().int().nonnegative().default(0) }),
  /** Who a conversation can be transferred to: the shop's members with a WeCom account. */
  z.object({ action: z.literal('inbox.servicers'), ...m }),
  z.object({ action: z.literal('inbox.followUp.get'), ...m }),
  z.object({ action: z.literal('inbox.followUp.save'), ...m, setting: FollowUpSetting }),
  z.object({ action: z.literal('quickReplies.list'), ...m }),
  /** The whole list; the server drops blanks and repeats and refuses more than 20 or a reply over 300 characters. */
  z.object({ action: z.literal('quickReplies.save'), ...m, items: z.array(z.string().max(300, '每条快捷回复最多 300 个字')).max(20, '快捷回复最多 20 条') }),
] as const;

export const INBOX_POLICY = {
  'inbox.changes': { role: 'staff', scope: 'merchant' },
  'inbox.servicers': { role: 'staff', scope: 'merchant' },
  'inbox.followUp.get': { role: 'staff', scope: 'merchant' },
  'inbox.followUp.save': { role: 'owner', scope: 'merchant' },
  // staff use the shop's replies; the owner decides what they say
  'quickReplies.list': { role: 'staff', scope: 'merchant' },
  'quickReplies.save': { role: 'owner', scope: 'merchant' },
} as const;

/** On every conversation row of the 待人工 list and on a thread (absent elsewhere). */
export const WAIT_FIELDS = {
  /** When the customer's oldest unanswered message was sent: the wait counts from here; null once the shop answered. */
  waitFrom: z.number().nullable().optional(),
  /** A person from the shop wrote after the customer's last message (已回复). */
  replied: z.boolean().optional(),
  /** The customer's own last question. */
  lastQuestion: z.string().nullable().optional(),
};

/** On conversations.get besides the messages. */
export const THREAD_FIELDS = {
  /** Pass as `before` to load the page of older messages; null when this page starts the thread. */
  olderCursor: z.string().nullable().default(null),
  /** While a person holds the conversation: why the AI is quiet, in the owner's words (null otherwise). */
  silence: z.string().nullable().default(null),
};

const ServicerView = z.object({ memberId: z.string(), name: z.string(), wecomUserId: z.string(), onDuty: z.boolean() });
export type ServicerView = z.infer<typeof ServicerView>;

export const INBOX_RESULTS = {
  'inbox.changes': z.object({
    changedAt: z.number().int(),
    waiting: z.number().int().nonnegative(),
    conversationIds: z.array(z.string()),
    /** The app was away longer than the server remembers: reload whole lists. */
    full: z.boolean(),
  }),
  'inbox.servicers': z.object({ servicers: z.array(ServicerView) }),
  'inbox.followUp.get': z.object({ setting: FollowUpSetting }),
  'inbox.followUp.save': z.object({ setting: FollowUpSetting }),
  'quickReplies.list': z.object({ items: z.array(z.string()) }),
  'quickReplies.save': z.object({ items: z.array(z.string()) }),
};

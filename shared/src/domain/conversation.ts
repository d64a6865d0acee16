import { z } from 'zod';
import { Instant, MerchantId } from './ids';
import { HandoffReasonCode } from './handoff-reason';

/**
 * Our state, over WeCom's kf service_state: `ai` and `waiting_human` are both WeCom state 1
 * (the bot holds the session); `human_in_wecom` is WeCom state 3 (a servicer answers in the
 * WeCom client and the bot never sends).
 */
export const ConversationState = z.enum(['ai', 'waiting_human', 'human_in_wecom', 'closed']);
export type ConversationState = z.infer<typeof ConversationState>;

export const Channel = z.enum(['kf', 'contact']);

/** One continuous thread per (merchant, customer, channel). */
export const Conversation = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  externalUserId: z.string().min(1),
  channel: Channel,
  storeId: z.string().optional(),
  kfAccountId: z.string().optional(),
  state: ConversationState,
  /** WeCom's own service_state (0–4) as last seen. */
  wecomState: z.number().int().min(0).max(4).optional(),
  sessionStartedAt: Instant.optional(),
  lastCustomerMessageAt: Instant.optional(),
  waitingSince: Instant.optional(),
  missed: z.boolean().default(false),
  lastMessagePreview: z.string().max(80).default(''),
  /** Why the AI last handed it to a person, and when (conversations from before reasons have none). */
  handoffReason: HandoffReasonCode.optional(),
  handoffAt: Instant.optional(),
  updatedAt: Instant,
  createdAt: Instant,
});
export type Conversation = z.infer<typeof Conversation>;

export const Sender = z.enum(['customer', 'ai', 'staff', 'servicer', 'system']);

const MessageBase = z.object({
  id: z.string().min(1),
  merchantId: MerchantId,
  conversationId: z.string().min(1),
  sender: Sender,
  senderId: z.string().optional(),
  at: Instant,
  /** WeCom msgid when the message came from or went to WeCom. */
  wecomMsgId: z.string().optional(),
  /** `unknown`: a send was under way when its process died; it may have reached the customer (a person checks). */
  delivery: z.enum(['pending', 'sent', 'failed', 'unknown']).optional(),
  /** For AI replies: the knowledge used and how sure it was. */
  answer: z
    .object({
      knowledgeIds: z.array(z.string()),
      confidence: z.number().min(0).max(1),
      handoff: z.boolean(),
      /** `model`, `offline` or `rules`, when the engine says. */
      engine: z.string().max(20).optional(),
      /** What the model call behind this reply cost, in fen (fractional). */
      costFen: z.number().nonnegative().optional(),
      /** A clarifying question's candidate ("您是想问「…」吗？"): confirmed by the customer's next yes. */
      suggestedId: z.string().max(64).optional(),
      /** For a handoff notice: why (notices stored before reasons have none). */
      reason: HandoffReasonCode.optional(),
    })
    .optional(),
  /**
   * For the bot's replies: our ids of the customer messages it answers — several when fragments
   * typed together were answered as one question — so every message can be traced to its answer.
   */
  replyTo: z.array(z.string().min(1)).optional(),
  /** Marks on a customer's message, e.g. `banned:<word>` when it contains a banned word. */
  flags: z.array(z.string().max(40)).max(10).optional(),
});

const Media = { mediaRef: z.string().optional(), mime: z.string().optional() };

export const Message = z.discriminatedUnion('type', [
  MessageBase.extend({ type: z.literal('text'), text: z.string().max(20000) }),
  MessageBase.extend({ type: z.literal('image'), ...Media }),
  MessageBase.extend({ type: z.literal('voice'), ...Media }),
  MessageBase.extend({ type: z.literal('video'), ...Media }),
  MessageBase.extend({ type: z.literal('file'), ...Media, fileName: z.string().optional() }),
  MessageBase.extend({
    type: z.literal('location'),
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().default(''),
    address: z.string().default(''),
  }),
  MessageBase.extend({ type: z.literal('link'), title: z.string(), url: z.string(), desc: z.string().default('') }),
  MessageBase.extend({ type: z.literal('miniprogram'), title: z.string(), appid: z.string(), pagepath: z.string().default('') }),
  MessageBase.extend({ type: z.literal('business_card'), userid: z.string() }),
  MessageBase.extend({ type: z.literal('event'), event: z.string(), detail: z.record(z.string(), z.unknown()).default({}) }),
]);
export type Message = z.infer<typeof Message>;
export type MessageType = Message['type'];

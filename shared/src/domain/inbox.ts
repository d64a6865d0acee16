import { z } from 'zod';
import { Instant, MerchantId } from './ids';

/**
 * A verified WeCom callback, persisted before it is acknowledged. `dedupeKey` is the MsgId
 * for messages and a hash of the decrypted plaintext for events (客户联系 events all come from
 * `sys`, so FromUserName + CreateTime collides); a WeCom retry lands on the same key.
 */
export const InboxEntry = z.object({
  merchantId: MerchantId,
  dedupeKey: z.string().min(1).max(128),
  msgType: z.string().max(64),
  event: z.string().max(64).default(''),
  /** The decrypted XML, kept verbatim so any later handler can re-read it. */
  plaintext: z.string().max(65536),
  receivedAt: Instant,
  status: z.enum(['pending', 'processed', 'failed']),
  attempts: z.number().int().nonnegative().default(0),
  processedAt: Instant.optional(),
  lastError: z.string().optional(),
});
export type InboxEntry = z.infer<typeof InboxEntry>;

import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { Deps } from '@xiaoer/shared/ports/deps';
import type { TextAt } from '@xiaoer/shared/usecases/tags/evaluate';
import { enableTemplate } from '@xiaoer/shared/usecases/tags/rules';
import { keepTexts, TAG_NS, textItem } from '@xiaoer/shared/usecases/tags/store';
import { DEMO_MERCHANT_ID } from './catalog';

/** The 奶茶 templates the demo ships with on (issue 15 §8): spend tiers and frequency. */
export const DEMO_TEMPLATES = ['milktea:spend', 'milktea:frequency'];

/**
 * The demo's tag rules and keyword index, as a running shop would have them: the templates on
 * (their tags move at the first `tags apply` or night, so a fresh demo's apply marks customers at
 * WeCom), and each customer's recent texts indexed as message ingest would have done.
 * Idempotent: rule ids come from the template, index entries are written only when absent.
 */
export async function seedDemoTags(deps: Deps, conversations: Conversation[], messages: Message[], anchor: number): Promise<void> {
  for (const id of DEMO_TEMPLATES) await enableTemplate(deps, DEMO_MERCHANT_ID, id);
  const extOf = new Map(conversations.map((c) => [c.id, c.externalUserId]));
  const texts = new Map<string, TextAt[]>();
  for (const m of messages) {
    const ext = extOf.get(m.conversationId);
    const item = m.sender === 'customer' && m.type === 'text' && ext ? textItem(m.at, m.text) : null;
    if (item) texts.set(ext!, [...(texts.get(ext!) ?? []), item]);
  }
  for (const [ext, items] of texts) await deps.storage.kv.set(DEMO_MERCHANT_ID, TAG_NS.words, ext, { items: keepTexts(items, anchor) }, null, anchor);
}

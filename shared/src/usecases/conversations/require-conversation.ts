import type { Conversation } from '../../domain/conversation';
import { notFound } from '../../domain/errors';
import type { Deps } from '../../ports/deps';

/** The conversation, or NOT_FOUND.CONVERSATION: another shop's id finds nothing, like a wrong one. */
export async function requireConversation(deps: Pick<Deps, 'storage'>, merchantId: string, conversationId: string): Promise<Conversation> {
  const conversation = await deps.storage.conversations.get(merchantId, conversationId);
  if (!conversation) throw notFound('conversation');
  return conversation;
}

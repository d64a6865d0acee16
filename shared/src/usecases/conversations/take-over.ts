import type { Conversation } from '../../domain/conversation';
import { accept, handBack as handBackStep, takeOver as takeOverStep, type Step } from '../../domain/conversation-state';
import type { Deps } from '../../ports/deps';
import { recordAudit } from '../shop/audit';
import { requireConversation } from './require-conversation';

export interface PersonMove {
  merchantId: string;
  conversationId: string;
  /** The member pressing the button (audited). */
  actorId: string;
}

/** 接手 from the app: the bot goes quiet and the conversation waits for this person. Pressing it twice changes nothing. */
export function takeOver(deps: Deps, input: PersonMove): Promise<Conversation> {
  return apply(deps, input, takeOverStep, 'conversation.take_over');
}

/** 交还 AI from the app: the bot answers again. */
export function handBack(deps: Deps, input: PersonMove): Promise<Conversation> {
  return apply(deps, input, handBackStep, 'conversation.hand_back');
}

async function apply(deps: Deps, input: PersonMove, step: (c: Conversation, now: number) => Step, action: string): Promise<Conversation> {
  const c = await requireConversation(deps, input.merchantId, input.conversationId);
  const moved = step(c, deps.clock.now());
  const next = accept(moved);
  if (moved.ok && moved.changed) {
    await deps.storage.conversations.upsert(next);
    await recordAudit(deps, {
      merchantId: input.merchantId,
      actor: input.actorId,
      action,
      target: input.conversationId,
      detail: { from: c.state, to: next.state },
      at: next.updatedAt,
    });
  }
  return next;
}

/**
 * "不是，我是问…" after our reply (issue 13 §3): the FAQ we offered — answered, or guessed in a
 * clarifying question — is ruled out of the next answer, and a second miss goes to a person.
 * What counts as a rejection is rejection.ts's (shared with the counters).
 */
import type { Message } from '../../domain/conversation';
import { isRejection, replyGroup } from './rejection';

/** The FAQs a reply offered: what it answered with, or the one its clarifying question named. */
function offered(m: Message): string[] {
  if (m.sender !== 'ai' || !m.answer || m.answer.handoff) return [];
  return m.answer.knowledgeIds.length ? m.answer.knowledgeIds : m.answer.suggestedId ? [m.answer.suggestedId] : [];
}

/** Our last reply before the customer's latest messages (its first part, which carries `answer`). */
function lastReply(history: readonly Message[]): Message | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.sender === 'customer' || m.sender === 'system') continue;
    if (m.sender !== 'ai') return undefined;
    const g = replyGroup(m.id);
    return history.find((x) => x.sender === 'ai' && replyGroup(x.id) === g && x.answer) ?? m;
  }
  return undefined;
}

/** The FAQs `text` says were not what the customer asked, if it rejects our last reply; else none. */
export function rejectedIds(history: readonly Message[], text: string): string[] {
  const last = lastReply(history);
  return last && isRejection(text) ? offered(last) : [];
}

/**
 * Rejections of our replies in a row just before this turn (since a person last spoke, or the
 * customer last went on from a reply without "不是"): the customer's first text after a reply that
 * offered an FAQ, when it rejects it. The customer's latest messages (this turn) are not counted.
 */
export function earlierMisses(history: readonly Message[]): number {
  let n = 0;
  let open: string[] = [];
  let end = history.length;
  while (end > 0 && history[end - 1]!.sender === 'customer') end--;
  for (const m of history.slice(0, end)) {
    if (m.sender === 'system') continue;
    if (m.sender === 'ai') {
      if (m.answer) open = offered(m);
      continue;
    }
    if (m.sender !== 'customer') {
      n = 0;
      open = [];
      continue;
    }
    // a reply the customer went on from (no "不是") ends the run of misses
    if (open.length && m.type === 'text') n = isRejection(m.text) ? n + 1 : 0;
    open = [];
  }
  return n;
}

/** The question left after the rejection: "不是，我是问你们店招不招人" → "你们店招不招人". */
export function withoutRejection(text: string): string {
  return text
    .trim()
    .replace(/^(不是|不对|错了|答错了|说错了|你说错了|你答错了|没问这个|我没问这个|不是这个|不是这个意思|我不是问这个|我问的不是这个)[啊呀吧的哦，,。.!！~～\s]*/, '')
    .replace(/^(我是想问|我是问|我问的是|我想问的是|我要问的是|我说的是|我是说|是问|我想问)[，,:：\s]*/, '')
    .trim();
}

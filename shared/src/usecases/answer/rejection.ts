/**
 * A customer saying the AI's last reply was not what they asked ("不是，我是问…", "不对",
 * "没问这个", "答非所问"). Pure, shared by the engine (which rules the rejected FAQ out of the
 * next answer) and the counters (a rejected answer is not one the AI answered: issue 13 §3).
 */
import type { Message } from '../../domain/conversation';
import { normalize } from './tokenize';

/** Opens the message: "不是，…", "不对", "错了", "我不是问这个". */
const OPENS =
  /^(不是(?!说|吧|很|太|特别|非常|挺|一般|所有|每|都|只|因为|我的错)|不对(?!劲)|错了|答错了|说错了|你说错|你答错|我不是问|我问的不是|我说的不是|我是说|我是问(?!一下)|没问这个|我没问|问的不是|我要问的不是|谁问你|你在说什么|你说的什么|什么跟什么|牛头不对马嘴|文不对题|答非所问)/;
/** Anywhere in it: "你答非所问", "我问的是…不是…", "跟我问的没关系". */
const ANYWHERE =
  /答非所问|没问这个|没问你这个|不是问这个|不是这个意思|不是我问的|不是我要问的|我问的不是|我不是问|跟我问的(没|不)|和我问的(没|不)|牛头不对马嘴|文不对题|没听懂我|没看懂我|你没懂|理解错了|搞错我的意思/;

/** Whether `text` rejects the reply before it. */
export function isRejection(text: string): boolean {
  const t = normalize(text)
    .replace(/\s+/g, '')
    .replace(/^[，,。.!！~～…]+/, '');
  if (!t || t.length > 60) return false;
  return OPENS.test(t) || ANYWHERE.test(t);
}

/** An AI reply that counted as answered: it said something from the knowledge base and did not hand off. */
export const isAnswer = (m: Message) => m.sender === 'ai' && !!m.answer && !m.answer.handoff && m.answer.knowledgeIds.length > 0;

/** A reply's parts share their id up to the part number (out_<source>_<n>). */
export const replyGroup = (id: string) => id.replace(/_\d+$/, '');

export interface Rejection {
  /** The first part of the rejected AI answer. */
  answer: Message;
  /** The customer's message that rejected it. */
  rejection: Message;
}

/**
 * Every rejection in a thread (oldest first): the customer's first text message after an AI answer,
 * when it rejects it, with nobody else speaking in between. The live counters and `counters
 * rebuild` both find rejections with this, so they agree.
 */
export function findRejections(messages: readonly Message[]): Rejection[] {
  const out: Rejection[] = [];
  let answer: Message | undefined;
  for (const m of messages) {
    if (m.sender === 'system') continue;
    if (m.sender === 'ai') {
      // the later parts of the same answer keep it open; any other AI message closes it
      if (answer && replyGroup(m.id) === replyGroup(answer.id)) continue;
      answer = isAnswer(m) ? m : undefined;
      continue;
    }
    if (m.sender !== 'customer') {
      answer = undefined;
      continue;
    }
    if (!answer) continue;
    // only the customer's first word after the answer speaks to it (an image first: nothing said)
    if (m.type === 'text' && isRejection(m.text)) out.push({ answer, rejection: m });
    answer = undefined;
  }
  return out;
}

/** Whether any part of the answer reached the customer (only then did it count as answered). */
export function delivered(messages: readonly Message[], answer: Message): boolean {
  const g = replyGroup(answer.id);
  return messages.some((m) => m.sender === 'ai' && replyGroup(m.id) === g && m.delivery === 'sent');
}

/** The answer `text` rejects, if it rejects the AI's last reply in `history` (the stored thread before `text`). */
export function rejectedAnswer(history: readonly Message[], text: string): Message | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.sender === 'system') continue;
    if (m.sender !== 'ai') return undefined;
    // only the first part of a reply carries what it answered
    const g = replyGroup(m.id);
    const first = history.find((x) => x.sender === 'ai' && replyGroup(x.id) === g && x.answer);
    return first && isAnswer(first) && isRejection(text) ? first : undefined;
  }
  return undefined;
}

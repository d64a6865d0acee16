/**
 * What the customer reads when the AI does not answer from the knowledge base (issue 13 §3): a
 * handoff reply that fits why (an apology for a complaint or harm, a plain "马上请店员来" for a
 * request for a person, the shop's opening time when it is closed), a two-part reply that says
 * which part a person will confirm, and short friendly replies to greetings and thanks.
 */
import { normalize } from './tokenize';

/** When the shop is closed: the label of its next opening ("明天 10:00"). */
export type OpenNow = { open: true } | { open: false; label: string };

/** The reason code from a handoff's `reason` ("handoff:complaint" → "complaint"). */
const codeOf = (reason: string) => reason.replace(/^handoff:/, '');

const SORRY = new Set(['complaint', 'harm']);
/** Only an explicit request for a person: a shop's own handoff word may be anything ("包场"). */
const PERSON = new Set(['person']);

/**
 * The reply to a message a person takes over, fitting its reason (`reason` as the engine or the
 * channel gives it): an apology for a complaint or harm, a plain "马上请店员来" for a request for
 * a person; null for the rest, which get the channel's general notice (TEXTS.handoff).
 */
export function handoffReply(reason: string, now: OpenNow): string | null {
  const code = codeOf(reason);
  if (SORRY.has(code)) return now.open ? '真抱歉给您添麻烦了，我马上请店员来处理，请稍等。' : `真抱歉给您添麻烦了。现在店里下班了，${now.label}开门后店员会第一时间联系您处理。`;
  if (PERSON.has(code)) return now.open ? '好的，马上请店员来，请稍等。' : `好的，现在店里下班了，${now.label}开门后店员会第一时间回复您。`;
  return null;
}

/**
 * One reply to a message with two requests: the answer to the part the knowledge base covers,
 * then the part a person will confirm, named in the customer's own words.
 */
export function partialReply(answer: string, part: string, reason: string, now: OpenNow): string {
  const code = codeOf(reason);
  const sorry = SORRY.has(code) ? '真抱歉给您添麻烦了，' : '';
  const who = now.open ? '我让店员马上跟您确认' : `现在店里下班了，${now.label}开门后店员会第一时间跟您确认`;
  return `${answer.replace(/[。.!！~～\s]+$/, '')}。\n${sorry}您说的「${part}」，${who}。`;
}

/** Greetings, thanks, "ok" and goodbyes alone: answered in kind, never with an FAQ or a person. */
const CHAT: { re: RegExp; reply: string }[] = [
  { re: /^(谢谢|谢谢你|谢谢您|谢啦|多谢|感谢|辛苦了|辛苦)+(啦|了|哈|呀|啊)*$/, reply: '不客气～还有什么需要随时找我。' },
  { re: /^(拜拜|再见|88|回头见)+$/, reply: '好的，再见～欢迎下次光临！' },
  { re: /^(好的|好|好滴|行|可以|嗯|嗯嗯|恩|哦|噢|ok|okay|收到|明白了|知道了|了解)+(啦|了|哈|呀|啊)*$/, reply: '好的～还有别的问题随时问我。' },
  { re: /^(请问|问一下|问下|想问一下|想问下|我想问一下|我想问下|咨询一下|咨询下|打扰了|打扰一下|我有个问题|有个问题|问个事|问个问题)+$/, reply: '您请说，我在听～' },
  {
    re: /^(你好|您好|你们好|hi|hello|哈喽|嗨|在吗|在不在|在么|在嘛|在|亲|老板好|早|早上好|中午好|下午好|晚上好)+(啊|呀|哈)*$/,
    reply: '您好，我在的～有什么可以帮您？',
  },
];

/** The friendly reply to a message that is only a greeting, thanks, "ok" or goodbye; else null. */
export function chitchatReply(text: string): string | null {
  const t = normalize(text).replace(/[\s\p{P}\p{S}]+/gu, '');
  if (!t) return null;
  for (const c of CHAT) if (c.re.test(t)) return c.reply;
  return null;
}

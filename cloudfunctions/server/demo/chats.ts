import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { Day } from '@xiaoer/shared/domain/ids';
import { DEMO_KF_ACCOUNT, DEMO_MERCHANT_ID, HANDOFF_REPLIES, type HandoffScenario } from './catalog';
import type { CounterLog } from './counters';
import type { Person } from './customers';
import { conversationId, messageId } from './ids';
import { THANKS, THANKS_REPLIES } from './people';
import type { Rng } from './prng';
import { HOUR, MIN, type DemoCalendar } from './time';
import { askFor, replyFor } from './topics';

/** ensureLocalMember's owner: staff replies in the demo are signed by this member. */
const OWNER_MEMBER_ID = 'local-owner';

const round2 = (x: number) => Math.round(x * 100) / 100;
const preview = (text: string) => Array.from(text).slice(0, 60).join('');

export interface SessionPlan {
  topics: string[];
  /** Replaces the first topic's generated question. */
  firstText?: string;
  handoff?: HandoffScenario;
  /** The handoff stays open: nobody has picked it up yet. */
  waiting?: boolean;
  thanks?: boolean;
}

type Say = (sender: 'customer' | 'ai' | 'staff', at: number, text: string, answer?: Message['answer']) => void;

/**
 * The chats: one thread per customer, at most one session per customer per day, each message
 * counted (messages, consultations, first response, AI answered / handed off) as it is written.
 */
export class ChatLog {
  readonly threads = new Map<string, Message[]>();
  private readonly sessionStarts = new Map<string, number[]>();
  private readonly chatted = new Set<string>();
  /** The one conversation still waiting for a person. */
  private waiting: { ext: string; since: number } | null = null;

  constructor(
    private readonly rng: Rng,
    private readonly cal: DemoCalendar,
    private readonly counters: CounterLog,
  ) {}

  chattedOn(ext: string, day: Day): boolean {
    return this.chatted.has(`${ext}|${day}`);
  }

  /** Writes one chat session (customer questions, AI answers, maybe a handoff). */
  session(p: Person, start: number, plan: SessionPlan): { end: number; staffAt?: number } {
    const { rng } = this;
    const say = this.openSession(p, start);
    let t = start;
    plan.topics.forEach((topic, i) => {
      if (i > 0) t += rng.int(15, 90) * 1000;
      say('customer', t, i === 0 && plan.firstText ? plan.firstText : askFor(rng, topic));
      t += rng.int(1500, 5500);
      say('ai', t, replyFor(rng, topic), { knowledgeIds: [topic], confidence: round2(0.78 + rng.float() * 0.2), handoff: false });
    });
    let staffAt: number | undefined;
    const h = plan.handoff;
    if (h) {
      if (plan.topics.length) t += rng.int(20, 120) * 1000;
      say('customer', t, h.ask);
      t += rng.int(1500, 4000);
      say('ai', t, rng.pick(HANDOFF_REPLIES), { knowledgeIds: [], confidence: round2(0.15 + rng.float() * 0.3), handoff: true });
      if (plan.waiting) {
        this.waiting = { ext: p.ext, since: t };
        t += rng.int(40, 120) * 1000;
        say('customer', t, h.after);
      } else {
        t += rng.int(3, 18) * MIN;
        staffAt = t;
        say('staff', t, h.staff);
        if (rng.chance(0.7)) {
          t += rng.int(1, 4) * MIN;
          say('customer', t, h.after);
        }
      }
    } else if (plan.thanks) {
      t += rng.int(20, 90) * 1000;
      say('customer', t, rng.pick(THANKS));
      t += rng.int(1500, 4000);
      say('ai', t, rng.pick(THANKS_REPLIES), { knowledgeIds: [], confidence: 0.95, handoff: false });
    }
    return { end: t, staffAt };
  }

  /** Starts a session and returns what writes its messages and counts them. */
  private openSession(p: Person, start: number): Say {
    const { counters } = this;
    const day = this.cal.dayOf(start);
    this.chatted.add(`${p.ext}|${day}`);
    const starts = this.sessionStarts.get(p.ext) ?? [];
    starts.push(start);
    this.sessionStarts.set(p.ext, starts);
    const thread = this.threads.get(p.ext) ?? [];
    this.threads.set(p.ext, thread);
    let k = 0;
    let firstMsg: { id: string; at: number } | null = null;
    let responded = false;
    let question: { id: string; at: number } | null = null;
    return (sender, at, text, answer) => {
      const id = messageId(p.ext, day, k++);
      thread.push({
        id,
        merchantId: DEMO_MERCHANT_ID,
        conversationId: conversationId(p.ext),
        sender,
        at,
        type: 'text',
        text,
        ...(sender === 'staff' ? { senderId: OWNER_MEMBER_ID } : {}),
        ...(sender === 'customer' ? {} : { delivery: 'sent' as const }),
        ...(answer ? { answer } : {}),
      });
      if (sender === 'customer') {
        firstMsg ??= { id, at };
        question = { id, at };
        counters.inc('customerMessages', at, `demo:msg:${id}`);
        counters.inc('consultations', at, `demo:consult:${this.cal.dayOf(at)}:${p.ext}`);
        return;
      }
      if (!responded && firstMsg) {
        responded = true;
        counters.inc('firstResponseMsSum', firstMsg.at, `demo:frt:${firstMsg.id}`, at - firstMsg.at);
        counters.inc('firstResponseCount', firstMsg.at, `demo:frt:${firstMsg.id}`);
      }
      if (answer && question) {
        // as the live reply counts: answered only with knowledge behind it (a "不客气" is no answer)
        if (answer.handoff) counters.inc('aiHandoffs', question.at, `demo:ai:${question.id}`);
        else if (answer.knowledgeIds.length) counters.inc('aiAnswered', question.at, `demo:ai:${question.id}`);
        question = null;
      }
    };
  }

  /**
   * The conversation and message rows, one conversation per customer who chatted (all through
   * the demo kf account); closed once quiet for 48 h. Also when each customer last wrote.
   */
  rows(people: Person[], anchor: number): { conversations: Conversation[]; messages: Message[]; lastCustomerMsg: Map<string, number> } {
    const messages: Message[] = [];
    const conversations: Conversation[] = [];
    const lastCustomerMsg = new Map<string, number>();
    for (const p of people) {
      const thread = this.threads.get(p.ext);
      if (!thread?.length) continue;
      thread.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
      messages.push(...thread);
      const first = thread[0];
      const last = thread[thread.length - 1];
      const lastCustomer = [...thread].reverse().find((m) => m.sender === 'customer');
      if (lastCustomer) lastCustomerMsg.set(p.ext, lastCustomer.at);
      const starts = this.sessionStarts
        .get(p.ext)!
        .slice()
        .sort((a, b) => a - b);
      const isWaiting = this.waiting?.ext === p.ext;
      const state: Conversation['state'] = isWaiting ? 'waiting_human' : anchor - last.at > 48 * HOUR ? 'closed' : 'ai';
      conversations.push({
        id: conversationId(p.ext),
        merchantId: DEMO_MERCHANT_ID,
        externalUserId: p.ext,
        channel: 'kf',
        kfAccountId: DEMO_KF_ACCOUNT,
        state,
        wecomState: state === 'closed' ? 4 : 1,
        sessionStartedAt: starts[starts.length - 1],
        lastCustomerMessageAt: lastCustomer?.at,
        ...(isWaiting ? { waitingSince: this.waiting!.since } : {}),
        missed: false,
        lastMessagePreview: last.type === 'text' ? preview(last.text) : '',
        updatedAt: last.at,
        createdAt: first.at,
      });
    }
    return { conversations, messages, lastCustomerMsg };
  }
}

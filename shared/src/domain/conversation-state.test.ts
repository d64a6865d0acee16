import type { Conversation, ConversationState } from './conversation';
import {
  SESSION_MS,
  accept,
  assignServicer,
  closeMissed,
  endSession,
  handBack,
  handOff,
  initialState,
  maySend,
  openSession,
  resumeAiAfterSilence,
  sendRefusal,
  servicerReplied,
  takeOver,
  transferToWecom,
  type Step,
} from './conversation-state';
import { AppError } from './errors';

const T0 = Date.UTC(2026, 10, 22, 2);
const HOUR = 3600_000;
const STATES: ConversationState[] = ['ai', 'waiting_human', 'human_in_wecom', 'closed'];
const WECOM: Record<ConversationState, number> = { ai: 1, waiting_human: 1, human_in_wecom: 3, closed: 4 };

/** A conversation as the product leaves it in each state: the customer last wrote at T0. */
function inState(state: ConversationState, extra: Partial<Conversation> = {}): Conversation {
  return {
    id: 'kf_wm1',
    merchantId: 'shop-a',
    externalUserId: 'wm1',
    channel: 'kf',
    kfAccountId: 'wk1',
    state,
    wecomState: WECOM[state],
    sessionStartedAt: T0,
    lastCustomerMessageAt: T0,
    ...(state === 'waiting_human' ? { waitingSince: T0 } : {}),
    missed: false,
    lastMessagePreview: '在吗',
    updatedAt: T0,
    createdAt: T0 - HOUR,
    ...extra,
  };
}

/** Per starting state: the state it moves to, `same` (allowed, nothing changes) or the refusal code. */
type Outcome = ConversationState | 'same' | 'CONFLICT.STATE' | 'CONFLICT.SESSION_CLOSED' | 'CONFLICT.HUMAN_IN_WECOM';

const SOON = T0 + HOUR;
const LATE = T0 + SESSION_MS;

const TABLE: { name: string; step: (c: Conversation) => Step; from: Record<ConversationState, Outcome> }[] = [
  { name: 'takeOver', step: (c) => takeOver(c, SOON), from: { ai: 'waiting_human', waiting_human: 'same', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' } },
  { name: 'handBack', step: (c) => handBack(c, SOON), from: { ai: 'same', waiting_human: 'ai', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' } },
  {
    name: 'handOff',
    step: (c) => handOff(c, SOON),
    from: { ai: 'waiting_human', waiting_human: 'same', human_in_wecom: 'CONFLICT.HUMAN_IN_WECOM', closed: 'CONFLICT.SESSION_CLOSED' },
  },
  {
    name: 'transferToWecom',
    step: (c) => transferToWecom(c, SOON),
    from: { ai: 'human_in_wecom', waiting_human: 'human_in_wecom', human_in_wecom: 'same', closed: 'CONFLICT.SESSION_CLOSED' },
  },
  {
    name: 'resumeAiAfterSilence after the quiet minutes',
    step: (c) => resumeAiAfterSilence(c, T0 + 10 * 60_000, { minutes: 10 }),
    from: { ai: 'CONFLICT.STATE', waiting_human: 'ai', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' },
  },
  {
    name: 'resumeAiAfterSilence too soon',
    step: (c) => resumeAiAfterSilence(c, T0 + 10 * 60_000 - 1, { minutes: 10 }),
    from: { ai: 'CONFLICT.STATE', waiting_human: 'CONFLICT.STATE', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' },
  },
  { name: 'openSession within 48 h', step: (c) => openSession(c, SOON, SOON), from: { ai: 'same', waiting_human: 'same', human_in_wecom: 'same', closed: 'ai' } },
  { name: 'openSession after 48 h', step: (c) => openSession(c, LATE + 1, LATE + 1), from: { ai: 'ai', waiting_human: 'ai', human_in_wecom: 'ai', closed: 'ai' } },
  {
    name: 'closeMissed within 48 h',
    step: (c) => closeMissed(c, LATE - 1),
    from: { ai: 'CONFLICT.STATE', waiting_human: 'CONFLICT.STATE', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' },
  },
  {
    name: 'closeMissed at 48 h',
    step: (c) => closeMissed(c, LATE),
    from: { ai: 'CONFLICT.STATE', waiting_human: 'closed', human_in_wecom: 'CONFLICT.STATE', closed: 'CONFLICT.STATE' },
  },
  { name: 'endSession', step: (c) => endSession(c, SOON), from: { ai: 'closed', waiting_human: 'closed', human_in_wecom: 'closed', closed: 'same' } },
  {
    name: 'assignServicer',
    step: (c) => assignServicer(c, SOON),
    from: { ai: 'human_in_wecom', waiting_human: 'human_in_wecom', human_in_wecom: 'same', closed: 'human_in_wecom' },
  },
  { name: 'servicerReplied', step: (c) => servicerReplied(c, SOON), from: { ai: 'human_in_wecom', waiting_human: 'human_in_wecom', human_in_wecom: 'same', closed: 'same' } },
];

const outcomeOf = (s: Step): Outcome => (!s.ok ? s.refusal.code : s.changed ? s.conversation.state : 'same');

describe('conversation state machine', () => {
  describe.each(TABLE)('$name', ({ step, from }) => {
    it.each(STATES)('from %s', (state) => {
      const before = inState(state);
      const s = step(before);
      expect(outcomeOf(s)).toBe(from[state]);
      // nothing is ever changed in place, and a refusal or `same` hands back the very conversation
      expect(before).toEqual(inState(state));
      if (!s.ok || !s.changed) return expect(s.conversation).toBe(before);
      const next = s.conversation;
      // invariants every transition keeps
      expect(next.waitingSince !== undefined).toBe(next.state === 'waiting_human');
      if (next.state === 'human_in_wecom') expect(next.wecomState).toBe(3);
      expect(next.updatedAt).toBeGreaterThan(T0);
    });
  });

  it('stamps the wait on a take-over or handoff, and clears it on the way out', () => {
    expect(accept(takeOver(inState('ai'), SOON))).toMatchObject({ state: 'waiting_human', waitingSince: SOON, wecomState: 1, updatedAt: SOON });
    expect(accept(handOff(inState('ai'), SOON))).toMatchObject({ state: 'waiting_human', waitingSince: SOON, wecomState: 1 });
    expect(accept(handBack(inState('waiting_human'), SOON))).toMatchObject({ state: 'ai', waitingSince: undefined, wecomState: 1 });
    expect(accept(transferToWecom(inState('waiting_human'), SOON))).toMatchObject({ state: 'human_in_wecom', wecomState: 3, waitingSince: undefined });
  });

  it('marks a waiting conversation missed when its 48 h session runs out, counting from the last customer message', () => {
    expect(accept(closeMissed(inState('waiting_human'), LATE))).toMatchObject({ state: 'closed', missed: true, waitingSince: undefined });
    // no customer message on record: the wait itself started the clock
    const noMessage = inState('waiting_human', { lastCustomerMessageAt: undefined, waitingSince: T0 + HOUR });
    expect(closeMissed(noMessage, LATE).ok).toBe(false);
    expect(closeMissed(noMessage, LATE + HOUR).ok).toBe(true);
  });

  it('opens a new session in ai after the end, forgetting the old wait and miss', () => {
    const missed = inState('closed', { missed: true });
    expect(accept(openSession(missed, SOON, SOON + 5))).toMatchObject({
      state: 'ai',
      wecomState: 1,
      sessionStartedAt: SOON,
      missed: false,
      waitingSince: undefined,
      updatedAt: SOON + 5,
    });
    // a late copy of a message older than the last one opens nothing
    expect(openSession(inState('closed'), T0 - 1, SOON)).toMatchObject({ ok: true, changed: false });
    // a conversation that never had a session (made by an event) gets its start, state untouched
    const eventMade = inState('human_in_wecom', { sessionStartedAt: undefined, lastCustomerMessageAt: undefined });
    expect(accept(openSession(eventMade, SOON, SOON))).toMatchObject({ state: 'human_in_wecom', sessionStartedAt: SOON });
  });

  it('follows WeCom: the end is state 4, a servicer is state 3, a servicer writing after the end leaves it ended', () => {
    expect(accept(endSession(inState('waiting_human'), SOON))).toMatchObject({ state: 'closed', wecomState: 4, waitingSince: undefined });
    expect(accept(assignServicer(inState('closed'), SOON))).toMatchObject({ state: 'human_in_wecom', wecomState: 3 });
    expect(accept(servicerReplied(inState('closed'), SOON))).toMatchObject({ state: 'closed', wecomState: 4 });
  });

  it('throws a refusal as a 409 with its stable code', () => {
    const err = (() => {
      try {
        accept(takeOver(inState('human_in_wecom'), SOON));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'CONFLICT.STATE', status: 409, message: '这个会话已转到企业微信人工接待' });
    expect(() => accept(transferToWecom(inState('closed'), SOON))).toThrow('会话已结束，不能再转人工');
  });

  it.each([
    // state, the bot may send, a person may send, what a person is told
    ['ai', true, true, null],
    ['waiting_human', false, true, null],
    ['human_in_wecom', false, false, 'CONFLICT.HUMAN_IN_WECOM'],
    ['closed', false, false, 'CONFLICT.SESSION_CLOSED'],
  ] as const)('in %s the bot may send: %s, a person: %s', (state, bot, person, refusal) => {
    expect(maySend(state, 'ai')).toBe(bot);
    expect(maySend(state, 'staff')).toBe(person);
    expect(sendRefusal(state, 'staff')?.code ?? null).toBe(refusal);
  });

  it('lets the AI answer again only after the shop stayed quiet for the minutes since its last reply', () => {
    const held = inState('waiting_human', { waitingSince: T0 });
    const replied = T0 + 30 * 60_000;
    // the shop replied at T0+30min: 10 quiet minutes count from then, not from the takeover
    expect(resumeAiAfterSilence(held, replied + 9 * 60_000, { minutes: 10, lastShopReplyAt: replied }).ok).toBe(false);
    const step = resumeAiAfterSilence(held, replied + 10 * 60_000, { minutes: 10, lastShopReplyAt: replied });
    expect(step).toMatchObject({ ok: true, changed: true, conversation: { state: 'ai', wecomState: 1 } });
    expect(accept(step).waitingSince).toBeUndefined();
  });

  it('starts new conversations with the bot (WeCom 1) or with a servicer (WeCom 3)', () => {
    expect(initialState('ai', T0)).toEqual({ state: 'ai', wecomState: 1, sessionStartedAt: T0 });
    expect(initialState('human_in_wecom')).toEqual({ state: 'human_in_wecom', wecomState: 3 });
  });
});

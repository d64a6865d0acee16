import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { aiAnswerRate } from '../../domain/counters';
import { handoffReasonOf } from '../../domain/handoff-reason';
import { testDeps } from '../../../../test/helpers/deps';
import { createEngineAnswerer } from '../answer/answerer';
import { processInboxEntry } from '../channel-wecom/inbox';
import { ensureLocalMember } from '../shop/members';
import { SHOP, setupHarness, type Harness } from '../../testing/wecom-harness';
import { conversationView, namedView } from '../../api/views';
import { getThread, listConversations } from './queries';
import { handBack, takeOver } from './take-over';
import { handoffReasonFor } from './handoff-reason';

let deps: Deps & { clock: ManualClock };
let h: Harness;

beforeEach(async () => {
  deps = testDeps(Date.parse('2026-11-23T15:00:00+08:00'));
  h = await setupHarness(deps, { fragmentWindowMs: 0 });
  h.ctx.answerer = createEngineAnswerer(deps.storage.knowledge);
});
afterEach(() => deps.storage.close());

const conv = async (ext: string) => (await deps.storage.conversations.findByCustomer(SHOP, ext, 'kf'))!;
async function say(ext: string, text: string) {
  h.fake.push(h.text(ext, text));
  await processInboxEntry(h.ctx, await h.kfCallback());
  deps.clock.advance(60_000);
}

describe('handoff reasons', () => {
  it('each handoff stores its reason on the notice and the conversation; the views carry it in plain Chinese', async () => {
    await say('u1', '我要投诉，你们服务太差了');
    await say('u2', '能让你们老板接个电话吗');
    const c1 = await conv('u1');
    expect(c1).toMatchObject({ state: 'waiting_human', handoffReason: 'complaint' });
    const t1 = await getThread(deps, SHOP, c1.id);
    const notice = t1.messages.find((m) => m.sender === 'ai')!;
    expect(notice.answer).toMatchObject({ handoff: true, reason: 'complaint' });
    expect(namedView(t1)).toMatchObject({ handoffReason: 'complaint', handoffReasonText: '投诉' });

    const waiting = await listConversations(deps, SHOP, { filter: 'waiting', limit: 10 });
    expect(Object.fromEntries(waiting.items.map((n) => [n.conversation.externalUserId, namedView(n).handoffReasonText]))).toEqual({ u1: '投诉', u2: '找人' });
  });

  it('a conversation a person took over by hand, and one handed off before reasons existed, show no reason', async () => {
    await say('u1', '我要投诉');
    const member = await ensureLocalMember(deps, SHOP, 'owner');
    const by = { merchantId: SHOP, conversationId: (await conv('u1')).id, actorId: member.id };
    await handBack(deps, by);
    deps.clock.advance(60_000);
    await takeOver(deps, by);
    expect(conversationView(await conv('u1'), '')).toMatchObject({ state: 'waiting_human', handoffReason: null, handoffReasonText: null });

    const old = await conv('u1');
    const { handoffReason: _r, handoffAt: _a, ...before } = old;
    expect(conversationView({ ...before, state: 'waiting_human', waitingSince: 1 }, '')).toMatchObject({ handoffReason: null, handoffReasonText: null });
  });

  it('maps every engine and channel reason onto a code; the learned signal alone is named by the message’s signals', () => {
    expect(
      ['handoff:person', 'handoff:merchant_word', 'asked_for_person', 'model:complaint', 'handoff:commit', 'unanswered_twice', 'no_match', 'non_text', 'order_issue'].map(
        handoffReasonOf,
      ),
    ).toEqual(['person', 'person', 'person', 'complaint', 'commit', 'repeated_miss', 'unsure', 'unsure', 'order']);
    expect(handoffReasonFor('handoff:model', '孩子喝了以后一直哭，肚子疼')).toBe('harm');
    expect(handoffReasonFor('handoff:model', '你们这服务也太敷衍了吧')).toBe('complaint');
    expect(handoffReasonFor('handoff:model', '嗯')).toBe('unsure');
    expect(handoffReasonFor('handoff:complaint', '嗯')).toBe('complaint');
  });
});

describe('a rejected answer', () => {
  const today = '2026-11-23';
  const day = async () => (await deps.storage.counters.days(SHOP, today, today))[today]!;
  const hours = async () => (await deps.storage.counters.hours(SHOP, today, today))[today]!;

  it('moves from answered to rejected at the rejection’s hour, once; the answer rate follows', async () => {
    await say('u1', '你们几点开门');
    await say('u2', '附近好停车吗');
    expect(await day()).toMatchObject({ aiAnswered: 2, aiRejected: 0 });
    deps.clock.advance(3600_000); // the rejection comes in the next hour
    await say('u1', '不是，我是问你们招不招人');
    expect(await day()).toMatchObject({ aiAnswered: 1, aiRejected: 1 });
    const hs = await hours();
    expect([hs[15]!.aiAnswered, hs[15]!.aiRejected, hs[16]!.aiAnswered, hs[16]!.aiRejected]).toEqual([2, 0, -1, 1]);
    expect(aiAnswerRate(await day())).toBeCloseTo(1 / (1 + (await day()).aiHandoffs + 1), 6);
    // the same rejection delivered again by WeCom, and a second "不对" (no longer right after an answer), count nothing more
    await say('u1', '不对');
    expect(await day()).toMatchObject({ aiAnswered: 1, aiRejected: 1 });
  });

  it('a "不是…" after a clarifying question or to a person is not a rejection of an answer', async () => {
    await say('u3', '你们家猫叫什么名字');
    await say('u3', '不是');
    expect(await day()).toMatchObject({ aiAnswered: 0, aiRejected: 0 });
  });
});

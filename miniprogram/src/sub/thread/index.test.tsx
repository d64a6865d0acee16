import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { Current } from '@tarojs/runtime';
import type { ApiResult, ConversationView, TeachItemView } from '@xiaoer/shared/contracts/api';
import type { Message } from '@xiaoer/shared/domain/conversation';
import ThreadPage from './index';
import { onShopSwitch, resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
// the live-update poll (inbox.changes) runs beside every thread; the tests that care look at it themselves
const allBodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const bodies = (fetch: jest.Mock) => allBodies(fetch).filter((b) => b.action !== 'inbox.changes');
const actions = (fetch: jest.Mock) => bodies(fetch).map((b) => b.action);

const MIN = 60_000;
const T = Date.now() - 30 * MIN;
const base = { merchantId: 'demo-bakery', conversationId: 'conv-1' };

const conversation = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'conv-1',
  externalUserId: 'wm-alice',
  customerName: '王小姐',
  state: 'waiting_human',
  waitingSince: Date.now() - 7 * MIN - 1_000,
  lastMessagePreview: '能开发票吗？',
  updatedAt: T,
  ...over,
});

const messages: Message[] = [
  { ...base, id: 'm1', sender: 'customer', at: T, type: 'text', text: '几点关门？' },
  {
    ...base,
    id: 'm2',
    sender: 'ai',
    at: T + 1_000,
    type: 'text',
    text: '我们晚上 9 点关门。',
    delivery: 'sent',
    answer: { knowledgeIds: ['faq-hours'], confidence: 0.87, handoff: false },
  },
  { ...base, id: 'm3', sender: 'customer', at: T + 2_000, type: 'image', mediaRef: 'https://cdn.example.com/cake.jpg' },
  { ...base, id: 'm4', sender: 'customer', at: T + 3_000, type: 'image', mediaRef: 'wecom-media-123' },
  { ...base, id: 'm5', sender: 'customer', at: T + 4_000, type: 'voice', mediaRef: 'wecom-media-456' },
  { ...base, id: 'm6', sender: 'staff', at: T + 5_000, type: 'text', text: '好的，马上给你开。', delivery: 'failed' },
  { ...base, id: 'm7', sender: 'servicer', at: T + 6_000, type: 'text', text: '我是小张。' },
  { ...base, id: 'm8', sender: 'system', at: T + 7_000, type: 'event', event: 'enter_session', detail: {} },
];

const teachItem = (over: Partial<TeachItemView> = {}): TeachItemView => ({
  id: 'teach-1',
  conversationId: 'conv-1',
  externalUserId: 'wm-alice',
  customerName: '王小姐',
  question: '能开发票吗？',
  earlier: [],
  reason: 'no_match',
  reasonText: 'AI 不知道',
  askedAt: T,
  staffReply: null,
  ...over,
});

const thread = (over: Partial<ApiResult<'conversations.get'>> = {}): ApiResult<'conversations.get'> => ({
  conversation: conversation(),
  messages,
  knowledge: { 'faq-hours': '几点关门' },
  teach: null,
  olderCursor: null,
  silence: null,
  ...over,
});

const changes = () => ({ changedAt: 1, waiting: 0, conversationIds: [] as string[], full: false });

/** me.get plus `api`; conversations.get answers with `get()` each time (so a reload sees changes). */
function backend(get: () => ApiResult<'conversations.get'>, api: Handler = () => fail(500, 'TEST.UNEXPECTED', '没想到的调用')) {
  return mockFetch((body) => {
    if (body.action === 'me.get') return ok(me);
    if (body.action === 'conversations.get') return ok(get());
    if (body.action === 'inbox.changes') return ok(changes());
    return api(body);
  });
}

/** Types like Taro's H5 inputs report it, once the web component has drawn its inner field. */
async function typeInto(el: Element, value: string) {
  await waitFor(() => expect(el.querySelector('textarea, input')).not.toBeNull());
  await act(async () => {
    fireEvent(el, new CustomEvent('input', { detail: { value } }));
  });
}

/** Waits for an element to appear. */
async function find(root: ParentNode, selector: string): Promise<Element> {
  return waitFor(() => {
    const el = root.querySelector(selector);
    if (!el) throw new Error(`${selector} not shown`);
    return el;
  });
}

async function tap(el: Element | null) {
  expect(el).not.toBeNull();
  await act(async () => {
    fireEvent.click(el!);
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  Current.router = { params: { id: 'conv-1' }, path: '/sub/thread/index' } as unknown as typeof Current.router;
});

afterEach(() => jest.restoreAllMocks());

describe('会话详情 page', () => {
  it('shows the messages oldest first with who said what, media and the AI’s knowledge', async () => {
    const fetch = backend(() => thread());
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(8));

    expect(bodies(fetch)).toEqual([{ action: 'me.get' }, { action: 'conversations.get', merchantId: 'demo-bakery', conversationId: 'conv-1' }]);
    expect(text(container, '.thread-name')).toBe('王小姐');
    expect(text(container, '.thread-waited')).toBe('等了 7 分钟');

    const rows = Array.from(container.querySelectorAll('.msg'));
    expect(rows.map((r) => text(r, '.msg-who'))).toEqual(['客户', 'AI', '客户', '客户', '客户', '店员', '企业微信客服', '系统']);
    expect(rows[0]!.classList.contains('msg-customer')).toBe(true);
    expect(rows[1]!.classList.contains('msg-ai')).toBe(true);
    expect(rows[6]!.classList.contains('msg-servicer')).toBe(true);
    expect(text(rows[0]!, '.msg-text')).toBe('几点关门？');
    expect(text(rows[0]!, '.msg-time')).toMatch(/\d\d:\d\d/);

    expect(text(rows[1]!, '.msg-meta')).toBe('用到的知识：几点关门 · 很有把握');
    expect(rows[2]!.querySelector('.msg-image')?.getAttribute('src')).toBe('https://cdn.example.com/cake.jpg');
    expect(text(rows[3]!, '.msg-text')).toBe('[图片]');
    expect(text(rows[4]!, '.msg-text')).toBe('[语音]');
    expect(text(rows[5]!, '.msg-failed')).toBe('没发出去');
    expect(text(rows[7]!, '.msg-text')).toBe('客户进入了会话');
    expect(container.querySelector('.teach-card')).toBeNull();
  });

  it('counts the wait from the customer’s oldest unanswered message', async () => {
    backend(() => thread({ conversation: conversation({ waitingSince: Date.now() - 30 * MIN, waitFrom: Date.now() - 3 * MIN - 1_000, replied: false }) }));
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.thread-waited')).toBe('等了 3 分钟'));
    expect(container.querySelector('.thread-replied')).toBeNull();
  });

  it('stops the wait and shows 已回复 once the shop replied', async () => {
    backend(() => thread({ conversation: conversation({ waitingSince: Date.now() - 30 * MIN, waitFrom: null, replied: true }) }));
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.thread-replied')).toBe('已回复'));
    expect(container.querySelector('.thread-waited')).toBeNull();
  });

  it('shows an image we kept from WeCom, fetched through media.get', async () => {
    const ref = `media:${'c'.repeat(64)}`;
    const fetch = backend(
      () => thread({ messages: [{ ...base, id: 'img', sender: 'customer', at: T, type: 'image', mediaRef: ref }] }),
      (body) => (body.action === 'media.get' ? ok({ contentType: 'image/png', fileName: null, size: 4, base64: 'iVBORw==' }) : fail(500, 'X', 'x')),
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.msg-image')?.getAttribute('src') ?? '').toBe('data:image/png;base64,iVBORw=='));
    expect(bodies(fetch)).toContainEqual({ action: 'media.get', merchantId: 'demo-bakery', ref });
  });

  it('sends one reply with the typed text, then clears the box and reloads', async () => {
    let sent = false;
    const fetch = backend(
      () => thread(sent ? { messages: [...messages, { ...base, id: 'm9', sender: 'staff', at: Date.now(), type: 'text', text: '可以开发票', delivery: 'sent' }] } : {}),
      (body) => {
        if (body.action !== 'conversations.reply') return fail(500, 'X', 'x');
        sent = true;
        return ok({ conversation: conversation(), sentParts: 1 });
      },
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.reply-input')).not.toBeNull());

    await typeInto(container.querySelector('.reply-input')!, '  可以开发票  ');
    const send = container.querySelector('.reply-send')!;
    await act(async () => {
      // a double tap
      fireEvent.click(send);
      fireEvent.click(send);
    });
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(9));

    const replies = bodies(fetch).filter((b) => b.action === 'conversations.reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ merchantId: 'demo-bakery', conversationId: 'conv-1', text: '可以开发票' });
    expect(replies[0].clientMsgId).toMatch(/^[0-9A-Za-z_-]{1,40}$/);
    expect(actions(fetch)).toEqual(['me.get', 'conversations.get', 'conversations.reply', 'conversations.get']);
    expect((container.querySelector('.reply-input') as unknown as { value: string }).value).toBe('');
  });

  it('retries a failed reply with the same clientMsgId, and a new draft gets a new one', async () => {
    let failNext = true;
    const fetch = backend(
      () => thread(),
      () => {
        if (failNext) {
          failNext = false;
          return fail(502, 'WECOM.SEND_FAILED', '企业微信没收到，请再试一次');
        }
        return ok({ conversation: conversation(), sentParts: 1 });
      },
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.reply-input')).not.toBeNull());

    await typeInto(container.querySelector('.reply-input')!, '明天上午到');
    await tap(container.querySelector('.reply-send'));
    await waitFor(() => expect(text(container, '.action-error')).toBe('企业微信没收到，请再试一次'));
    expect((container.querySelector('.reply-input') as unknown as { value: string }).value).toBe('明天上午到');

    await tap(container.querySelector('.reply-send'));
    await waitFor(() => expect(container.querySelector('.action-error')).toBeNull());
    await waitFor(() => expect(actions(fetch).filter((a) => a === 'conversations.get')).toHaveLength(2));

    await typeInto(container.querySelector('.reply-input')!, '还有别的吗？');
    await tap(container.querySelector('.reply-send'));
    await waitFor(() => expect(actions(fetch).filter((a) => a === 'conversations.get')).toHaveLength(3));

    const replies = bodies(fetch).filter((b) => b.action === 'conversations.reply');
    expect(replies.map((r) => r.text)).toEqual(['明天上午到', '明天上午到', '还有别的吗？']);
    expect(replies[1].clientMsgId).toBe(replies[0].clientMsgId);
    expect(replies[2].clientMsgId).not.toBe(replies[0].clientMsgId);
  });

  it('does not send an empty reply', async () => {
    const fetch = backend(() => thread());
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.reply-send')).not.toBeNull());
    await tap(container.querySelector('.reply-send'));
    expect(text(container, '.action-error')).toBe('先写好要回复的话');
    expect(actions(fetch)).toEqual(['me.get', 'conversations.get']);
  });

  it('hands the customer back to the AI', async () => {
    let state: ConversationView['state'] = 'waiting_human';
    const fetch = backend(
      () => thread({ conversation: conversation({ state, waitingSince: state === 'ai' ? null : Date.now() }) }),
      (body) => {
        expect(body).toEqual({ action: 'conversations.handBack', ...base });
        state = 'ai';
        return ok({ conversation: conversation({ state: 'ai', waitingSince: null }) });
      },
    );
    const { container } = render(<ThreadPage />);
    await tap(await find(container, '.hand-back'));
    await waitFor(() => expect(container.querySelector('.take-over')).not.toBeNull());
    expect(container.querySelector('.reply-input')).toBeNull();
    expect(actions(fetch)).toEqual(['me.get', 'conversations.get', 'conversations.handBack', 'conversations.get']);
  });

  it('lets the staff take over from the AI, then shows the reply box', async () => {
    let state: ConversationView['state'] = 'ai';
    const fetch = backend(
      () => thread({ conversation: conversation({ state, waitingSince: state === 'ai' ? null : Date.now() }) }),
      (body) => {
        expect(body).toEqual({ action: 'conversations.takeOver', ...base });
        state = 'waiting_human';
        return ok({ conversation: conversation() });
      },
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.take-over')).not.toBeNull());
    expect(container.querySelector('.reply-input')).toBeNull();
    await tap(container.querySelector('.take-over'));
    await waitFor(() => expect(container.querySelector('.reply-input')).not.toBeNull());
    expect(actions(fetch)).toEqual(['me.get', 'conversations.get', 'conversations.takeOver', 'conversations.get']);
  });

  it('shows why an action failed, in Chinese', async () => {
    backend(
      () => thread({ conversation: conversation({ state: 'ai', waitingSince: null }) }),
      () => fail(409, 'CONVERSATION.STATE', '这个客户已经有人在回复了'),
    );
    const { container } = render(<ThreadPage />);
    await tap(await find(container, '.take-over'));
    await waitFor(() => expect(text(container, '.action-error')).toBe('这个客户已经有人在回复了'));
  });

  it('transfers to a colleague picked from the shop’s members with WeCom, then is read-only', async () => {
    let state: ConversationView['state'] = 'waiting_human';
    const fetch = backend(
      () => thread({ conversation: conversation({ state, waitingSince: state === 'waiting_human' ? Date.now() : null }) }),
      (body) => {
        if (body.action === 'inbox.servicers')
          return ok({
            servicers: [
              { memberId: 'mb1', name: '小张', wecomUserId: 'zhangsan', onDuty: true },
              { memberId: 'mb2', name: '小李', wecomUserId: 'lisi', onDuty: false },
            ],
          });
        expect(body).toEqual({ action: 'conversations.transfer', ...base, servicerUserId: 'zhangsan' });
        state = 'human_in_wecom';
        return ok({ conversation: conversation({ state: 'human_in_wecom', waitingSince: null }) });
      },
    );
    const { container } = render(<ThreadPage />);
    await tap(await find(container, '.transfer-btn'));
    expect(container.textContent).toContain('这里只能看聊天记录');

    await waitFor(() => expect(container.querySelectorAll('.transfer-person')).toHaveLength(2));
    expect(Array.from(container.querySelectorAll('.transfer-person')).map((p) => p.textContent)).toEqual(['小张在班', '小李']);
    // no typed account ids anywhere: a person is picked by name
    expect(container.textContent).not.toContain('userid');
    await tap(container.querySelector('.transfer-confirm'));
    expect(text(container, '.action-error')).toBe('先选一位同事');
    expect(actions(fetch)).not.toContain('conversations.transfer');

    await tap(container.querySelector('.transfer-person'));
    await tap(container.querySelector('.transfer-confirm'));
    await waitFor(() => expect(container.textContent).toContain('这个客户在企业微信里由同事接待，这里只能看'));
    expect(container.querySelector('.reply-input')).toBeNull();
    expect(container.querySelector('.take-over')).toBeNull();
  });

  it('loads older history above with 更早的消息, says why the AI is quiet, and inserts a quick reply', async () => {
    const older: Message = { ...base, id: 'm0', sender: 'customer', at: T - 60_000, type: 'text', text: '昨天那单到了吗' };
    const fetch = backend(
      () => thread({ olderCursor: 'c-m1', silence: '店员接手了，AI 先不说话。客户再发消息会再提醒你们。' }),
      (body) => (body.action === 'quickReplies.list' ? ok({ items: ['您好，马上帮您看一下'] }) : fail(500, 'TEST.UNEXPECTED', '没想到的调用')),
    );
    const { container } = render(<ThreadPage />);
    const more = await find(container, '.msgs-older');
    expect(text(container, '.thread-silence')).toBe('店员接手了，AI 先不说话。客户再发消息会再提醒你们。');
    fetch.mockClear();
    backend(
      () => thread({ messages: [older], olderCursor: null }),
      (body) => (body.action === 'quickReplies.list' ? ok({ items: ['您好，马上帮您看一下'] }) : fail(500, 'TEST.UNEXPECTED', '没想到的调用')),
    );
    await tap(more);
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(9));
    expect(text(container.querySelector('.msg')!, '.msg-text')).toBe('昨天那单到了吗');
    expect(container.querySelector('.msgs-older')).toBeNull();

    await tap(container.querySelector('.quick-btn'));
    await tap(await find(container, '.quick-item'));
    expect((container.querySelector('.reply-input') as unknown as { value: string }).value).toBe('您好，马上帮您看一下');
  });

  it('says a closed conversation is over', async () => {
    backend(() => thread({ conversation: conversation({ state: 'closed', waitingSince: null }) }));
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.action-note')).toBe('会话已结束'));
    expect(container.querySelector('.reply-input')).toBeNull();
  });

  it('shows the 教给 AI button once a staff reply exists, and opens the teach page', async () => {
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    let sent = false;
    backend(
      () => thread({ teach: teachItem(sent ? { staffReply: { text: '可以开', at: Date.now(), by: 'staff' } } : {}) }),
      () => {
        sent = true;
        return ok({ conversation: conversation(), sentParts: 1 });
      },
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelector('.teach-card')).not.toBeNull());
    expect(text(container, '.teach-question')).toBe('客户问：能开发票吗？');
    expect(container.querySelector('.teach-btn')).toBeNull();

    await typeInto(container.querySelector('.reply-input')!, '可以开');
    await tap(container.querySelector('.reply-send'));
    await waitFor(() => expect(container.querySelector('.teach-btn')).not.toBeNull());

    await tap(container.querySelector('.teach-btn'));
    expect(nav).toHaveBeenCalledWith({ url: '/sub/teach/index?item=teach-1' });
  });

  it('shows the error with 重试, which loads again', async () => {
    let broken = true;
    mockFetch(({ action }) => {
      if (action === 'me.get') return ok(me);
      return broken ? fail(404, 'CONVERSATION.NOT_FOUND', '找不到这个会话') : ok(thread());
    });
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('找不到这个会话'));
    broken = false;
    await tap(container.querySelector('.retry'));
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(8));
  });

  it('says when the thread has no messages yet, and when no id was given', async () => {
    backend(() => thread({ messages: [] }));
    const { container, unmount } = render(<ThreadPage />);
    await waitFor(() => expect(container.textContent).toContain('还没有聊天记录'));
    unmount();

    Current.router = { params: {}, path: '/sub/thread/index' } as unknown as typeof Current.router;
    const fetch = backend(() => thread());
    const other = render(<ThreadPage />);
    expect(other.container.textContent).toContain('找不到这个会话');
    expect(other.container.querySelector('.page-thread')).not.toBeNull();
    await act(async () => undefined);
    expect(actions(fetch)).not.toContain('conversations.get');
  });

  it('resends a reply that did not go out with 重发: one call however often it is tapped, then it shows as sent', async () => {
    let delivery: Message['delivery'] = 'failed';
    const fetch = backend(
      () => thread({ messages: messages.map((m) => (m.id === 'm6' ? { ...m, delivery } : m)) }),
      (body) => {
        expect(body).toEqual({ action: 'conversations.retrySend', ...base, messageId: 'm6' });
        delivery = 'sent';
        return ok({ messageId: 'm6', resent: true });
      },
    );
    const { container } = render(<ThreadPage />);
    const row = () => Array.from(container.querySelectorAll('.msg')).find((r) => text(r, '.msg-text') === '好的，马上给你开。')!;
    await waitFor(() => expect(row()).toBeDefined());
    // only under the message that did not go out
    expect(container.querySelectorAll('.msg-retry')).toHaveLength(1);
    const retry = row().querySelector('.msg-retry')!;
    await act(async () => {
      fireEvent.click(retry);
      fireEvent.click(retry);
    });
    await waitFor(() => expect(container.querySelector('.msg-failed')).toBeNull());
    expect(container.querySelector('.msg-retry')).toBeNull();
    expect(actions(fetch).filter((a) => a === 'conversations.retrySend')).toHaveLength(1);
    expect(actions(fetch)).toEqual(['me.get', 'conversations.get', 'conversations.retrySend', 'conversations.get']);
  });

  it('asks before resending a reply that may have reached the customer', async () => {
    const unknown: Message = { ...base, id: 'm9', sender: 'ai', at: T + 8_000, type: 'text', text: '我们 9 点关门。', delivery: 'unknown' };
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const fetch = backend(
      () => thread({ messages: [unknown] }),
      () => ok({ messageId: 'm9', resent: true }),
    );
    const { container } = render(<ThreadPage />);
    await find(container, '.msg-unknown');
    expect(text(container, '.msg-unknown')).toBe('发送时系统中断，不确定客户收到没有');
    await tap(container.querySelector('.msg-retry'));
    expect(modal).toHaveBeenCalledTimes(1);
    expect(actions(fetch)).not.toContain('conversations.retrySend');

    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    await tap(container.querySelector('.msg-retry'));
    await waitFor(() => expect(actions(fetch)).toContain('conversations.retrySend'));
    expect(bodies(fetch).find((b) => b.action === 'conversations.retrySend')).toEqual({ action: 'conversations.retrySend', ...base, messageId: 'm9' });
  });

  it('says why a resend was refused, under the message', async () => {
    backend(
      () => thread(),
      () => fail(409, 'CONFLICT.REPLY_WINDOW', '客户最后一条消息已超过 48 小时，微信客服不能再给他发消息了'),
    );
    const { container } = render(<ThreadPage />);
    await tap(await find(container, '.msg-retry'));
    await waitFor(() => expect(text(container, '.msg-retry-error')).toBe('客户最后一条消息已超过 48 小时，微信客服不能再给他发消息了'));
    expect(container.querySelector('.msg-failed')).not.toBeNull();
  });

  it('says why the AI handed over, beside each handoff and on the waiting conversation; an older handoff without a reason still shows', async () => {
    const handoffNotice = (id: string, at: number, reason?: 'complaint' | 'commit') =>
      ({
        ...base,
        id,
        sender: 'ai',
        at,
        type: 'text',
        text: '这个我帮您转给店里的同事处理',
        delivery: 'sent',
        answer: { knowledgeIds: [], confidence: 1, handoff: true, ...(reason ? { reason } : {}) },
      }) as Message;
    backend(() =>
      thread({
        conversation: conversation({ handoffReason: 'complaint', handoffReasonText: '投诉' }),
        messages: [
          { ...base, id: 'q1', sender: 'customer', at: T, type: 'text', text: '上周能给我留20个吗' },
          handoffNotice('h1', T + 1_000),
          { ...base, id: 'q2', sender: 'customer', at: T + 2_000, type: 'text', text: '奶茶里有头发' },
          handoffNotice('h2', T + 3_000, 'complaint'),
          { ...base, id: 'q3', sender: 'customer', at: T + 4_000, type: 'text', text: '明天下午3点能给我留40杯吗' },
          handoffNotice('h3', T + 5_000, 'commit'),
        ],
      }),
    );
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(6));
    expect(Array.from(container.querySelectorAll('.msg-handoff')).map((e) => e.textContent?.trim())).toEqual(['转人工', '转人工 · 投诉', '转人工 · 要店里答应的事']);
    expect(text(container, '.thread-reason')).toBe('投诉');
  });

  it('shows no reason on a conversation the AI did not hand over', async () => {
    backend(() => thread({ conversation: conversation({ state: 'ai', waitingSince: null }) }));
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(container.querySelectorAll('.msg')).toHaveLength(8));
    expect(container.querySelector('.thread-reason')).toBeNull();
    expect(container.querySelector('.msg-handoff')).toBeNull();
  });

  it('never offers 教给 AI for a question that needs handling, even after a staff reply', async () => {
    backend(() =>
      thread({
        teach: teachItem({
          reason: 'handoff:complaint',
          reasonText: '客户在投诉或不高兴',
          handoffReason: 'complaint',
          teachable: false,
          staffReply: { text: '这单给您退款', at: T, by: 'staff' },
        }),
      }),
    );
    const { container } = render(<ThreadPage />);
    await find(container, '.teach-card');
    expect(text(container, '.teach-title')).toBe('要店里处理（投诉）');
    expect(container.querySelector('.teach-btn')).toBeNull();
  });
});

describe('会话详情 opened from a handoff notice (?id=&merchant=)', () => {
  /** Each shop answers for its own conversation only, as the server does (another shop's id is a 404). */
  const perShop = (): Handler => (b) => {
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'inbox.changes') return ok(changes());
    if (b.action === 'conversations.get')
      return b.merchantId === 'shop-b' ? ok(thread({ conversation: conversation({ customerName: '花店的李先生' }) })) : fail(404, 'NOT_FOUND.CONVERSATION', '没找到这条记录');
    return fail(500, 'TEST.UNEXPECTED', '没想到的调用');
  };
  const gets = (fetch: jest.Mock) =>
    bodies(fetch)
      .filter((b) => b.action === 'conversations.get')
      .map((b) => b.merchantId as string);

  it('switches the whole app to the shop the notice is about, then opens the thread there', async () => {
    // the owner last worked on their first shop; the customer wrote to the second
    Taro.setStorageSync('xiaoer.merchantId', 'demo-bakery');
    Current.router = { params: { id: 'conv-1', merchant: 'shop-b' }, path: '/sub/thread/index' } as unknown as typeof Current.router;
    const fetch = mockFetch(perShop());
    const switched = jest.fn();
    const off = onShopSwitch(switched); // an open tab (会话) hears of it too
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.thread-name')).toBe('花店的李先生'));
    off();
    expect(gets(fetch)).toEqual(['shop-b']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
    expect(switched).toHaveBeenCalledTimes(1);
  });

  it('stays on the current shop when the notice names one the person is not in', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    Current.router = { params: { id: 'conv-1', merchant: 'someone-elses-shop' }, path: '/sub/thread/index' } as unknown as typeof Current.router;
    const fetch = mockFetch(perShop());
    const switched = jest.fn();
    const off = onShopSwitch(switched);
    const { container } = render(<ThreadPage />);
    await waitFor(() => expect(text(container, '.thread-name')).toBe('花店的李先生'));
    off();
    expect(gets(fetch)).toEqual(['shop-b']);
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('shop-b');
    expect(switched).not.toHaveBeenCalled();
  });
});

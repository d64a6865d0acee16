import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { Current } from '@tarojs/runtime';
import type { ApiResult, ConversationView, TeachItemView } from '@xiaoer/shared/contracts/api';
import type { Message } from '@xiaoer/shared/domain/conversation';
import ThreadPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
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
  ...over,
});

/** me.get plus `api`; conversations.get answers with `get()` each time (so a reload sees changes). */
function backend(get: () => ApiResult<'conversations.get'>, api: Handler = () => fail(500, 'TEST.UNEXPECTED', '没想到的调用')) {
  return mockFetch((body) => {
    if (body.action === 'me.get') return ok(me);
    if (body.action === 'conversations.get') return ok(get());
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

    expect(text(rows[1]!, '.msg-meta')).toBe('用到的知识：几点关门 · 把握 87%');
    expect(rows[2]!.querySelector('.msg-image')?.getAttribute('src')).toBe('https://cdn.example.com/cake.jpg');
    expect(text(rows[3]!, '.msg-text')).toBe('[图片]');
    expect(text(rows[4]!, '.msg-text')).toBe('[语音]');
    expect(text(rows[5]!, '.msg-failed')).toBe('没发出去');
    expect(text(rows[7]!, '.msg-text')).toBe('客户进入了会话');
    expect(container.querySelector('.teach-card')).toBeNull();
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

  it('transfers to a WeCom colleague after asking for their userid, then is read-only', async () => {
    let state: ConversationView['state'] = 'waiting_human';
    const fetch = backend(
      () => thread({ conversation: conversation({ state, waitingSince: state === 'waiting_human' ? Date.now() : null }) }),
      (body) => {
        expect(body).toEqual({ action: 'conversations.transfer', ...base, servicerUserId: 'zhangsan' });
        state = 'human_in_wecom';
        return ok({ conversation: conversation({ state: 'human_in_wecom', waitingSince: null }) });
      },
    );
    const { container } = render(<ThreadPage />);
    await tap(await find(container, '.transfer-btn'));
    expect(container.textContent).toContain('这里只能看聊天记录');

    await tap(container.querySelector('.transfer-confirm'));
    expect(text(container, '.action-error')).toBe('请填同事的企业微信账号');
    expect(actions(fetch)).not.toContain('conversations.transfer');

    await typeInto(container.querySelector('.transfer-input')!, ' zhangsan ');
    await tap(container.querySelector('.transfer-confirm'));
    await waitFor(() => expect(container.textContent).toContain('这个客户在企业微信里由同事接待，这里只能看'));
    expect(container.querySelector('.reply-input')).toBeNull();
    expect(container.querySelector('.take-over')).toBeNull();
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
});

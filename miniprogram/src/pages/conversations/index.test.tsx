import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ConversationView } from '@xiaoer/shared/contracts/api';
import ConversationsPage from './index';
import { describeMessage, formatFen, formatTime, shortTime, waitedText } from './format';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
// the live-update poll (inbox.changes) runs beside every page load; the tests below that care check it themselves
const allBodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const bodies = (fetch: jest.Mock) => allBodies(fetch).filter((b) => b.action !== 'inbox.changes');
const firstRow = (root: ParentNode) =>
  waitFor(() => {
    const el = root.querySelector('.conv-item');
    if (!el) throw new Error('no row yet');
    return el;
  });

const MIN = 60_000;

const conv = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'conv-1',
  externalUserId: 'wm-alice',
  customerName: '王小姐',
  state: 'waiting_human',
  waitingSince: Date.now() - 12 * MIN - 5_000,
  lastMessagePreview: '蛋糕可以送到小区门口吗？',
  updatedAt: Date.now() - 12 * MIN,
  ...over,
});

const aiConv = conv({ id: 'conv-2', customerName: '李先生', state: 'ai', waitingSince: null, lastMessagePreview: '几点关门？' });

/** me.get, then conversations.list answered by `list`. */
function backend(list: Handler) {
  return mockFetch((body) => (body.action === 'me.get' ? ok(me) : list(body)));
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
});

afterEach(() => jest.restoreAllMocks());

describe('会话 page', () => {
  it('starts on 待人工 and shows each waiting customer with how long they have waited', async () => {
    const fetch = backend(() => ok({ items: [conv()], nextCursor: null }));
    const { container } = render(<ConversationsPage />);

    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));
    const item = container.querySelector('.conv-item')!;
    expect(item.classList.contains('conv-state-waiting_human')).toBe(true);
    expect(text(item, '.conv-name')).toBe('王小姐');
    expect(text(item, '.conv-preview')).toBe('蛋糕可以送到小区门口吗？');
    expect(text(item, '.conv-badge')).toBe('待人工');
    expect(text(item, '.conv-waited')).toBe('等了 12 分钟');
    expect(container.querySelector('.filter-waiting')!.classList.contains('filter-on')).toBe(true);

    expect(bodies(fetch)).toEqual([{ action: 'me.get' }, { action: 'conversations.list', merchantId: 'demo-bakery', filter: 'waiting', limit: 20 }]);
  });

  it('shows why each customer waits, their own question and the wait from their oldest unanswered message', async () => {
    backend(() =>
      ok({
        items: [conv({ handoffReasonText: '投诉', lastQuestion: '订的蛋糕坏了怎么办', waitFrom: Date.now() - 25 * MIN - 5_000, replied: false })],
        nextCursor: null,
      }),
    );
    const { container } = render(<ConversationsPage />);
    const item = await firstRow(container);
    expect(text(item, '.conv-reason')).toBe('投诉');
    expect(text(item, '.conv-question')).toBe('客户问：订的蛋糕坏了怎么办');
    // from the customer's message, not from when the row went to 待人工
    expect(text(item, '.conv-waited')).toBe('等了 25 分钟');
    expect(item.querySelector('.conv-hand-back')).toBeNull();
  });

  it('stops the wait once the shop replied: 已回复, and 交还给 AI in one tap', async () => {
    let replied = true;
    const fetch = backend((body) => {
      if (body.action === 'conversations.handBack') {
        replied = false;
        return ok({ conversation: conv({ state: 'ai', waitingSince: null }) });
      }
      if (body.action === 'conversations.list') return ok({ items: replied ? [conv({ waitFrom: null, replied: true, lastQuestion: '能开发票吗' })] : [], nextCursor: null });
      return ok({ changedAt: 1, waiting: 1, conversationIds: [], full: false });
    });
    const { container } = render(<ConversationsPage />);
    const item = await firstRow(container);
    expect(text(item, '.conv-replied')).toBe('已回复');
    expect(item.querySelector('.conv-waited')).toBeNull();
    const navigate = jest.spyOn(Taro, 'navigateTo');
    await act(async () => {
      fireEvent.click(item.querySelector('.conv-hand-back')!);
    });
    await waitFor(() => expect(container.textContent).toContain('现在没有要你回复的客户'));
    expect(bodies(fetch).filter((b) => b.action === 'conversations.handBack')).toEqual([{ action: 'conversations.handBack', merchantId: 'demo-bakery', conversationId: 'conv-1' }]);
    // the tap on the button is not a tap on the row
    expect(navigate).not.toHaveBeenCalled();
  });

  it('shows a new waiting customer without a pull, and stops asking while the page is hidden', async () => {
    jest.useFakeTimers();
    try {
      let items = [conv()];
      let changedAt = 100;
      const fetch = backend((body) => {
        if (body.action === 'inbox.changes') return ok({ changedAt, waiting: items.length, conversationIds: (body.since as number) < changedAt ? ['conv-9'] : [], full: false });
        return ok({ items, nextCursor: null });
      });
      const badge = jest.spyOn(Taro, 'setTabBarBadge').mockResolvedValue({ errMsg: 'ok' } as never);
      const { container } = render(<ConversationsPage />);
      await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));
      await act(async () => {
        await jest.advanceTimersByTimeAsync(100);
      });
      items = [conv(), conv({ id: 'conv-9', customerName: '新客人' })];
      changedAt = 200;
      await act(async () => {
        await jest.advanceTimersByTimeAsync(5_000);
      });
      await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(2));
      expect(badge).toHaveBeenLastCalledWith({ index: 1, text: '2' });
      // the browser tab hidden: no more polls
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      const before = allBodies(fetch).length;
      await act(async () => {
        await jest.advanceTimersByTimeAsync(20_000);
      });
      expect(allBodies(fetch).length).toBe(before);
    } finally {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      jest.useRealTimers();
    }
  });

  it('says so kindly when nobody waits, and offers to show every conversation', async () => {
    const fetch = backend(({ filter }) => ok({ items: filter === 'all' ? [aiConv] : [], nextCursor: null }));
    const { container } = render(<ConversationsPage />);

    await waitFor(() => expect(container.textContent).toContain('现在没有要你回复的客户'));
    fireEvent.click(container.querySelector('.show-all')!);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));
    expect(text(container, '.conv-item .conv-badge')).toBe('AI 在回复');
    expect(container.querySelector('.conv-waited')).toBeNull();
    expect(container.querySelector('.filter-all')!.classList.contains('filter-on')).toBe(true);
    expect(
      bodies(fetch)
        .filter((b) => b.action === 'conversations.list')
        .map((b) => b.filter),
    ).toEqual(['waiting', 'all']);
  });

  it('switches filters with the tabs, one request per tap', async () => {
    const fetch = backend(({ filter }) =>
      ok({
        items:
          filter === 'ai' ? [aiConv] : [conv(), aiConv, conv({ id: 'c3', state: 'human_in_wecom', waitingSince: null }), conv({ id: 'c4', state: 'closed', waitingSince: null })],
        nextCursor: null,
      }),
    );
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(4));

    fireEvent.click(container.querySelector('.filter-ai')!);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));

    fireEvent.click(container.querySelector('.filter-all')!);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(4));
    const badges = Array.from(container.querySelectorAll('.conv-badge')).map((b) => b.textContent);
    expect(badges).toEqual(['待人工', 'AI 在回复', '企业微信人工', '已结束']);
    expect(container.querySelector('.conv-state-human_in_wecom')).not.toBeNull();

    // tapping the tab already shown does not load again
    fireEvent.click(container.querySelector('.filter-all')!);
    expect(
      bodies(fetch)
        .filter((b) => b.action === 'conversations.list')
        .map((b) => b.filter),
    ).toEqual(['waiting', 'ai', 'all']);
  });

  it('finds the conversations with a reply that did not go out under 没发出去, each saying how many', async () => {
    const fetch = backend(({ filter }) =>
      ok({
        items: filter === 'undelivered' ? [aiConv, conv({ id: 'conv-3', undelivered: 2 })].map((c) => ({ ...c, undelivered: c.undelivered ?? 1 })) : [conv({ undelivered: 0 })],
        nextCursor: null,
      }),
    );
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));
    // nothing stuck in this one: no mark
    expect(container.querySelector('.conv-undelivered')).toBeNull();

    fireEvent.click(container.querySelector('.filter-undelivered')!);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(2));
    expect(Array.from(container.querySelectorAll('.conv-undelivered')).map((e) => e.textContent?.trim())).toEqual(['1 条没发出去', '2 条没发出去']);
    expect(container.querySelector('.filter-undelivered')!.classList.contains('filter-on')).toBe(true);
    expect(bodies(fetch).at(-1)).toEqual({ action: 'conversations.list', merchantId: 'demo-bakery', filter: 'undelivered', limit: 20 });
  });

  it('says so when every reply went out', async () => {
    backend(() => ok({ items: [], nextCursor: null }));
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(container.querySelector('.filter-undelivered')).not.toBeNull());
    fireEvent.click(container.querySelector('.filter-undelivered')!);
    await waitFor(() => expect(container.textContent).toContain('消息都发出去了'));
  });

  it('opens the thread when a conversation is tapped', async () => {
    backend(() => ok({ items: [conv({ id: 'conv-9' })], nextCursor: null }));
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(container.querySelector('.conv-item')).not.toBeNull());
    fireEvent.click(container.querySelector('.conv-item')!);
    expect(nav).toHaveBeenCalledWith({ url: '/sub/thread/index?id=conv-9' });
  });

  it('loads more with the cursor and appends', async () => {
    const fetch = backend(({ cursor }) =>
      cursor === 'p2' ? ok({ items: [conv({ id: 'conv-b', customerName: '赵阿姨' })], nextCursor: null }) : ok({ items: [conv({ id: 'conv-a' })], nextCursor: 'p2' }),
    );
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(container.querySelector('.load-more')).not.toBeNull());

    // act: the append lands after the request resolves, not during the click
    await act(async () => {
      fireEvent.click(container.querySelector('.load-more')!);
    });
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(2));
    expect(text(container, '.conv-item:last-of-type .conv-name')).toBe('赵阿姨');
    expect(container.querySelector('.load-more')).toBeNull();
    expect(container.textContent).toContain('没有更多了');
    expect(bodies(fetch).at(-1)).toMatchObject({ action: 'conversations.list', filter: 'waiting', cursor: 'p2' });
  });

  it('shows the error with 重试, which loads again', async () => {
    let broken = true;
    backend(() => (broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok({ items: [conv()], nextCursor: null })));
    const { container } = render(<ConversationsPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(container.querySelectorAll('.conv-item')).toHaveLength(1));
  });

  it('keeps counting the wait while the page stays open', async () => {
    jest.useFakeTimers({ now: new Date(2026, 10, 22, 10, 0) });
    try {
      backend(() => ok({ items: [conv({ waitingSince: Date.now() - 3 * MIN })], nextCursor: null }));
      const { container } = render(<ConversationsPage />);
      await waitFor(() => expect(text(container, '.conv-waited')).toBe('等了 3 分钟'));
      act(() => {
        jest.advanceTimersByTime(2 * MIN);
      });
      expect(text(container, '.conv-waited')).toBe('等了 5 分钟');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('format helpers', () => {
  const now = new Date(2026, 10, 22, 15, 30).getTime();

  it('says how long someone has waited', () => {
    expect(waitedText(now - 20_000, now)).toBe('刚刚开始等');
    expect(waitedText(now - 12 * MIN, now)).toBe('等了 12 分钟');
    expect(waitedText(now - 60 * MIN, now)).toBe('等了 1 小时');
    expect(waitedText(now - 85 * MIN, now)).toBe('等了 1 小时 25 分钟');
    expect(waitedText(now - 50 * 60 * MIN, now)).toBe('等了 2 天');
    expect(waitedText(now + MIN, now)).toBe('刚刚开始等');
  });

  it('writes times the way people read them', () => {
    expect(formatTime(new Date(2026, 10, 22, 9, 5).getTime(), now)).toBe('09:05');
    expect(formatTime(new Date(2026, 10, 21, 23, 59).getTime(), now)).toBe('昨天 23:59');
    expect(formatTime(new Date(2026, 10, 2, 8, 0).getTime(), now)).toBe('11月2日 08:00');
    expect(formatTime(new Date(2025, 0, 3, 8, 0).getTime(), now)).toBe('2025年1月3日 08:00');
    expect(shortTime(new Date(2026, 10, 21, 8, 0).getTime(), now)).toBe('昨天');
    expect(shortTime(new Date(2025, 0, 3, 8, 0).getTime(), now)).toBe('2025/1/3');
  });

  it('describes money and non-text messages', () => {
    expect(formatFen(123450)).toBe('¥1,234.50');
    const base = { id: 'm', merchantId: 'demo-bakery', conversationId: 'c', sender: 'customer' as const, at: now };
    expect(describeMessage({ ...base, type: 'voice' })).toBe('[语音]');
    expect(describeMessage({ ...base, type: 'file', fileName: '菜单.pdf' })).toBe('[文件] 菜单.pdf');
    expect(describeMessage({ ...base, type: 'location', latitude: 1, longitude: 2, name: '面包坊', address: '人民路 1 号' })).toBe('[位置] 面包坊 人民路 1 号');
    expect(describeMessage({ ...base, type: 'event', event: 'transfer_to_wecom', detail: { servicerUserId: 'zhangsan', servicerName: '小张' } })).toBe('已转给企业微信同事 小张');
    // an older transfer without a name never shows the account id
    expect(describeMessage({ ...base, type: 'event', event: 'transfer_to_wecom', detail: { servicerUserId: 'zhangsan' } })).toBe('已转给企业微信同事');
  });
});

import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import TeachPage, { formatAskedAt } from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { faq, me, teachItem } from '../../../test/fixtures';

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const items = [teachItem(), teachItem({ id: 'teach-2', customerName: '小李', question: '可以刷卡吗', earlier: [], staffReply: null, reasonText: 'AI 不确定' })];
const faqs = [faq(), faq({ id: 'faq-2', question: '怎么付款？', answer: '微信、支付宝都行', alternatives: [] })];

const backend =
  (over: Record<string, Handler> = {}): Handler =>
  (b) => {
    if (over[b.action]) return over[b.action]!(b);
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'teach.list') return ok({ items });
    if (b.action === 'kb.list') return ok({ faqs });
    if (b.action === 'teach.save') return ok({ faq: faq({ id: (b.faqId as string) ?? 'faq-new' }), created: !b.faqId });
    if (b.action === 'teach.dismiss') return ok({ itemId: b.itemId });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };

const inner = <T extends Element>(root: ParentNode, sel: string) =>
  waitFor(() => {
    const el = root.querySelector(sel) as T | null;
    expect(el).not.toBeNull();
    return el!;
  });

async function typeInto(root: ParentNode, sel: string, value: string) {
  const el = await inner<HTMLInputElement>(root, sel);
  el.value = value;
  fireEvent.input(el, { target: { value } });
}

const itemEl = (root: ParentNode, id: string) => root.querySelector(`.teach-item[data-id="${id}"]`);

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: {} } } as never);
});

describe('AI 没答上来 page', () => {
  it('lists each question with the customer, earlier questions, the reason and the staff reply', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    expect(container.querySelector('.page-teach')).not.toBeNull();
    const first = itemEl(container, 'teach-1')!;
    expect(text(first, '.teach-customer')).toBe('王阿姨');
    expect(text(first, '.teach-asked')).toBe('生日蛋糕能送到小区吗？');
    expect(text(first, '.teach-earlier')).toContain('你们有生日蛋糕吗');
    expect(text(first, '.teach-reason')).toBe('没答上的原因：知识库里没有');
    expect(text(first, '.teach-staff-reply')).toBe('店里回复了：3 公里内免费送。');
    expect(text(first, '.teach-time')).toMatch(/\d{2}:\d{2}$/);
    expect(itemEl(container, 'teach-2')!.querySelector('.teach-staff-reply')).toBeNull();
    expect(container.querySelector('.teach-form')).toBeNull();
    expect(actions(fetch)).toEqual([{ action: 'me.get' }, { action: 'teach.list', merchantId: 'demo-bakery' }]);
  });

  it('saves a new FAQ from the staff reply, says 学会了 and drops the item', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    fireEvent.click(itemEl(container, 'teach-1')!.querySelector('.teach-summary')!);

    const q = await inner<HTMLInputElement>(container, '.teach-question input');
    expect(q.value).toBe('生日蛋糕能送到小区吗？');
    const a = await inner<HTMLTextAreaElement>(container, '.teach-answer textarea');
    expect(a.value).toBe('3 公里内免费送。');
    await typeInto(container, '.teach-answer textarea', '3 公里内免费送，要提前一天订。');
    fireEvent.click(container.querySelector('.teach-save')!);

    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(1));
    expect(itemEl(container, 'teach-1')).toBeNull();
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '学会了', icon: 'success' });
    expect(actions(fetch).at(-1)).toEqual({
      action: 'teach.save',
      merchantId: 'demo-bakery',
      itemId: 'teach-1',
      question: '生日蛋糕能送到小区吗？',
      answer: '3 公里内免费送，要提前一天订。',
    });
  });

  it('opened from a thread (?item=), scrolls its form into view once', async () => {
    jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: { item: 'teach-2' } } } as never);
    const scroll = jest.spyOn(Taro, 'pageScrollTo').mockResolvedValue({ errMsg: 'ok' } as never);
    mockFetch(backend());
    const { container } = render(<TeachPage />);
    await inner(container, '.teach-item[data-id="teach-2"] .teach-form');
    await waitFor(() => expect(scroll).toHaveBeenCalledWith({ selector: '#teach-open', duration: 300 }));
    // the selector names the open item, the one the link asked for
    expect(container.querySelector('#teach-open')?.getAttribute('data-id')).toBe('teach-2');
    // opening another one by hand does not scroll the page away
    fireEvent.click(itemEl(container, 'teach-1')!.querySelector('.teach-summary')!);
    await inner(container, '.teach-item[data-id="teach-1"] .teach-form');
    expect(scroll).toHaveBeenCalledTimes(1);
  });

  it('opened without ?item=, does not scroll', async () => {
    const scroll = jest.spyOn(Taro, 'pageScrollTo').mockResolvedValue({ errMsg: 'ok' } as never);
    mockFetch(backend());
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    expect(scroll).not.toHaveBeenCalled();
  });

  it('opens ?item= directly and adds the question as another phrasing of a searched FAQ', async () => {
    jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: { item: 'teach-2' } } } as never);
    const fetch = mockFetch(backend());
    const { container } = render(<TeachPage />);
    await inner(container, '.teach-item[data-id="teach-2"] .teach-form');
    expect(itemEl(container, 'teach-1')!.querySelector('.teach-form')).toBeNull();

    fireEvent.click(container.querySelector('.teach-mode-alt')!);
    await waitFor(() => expect(container.querySelectorAll('.teach-faq-option').length).toBe(2));
    await typeInto(container, '.teach-faq-search input', '支付宝');
    await waitFor(() => expect(container.querySelectorAll('.teach-faq-option').length).toBe(1));
    fireEvent.click(container.querySelector('.teach-faq-option')!);
    await waitFor(() => expect(container.querySelector('.teach-faq-selected')).not.toBeNull());
    fireEvent.click(container.querySelector('.teach-save')!);

    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(1));
    expect(actions(fetch).slice(2)).toEqual([
      { action: 'kb.list', merchantId: 'demo-bakery', limit: 200 },
      { action: 'teach.save', merchantId: 'demo-bakery', itemId: 'teach-2', question: '可以刷卡吗', faqId: 'faq-2' },
    ]);
  });

  it('asks to pick a FAQ, or write an answer, before sending', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    fireEvent.click(itemEl(container, 'teach-2')!.querySelector('.teach-summary')!);
    fireEvent.click(await inner(container, '.teach-save'));
    await waitFor(() => expect(text(container, '.teach-error')).toBe('回答要填，AI 以后就这样回客户'));
    fireEvent.click(container.querySelector('.teach-mode-alt')!);
    fireEvent.click(container.querySelector('.teach-save')!);
    await waitFor(() => expect(text(container, '.teach-error')).toBe('选一条已有的问答'));
    expect(actions(fetch).some((a) => a.action === 'teach.save')).toBe(false);
  });

  it('不用教 dismisses the item', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    fireEvent.click(itemEl(container, 'teach-1')!.querySelector('.teach-summary')!);
    fireEvent.click(await inner(container, '.teach-dismiss'));
    // a boolean: a failing toBeNull would pretty-print the element's whole React fiber on every retry
    await waitFor(() => expect(itemEl(container, 'teach-1') === null).toBe(true));
    expect(actions(fetch).at(-1)).toEqual({ action: 'teach.dismiss', merchantId: 'demo-bakery', itemId: 'teach-1' });
  });

  it('keeps the item and shows why when saving fails', async () => {
    mockFetch(backend({ 'teach.save': () => fail(409, 'TEACH.GONE', '这个问题已经有人教过了') }));
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    fireEvent.click(itemEl(container, 'teach-1')!.querySelector('.teach-summary')!);
    fireEvent.click(await inner(container, '.teach-save'));
    await waitFor(() => expect(text(container, '.teach-error')).toBe('这个问题已经有人教过了'));
    expect(container.querySelectorAll('.teach-item').length).toBe(2);
  });

  it('separates what can be taught from what needs handling; a complaint or an order is never offered as 教 AI', async () => {
    const complaint = teachItem({
      id: 'h-1',
      conversationId: 'conv-9',
      question: '奶茶里有头发',
      reason: 'handoff:complaint',
      reasonText: '客户在投诉或不高兴',
      handoffReason: 'complaint',
      teachable: false,
      staffReply: { text: '这单给您全额退款', at: 1, by: 'staff' },
    });
    const order = teachItem({
      id: 'h-2',
      question: '我昨天订的两杯还没送来',
      reason: 'handoff:order',
      reasonText: '要人看一下客户的订单或预约',
      handoffReason: 'order',
      teachable: false,
      staffReply: null,
    });
    const gap = teachItem({ id: 't-1', question: '能带狗进店吗', reason: 'clarify', handoffReason: 'unsure', teachable: true });
    const navigate = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    const fetch = mockFetch(backend({ 'teach.list': () => ok({ items: [complaint, gap, order] }) }));
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(3));
    const handle = container.querySelector('.teach-group-handle')!;
    const teach = container.querySelector('.teach-group-teach')!;
    expect(text(handle, '.teach-group-title')).toBe('要店里处理的（2）');
    expect(Array.from(handle.querySelectorAll('.teach-item')).map((e) => e.getAttribute('data-id'))).toEqual(['h-1', 'h-2']);
    expect(Array.from(handle.querySelectorAll('.teach-tag')).map((e) => e.textContent)).toEqual(['投诉', '订单']);
    expect(text(teach, '.teach-group-title')).toBe('可以教给 AI 的（1）');
    expect(Array.from(teach.querySelectorAll('.teach-item')).map((e) => e.getAttribute('data-id'))).toEqual(['t-1']);
    // nothing in the handling group opens a teach form, even with a staff reply to copy
    expect(handle.querySelector('.teach-open, .teach-summary, .teach-save, .teach-form')).toBeNull();
    expect(teach.querySelector('.teach-open')).not.toBeNull();

    fireEvent.click(itemEl(container, 'h-1')!.querySelector('.teach-go')!);
    expect(navigate).toHaveBeenCalledWith({ url: '/sub/thread/index?id=conv-9' });
    fireEvent.click(itemEl(container, 'h-2')!.querySelector('.teach-handled')!);
    await waitFor(() => expect(itemEl(container, 'h-2') === null).toBe(true));
    expect(actions(fetch).at(-1)).toEqual({ action: 'teach.dismiss', merchantId: 'demo-bakery', itemId: 'h-2' });
  });

  it('shows the refusal of a refund promise and keeps the item', async () => {
    mockFetch(backend({ 'teach.save': () => fail(400, 'INPUT.REFUND_PROMISE', '这个回答答应了给这位客户退款或赔偿，不能存成 AI 的标准回答') }));
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
    fireEvent.click(itemEl(container, 'teach-1')!.querySelector('.teach-summary')!);
    fireEvent.click(await inner(container, '.teach-save'));
    await waitFor(() => expect(text(container, '.teach-error')).toBe('这个回答答应了给这位客户退款或赔偿，不能存成 AI 的标准回答'));
    expect(itemEl(container, 'teach-1')).not.toBeNull();
  });

  it('says the AI answered everything when the queue is empty', async () => {
    mockFetch(backend({ 'teach.list': () => ok({ items: [] }) }));
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(container.textContent).toContain('AI 都答上来了，没有要教的'));
  });

  it('shows load errors with 重试', async () => {
    let broken = true;
    const good = backend();
    mockFetch((b) => (broken && b.action === 'teach.list' ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : good(b)));
    const { container } = render(<TeachPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(container.querySelectorAll('.teach-item').length).toBe(2));
  });
});

describe('formatAskedAt()', () => {
  it('says 今天 for today and the date otherwise', () => {
    const now = new Date(2026, 10, 22, 15, 0).getTime();
    expect(formatAskedAt(new Date(2026, 10, 22, 9, 5).getTime(), now)).toBe('今天 09:05');
    expect(formatAskedAt(new Date(2026, 10, 20, 18, 30).getTime(), now)).toBe('11月20日 18:30');
  });
});

import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import KbEditPage, { validate } from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { faq, me } from '../../../test/fixtures';

const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const backend =
  (over: Record<string, Handler> = {}): Handler =>
  (b) => {
    if (over[b.action]) return over[b.action]!(b);
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'kb.list') return ok({ faqs: [faq()] });
    if (b.action === 'kb.save') return ok({ faq: faq({ id: (b.id as string) ?? 'faq-new', question: b.question as string, answer: b.answer as string }), created: !b.id });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };

const field = (root: ParentNode, sel: string) =>
  waitFor(() => {
    const el = root.querySelector(sel) as HTMLInputElement | HTMLTextAreaElement | null;
    expect(el).not.toBeNull();
    return el!;
  });

async function typeInto(root: ParentNode, sel: string, value: string) {
  const el = await field(root, sel);
  el.value = value;
  fireEvent.input(el, { target: { value } });
}

function withParams(params: Record<string, string>) {
  jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params } } as never);
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'setNavigationBarTitle').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('编辑问答 page', () => {
  it('adds a new FAQ without an id, alternatives one per line, then goes back', async () => {
    withParams({});
    const fetch = mockFetch(backend());
    const { container } = render(<KbEditPage />);
    expect(container.querySelector('.page-kb-edit')).not.toBeNull();
    await typeInto(container, '.faq-question input', '  能开发票吗？ ');
    await typeInto(container, '.faq-answer textarea', '可以开电子发票。');
    await typeInto(container, '.faq-alternatives textarea', '开票\n\n 要发票 \n开票');
    fireEvent.click(container.querySelector('.faq-save')!);

    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).at(-1)).toEqual({
      action: 'kb.save',
      merchantId: 'demo-bakery',
      question: '能开发票吗？',
      answer: '可以开电子发票。',
      alternatives: ['开票', '要发票'],
      enabled: true,
    });
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '加好了', icon: 'success' });
    expect(Taro.setNavigationBarTitle).toHaveBeenCalledWith({ title: '加一条问答' });
  });

  it('loads the FAQ named by ?id=, and saves it back with its id', async () => {
    withParams({ id: 'faq-1' });
    const fetch = mockFetch(backend());
    const { container } = render(<KbEditPage />);
    const answer = (await field(container, '.faq-answer textarea')) as HTMLTextAreaElement;
    await waitFor(() => expect(answer.value).toBe('每天早上 7 点开门，晚上 9 点关门。\n节假日照常营业。'));
    expect(((await field(container, '.faq-question input')) as HTMLInputElement).value).toBe('几点开门？');
    expect(((await field(container, '.faq-alternatives textarea')) as HTMLTextAreaElement).value).toBe('营业时间\n什么时候关门');

    fireEvent.click(await field(container, '.faq-enabled input'));
    await typeInto(container, '.faq-answer textarea', '早上 8 点开门。');
    fireEvent.click(container.querySelector('.faq-save')!);
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).at(-1)).toEqual({
      action: 'kb.save',
      merchantId: 'demo-bakery',
      id: 'faq-1',
      question: '几点开门？',
      answer: '早上 8 点开门。',
      alternatives: ['营业时间', '什么时候关门'],
      enabled: false,
    });
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '改好了', icon: 'success' });
  });

  it('says 问题和回答都要填 before sending anything', async () => {
    withParams({});
    const fetch = mockFetch(backend());
    const { container } = render(<KbEditPage />);
    await typeInto(container, '.faq-question input', '几点关门');
    fireEvent.click(await field(container, '.faq-save'));
    await waitFor(() => expect(container.querySelector('.form-error')?.textContent).toBe('问题和回答都要填'));
    expect(actions(fetch).some((a) => a.action === 'kb.save')).toBe(false);
  });

  it('keeps the form and shows the server’s words when saving fails', async () => {
    withParams({});
    mockFetch(backend({ 'kb.save': () => fail(500, 'SERVER.INTERNAL', '服务器开小差了') }));
    const { container } = render(<KbEditPage />);
    await typeInto(container, '.faq-question input', '几点关门');
    await typeInto(container, '.faq-answer textarea', '晚上 9 点');
    fireEvent.click(container.querySelector('.faq-save')!);
    await waitFor(() => expect(container.querySelector('.form-error')?.textContent).toBe('服务器开小差了'));
    expect(Taro.navigateBack).not.toHaveBeenCalled();
  });

  it('tells the owner when the FAQ is gone', async () => {
    withParams({ id: 'faq-gone' });
    mockFetch(backend());
    const { container } = render(<KbEditPage />);
    await waitFor(() => expect(container.querySelector('.error-message')?.textContent).toBe('这条问答已经不在了，可能被别人删了'));
  });
});

describe('validate()', () => {
  it('drops blank and repeated phrasings and the question itself', () => {
    expect(validate({ question: 'a', answer: 'b', alternatives: 'a\nc\n c\n', enabled: true })).toEqual({ ok: true, alternatives: ['c'] });
    expect(validate({ question: ' ', answer: 'b', alternatives: '', enabled: true })).toEqual({ ok: false, message: '问题和回答都要填' });
    expect(validate({ question: 'q', answer: 'x'.repeat(4001), alternatives: '', enabled: true })).toMatchObject({ ok: false });
  });
});

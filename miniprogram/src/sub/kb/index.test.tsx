import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import KbPage, { matches } from './index';
import { formatOf, pickFileWeapp, WEAPP_MAX_CHARS, readFileH5 } from './importFile';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { faq, me } from '../../../test/fixtures';

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const faqs = [
  faq(),
  faq({ id: 'faq-2', question: '能送货吗？', answer: '3 公里内免费送', alternatives: [], enabled: false }),
  faq({ id: 'faq-3', question: '有无糖面包吗？', answer: '有，全麦无糖吐司', alternatives: ['无糖'] }),
];

const backend =
  (over: Record<string, Handler> = {}): Handler =>
  (b) => {
    if (over[b.action]) return over[b.action]!(b);
    if (b.action === 'me.get') return ok(me);
    if (b.action === 'kb.list') return ok({ faqs });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };

/** The inner element of a Stencil host, once it has rendered. */
const inner = (root: ParentNode, sel: string) =>
  waitFor(() => {
    const el = root.querySelector(sel) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });

/** Types into a Taro <Input> (its inner <input> emits the `input` event the page listens to). */
async function typeInto(root: ParentNode, sel: string, value: string) {
  // Stencil renders the inner <input> a moment after React mounts the host
  const input = await waitFor(() => {
    const el = root.querySelector(`${sel} input`) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });
  input.value = value;
  fireEvent.input(input, { target: { value } });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('知识库 page', () => {
  it('lists FAQs with the first answer line, other phrasings and a 停用 badge', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    expect(container.querySelector('.page-kb')).not.toBeNull();
    const [first, second] = Array.from(container.querySelectorAll('.faq-item'));
    expect(text(first!, '.faq-question')).toBe('几点开门？');
    expect(text(first!, '.faq-answer-line')).toBe('每天早上 7 点开门，晚上 9 点关门。');
    expect(text(first!, '.faq-alts')).toBe('还有 2 种问法');
    expect(first!.querySelector('.faq-off')).toBeNull();
    expect(text(second!, '.faq-off')).toBe('停用');
    expect(second!.querySelector('.faq-alts')).toBeNull();
    expect(actions(fetch)).toEqual([{ action: 'me.get' }, { action: 'kb.list', merchantId: 'demo-bakery' }]);
  });

  it('filters by question, answer or other phrasing', async () => {
    mockFetch(backend());
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    await typeInto(container, '.kb-search', '营业');
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(1));
    expect(text(container, '.faq-question')).toBe('几点开门？');
    await typeInto(container, '.kb-search', '火锅');
    await waitFor(() => expect(container.textContent).toContain('没有找到「火锅」'));
    expect(matches(faqs[2]!, '全麦')).toBe(true);
    expect(matches(faqs[2]!, '  ')).toBe(true);
  });

  it('opens the editor to add one or to edit the tapped one', async () => {
    const nav = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    mockFetch(backend());
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    fireEvent.click(container.querySelector('.faq-add')!);
    expect(nav).toHaveBeenLastCalledWith({ url: '/sub/kb-edit/index' });
    fireEvent.click(container.querySelectorAll('.faq-main')[1]!);
    expect(nav).toHaveBeenLastCalledWith({ url: '/sub/kb-edit/index?id=faq-2' });
  });

  it('turns a FAQ off with kb.setEnabled and shows it as 停用', async () => {
    const fetch = mockFetch(backend({ 'kb.setEnabled': (b) => ok({ faq: { ...faqs[0]!, enabled: b.enabled } }) }));
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    const sw = await inner(container, '.faq-item .faq-enabled input');
    expect(sw.checked).toBe(true);
    fireEvent.click(sw);
    await waitFor(() => expect(text(container.querySelector('.faq-item')!, '.faq-off')).toBe('停用'));
    expect(actions(fetch).at(-1)).toEqual({ action: 'kb.setEnabled', merchantId: 'demo-bakery', id: 'faq-1', enabled: false });
  });

  it('puts the switch back when the server refuses', async () => {
    mockFetch(backend({ 'kb.setEnabled': () => fail(500, 'SERVER.INTERNAL', '没改成，请重试') }));
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    fireEvent.click(await inner(container, '.faq-item .faq-enabled input'));
    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '没改成，请重试', icon: 'none' }));
    // a boolean: a failing toBeNull would pretty-print the element's whole React fiber on every retry
    await waitFor(() => expect(container.querySelector('.faq-item')!.querySelector('.faq-off') === null).toBe(true));
    expect((container.querySelector('.faq-item .faq-enabled input') as HTMLInputElement).checked).toBe(true);
  });

  it('shows load errors with 重试', async () => {
    let broken = true;
    const ok2 = backend();
    mockFetch((b) => (broken && b.action === 'kb.list' ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok2(b)));
    const { container } = render(<KbPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
  });

  it('shows an empty knowledge base plainly', async () => {
    mockFetch(backend({ 'kb.list': () => ok({ faqs: [] }) }));
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.textContent).toContain('知识库还是空的'));
  });
});

describe('问问 AI', () => {
  it('shows the reply, how sure the AI is and which FAQs it used', async () => {
    const fetch = mockFetch(
      backend({
        'kb.ask': () =>
          ok({
            reply: '每天早上 7 点开门。',
            handoff: false,
            reason: 'faq',
            reasonText: '知识库',
            confidence: 0.834,
            knowledge: [{ id: 'faq-1', question: '几点开门？' }],
            engine: 'offline',
          }),
      }),
    );
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelector('.ask-input')).not.toBeNull());
    await typeInto(container, '.ask-input', '早上几点开');
    fireEvent.click(container.querySelector('.ask-submit')!);
    await waitFor(() => expect(text(container, '.ask-reply')).toBe('每天早上 7 点开门。'));
    expect(text(container, '.ask-confidence')).toBe('很有把握');
    expect(text(container, '.ask-knowledge')).toContain('几点开门？');
    expect(actions(fetch).at(-1)).toEqual({ action: 'kb.ask', merchantId: 'demo-bakery', text: '早上几点开' });
  });

  it('says the AI would hand over to a person, and that no knowledge was used', async () => {
    mockFetch(
      backend({
        'kb.ask': () => ok({ reply: null, handoff: true, reason: 'no_knowledge', reasonText: '知识库里没有', confidence: 0.1, knowledge: [], engine: 'offline' }),
      }),
    );
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelector('.ask-input')).not.toBeNull());
    await typeInto(container, '.ask-input', '能开发票吗');
    fireEvent.click(container.querySelector('.ask-submit')!);
    await waitFor(() => expect(text(container, '.ask-reply')).toBe('AI 会转给人工：知识库里没有'));
    expect(text(container, '.ask-confidence')).toBe('不太确定');
    expect(text(container, '.ask-knowledge')).toBe('没用到知识库');
  });

  it('asks for a question before sending an empty one', async () => {
    const fetch = mockFetch(backend());
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelector('.ask-submit')).not.toBeNull());
    fireEvent.click(container.querySelector('.ask-submit')!);
    await waitFor(() => expect(text(container, '.ask-error')).toBe('先写一个客户可能会问的问题'));
    expect(actions(fetch).some((a) => a.action === 'kb.ask')).toBe(false);
  });
});

describe('导入', () => {
  it('is for the owner only', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b'); // staff there
    mockFetch(backend());
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    expect(container.querySelector('.kb-import')).toBeNull();
  });

  it('reads the picked csv on H5, sends it, and reports added, updated and bad rows', async () => {
    const fetch = mockFetch(backend({ 'kb.import': () => ok({ added: 2, updated: 1, errors: [{ line: 4, message: '回答是空的' }] }) }));
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelector('.kb-import')).not.toBeNull());
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    const click = jest.spyOn(input, 'click').mockImplementation(() => undefined);
    fireEvent.click(container.querySelector('.kb-import')!);
    expect(click).toHaveBeenCalled();

    const file = new File(['问题,回答\n几点开门,7点\n'], 'faq.csv', { type: 'text/csv' });
    await act(async () => {
      fireEvent.change(input, { target: { files: [file] } });
    });
    await waitFor(() => expect(text(container, '.import-summary')).toBe('导入了 2 条，更新 1 条'));
    expect(text(container, '.import-error')).toBe('第 4 行：回答是空的');
    const sent = actions(fetch).find((a) => a.action === 'kb.import');
    expect(sent).toEqual({ action: 'kb.import', merchantId: 'demo-bakery', format: 'csv', content: '问题,回答\n几点开门,7点\n' });
    // the list is loaded again to show what came in
    await waitFor(() => expect(actions(fetch).filter((a) => a.action === 'kb.list')).toHaveLength(2));
  });
});

describe('import file reading', () => {
  it('knows the three formats by extension', () => {
    expect(['a.JSON', 'b.csv', 'c.xlsx', 'd.xls', 'e'].map(formatOf)).toEqual(['json', 'csv', 'xlsx', null, null]);
  });

  it('reads xlsx on H5 as base64 without the data: prefix', async () => {
    const file = new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04])], 'faq.xlsx');
    await expect(readFileH5(file)).resolves.toEqual({ name: 'faq.xlsx', format: 'xlsx', content: 'UEsDBA==' });
    await expect(readFileH5(new File(['x'], 'faq.doc'))).rejects.toThrow('不是 json、csv 或 xlsx 文件');
  });

  it('on weapp picks from a chat and reads xlsx as base64, csv as utf8', async () => {
    const readFile = jest.fn((o: { filePath: string; encoding: string; success: (r: { data: string }) => void }) => o.success({ data: `${o.encoding}:${o.filePath}` }));
    const choose = jest
      .spyOn(Taro, 'chooseMessageFile')
      .mockResolvedValueOnce({ tempFiles: [{ path: 'wxfile://1', name: '问答.xlsx', size: 1, type: 'file', time: 0 }] } as never)
      .mockResolvedValueOnce({ tempFiles: [{ path: 'wxfile://2', name: 'faq.csv', size: 1, type: 'file', time: 0 }] } as never)
      .mockRejectedValueOnce({ errMsg: 'chooseMessageFile:fail cancel' });
    jest.spyOn(Taro, 'getFileSystemManager').mockReturnValue({ readFile } as never);

    await expect(pickFileWeapp()).resolves.toEqual({ name: '问答.xlsx', format: 'xlsx', content: 'base64:wxfile://1' });
    expect(choose).toHaveBeenCalledWith({ count: 1, type: 'file', extension: ['json', 'csv', 'xlsx'] });
    await expect(pickFileWeapp()).resolves.toEqual({ name: 'faq.csv', format: 'csv', content: 'utf8:wxfile://2' });
    await expect(pickFileWeapp()).resolves.toBeNull();
  });

  it('on weapp refuses a file over what one CloudBase call carries, and says what to do', async () => {
    jest.spyOn(Taro, 'chooseMessageFile').mockResolvedValueOnce({ tempFiles: [{ path: 'wxfile://big', name: '大文件.csv', size: 200_000, type: 'file', time: 0 }] } as never);
    jest.spyOn(Taro, 'getFileSystemManager').mockReturnValue({
      readFile: (o: { success: (r: { data: string }) => void }) => o.success({ data: 'a'.repeat(WEAPP_MAX_CHARS + 1) }),
    } as never);
    await expect(pickFileWeapp()).rejects.toThrow('分成几个小文件');
  });
});

describe('知识库 page, paged', () => {
  it('loads the second page with 加载更多 and then says 没有更多了', async () => {
    const fetch = mockFetch(
      backend({
        'kb.list': (b) => (b.cursor === 'faq-2' ? ok({ faqs: [faqs[2]], nextCursor: null }) : ok({ faqs: faqs.slice(0, 2), nextCursor: 'faq-2' })),
      }),
    );
    const { container } = render(<KbPage />);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(2));
    expect(text(container, '.faq-count')).toBe('已加载 2 条');
    expect(container.querySelector('.list-end')).toBeNull();
    fireEvent.click(container.querySelector('.load-more')!);
    await waitFor(() => expect(container.querySelectorAll('.faq-item').length).toBe(3));
    expect(Array.from(container.querySelectorAll('.faq-item')).map((el) => el.getAttribute('data-id'))).toEqual(faqs.map((f) => f.id));
    expect(text(container, '.faq-count')).toBe('共 3 条');
    expect(text(container, '.list-end')).toBe('没有更多了');
    expect(actions(fetch).filter((a) => a.action === 'kb.list')).toEqual([
      { action: 'kb.list', merchantId: 'demo-bakery' },
      { action: 'kb.list', merchantId: 'demo-bakery', cursor: 'faq-2' },
    ]);
  });
});

import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import CampaignEditPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Forecast = ApiResult<'campaigns.forecast'>;
type View = ApiResult<'campaigns.get'>['campaign'];

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const byText = (root: ParentNode, sel: string, t: string) => Array.from(root.querySelectorAll(sel)).find((e) => e.textContent?.trim().startsWith(t));
// waits, not speed checks: the debounced forecast is slow to come back on a busy 2-core machine
const SLOW = { timeout: 10_000 };
// a test waits for one or two debounced forecasts: more than jest's 5 s default on a loaded machine
jest.setTimeout(30_000);

const TAGS = [
  { tag: '会员', count: 5, byRule: false },
  { tag: '常客', count: 8, byRule: true },
  { tag: '沉睡', count: 3, byRule: true },
];

/** The forecast a server would give: how many depends on the audience, so a stale answer shows. */
const forecastFor = (b: Record<string, unknown>): Forecast => {
  const n = JSON.stringify(b.audience).length;
  return {
    recipients: n,
    bySender: [
      { userid: 'XiaoLi', name: '小李', count: n - 2, chunks: 1 },
      { userid: 'LaoWang', name: '老王', count: 2, chunks: 1 },
    ],
    excluded: [
      { reason: 'lost', count: 2, text: '已经删了店员好友' },
      { reason: 'quota', count: 1, text: '这段时间能收的群发条数用完了' },
    ],
    sendAt: 1_900_000_000_000,
    askedAt: 1_900_000_000_000,
    quietNote: b.sendAt ? '21:00–09:00 不打扰客户，改到第二天 09:00发' : null,
  };
};

const view = (over: Partial<View> = {}): View => ({
  id: 'cmp-1',
  name: '周三会员日',
  status: 'draft',
  audience: '会员',
  audienceText: '有「会员」',
  excludeMessagedDays: null,
  texts: ['周三会员日第二杯半价'],
  attachments: [],
  sendAt: Date.now() - 60_000,
  recipients: 5,
  waitingMembers: [],
  createdAt: 1,
  updatedAt: 1,
  ...over,
});

const ZERO = { planned: 0, confirmed: 0, delivered: 0, failed: 0, waiting: 0, cancelled: 0, replied: 0, ordered: 0, revenueFen: 0 };
const STATS = { ...ZERO, arms: [ZERO], ab: null };

function backend(over: Record<string, Handler> = {}, who = me): Handler {
  return (b) => {
    if (over[b.action]) return over[b.action]!(b);
    switch (b.action) {
      case 'me.get':
        return ok(who);
      case 'tags.list':
        return ok({ tags: TAGS });
      case 'campaigns.forecast':
        return ok(forecastFor(b));
      case 'campaigns.save':
        return ok({ campaign: view({ id: (b.id as string) ?? 'cmp-new', audience: b.audience, texts: b.texts as string[] }), plan: forecastFor(b) });
      case 'campaigns.schedule':
        return ok({ campaign: view({ id: b.id as string, status: 'scheduled' }) });
      case 'campaigns.get':
        return ok({ campaign: view({ id: b.id as string }), plan: null, stats: STATS });
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
    }
  };
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

async function typeInto(root: ParentNode, sel: string, value: string) {
  const input = await waitFor(() => {
    const el = root.querySelector(sel) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });
  await act(async () => {
    input.value = value;
    fireEvent.input(input, { target: { value } });
  });
}

const forecasts = (fetch: jest.Mock) => actions(fetch).filter((b) => b.action === 'campaigns.forecast');
const include = (root: ParentNode, tag: string) => byText(root, '.ce-include .ce-tag', tag);
const exclude = (root: ParentNode, tag: string) => byText(root, '.ce-exclude .ce-tag', tag);

function open(params: Record<string, string> = {}) {
  jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params } } as never);
}

async function ready() {
  const view = render(<CampaignEditPage />);
  await waitFor(() => expect(view.container.querySelectorAll('.ce-include .ce-tag')).toHaveLength(3));
  return view.container;
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'setNavigationBarTitle').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('新建群发 page', () => {
  it('the builder makes the audience expression for 有一个就行, 都要有 and 排除, and asks for a forecast after each', async () => {
    open();
    const fetch = mockFetch(backend());
    const c = await ready();
    expect(texts(c, '.ce-include .ce-tag')).toEqual(['会员 5', '常客 8', '沉睡 3']);
    expect(text(c, '.fc-idle')).toContain('选好发给哪些客户');
    expect(forecasts(fetch)).toHaveLength(0);

    await tap(include(c, '会员'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.audience).toEqual('会员'), SLOW);
    await tap(include(c, '常客'));
    // two tags: the default is 有一个就行
    await waitFor(() => expect(forecasts(fetch).at(-1)?.audience).toEqual({ any: ['会员', '常客'] }), SLOW);
    expect(text(c, '.ce-audience-text')).toBe('发给：有「会员」或有「常客」的客户');
    await tap(c.querySelector('.ce-mode-all'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.audience).toEqual({ all: ['会员', '常客'] }), SLOW);
    await tap(exclude(c, '沉睡'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.audience).toEqual({ all: ['会员', '常客', { not: '沉睡' }] }), SLOW);
    expect(text(c, '.ce-audience-text')).toBe('发给：有「会员」且有「常客」且没有「沉睡」的客户');

    // a tag picked on one side leaves the other
    await tap(exclude(c, '会员'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.audience).toEqual({ all: ['常客', { not: '沉睡' }, { not: '会员' }] }), SLOW);
    expect(include(c, '会员')!.className).not.toContain('chip-on');
    expect(forecasts(fetch).every((b) => b.merchantId === 'demo-bakery' && !('sendAt' in b))).toBe(true);
  });

  it('shows the forecast: how many, per staff member with their confirmations, who won’t get it and why, and the quiet-hours note', async () => {
    open();
    const fetch = mockFetch(backend());
    const c = await ready();
    await tap(include(c, '会员'));
    await waitFor(() => expect(text(c, '.fc-count')).toBe(`能收到 ${JSON.stringify('会员').length} 人`), SLOW);
    expect(texts(c, '.fc-sender')).toEqual(['小李2 人 · 确认 1 次', '老王2 人 · 确认 1 次']);
    expect(texts(c, '.fc-excluded')).toEqual(['已经删了店员好友2 人', '这段时间能收的群发条数用完了1 人']);
    expect(c.textContent).toContain('这 3 人收不到');
    expect(c.textContent).toContain('发出后，店员要在企业微信里点确认，客户才会收到。');
    expect(c.querySelector('.fc-quiet')).toBeNull();

    // a later time goes into the forecast, and the note says quiet hours moved it
    await tap(c.querySelector('.ce-later'));
    await waitFor(() => expect(text(c, '.fc-quiet')).toBe('21:00–09:00 不打扰客户，改到第二天 09:00发'), SLOW);
    expect(typeof forecasts(fetch).at(-1)?.sendAt).toBe('number');

    // the staff-cap option and the texts go in as well
    await typeInto(c, '.ce-days-input input', '7');
    await typeInto(c, '.ce-text-0 textarea', '新品上市');
    await waitFor(() => expect(forecasts(fetch).at(-1)).toMatchObject({ excludeMessagedDays: 7, texts: ['新品上市'] }), SLOW);
    expect(c.textContent).not.toMatch(/undefined|null|NaN|userid|XiaoLi/);
  });

  it('inserts the variables into the text, and a second text makes A 版 and B 版', async () => {
    open();
    const fetch = mockFetch(backend());
    const c = await ready();
    await tap(include(c, '会员'));
    await typeInto(c, '.ce-text-0 textarea', '你好');
    await tap(byText(c, '.ce-var-0', '+ 称呼'));
    await waitFor(() => expect((c.querySelector('.ce-text-0 textarea') as HTMLTextAreaElement | null)?.value).toBe('你好{称呼}'));
    await tap(c.querySelector('.ce-ab-on'));
    expect(texts(c, '.ce-text .form-label')).toEqual(['A 版', 'B 版']);
    await typeInto(c, '.ce-text-1 textarea', '好久不见，');
    await tap(byText(c, '.ce-var-1', '+ 多少天没来'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.texts).toEqual(['你好{称呼}', '好久不见，{多少天没来}']), SLOW);
    await tap(c.querySelector('.ce-ab-off'));
    await waitFor(() => expect(forecasts(fetch).at(-1)?.texts).toEqual(['你好{称呼}']), SLOW);
  });

  it('确认发送 saves the draft, says how many people and that staff confirm in WeCom, then schedules it', async () => {
    open();
    const fetch = mockFetch(backend());
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const redirect = jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await typeInto(c, '.ce-name input', '会员日');
    await tap(include(c, '会员'));
    await typeInto(c, '.ce-text-0 textarea', '周三会员日第二杯半价');
    await tap(c.querySelector('.ce-send'));
    await waitFor(() => expect(redirect).toHaveBeenCalledWith({ url: '/sub/campaign/index?id=cmp-new' }));
    const sent = actions(fetch).filter((b) => b.action === 'campaigns.save' || b.action === 'campaigns.schedule');
    expect(sent).toEqual([
      { action: 'campaigns.save', merchantId: 'demo-bakery', name: '会员日', audience: '会员', texts: ['周三会员日第二杯半价'], attachments: [] },
      { action: 'campaigns.schedule', merchantId: 'demo-bakery', id: 'cmp-new' },
    ]);
    const { content, confirmText } = modal.mock.calls[0]![0] as { content: string; confirmText: string };
    expect(content).toContain(`会发给 ${JSON.stringify('会员').length} 位客户`);
    expect(content).toContain('店员要在企业微信里点确认');
    expect(confirmText).toBe('确认发送');
  });

  it('backing out of the dialog schedules nothing, and the next save keeps the same draft', async () => {
    open();
    const fetch = mockFetch(backend());
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await tap(include(c, '会员'));
    await typeInto(c, '.ce-text-0 textarea', '你好');
    await tap(c.querySelector('.ce-send'));
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalled());
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    const saves = actions(fetch).filter((b) => b.action.startsWith('campaigns.') && b.action !== 'campaigns.forecast');
    expect(saves.map((b) => [b.action, b.id])).toEqual([
      ['campaigns.save', undefined],
      ['campaigns.save', 'cmp-new'],
    ]);
  });

  it('asks for an audience and a text before sending, without calling the server', async () => {
    open();
    const fetch = mockFetch(backend());
    const c = await ready();
    await tap(c.querySelector('.ce-send'));
    expect(text(c, '.error-audience')).toBe('先选要发给哪些客户：至少点一个标签');
    await tap(include(c, '会员'));
    await tap(c.querySelector('.ce-send'));
    expect(text(c, '.error-text0')).toBe('还没写要发的内容');
    expect(actions(fetch).filter((b) => b.action === 'campaigns.save')).toHaveLength(0);
  });

  it('a refusal is shown beside the field its path names, in the server’s words', async () => {
    open();
    mockFetch(
      backend({
        'campaigns.forecast': (b) =>
          (b.texts as string[]).length ? fail(400, 'INPUT.INVALID', '「{名字}」不是能用的变量，可以用：{称呼}、{上次买的}、{多少天没来}') : ok(forecastFor(b)),
      }),
    );
    const c = await ready();
    await tap(include(c, '会员'));
    await typeInto(c, '.ce-text-0 textarea', '{名字}你好');
    await waitFor(() => expect(c.querySelector('.error-general')).not.toBeNull(), SLOW);
    // without a path the message is the page's
    expect(text(c, '.error-general')).toContain('不是能用的变量');
  });

  it('INPUT.INVALID with details.path lands under that field', async () => {
    open();
    const fetch = mockFetch(
      backend({
        'campaigns.forecast': (b) =>
          (b.texts as string[]).some((t) => t.includes('{名字}'))
            ? { status: 400, json: { ok: false, code: 'INPUT.INVALID', message: '「{名字}」不是能用的变量', details: [{ path: 'texts.0' }] } }
            : ok(forecastFor(b)),
      }),
    );
    const c = await ready();
    await tap(include(c, '会员'));
    await typeInto(c, '.ce-text-0 textarea', '{名字}你好');
    await waitFor(() => expect(text(c, '.ce-text-0 .error-text0')).toBe('「{名字}」不是能用的变量'), SLOW);
    // fixed: the forecast comes back and the message goes
    await typeInto(c, '.ce-text-0 textarea', '{称呼}你好');
    await waitFor(() => expect(c.querySelector('.error-text0')).toBeNull(), SLOW);
    expect(forecasts(fetch).length).toBeGreaterThan(1);
  });

  it('opens a draft with its fields and saves it under its id', async () => {
    open({ id: 'cmp-7' });
    const stored = view({ id: 'cmp-7', name: '老客回馈', audience: { all: [{ any: ['会员', '常客'] }, { not: '沉睡' }] }, excludeMessagedDays: 3, texts: ['A 写法', 'B 写法'] });
    const fetch = mockFetch(backend({ 'campaigns.get': () => ok({ campaign: stored, plan: null, stats: STATS }) }));
    jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await waitFor(() => expect((c.querySelector('.ce-name input') as HTMLInputElement | null)?.value).toBe('老客回馈'));
    expect(texts(c, '.ce-include .chip-on')).toEqual(['会员 5', '常客 8']);
    expect(texts(c, '.ce-exclude .chip-off')).toEqual(['沉睡']);
    await waitFor(() => expect((c.querySelector('.ce-days-input input') as HTMLInputElement | null)?.value).toBe('3'));
    await waitFor(() => expect((c.querySelector('.ce-text-1 textarea') as HTMLTextAreaElement | null)?.value).toBe('B 写法'));
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).find((b) => b.action === 'campaigns.save')).toEqual({
      action: 'campaigns.save',
      merchantId: 'demo-bakery',
      id: 'cmp-7',
      name: '老客回馈',
      audience: stored.audience,
      excludeMessagedDays: 3,
      texts: ['A 写法', 'B 写法'],
      attachments: [],
    });
  });

  it('附带一个链接: the link goes out with the forecast and the save as one link attachment', async () => {
    open();
    const fetch = mockFetch(backend());
    jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await tap(include(c, '会员'));
    expect(c.querySelector('.ce-link-url')).toBeNull();
    await tap(c.querySelector('.ce-link-add'));
    await typeInto(c, '.ce-link-title input', ' 春季新品，点开看看 ');
    await typeInto(c, '.ce-link-url input', 'https://shop.example.com/spring');
    await typeInto(c, '.ce-link-desc input', '全场第二件半价');
    const link = { type: 'link', title: '春季新品，点开看看', url: 'https://shop.example.com/spring', desc: '全场第二件半价' };
    await waitFor(() => expect(forecasts(fetch).at(-1)?.attachments).toEqual([link]), SLOW);
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).find((b) => b.action === 'campaigns.save')).toEqual({
      action: 'campaigns.save',
      merchantId: 'demo-bakery',
      audience: '会员',
      texts: [],
      attachments: [link],
    });
  });

  it('a bad address or a missing title is said beside the field in plain words, and nothing is saved until it is fixed', async () => {
    open();
    const fetch = mockFetch(backend());
    jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await tap(include(c, '会员'));
    await tap(c.querySelector('.ce-link-add'));
    await typeInto(c, '.ce-link-title input', '店铺首页');
    await typeInto(c, '.ce-link-url input', 'www.example.com');
    // typing alone says nothing yet
    expect(c.querySelector('.error-linkUrl')).toBeNull();
    await tap(c.querySelector('.ce-save'));
    expect(text(c, '.ce-link .error-linkUrl')).toBe('链接地址要以 https:// 或 http:// 开头，最好从浏览器地址栏整个复制过来');
    // only web addresses open from the card, though the schema alone takes any scheme
    await typeInto(c, '.ce-link-url input', 'ftp://example.com/menu.pdf');
    expect(text(c, '.ce-link .error-linkUrl')).toBe('链接地址要以 https:// 或 http:// 开头，最好从浏览器地址栏整个复制过来');
    // a half-typed link stays out of the forecast; the one before it had none
    expect(forecasts(fetch).every((b) => (b.attachments as unknown[]).length === 0)).toBe(true);

    await typeInto(c, '.ce-link-url input', 'https://www.example.com');
    await waitFor(() => expect(c.querySelector('.error-linkUrl')).toBeNull());
    await typeInto(c, '.ce-link-title input', '');
    expect(text(c, '.ce-link .error-linkTitle')).toBe('给链接起个标题，客户在卡片上先看到的就是它');
    await tap(c.querySelector('.ce-save'));
    expect(actions(fetch).filter((b) => b.action === 'campaigns.save')).toHaveLength(0);

    await typeInto(c, '.ce-link-title input', '店铺首页');
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(
      actions(fetch)
        .filter((b) => b.action === 'campaigns.save')
        .map((b) => b.attachments),
    ).toEqual([[{ type: 'link', title: '店铺首页', url: 'https://www.example.com' }]]);
  });

  it('a refusal naming attachments.N.url lands under 链接地址, in Chinese rather than the schema’s words', async () => {
    open();
    mockFetch(
      backend({
        'campaigns.save': () => ({
          status: 400,
          json: { ok: false, code: 'INPUT.INVALID', message: '输入有误：attachments.0.url Invalid url', details: [{ path: 'attachments.0.url', message: 'Invalid url' }] },
        }),
      }),
    );
    const c = await ready();
    await tap(include(c, '会员'));
    await tap(c.querySelector('.ce-link-add'));
    await typeInto(c, '.ce-link-title input', '店铺首页');
    await typeInto(c, '.ce-link-url input', 'https://example.com');
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(text(c, '.ce-link .error-linkUrl')).toBe('链接地址要以 https:// 或 http:// 开头，最好从浏览器地址栏整个复制过来'));
    expect(c.textContent).not.toContain('Invalid');
  });

  it('a draft’s link opens in the form; a new one replaces it, pictures stay where they were; 不带链接了 takes it out', async () => {
    open({ id: 'cmp-7' });
    const image = { type: 'image' as const, url: 'https://img.example.com/a.png' };
    const old = { type: 'link' as const, title: '旧活动', url: 'https://old.example.com', picUrl: 'https://img.example.com/old.png' };
    const stored = view({ id: 'cmp-7', attachments: [image, old] });
    const fetch = mockFetch(backend({ 'campaigns.get': () => ok({ campaign: stored, plan: null, stats: STATS }) }));
    jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await ready();
    await waitFor(() => expect((c.querySelector('.ce-link-title input') as HTMLInputElement | null)?.value).toBe('旧活动'));
    expect((c.querySelector('.ce-link-url input') as HTMLInputElement).value).toBe('https://old.example.com');
    expect(text(c, '.ce-attachments')).toBe('还带着 1 张图片，会和文字一起发。');

    // untouched, it goes back exactly as stored
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalledTimes(1));
    // a new address: the old card's picture belonged to the old page, so it goes
    await typeInto(c, '.ce-link-title input', '新活动');
    await typeInto(c, '.ce-link-url input', 'http://new.example.com/x');
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalledTimes(2));
    await tap(c.querySelector('.ce-link-remove'));
    expect(c.querySelector('.ce-link-url')).toBeNull();
    await tap(c.querySelector('.ce-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalledTimes(3));
    expect(
      actions(fetch)
        .filter((b) => b.action === 'campaigns.save')
        .map((b) => b.attachments),
    ).toEqual([[image, old], [image, { type: 'link', title: '新活动', url: 'http://new.example.com/x' }], [image]]);
  });

  it('staff get the owner-only page and no 群发 calls', async () => {
    open();
    const fetch = mockFetch(backend({}, { memberId: 'mem-2', merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' }] }));
    const { container } = render(<CampaignEditPage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get']);
  });
});

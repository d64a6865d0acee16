import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import FollowupsPage from './index';
import MarketingPage from '../../pages/marketing/index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Followup = ApiResult<'followups.list'>['followups'][number];

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const ZERO = { planned: 0, confirmed: 0, delivered: 0, failed: 0, waiting: 0, cancelled: 0, replied: 0, ordered: 0, revenueFen: 0 };
const NO_RUNS = { ...ZERO, runs: 0, arms: [], ab: null };
const DORMANT_TEXT = '{称呼}，好久不见～';

function followups(): Followup[] {
  return [
    { kind: 'dormant', name: '沉睡客户唤醒', enabled: false, params: { dormantDays: 30 }, texts: [DORMANT_TEXT], approved: false, stats: NO_RUNS },
    { kind: 'birthday', name: '生日关怀', enabled: false, params: { daysBefore: 0 }, texts: ['{称呼}，生日快乐！'], approved: false, stats: NO_RUNS },
    {
      kind: 'aftercare',
      name: '售后回访',
      enabled: true,
      params: { afterDays: [1, 7, 30] },
      texts: ['{上次买的}还满意吗？', '用得怎么样？'],
      approved: true,
      stats: {
        ...NO_RUNS,
        runs: 4,
        planned: 12,
        delivered: 10,
        replied: 3,
        ordered: 2,
        revenueFen: 12_800,
        arms: [
          { ...ZERO, planned: 6, delivered: 5, replied: 2, ordered: 1 },
          { ...ZERO, planned: 6, delivered: 5, replied: 1, ordered: 1 },
        ],
        ab: {
          replied: {
            counts: [
              { converted: 2, delivered: 5 },
              { converted: 1, delivered: 5 },
            ],
            winner: null,
            text: '回复：还看不出来，人数还太少。A 40%（2/5），B 20%（1/5）',
          },
          ordered: {
            counts: [
              { converted: 1, delivered: 5 },
              { converted: 1, delivered: 5 },
            ],
            winner: null,
            text: '下单：还看不出来，人数还太少。A 20%（1/5），B 20%（1/5）',
          },
        },
      },
    },
    { kind: 'repurchase', name: '复购提醒', enabled: false, params: {}, texts: ['该补货了'], approved: false, stats: NO_RUNS },
  ];
}

/** This week's preview as the server answers it: the dormant count depends on the days asked for. */
const previewOf = (kind: Followup['kind'], dormantDays = 30) => {
  const count = kind === 'dormant' ? (dormantDays >= 60 ? 2 : 12) : 1;
  const names = ['王小姐', '李先生', '赵阿姨'].slice(0, Math.min(count, 3));
  return {
    kind,
    name: kind,
    enabled: false,
    count,
    sample: names.map((n, i) => ({ externalUserId: `wm-${kind}-${i}`, name: n, day: '2030-01-0' + (i + 1) })),
  };
};

/** A small shop: saving stores what was sent, as the server does. */
function shop(over: Record<string, Handler> = {}) {
  const list = followups();
  const handler: Handler = (b) => {
    if (over[b.action]) return over[b.action]!(b);
    switch (b.action) {
      case 'me.get':
        return ok(me);
      case 'followups.list':
        return ok({ followups: list });
      case 'followups.preview': {
        const kinds = b.kind ? [b.kind as Followup['kind']] : list.map((f) => f.kind);
        const days = (b.params as { dormantDays?: number } | undefined)?.dormantDays;
        return ok({ previews: kinds.map((k) => previewOf(k, days)) });
      }
      case 'campaigns.list':
        return ok({ campaigns: [] });
      case 'marketing.settings.get':
        return ok({ settings: { quota: 'monthDays', quietHours: { from: '21:00', to: '09:00' }, followupDailyCap: 200 }, quotaText: '', quotaOptions: [] });
      case 'followups.save': {
        const i = list.findIndex((f) => f.kind === b.kind);
        const f = list[i]!;
        const enabled = (b.enabled as boolean | undefined) ?? f.enabled;
        list[i] = { ...f, enabled, params: { ...f.params, ...(b.params as object) }, texts: (b.texts as string[] | undefined) ?? f.texts, approved: enabled };
        return ok({ followup: list[i] });
      }
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
    }
  };
  return { handler, list };
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

/** The switch's own checkbox inside Taro's H5 <taro-switch-core>. */
const switchOf = (container: HTMLElement, kind: string) =>
  waitFor(() => {
    const el = container.querySelector(`.fu-${kind} .fu-switch input`) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });

async function flip(input: HTMLInputElement) {
  await act(async () => {
    input.checked = !input.checked;
    fireEvent.change(input);
  });
}

const cards = (container: HTMLElement) => waitFor(() => expect(container.querySelectorAll('.fu-card')).toHaveLength(4));

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('自动跟进 page', () => {
  it('shows the four follow-ups from the list, each with what it does, its setting in words and this week’s preview', async () => {
    const fetch = mockFetch(shop().handler);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    expect(texts(container, '.fu-name')).toEqual(['沉睡客户唤醒', '生日关怀', '售后回访', '复购提醒']);
    expect(texts(container, '.fu-state')).toEqual(['没打开，一条都不会发', '没打开，一条都不会发', '已打开，每天上午 10 点发', '没打开，一条都不会发']);
    expect(container.querySelectorAll('.fu-what')).toHaveLength(4);
    // the settings, picked where they stand
    expect(text(container, '.fu-dormant .fu-label')).toBe('多少天没来买算沉睡');
    expect(text(container, '.fu-dormant .chip-on')).toBe('30 天');
    expect(text(container, '.fu-birthday .chip-on')).toBe('生日当天');
    expect(texts(container, '.fu-aftercare .fu-choice.chip-on')).toEqual(['第 1 天', '第 7 天', '第 30 天']);
    expect(text(container, '.fu-repurchase .fu-param-text')).toContain('按每位客户自己的买东西间隔，到点提醒');
    // this week's preview with names and days
    expect(text(container, '.fu-dormant .fu-preview-count')).toBe('这周会发给 12 人');
    expect(texts(container, '.fu-dormant .fu-sample-name')).toEqual(['王小姐', '李先生', '赵阿姨']);
    expect(texts(container, '.fu-dormant .fu-sample-more')).toEqual(['还有 9 人']);
    // off ones say nothing goes out
    expect(text(container, '.fu-dormant .fu-preview-off')).toContain('还没有发');
    expect(container.querySelector('.fu-aftercare .fu-preview-off')).toBeNull();
    // an A/B follow-up shows both versions
    expect(texts(container, '.fu-aftercare .fu-version')).toEqual(['A 版', 'B 版']);
    // how it is sent, with the daily cap
    expect(container.textContent).toContain('由对应的店员在企业微信里确认后发出');
    expect(container.textContent).toContain('只在他们 48 小时内找过我们时才发');
    expect(text(container, '.fu-cap-text')).toBe('所有自动跟进加起来，每天最多发 200 条。');
    expect(container.textContent).not.toMatch(/dormant|aftercare|params|kind|undefined|null|NaN/);
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get', 'followups.list', 'followups.preview', 'marketing.settings.get']);
  });

  it('switching one on shows the exact text to confirm, then saves it with that text', async () => {
    const s = shop();
    const fetch = mockFetch(s.handler);
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    await flip(await switchOf(container, 'dormant'));
    await waitFor(() => expect(text(container, '.fu-dormant .fu-state')).toBe('已打开，每天上午 10 点发'));
    const asked = modal.mock.calls[0]![0]!;
    expect(asked.content).toContain('打开后，每天上午 10 点会按这段话发给符合条件的客户，每人每段时间只发一次');
    expect(asked.content).toContain(`「${DORMANT_TEXT}」`);
    expect(actions(fetch).filter((b) => b.action === 'followups.save')).toEqual([
      { action: 'followups.save', merchantId: 'demo-bakery', kind: 'dormant', enabled: true, texts: [DORMANT_TEXT] },
    ]);
    expect(text(container, '.fu-dormant .fu-approved')).toContain('你打开时确认过的');
  });

  it('saying no to the confirm saves nothing and leaves the switch off', async () => {
    const fetch = mockFetch(shop().handler);
    jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    await flip(await switchOf(container, 'birthday'));
    await waitFor(() => expect((container.querySelector('.fu-birthday .fu-switch input') as HTMLInputElement).checked).toBe(false));
    expect(text(container, '.fu-birthday .fu-state')).toBe('没打开，一条都不会发');
    expect(actions(fetch).some((b) => b.action === 'followups.save')).toBe(false);
  });

  it('an empty text cannot be turned on', async () => {
    const fetch = mockFetch(shop().handler);
    const modal = jest.spyOn(Taro, 'showModal');
    const { container } = render(<FollowupsPage />);
    await cards(container);
    const area = container.querySelector('.fu-repurchase .fu-text-0 textarea') as HTMLTextAreaElement;
    await act(async () => {
      fireEvent.input(area, { target: { value: '  ' } });
    });
    await flip(await switchOf(container, 'repurchase'));
    await waitFor(() => expect(text(container, '.fu-repurchase .fu-error')).toBe('还没写要发的话，写好再打开。'));
    expect(modal).not.toHaveBeenCalled();
    expect(actions(fetch).some((b) => b.action === 'followups.save')).toBe(false);
  });

  it('a changed setting asks for a new preview before anything is saved', async () => {
    const fetch = mockFetch(shop().handler);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    await tap(container.querySelector('.fu-dormant-90'));
    await waitFor(() => expect(text(container, '.fu-dormant .fu-preview-count')).toBe('这周会发给 2 人'));
    expect(
      actions(fetch)
        .filter((b) => b.action === 'followups.preview')
        .at(-1),
    ).toEqual({
      action: 'followups.preview',
      merchantId: 'demo-bakery',
      kind: 'dormant',
      params: { dormantDays: 90 },
    });
    expect(actions(fetch).some((b) => b.action === 'followups.save')).toBe(false);
    // saving it (still off) stores the days, and says nothing goes out yet
    await tap(container.querySelector('.fu-dormant .fu-save'));
    await waitFor(() => expect(text(container, '.fu-dormant .fu-note')).toContain('一条都不会发'));
    expect(actions(fetch).filter((b) => b.action === 'followups.save')).toEqual([
      { action: 'followups.save', merchantId: 'demo-bakery', kind: 'dormant', params: { dormantDays: 90 } },
    ]);
  });

  it('after-sale days: up to three, never none', async () => {
    mockFetch(shop().handler);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    await tap(container.querySelector('.fu-after-3'));
    expect(text(container, '.fu-limit')).toBe('最多选 3 个，先点掉一个再选。');
    await tap(container.querySelector('.fu-after-7'));
    await tap(container.querySelector('.fu-after-3'));
    expect(texts(container, '.fu-aftercare .fu-choice.chip-on')).toEqual(['第 1 天', '第 3 天', '第 30 天']);
    await tap(container.querySelector('.fu-after-1'));
    await tap(container.querySelector('.fu-after-3'));
    await tap(container.querySelector('.fu-after-30'));
    expect(texts(container, '.fu-aftercare .fu-choice.chip-on')).toEqual(['第 30 天']);
  });

  it('a new text for one that is on is confirmed and saved, which approves it', async () => {
    const fetch = mockFetch(shop().handler);
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    const area = container.querySelector('.fu-aftercare .fu-text-1 textarea') as HTMLTextAreaElement;
    await act(async () => {
      fireEvent.input(area, { target: { value: '最近用着还顺手吗' } });
    });
    await tap(container.querySelector('.fu-var-1'));
    await tap(container.querySelector('.fu-aftercare .fu-save'));
    await waitFor(() => expect(text(container, '.fu-aftercare .fu-note')).toBe('保存好了，下一次就按这个发。'));
    expect(modal.mock.calls[0]![0]!.content).toContain('B 版：「最近用着还顺手吗{称呼}」');
    expect(actions(fetch).filter((b) => b.action === 'followups.save')).toEqual([
      { action: 'followups.save', merchantId: 'demo-bakery', kind: 'aftercare', texts: ['{上次买的}还满意吗？', '最近用着还顺手吗{称呼}'] },
    ]);
  });

  it('shows the numbers of one that has run, and says so in words for one that never did', async () => {
    mockFetch(shop().handler);
    const { container } = render(<FollowupsPage />);
    await cards(container);
    expect(texts(container, '.fu-aftercare .fu-num-label')).toEqual(['发了几天', '已送达', '7天内回复', '7天内下单', '带来的营业额']);
    expect(texts(container, '.fu-aftercare .fu-num-value')).toEqual(['4 天', '10 人', '3 人', '2 人', '¥128.00']);
    expect(container.querySelector('.fu-dormant .fu-grid')).toBeNull();
    expect(text(container, '.fu-dormant .fu-numbers-empty .fu-hint')).toContain('还没发过');
    // two texts: each version's counts and the verdict as the backend says it
    expect(texts(container, '.fu-aftercare .fu-ab-arm')).toEqual(['A 版：送达 5 人，回复 2 人，下单 1 人', 'B 版：送达 5 人，回复 1 人，下单 1 人']);
    expect(texts(container, '.fu-aftercare .fu-ab-verdict')[0]).toContain('还看不出来');
    expect(container.querySelector('.fu-dormant .fu-ab')).toBeNull();
  });

  it('turning one off saves it off without asking', async () => {
    const fetch = mockFetch(shop().handler);
    const modal = jest.spyOn(Taro, 'showModal');
    const { container } = render(<FollowupsPage />);
    await cards(container);
    await flip(await switchOf(container, 'aftercare'));
    await waitFor(() => expect(text(container, '.fu-aftercare .fu-state')).toBe('没打开，一条都不会发'));
    expect(modal).not.toHaveBeenCalled();
    expect(actions(fetch).filter((b) => b.action === 'followups.save')).toEqual([{ action: 'followups.save', merchantId: 'demo-bakery', kind: 'aftercare', enabled: false }]);
  });

  it('staff get the owner-only page and nothing is asked for', async () => {
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    const fetch = mockFetch(shop({ 'me.get': () => ok(staff) }).handler);
    const { container } = render(<FollowupsPage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get']);
  });

  it('is reached from 营销 by owners; staff are not offered it', async () => {
    mockFetch(shop().handler);
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const owner = render(<MarketingPage />);
    await waitFor(() => expect(owner.container.querySelector('.mk-followups')).not.toBeNull());
    expect(text(owner.container, '.mk-followups .mk-item-title')).toBe('自动跟进');
    await tap(owner.container.querySelector('.mk-followups'));
    expect(nav).toHaveBeenLastCalledWith({ url: '/sub/followups/index' });
    owner.unmount();

    resetSession();
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    mockFetch(shop({ 'me.get': () => ok(staff) }).handler);
    const other = render(<MarketingPage />);
    await waitFor(() => expect(other.container.textContent).toContain('群发由老板来安排'));
    expect(other.container.querySelector('.mk-followups')).toBeNull();
  });
});

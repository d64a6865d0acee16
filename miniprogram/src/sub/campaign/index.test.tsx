import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult, MemberView } from '@xiaoer/shared/contracts/api';
import CampaignPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Got = ApiResult<'campaigns.get'>;
type Arm = Got['stats']['arms'][number];

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const MEMBERS: MemberView[] = [
  { id: 'm-owner', name: '老王', role: 'owner', onDuty: true, wecomUserId: 'LaoWang' },
  { id: 'm-li', name: '小李', role: 'staff', onDuty: true, wecomUserId: 'XiaoLi' },
];

const arm = (over: Partial<Arm>): Arm => ({ planned: 0, confirmed: 0, delivered: 0, failed: 0, waiting: 0, cancelled: 0, replied: 0, ordered: 0, revenueFen: 0, ...over });
const A = arm({ planned: 60, confirmed: 50, delivered: 48, failed: 2, waiting: 10, replied: 6, ordered: 3, revenueFen: 12_000 });
const B = arm({ planned: 60, confirmed: 52, delivered: 50, failed: 2, waiting: 8, replied: 10, ordered: 4, revenueFen: 23_450 });
const sum = (a: Arm, b: Arm) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof Arm] + b[k as keyof Arm]])) as Arm;

const got = (over: Partial<Got['campaign']> = {}, stats: Partial<Got['stats']> = {}): Got => ({
  campaign: {
    id: 'cmp-1',
    name: '周三会员日',
    status: 'sending',
    audience: { all: ['会员', { not: '沉睡' }] },
    audienceText: '有「会员」且没有「沉睡」',
    excludeMessagedDays: 7,
    texts: ['{称呼}，周三会员日第二杯半价', '{称呼}，好久不见，周三第二杯半价'],
    attachments: [],
    sendAt: Date.now() - 3_600_000,
    recipients: 120,
    waitingMembers: ['XiaoLi', 'GoneUser'],
    createdAt: 1,
    updatedAt: 1,
    ...over,
  },
  plan: {
    recipients: 120,
    bySender: [{ userid: 'XiaoLi', name: '小李', count: 120, chunks: 2 }],
    excluded: [{ reason: 'lost', count: 4, text: '已经删了店员好友' }],
    sendAt: 1,
    askedAt: 1,
    quietNote: null,
  },
  stats: {
    ...sum(A, B),
    arms: [A, B],
    ab: {
      replied: { counts: [], winner: null, text: '回复：还看不出来，人数还太少。A 12.5%（6/48），B 20%（10/50）' },
      ordered: { counts: [], winner: null, text: '下单：还看不出来，人数还太少。A 6.3%（3/48），B 8%（4/50）' },
    },
    ...stats,
  },
});

function backend(first: Got, over: Record<string, Handler> = {}): Handler {
  let current = first;
  return (b) => {
    if (over[b.action]) return over[b.action]!(b);
    switch (b.action) {
      case 'me.get':
        return ok(me);
      case 'members.list':
        return ok({ members: MEMBERS });
      case 'campaigns.get':
        return ok(current);
      case 'campaigns.cancel':
        current = { ...current, campaign: { ...current.campaign, status: 'cancelled', waitingMembers: [] } };
        return ok({ campaign: current.campaign });
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

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params: { id: 'cmp-1' } } } as never);
});

describe('群发详情 page', () => {
  it('shows the status, audience, texts and every number, and who still has to confirm by name', async () => {
    const fetch = mockFetch(backend(got()));
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-numbers')).not.toBeNull());
    expect(text(c, '.cp-status')).toBe('发送中');
    expect(text(c, '.cp-audience')).toBe('发给：有「会员」且没有「沉睡」的客户（最近 7 天收到过群发的不发）');
    expect(text(c, '.cp-when')).toMatch(/开始发$/);
    const num = (k: string) => [text(c, `.cp-num-${k} .cp-num-label`), text(c, `.cp-num-${k} .cp-num-value`)];
    expect(num('planned')).toEqual(['计划发', '120']);
    expect(num('confirmed')).toEqual(['店员已确认', '102']);
    expect(num('delivered')).toEqual(['已送达', '98']);
    expect(num('failed')).toEqual(['没发出去', '4']);
    expect(num('waiting')).toEqual(['等店员确认', '18']);
    expect(num('replied')).toEqual(['7天内回复', '16']);
    expect(num('ordered')).toEqual(['7天内下单', '7']);
    expect(num('revenue')).toEqual(['带来的营业额', '¥354.50']);
    // names from the members list; a userid the shop no longer has shows as itself
    expect(text(c, '.cp-waiting-title')).toBe('还要这些店员在企业微信里点确认：小李、GoneUser');
    expect(text(c, '.cp-excluded')).toBe('发之前就排除的：已经删了店员好友 4 人');
    expect(texts(c, '.cp-text-label')).toEqual(['A 版', 'B 版']);
    expect(texts(c, '.cp-text-body')).toEqual(['{称呼}，周三会员日第二杯半价', '{称呼}，好久不见，周三第二杯半价']);
    expect(c.querySelector('.cp-edit')).toBeNull();
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get', 'campaigns.get', 'members.list']);
  });

  it('A 版 and B 版: each one’s counts behind its percentages, and the verdict as the backend gives it', async () => {
    mockFetch(backend(got()));
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-ab')).not.toBeNull());
    expect(texts(c, '.cp-arm-name')).toEqual(['A 版', 'B 版']);
    expect(texts(c, '.cp-arm-line')).toEqual(['送达 48 人 · 回复 6 人（12.5%）· 下单 3 人（6.3%）', '送达 50 人 · 回复 10 人（20%）· 下单 4 人（8%）']);
    expect(text(c, '.cp-verdict-replied')).toBe('回复：还看不出来，人数还太少。A 12.5%（6/48），B 20%（10/50）');
    expect(text(c, '.cp-verdict-ordered')).toContain('下单：还看不出来');
  });

  it('one text: no A/B card', async () => {
    const one = got({ texts: ['周三会员日第二杯半价'] }, { arms: [sum(A, B)], ab: null });
    mockFetch(backend(one));
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-numbers')).not.toBeNull());
    expect(c.querySelector('.cp-ab')).toBeNull();
    expect(c.querySelector('.cp-text-label')).toBeNull();
  });

  it('a link goes under the text as a card: title, its line, the address shortened; other attachments are counted', async () => {
    const link = { type: 'link' as const, title: '春季新品，点开看看', url: 'https://www.shop.example.com/activity/2026/spring?from=qunfa', desc: '全场第二件半价' };
    mockFetch(backend(got({ texts: ['周三会员日'], attachments: [{ type: 'image', url: 'https://img.example.com/a.png' }, link] }, { arms: [sum(A, B)], ab: null })));
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-link')).not.toBeNull());
    expect(c.querySelector('.cp-texts .cp-text-body + .cp-link, .cp-texts .cp-text + .cp-link')).not.toBeNull();
    expect(text(c, '.cp-link-title')).toBe('春季新品，点开看看');
    expect(text(c, '.cp-link-desc')).toBe('全场第二件半价');
    expect(text(c, '.cp-link-url')).toBe('shop.example.com/activity/2026/…');
    expect(text(c, '.cp-others')).toBe('还带着 1 张图片，和文字一起发。');
  });

  it('no link, no card', async () => {
    mockFetch(backend(got()));
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-texts')).not.toBeNull());
    expect(c.querySelector('.cp-link')).toBeNull();
    expect(c.querySelector('.cp-others')).toBeNull();
  });

  it('取消 asks first, saying what was sent cannot be taken back, then cancels and shows it', async () => {
    const fetch = mockFetch(backend(got()));
    const modal = jest
      .spyOn(Taro, 'showModal')
      .mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never)
      .mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-cancel')).not.toBeNull());

    await tap(c.querySelector('.cp-cancel'));
    expect((modal.mock.calls[0]![0] as { content: string }).content).toContain('已经发出去的收不回来');
    expect(actions(fetch).some((b) => b.action === 'campaigns.cancel')).toBe(false);

    await tap(c.querySelector('.cp-cancel'));
    await waitFor(() => expect(text(c, '.cp-status')).toBe('已取消'));
    expect(actions(fetch).find((b) => b.action === 'campaigns.cancel')).toEqual({ action: 'campaigns.cancel', merchantId: 'demo-bakery', id: 'cmp-1' });
    expect(c.querySelector('.cp-cancel')).toBeNull();
    expect(c.querySelector('.cp-waiting')).toBeNull();
  });

  it('a refused cancel says why on the page', async () => {
    mockFetch(backend(got(), { 'campaigns.cancel': () => fail(409, 'CONFLICT.CAMPAIGN_SENT', '这个群发已经发完了，取消不了') }));
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-cancel')).not.toBeNull());
    await tap(c.querySelector('.cp-cancel'));
    await waitFor(() => expect(text(c, '.form-error')).toBe('这个群发已经发完了，取消不了'));
  });

  it('a draft offers 编辑, which opens the editor on it; no 取消', async () => {
    mockFetch(backend(got({ status: 'draft', waitingMembers: [], id: 'cmp:1' })));
    const nav = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    const { container: c } = render(<CampaignPage />);
    await waitFor(() => expect(c.querySelector('.cp-edit')).not.toBeNull());
    expect(text(c, '.cp-status')).toBe('草稿');
    expect(c.querySelector('.cp-cancel')).toBeNull();
    expect(c.textContent).toContain('店员要在企业微信里点确认');
    // no numbers before it is sent: what the draft would reach, and why the others would not
    expect(c.querySelector('.cp-numbers')).toBeNull();
    expect(text(c, '.cp-draft .card-title')).toBe('预计 120 人能收到');
    expect(text(c, '.cp-draft .cp-excluded')).toBe('收不到的：已经删了店员好友 4 人');
    await tap(c.querySelector('.cp-edit'));
    expect(nav).toHaveBeenCalledWith({ url: `/sub/campaign-edit/index?id=${encodeURIComponent('cmp:1')}` });
  });
});

import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { SettingsView } from '@xiaoer/shared/contracts/api';
import SettingsPage from './index';
import { buildChanges, toDraft } from './form';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const settings = (over: Partial<SettingsView> = {}): SettingsView => ({
  id: 'demo-bakery',
  name: '小麦面包坊',
  industry: '烘焙',
  timezone: 'Asia/Shanghai',
  aiPersona: '说话亲切',
  businessHours: { open: '09:00', close: '21:00', closedDays: [1] },
  answerRules: { handoffWords: ['退款'], bannedWords: ['最便宜'], aliases: [{ term: '招牌', means: '杨枝甘露' }] },
  reports: { dailyAt: '21:00', recipients: null, format: 'textcard', channels: ['app'], robot: { configured: false, hint: null } },
  wecom: {
    corpId: 'ww1234567890',
    agentId: 1000002,
    secrets: { app: '****abcd', contact: null, kf: '****wxyz' },
    callbackToken: '****tok1',
    callbackAesKey: '****aes1',
    kfCallbackConfigured: false,
  },
  ...over,
});

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
/** Taro's H5 form components report their value in `detail`, like on weapp. */
const type = (el: Element, value: string) =>
  act(() => {
    el.dispatchEvent(new CustomEvent('input', { detail: { value }, bubbles: true }));
  });
const change = (el: Element, value: unknown) =>
  act(() => {
    el.dispatchEvent(new CustomEvent('change', { detail: { value }, bubbles: true }));
  });

/** A backend with the owner's settings; settings.update merges what it was sent. */
function backend(initial = settings()) {
  let current = initial;
  return mockFetch((body) => {
    if (body.action === 'me.get') return ok(me);
    if (body.action === 'settings.get') return ok(current);
    if (body.action === 'settings.update') {
      const { action: _a, merchantId: _m, ...changes } = body;
      current = { ...current, ...(changes as Partial<SettingsView>) };
      return ok(current);
    }
    // 订单接入 asks for its own status
    if (body.action === 'webhook.get') return ok({ configured: false, rotatedAt: null, path: '/webhook/orders/shop-1' });
    // 报表和提醒 reads the alert thresholds and the members who can get the report
    if (body.action === 'alerts.settings') return ok({ bigOrderFen: null, unfulfilledHours: 24, stock: true });
    if (body.action === 'members.list') return ok({ members: [] });
    return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
  });
}

async function open() {
  const view = render(<SettingsPage />);
  await waitFor(() => expect(view.container.querySelector('.settings-form')).not.toBeNull());
  return view.container;
}

let toast: jest.SpyInstance;
beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  toast = jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('店铺设置 page', () => {
  it('shows the settings and the WeCom connection read-only, masked as the server sent it', async () => {
    const fetch = backend();
    const c = await open();
    expect(c.querySelector('.page-settings')).not.toBeNull();
    expect(c.querySelector('.settings-name')!.getAttribute('value')).toBe('小麦面包坊');
    expect(c.textContent).toContain('烘焙');
    expect(c.textContent).toContain('北京时间');
    expect(text(c, '.settings-counter')).toBe('4/500');
    expect(text(c, '.hours-open')).toContain('09:00');
    expect(text(c, '.hours-close')).toContain('21:00');
    expect(c.querySelector('.day-1')!.className).toContain('day-closed');
    expect(c.querySelector('.day-2')!.className).not.toContain('day-closed');
    expect(text(c, '.words-handoff .word-chip')).toContain('退款');
    expect(text(c, '.words-banned .word-chip')).toContain('最便宜');
    expect(text(c, '.alias-item')).toContain('招牌 → 杨枝甘露');
    expect(text(c, '.wecom-corp .settings-value')).toBe('ww1234567890');
    expect(text(c, '.wecom-app .settings-value')).toBe('****abcd');
    expect(text(c, '.wecom-contact .settings-value')).toBe('没填');
    expect(text(c, '.wecom-kfcb .settings-value')).toBe('还没设置');
    // the callback token and key are not shown, even masked
    expect(c.textContent).not.toContain('****tok1');
    expect(c.textContent).not.toContain('****aes1');
    // (订单接入 reads its own status: webhook.get; 报表和提醒 its thresholds and members; 推送方式 the caller's subscribe credits)
    expect(
      bodies(fetch)
        .map((b) => b.action)
        .filter((a) => !['webhook.get', 'alerts.settings', 'members.list', 'reports.subscribe.get', 'inbox.followUp.get', 'quickReplies.list'].includes(a)),
    ).toEqual(['me.get', 'settings.get']);
  });

  it('sends only what changed, then says 保存好了', async () => {
    const fetch = backend();
    const c = await open();
    type(c.querySelector('.settings-persona-input')!, '说话亲切，称呼客户为亲');
    await waitFor(() => expect(text(c, '.settings-counter')).toBe('11/500'));
    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '保存好了' })));
    const update = bodies(fetch).find((b) => b.action === 'settings.update');
    expect(update).toEqual({ action: 'settings.update', merchantId: 'demo-bakery', aiPersona: '说话亲切，称呼客户为亲' });
  });

  it('does not call the server when nothing changed', async () => {
    const fetch = backend();
    const c = await open();
    fireEvent.click(c.querySelector('.settings-save')!);
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有要保存的改动' }));
    expect(bodies(fetch).some((b) => b.action === 'settings.update')).toBe(false);
  });

  it('refuses an empty shop name without calling the server', async () => {
    const fetch = backend();
    const c = await open();
    type(c.querySelector('.settings-name')!, '   ');
    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(text(c, '.settings-error')).toBe('店名不能空着'));
    expect(bodies(fetch).some((b) => b.action === 'settings.update')).toBe(false);
  });

  it('shows the server’s refusal in its own words', async () => {
    const fetch = mockFetch((body) => {
      if (body.action === 'me.get') return ok(me);
      if (body.action === 'settings.get') return ok(settings());
      return fail(400, 'INPUT.INVALID', '店名里不能有表情符号');
    });
    const c = await open();
    type(c.querySelector('.settings-name')!, '小麦面包坊🍞');
    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(text(c, '.settings-error')).toBe('店名里不能有表情符号'));
    expect(bodies(fetch).filter((b) => b.action === 'settings.update')).toHaveLength(1);
    expect(toast).not.toHaveBeenCalledWith(expect.objectContaining({ title: '保存好了' }));
  });

  it('adds and removes words, and sends all the rules together', async () => {
    const fetch = backend();
    const c = await open();
    const handoff = c.querySelector('.words-handoff')!;
    type(handoff.querySelector('.word-input')!, ' 投诉 ');
    fireEvent.click(handoff.querySelector('.word-add')!);
    await waitFor(() => expect(handoff.querySelectorAll('.word-chip')).toHaveLength(2));
    // the same word twice is refused
    type(handoff.querySelector('.word-input')!, '退款');
    fireEvent.click(handoff.querySelector('.word-add')!);
    await waitFor(() => expect(text(handoff, '.word-error')).toBe('"退款"已经有了'));
    // take 最便宜 out of the banned words
    fireEvent.click(c.querySelector('.words-banned .word-remove')!);
    await waitFor(() => expect(c.querySelectorAll('.words-banned .word-chip')).toHaveLength(0));
    // a new alias
    type(c.querySelector('.alias-term')!, '老样子');
    type(c.querySelector('.alias-means')!, '原味吐司');
    fireEvent.click(c.querySelector('.alias-add')!);
    await waitFor(() => expect(c.querySelectorAll('.alias-item')).toHaveLength(2));

    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '保存好了' })));
    const update = bodies(fetch).find((b) => b.action === 'settings.update');
    expect(update).toEqual({
      action: 'settings.update',
      merchantId: 'demo-bakery',
      answerRules: {
        handoffWords: ['退款', '投诉'],
        bannedWords: [],
        aliases: [
          { term: '招牌', means: '杨枝甘露' },
          { term: '老样子', means: '原味吐司' },
        ],
      },
    });
  });

  it('refuses a word longer than 20 characters', async () => {
    backend();
    const c = await open();
    const banned = c.querySelector('.words-banned')!;
    type(banned.querySelector('.word-input')!, '一'.repeat(21));
    fireEvent.click(banned.querySelector('.word-add')!);
    await waitFor(() => expect(text(banned, '.word-error')).toBe('一个词最多 20 个字'));
    expect(banned.querySelectorAll('.word-chip')).toHaveLength(1);
  });

  it('edits hours: a shift past midnight is said plainly, closed days toggle, 不设营业时间 sends null', async () => {
    const fetch = backend();
    const c = await open();
    change(c.querySelector('.hours-close')!.parentElement!, '02:00');
    await waitFor(() => expect(c.querySelector('.hours-overnight')).not.toBeNull());
    expect(text(c, '.hours-close')).toContain('第二天 02:00');
    fireEvent.click(c.querySelector('.day-7')!);
    fireEvent.click(c.querySelector('.day-1')!);
    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(bodies(fetch).filter((b) => b.action === 'settings.update')).toHaveLength(1));
    expect(bodies(fetch).find((b) => b.action === 'settings.update')).toEqual({
      action: 'settings.update',
      merchantId: 'demo-bakery',
      businessHours: { open: '09:00', close: '02:00', closedDays: [7] },
    });

    await waitFor(() => expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '保存好了' })));
    change(c.querySelector('.hours-none')!, true);
    await waitFor(() => expect(c.querySelector('.hours-detail')).toBeNull());
    fireEvent.click(c.querySelector('.settings-save')!);
    await waitFor(() => expect(bodies(fetch).filter((b) => b.action === 'settings.update')).toHaveLength(2));
    expect(bodies(fetch).filter((b) => b.action === 'settings.update')[1]).toEqual({
      action: 'settings.update',
      merchantId: 'demo-bakery',
      businessHours: null,
    });
  });

  it('links to the setup checker', async () => {
    backend();
    const nav = jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await open();
    fireEvent.click(c.querySelector('.settings-setup-link')!);
    expect(nav).toHaveBeenCalledWith({ url: '/sub/setup/index' });
  });

  it('shows staff a note instead of loading settings', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    const fetch = backend();
    const { container } = render(<SettingsPage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(bodies(fetch).map((b) => b.action)).toEqual(['me.get']);
  });

  it('shows a load error with 重试', async () => {
    let broken = true;
    mockFetch((body) => {
      if (body.action === 'me.get') return ok(me);
      return broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok(settings());
    });
    const { container } = render(<SettingsPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(container.querySelector('.settings-form')).not.toBeNull());
  });
});

describe('buildChanges()', () => {
  it('is empty for an untouched form, whatever order the closed days came in', () => {
    const s = settings({ businessHours: { open: '09:00', close: '21:00', closedDays: [6, 1] } });
    expect(buildChanges(s, toDraft(s))).toEqual({ ok: true, changes: {} });
  });

  it('turns hours on from none with default times', () => {
    const s = settings({ businessHours: null });
    const d = { ...toDraft(s), hoursOn: true };
    expect(buildChanges(s, d)).toEqual({ ok: true, changes: { businessHours: { open: '09:00', close: '21:00', closedDays: [] } } });
  });

  it('refuses the same open and close time', () => {
    const s = settings();
    const r = buildChanges(s, { ...toDraft(s), close: '09:00' });
    expect(r.ok).toBe(false);
  });

  it('trims the name', () => {
    const s = settings();
    expect(buildChanges(s, { ...toDraft(s), name: ' 小麦 ' })).toEqual({ ok: true, changes: { name: '小麦' } });
  });
});

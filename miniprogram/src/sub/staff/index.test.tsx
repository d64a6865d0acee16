import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { MemberView } from '@xiaoer/shared/contracts/api';
import StaffPage from './index';
import { expiryText } from './format';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const members: MemberView[] = [
  { id: 'mem-1', name: '王老板', role: 'owner', onDuty: true, wecomUserId: 'WangLaoBan' },
  { id: 'mem-2', name: '', role: 'staff', onDuty: false, wecomUserId: null },
];

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const bodies = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));
const type = (el: Element, value: string) =>
  act(() => {
    el.dispatchEvent(new CustomEvent('input', { detail: { value }, bubbles: true }));
  });
const change = (el: Element, value: unknown) =>
  act(() => {
    el.dispatchEvent(new CustomEvent('change', { detail: { value }, bubbles: true }));
  });

function backend(over: (body: { action: string; [k: string]: unknown }) => ReturnType<typeof ok> | undefined = () => undefined) {
  const list = members.map((m) => ({ ...m }));
  return mockFetch((body) => {
    const custom = over(body);
    if (custom) return custom;
    if (body.action === 'me.get') return ok(me);
    if (body.action === 'members.list') return ok({ members: list });
    if (body.action === 'members.update') {
      const m = list.find((x) => x.id === body.memberId)!;
      if (body.onDuty !== undefined) m.onDuty = body.onDuty as boolean;
      if (body.wecomUserId !== undefined) m.wecomUserId = (body.wecomUserId as string) || null;
      return ok({ member: m });
    }
    if (body.action === 'invites.create') return ok({ code: 'K7QX2MPA', role: body.role, expiresAt: Date.now() + 24 * 3_600_000 });
    return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
  });
}

async function open() {
  const view = render(<StaffPage />);
  await waitFor(() => expect(view.container.querySelectorAll('.member-item')).toHaveLength(2));
  return view.container;
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('店员和邀请码 page', () => {
  it('lists members with name or 未命名, role and duty', async () => {
    const fetch = backend();
    const c = await open();
    expect(c.querySelector('.page-staff')).not.toBeNull();
    expect(text(c, '.member-mem-1 .member-name')).toBe('王老板');
    expect(text(c, '.member-mem-1 .member-role')).toBe('老板');
    expect(text(c, '.member-mem-1 .member-duty-label')).toBe('值班');
    expect(text(c, '.member-mem-2 .member-name')).toBe('未命名');
    expect(text(c, '.member-mem-2 .member-role')).toBe('店员');
    expect(text(c, '.member-mem-2 .member-duty-label')).toBe('不值班');
    expect(c.querySelector('.member-mem-1 .wecom-input')!.getAttribute('value')).toBe('WangLaoBan');
    expect(c.textContent).toContain('有客户要找人时，会通过企业微信提醒值班的人');
    expect(bodies(fetch).map((b) => b.action)).toEqual(['me.get', 'members.list']);
  });

  it('turning 值班 on sends members.update', async () => {
    const fetch = backend();
    const c = await open();
    change(c.querySelector('.member-mem-2 .duty-switch')!, true);
    await waitFor(() => expect(text(c, '.member-mem-2 .member-duty-label')).toBe('值班'));
    expect(bodies(fetch).find((b) => b.action === 'members.update')).toEqual({
      action: 'members.update',
      merchantId: 'demo-bakery',
      memberId: 'mem-2',
      onDuty: true,
    });
  });

  it('says why a duty change failed and keeps the saved value', async () => {
    backend((b) => (b.action === 'members.update' ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : undefined));
    const c = await open();
    change(c.querySelector('.member-mem-1 .duty-switch')!, false);
    await waitFor(() => expect(text(c, '.member-mem-1 .member-error')).toBe('服务器开小差了'));
    expect(text(c, '.member-mem-1 .member-duty-label')).toBe('值班');
  });

  it('saves a WeCom account, and refuses one with other characters', async () => {
    const fetch = backend();
    const c = await open();
    const row = c.querySelector('.member-mem-2')!;
    expect(row.querySelector('.wecom-dirty')).toBeNull();
    type(row.querySelector('.wecom-input')!, '小李');
    fireEvent.click(row.querySelector('.wecom-save')!);
    await waitFor(() => expect(text(row, '.member-error')).toBe('企业微信账号只能是英文、数字和 _ @ . -'));
    expect(bodies(fetch).some((b) => b.action === 'members.update')).toBe(false);

    type(row.querySelector('.wecom-input')!, 'XiaoLi');
    fireEvent.click(row.querySelector('.wecom-save')!);
    // a boolean, not the element: a failing check would pretty-print Stencil's huge element on every poll
    await waitFor(() => expect(row.querySelector('.wecom-dirty') === null).toBe(true));
    expect(bodies(fetch).find((b) => b.action === 'members.update')).toEqual({
      action: 'members.update',
      merchantId: 'demo-bakery',
      memberId: 'mem-2',
      wecomUserId: 'XiaoLi',
    });
    expect(row.querySelector('.member-hint')).toBeNull();
  });

  it('makes a staff invite code, shows it big with its expiry, and copies it', async () => {
    const fetch = backend();
    const clip = jest.spyOn(Taro, 'setClipboardData').mockResolvedValue({ errMsg: 'ok' } as never);
    const c = await open();
    fireEvent.click(c.querySelector('.invite-staff')!);
    await waitFor(() => expect(text(c, '.invite-code')).toBe('K7QX2MPA'));
    expect(text(c, '.invite-expiry')).toBe('24 小时内有效');
    expect(text(c, '.invite-for')).toBe('店员的邀请码');
    expect(bodies(fetch).find((b) => b.action === 'invites.create')).toEqual({ action: 'invites.create', merchantId: 'demo-bakery', role: 'staff' });
    fireEvent.click(c.querySelector('.invite-copy')!);
    expect(clip).toHaveBeenCalledWith({ data: 'K7QX2MPA' });
  });

  it('makes an owner invite code', async () => {
    const fetch = backend();
    const c = await open();
    fireEvent.click(c.querySelector('.invite-owner')!);
    await waitFor(() => expect(text(c, '.invite-for')).toBe('老板的邀请码'));
    expect(bodies(fetch).find((b) => b.action === 'invites.create')).toMatchObject({ role: 'owner' });
  });

  it('shows staff a note instead of the members', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    const fetch = backend();
    const { container } = render(<StaffPage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(container.querySelector('.invite-staff')).toBeNull();
    expect(bodies(fetch).map((b) => b.action)).toEqual(['me.get']);
  });

  it('shows a load error with 重试', async () => {
    let broken = true;
    backend((b) => (broken && b.action === 'members.list' ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : undefined));
    const { container } = render(<StaffPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(container.querySelector('.retry')!);
    await waitFor(() => expect(container.querySelectorAll('.member-item')).toHaveLength(2));
  });

  it('removes a member after a confirm; nobody can remove themself or the last owner', async () => {
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const fetch = backend((b) => {
      if (b.action === 'members.list') return ok({ members: members.map((m) => ({ ...m, you: m.id === 'mem-1' })) });
      if (b.action === 'members.remove') return ok({ memberId: b.memberId, sessionsEnded: true });
      return undefined;
    });
    const c = await open();
    // mem-1 is the caller and the only owner: no button on that row
    expect(c.querySelector('.member-mem-1 .member-remove')).toBeNull();
    fireEvent.click(c.querySelector('.member-mem-2 .member-remove')!);
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(bodies(fetch).map((b) => b.action)).not.toContain('members.remove');

    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    fireEvent.click(c.querySelector('.member-mem-2 .member-remove')!);
    // a generous wait: CI runs the app tests beside builds on two cores (a passing wait returns at once)
    await waitFor(() => expect(c.querySelectorAll('.member-item')).toHaveLength(1), { timeout: 5000 });
    expect(bodies(fetch).filter((b) => b.action === 'members.remove')).toEqual([{ action: 'members.remove', merchantId: 'demo-bakery', memberId: 'mem-2' }]);
    expect(c.querySelector('.member-mem-2')).toBeNull();
  });

  it('says why a removal was refused and keeps the member', async () => {
    jest.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const twoOwners = [members[0]!, { ...members[1]!, role: 'owner' as const }];
    backend((b) => {
      if (b.action === 'members.list') return ok({ members: twoOwners });
      if (b.action === 'members.remove') return fail(409, 'CONFLICT.LAST_OWNER', '这是店里唯一的老板，不能移出');
      return undefined;
    });
    const c = await open();
    // two owners: either may go, as far as the page knows
    expect(c.querySelectorAll('.member-remove')).toHaveLength(2);
    fireEvent.click(c.querySelector('.member-mem-2 .member-remove')!);
    await waitFor(() => expect(text(c, '.member-mem-2 .member-error')).toBe('这是店里唯一的老板，不能移出'));
    expect(c.querySelectorAll('.member-item')).toHaveLength(2);
  });
});

describe('expiryText()', () => {
  const now = 1_000_000_000;
  it('counts days, hours, then minutes', () => {
    expect(expiryText(now + 24 * 3_600_000 - 2_000, now)).toBe('24 小时内有效');
    expect(expiryText(now + 7 * 86_400_000 - 5_000, now)).toBe('7 天内有效');
    expect(expiryText(now + 90 * 60_000, now)).toBe('2 小时内有效');
    expect(expiryText(now + 10 * 60_000, now)).toBe('10 分钟内有效');
    expect(expiryText(now - 1, now)).toBe('已经过期了，请重新生成');
  });
});

import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult, MemberView } from '@xiaoer/shared/contracts/api';
import ChannelsPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

type Channel = ApiResult<'channels.list'>['channels'][number];

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const apiCalls = (fetch: jest.Mock) =>
  fetch.mock.calls.filter(([url]) => String(url).includes('/fn/api')).map(([, init]) => JSON.parse((init as { body: string }).body) as Record<string, unknown>);

const MEMBERS: MemberView[] = [
  { id: 'm1', name: '老板', role: 'owner', onDuty: true, wecomUserId: 'LaoBan' },
  { id: 'm2', name: '小周', role: 'staff', onDuty: true, wecomUserId: 'zhou' },
  { id: 'm3', name: '新人', role: 'staff', onDuty: true, wecomUserId: null },
];

const channel = (over: Partial<Channel> = {}): Channel => ({
  id: 'chAbc123',
  name: '门店柜台',
  members: ['LaoBan'],
  tags: ['到店'],
  welcome: '欢迎来柜台扫码！',
  qrCode: 'http://localhost/sandbox/qr/demo/abc.png',
  createdAt: 1,
  updatedAt: 1,
  stats: { added: 12, friends: 10, ordered: 4 },
  ...over,
});

/** A small stateful shop: creating, changing and deleting move the list as the server would. */
function shop(over: Record<string, Handler> = {}, who = me) {
  const channels: Channel[] = [channel()];
  const handler: Handler = (b) => {
    if (over[b.action]) return over[b.action]!(b);
    switch (b.action) {
      case 'me.get':
        return ok(who);
      case 'channels.list':
        return ok({ channels });
      case 'members.list':
        return ok({ members: MEMBERS });
      case 'channels.create': {
        const c = channel({
          id: 'chNew456',
          name: b.name as string,
          members: b.members as string[],
          tags: b.tags as string[],
          welcome: (b.welcome as string | null) ?? null,
          stats: { added: 0, friends: 0, ordered: 0 },
        });
        channels.push(c);
        return ok({ channel: c });
      }
      case 'channels.update': {
        const i = channels.findIndex((c) => c.id === b.id);
        channels[i] = { ...channels[i]!, name: b.name as string, members: b.members as string[], tags: b.tags as string[], welcome: (b.welcome as string | null) ?? null };
        return ok({ channel: channels[i] });
      }
      case 'channels.remove':
        channels.splice(
          channels.findIndex((c) => c.id === b.id),
          1,
        );
        return ok({ id: b.id });
      default:
        return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
    }
  };
  return { handler, channels };
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

/** The element once the page shows it. */
const find = (root: ParentNode, sel: string) =>
  waitFor(() => {
    const el = root.querySelector(sel);
    expect(el).not.toBeNull();
    return el!;
  });

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

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('渠道活码 page', () => {
  it('shows each code with its picture, numbers, staff, tags and welcome, in plain words', async () => {
    mockFetch(shop().handler);
    const { container } = render(<ChannelsPage />);
    await waitFor(() => expect(container.querySelectorAll('.channel-item')).toHaveLength(1));
    expect(text(container, '.channel-name')).toBe('门店柜台');
    expect(container.querySelector('.channel-qr')?.getAttribute('src')).toBe('http://localhost/sandbox/qr/demo/abc.png');
    expect(texts(container, '.stat')).toEqual(['扫码加好友 12 人', '还是好友 10 人', '30 天内下单 4 人']);
    expect(text(container, '.channel-members')).toBe('接待：老板');
    expect(text(container, '.channel-tags')).toBe('自动打标签：到店');
    expect(text(container, '.channel-welcome')).toBe('欢迎语：欢迎来柜台扫码！');
    expect(container.textContent).not.toMatch(/config|state|chAbc|undefined|null|LaoBan/);
  });

  it('creates a code: name, staff picked from those with a WeCom account, tags and welcome; the list then shows it', async () => {
    const fetch = mockFetch(shop().handler);
    const { container } = render(<ChannelsPage />);
    await tap(await find(container, '.channel-new'));
    // only members with a WeCom account can be picked
    expect(texts(container, '.member-chip')).toEqual(['老板', '小周']);
    await tap(container.querySelector('.channel-submit'));
    expect(text(container, '.form-error')).toBe('给活码起个名字，比如「门店柜台」');
    await typeInto(container, '.channel-name-input input', '外卖袋');
    await tap(container.querySelector('.channel-submit'));
    expect(text(container, '.form-error')).toBe('至少选一位接待的店员');
    await tap(container.querySelectorAll('.member-chip')[0]);
    await tap(container.querySelectorAll('.member-chip')[1]);
    expect(text(container, '.channel-form')).toContain('轮流分给他们');
    await typeInto(container, '.channel-tags-input input', '外卖  新客，外卖');
    await typeInto(container, '.channel-welcome-input textarea', '  谢谢点外卖～  ');
    await tap(container.querySelector('.channel-submit'));
    await waitFor(() => expect(texts(container, '.channel-name')).toEqual(['门店柜台', '外卖袋']));
    expect(container.querySelector('.channel-form')).toBeNull();
    expect(apiCalls(fetch).find((b) => b.action === 'channels.create')).toEqual({
      action: 'channels.create',
      merchantId: 'demo-bakery',
      name: '外卖袋',
      members: ['LaoBan', 'zhou'],
      tags: ['外卖', '新客'],
      welcome: '谢谢点外卖～',
    });
  });

  it('changes a code from its own form, and shows why the server refused', async () => {
    const refuse = { 'channels.update': () => fail(502, 'WECOM.CONTACT_SETUP', '企业微信的客户联系还没接好，活码没能修改。') };
    mockFetch(shop(refuse).handler);
    const { container } = render(<ChannelsPage />);
    await tap(await find(container, '.channel-edit'));
    await waitFor(() => expect((container.querySelector('.channel-name-input input') as HTMLInputElement | null)?.value).toBe('门店柜台'));
    expect(texts(container, '.member-on')).toEqual(['老板']);
    await typeInto(container, '.channel-name-input input', '收银台');
    await tap(container.querySelector('.channel-submit'));
    await waitFor(() => expect(text(container, '.channel-form .form-error')).toBe('企业微信的客户联系还没接好，活码没能修改。'));

    const fetch = mockFetch(shop().handler);
    await tap(container.querySelector('.channel-submit'));
    await waitFor(() => expect(texts(container, '.channel-name')).toEqual(['收银台']));
    expect(apiCalls(fetch).find((b) => b.action === 'channels.update')).toMatchObject({
      id: 'chAbc123',
      name: '收银台',
      members: ['LaoBan'],
      tags: ['到店'],
      welcome: '欢迎来柜台扫码！',
    });
  });

  it('deletes only after the owner confirms', async () => {
    const fetch = mockFetch(shop().handler);
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const { container } = render(<ChannelsPage />);
    await tap(await find(container, '.channel-remove'));
    expect(modal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除「门店柜台」？' }));
    expect(apiCalls(fetch).map((b) => b.action)).not.toContain('channels.remove');
    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    await tap(container.querySelector('.channel-remove'));
    await waitFor(() => expect(text(container, '.channels-empty')).toContain('还没有活码'));
    expect(apiCalls(fetch).filter((b) => b.action === 'channels.remove')).toEqual([{ action: 'channels.remove', merchantId: 'demo-bakery', id: 'chAbc123' }]);
  });

  it('保存二维码 downloads the picture through a link on H5', async () => {
    mockFetch(shop().handler);
    const clicked: { href: string; download: string }[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    const { container } = render(<ChannelsPage />);
    await tap(await find(container, '.channel-save'));
    await waitFor(() => expect(text(container, '.channel-note')).toContain('开始下载'));
    // the fetch stand-in has no picture to give: the link points at the picture itself
    expect(clicked).toEqual([{ href: 'http://localhost/sandbox/qr/demo/abc.png', download: '门店柜台-活码.png' }]);
  });

  it('staff are told the page is the owner’s, and nothing is asked for', async () => {
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    const fetch = mockFetch(shop({}, staff).handler);
    const { container } = render(<ChannelsPage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(apiCalls(fetch).map((b) => b.action)).toEqual(['me.get']);
  });
});

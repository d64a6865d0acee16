import { fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import SetupPage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const someBad: ApiResult<'setup.check'> = {
  allOk: false,
  items: [
    { key: 'corp', ok: true, label: '企业 ID', detail: 'ww1234567890', fix: null },
    { key: 'kfSecret', ok: false, label: '微信客服的 Secret', detail: '还没填', fix: '到企业微信管理后台「微信客服」里复制 Secret，发给我们填上' },
    { key: 'kfCallback', ok: false, label: '客服消息的回调', detail: '还没收到过企业微信的验证', fix: '在「微信客服」→「API」里填回调地址，点保存' },
    // the doctor's send test is never run from the app: skipped, neither green nor red
    { key: 'message_send', ok: true, skipped: true, label: '给老板发企业微信消息', detail: '没有发测试消息（会真的发一条到老板的企业微信）', fix: null },
  ],
};
const allGood: ApiResult<'setup.check'> = {
  allOk: true,
  items: someBad.items.map((i) => ({ ...i, ok: true, fix: null })),
};

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body).action);

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
});

describe('企业微信连接检查 page', () => {
  it('shows red items with their fixes and how many are left', async () => {
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(someBad)));
    const { container: c } = render(<SetupPage />);
    await waitFor(() => expect(c.querySelectorAll('.setup-item')).toHaveLength(4));
    expect(c.querySelector('.page-setup')).not.toBeNull();
    expect(text(c, '.setup-summary-title')).toBe('还有 2 项要处理');
    expect(c.querySelectorAll('.setup-ok')).toHaveLength(1);
    expect(c.querySelectorAll('.setup-bad')).toHaveLength(2);
    expect(text(c, '.setup-item-kfSecret .setup-label')).toBe('微信客服的 Secret');
    expect(text(c, '.setup-item-kfSecret .setup-detail')).toBe('还没填');
    expect(text(c, '.setup-item-kfSecret .setup-fix')).toContain('复制 Secret');
    expect(c.querySelector('.setup-item-corp .setup-fix')).toBeNull();
    // a skipped check shows a dash and what it did not do, and is not counted as left to do
    expect(text(c, '.setup-item-message_send .setup-mark')).toBe('–');
    expect(c.querySelector('.setup-item-message_send .setup-skip')).not.toBeNull();
    expect(text(c, '.setup-item-message_send .setup-detail')).toContain('没有发测试消息');
    expect(c.querySelector('.setup-item-message_send .setup-fix')).toBeNull();
    expect(actions(fetch)).toEqual(['me.get', 'setup.check']);
  });

  it('checks again and shows 都连好了', async () => {
    let fixed = false;
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(fixed ? allGood : someBad)));
    const { container: c } = render(<SetupPage />);
    await waitFor(() => expect(text(c, '.setup-summary-title')).toBe('还有 2 项要处理'));
    fixed = true;
    fireEvent.click(c.querySelector('.setup-recheck')!);
    await waitFor(() => expect(text(c, '.setup-summary-title')).toBe('都连好了'));
    expect(c.querySelectorAll('.setup-bad')).toHaveLength(0);
    expect(c.querySelectorAll('.setup-fix')).toHaveLength(0);
    expect(actions(fetch)).toEqual(['me.get', 'setup.check', 'setup.check']);
  });

  it('does not check for staff', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b');
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(someBad)));
    const { container: c } = render(<SetupPage />);
    await waitFor(() => expect(c.textContent).toContain('只有老板能打开这一页'));
    expect(actions(fetch)).toEqual(['me.get']);
  });

  it('shows an error with 重试', async () => {
    let broken = true;
    mockFetch(({ action }) => {
      if (action === 'me.get') return ok(me);
      return broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok(allGood);
    });
    const { container: c } = render(<SetupPage />);
    await waitFor(() => expect(text(c, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    fireEvent.click(c.querySelector('.retry')!);
    await waitFor(() => expect(text(c, '.setup-summary-title')).toBe('都连好了'));
  });
});

import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { MemberView, SettingsView } from '@xiaoer/shared/contracts/api';
import { ReportTimeCard } from './ReportTimeCard';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const initial: SettingsView['reports'] = { dailyAt: '21:00', format: 'textcard', recipients: null, channels: ['app'], robot: { configured: false, hint: null } };
const MEMBERS: MemberView[] = [
  { id: 'm-owner', name: '老王', role: 'owner', onDuty: true, wecomUserId: 'LaoWang' },
  { id: 'm-xiaoli', name: '小李', role: 'staff', onDuty: true, wecomUserId: 'XiaoLi' },
  { id: 'm-nowecom', name: '小张', role: 'staff', onDuty: true, wecomUserId: null },
];

/** Taro's H5 form components report their value in `detail`, like on weapp. */
const fire = (el: Element, type: 'input' | 'change', value: unknown) =>
  act(() => {
    el.dispatchEvent(new CustomEvent(type, { detail: { value }, bubbles: true }));
  });

const settingsWith = (reports: SettingsView['reports']): SettingsView => ({
  id: 'demo-bakery',
  name: '小麦面包坊',
  industry: '烘焙',
  timezone: 'Asia/Shanghai',
  aiPersona: '',
  businessHours: null,
  answerRules: { handoffWords: [], bannedWords: [], aliases: [] },
  reports,
  wecom: { corpId: 'ww1', agentId: 1000002, secrets: { app: null, contact: null, kf: null }, callbackToken: '****', callbackAesKey: '****', kfCallbackConfigured: false },
});

/** A backend that keeps what it is sent, like the server. */
function backend(opts: { alertsFail?: boolean } = {}) {
  const sent: Record<string, unknown>[] = [];
  let reports = initial;
  let alerts = { bigOrderFen: 50_000 as number | null, unfulfilledHours: 24, stock: true };
  mockFetch((body) => {
    sent.push(body);
    const { action, merchantId: _m, ...rest } = body;
    if (action === 'members.list') return ok({ members: MEMBERS });
    if (action === 'alerts.settings') {
      if (opts.alertsFail) return fail(500, 'INTERNAL.ERROR', '系统出了点问题，请稍后再试');
      alerts = { ...alerts, ...(rest as Partial<typeof alerts>) };
      return ok(alerts);
    }
    if (action === 'settings.update') {
      const r = rest.reports as Partial<SettingsView['reports']>;
      reports = { ...reports, ...r };
      return ok(settingsWith(reports));
    }
    return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
  });
  return sent;
}

let toast: jest.SpyInstance;
beforeEach(() => {
  resetSession();
  toast = jest.spyOn(Taro, 'showToast').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
});
afterEach(() => jest.restoreAllMocks());

async function open() {
  const view = render(<ReportTimeCard merchantId="demo-bakery" initial={initial} />);
  await waitFor(() => expect(view.container.querySelector('.alert-big-input')).not.toBeNull());
  return view.container;
}

describe('报表和提醒 (settings)', () => {
  it('shows the report time, the members with a WeCom account, the format and the current thresholds', async () => {
    backend();
    const c = await open();
    expect(text(c, '.report-daily-at .settings-pick')).toBe('21:00 ›');
    await waitFor(() => expect(c.querySelectorAll('.report-recipient')).toHaveLength(2));
    expect(c.querySelector('.recipient-m-nowecom')).toBeNull();
    expect(text(c, '.recipient-m-owner .settings-label')).toBe('老王（老板）');
    expect(c.textContent).toContain('一个都不选，就发给老板。');
    expect(c.querySelector('.format-textcard')!.className).toContain('format-on');
    expect(c.querySelector('.alert-big-input')!.getAttribute('value')).toBe('500');
    expect(c.querySelector('.alert-late-input')!.getAttribute('value')).toBe('24');
  });

  it('saves only what changed: time, recipients and format through settings.update, thresholds through alerts.settings', async () => {
    const sent = backend();
    const c = await open();
    fire(c.querySelector('.report-daily-at')!, 'change', '20:30');
    await waitFor(() => expect(text(c, '.report-daily-at .settings-pick')).toBe('20:30 ›'));
    fireEvent.click(c.querySelector('.recipient-m-xiaoli')!);
    fireEvent.click(c.querySelector('.format-markdown')!);
    fire(c.querySelector('.alert-big-input')!, 'input', '888.5');
    fire(c.querySelector('.alert-late-input')!, 'input', '6');
    await act(async () => {
      fireEvent.click(c.querySelector('.report-save')!);
    });
    await waitFor(() => expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '保存好了' })));
    expect(sent.find((b) => b.action === 'settings.update')).toEqual({
      action: 'settings.update',
      merchantId: 'demo-bakery',
      reports: { dailyAt: '20:30', format: 'markdown', recipients: ['m-xiaoli'] },
    });
    expect(sent.filter((b) => b.action === 'alerts.settings').at(-1)).toEqual({ action: 'alerts.settings', merchantId: 'demo-bakery', bigOrderFen: 88850, unfulfilledHours: 6 });

    // picking nobody again goes back to "the owners" (null), and an emptied amount turns big-order alerts off
    fireEvent.click(c.querySelector('.recipient-m-xiaoli')!);
    fire(c.querySelector('.alert-big-input')!, 'input', '');
    fire(c.querySelector('.alert-stock-switch')!, 'change', false);
    await act(async () => {
      fireEvent.click(c.querySelector('.report-save')!);
    });
    await waitFor(() => expect(sent.filter((b) => b.action === 'settings.update')).toHaveLength(2));
    expect(sent.filter((b) => b.action === 'settings.update').at(-1)).toMatchObject({ reports: { recipients: null } });
    await waitFor(() =>
      expect(sent.filter((b) => b.action === 'alerts.settings').at(-1)).toEqual({ action: 'alerts.settings', merchantId: 'demo-bakery', bigOrderFen: null, stock: false }),
    );
  });

  it('checks the thresholds before sending and sends nothing when nothing changed', async () => {
    const sent = backend();
    const c = await open();
    await act(async () => {
      fireEvent.click(c.querySelector('.report-save')!);
    });
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '没有要保存的改动' }));
    fire(c.querySelector('.alert-late-input')!, 'input', '0');
    await act(async () => {
      fireEvent.click(c.querySelector('.report-save')!);
    });
    expect(text(c, '.report-error')).toBe('没发货的小时数要填 1 到 240 之间的整数');
    fire(c.querySelector('.alert-late-input')!, 'input', '12');
    fire(c.querySelector('.alert-big-input')!, 'input', '-5');
    await act(async () => {
      fireEvent.click(c.querySelector('.report-save')!);
    });
    expect(text(c, '.report-error')).toBe('大单金额要填 0 到 100 万之间的数，最多两位小数');
    // only the two reads went out
    expect(sent.map((b) => b.action).sort()).toEqual(['alerts.settings', 'members.list']);
  });

  it('says what went wrong when the thresholds cannot be read, and tries again', async () => {
    backend({ alertsFail: true });
    render(<ReportTimeCard merchantId="demo-bakery" initial={initial} />);
    const c = document.body;
    await waitFor(() => expect(text(c, '.report-load-error .report-error-text')).toBe('系统出了点问题，请稍后再试'));
    expect(c.querySelector('.alert-big-input')).toBeNull();
    backend();
    fireEvent.click(c.querySelector('.report-reload')!);
    await waitFor(() => expect(c.querySelector('.alert-big-input')).not.toBeNull());
  });
});

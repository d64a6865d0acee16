import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { SettingsView } from '@xiaoer/shared/contracts/api';
import { PushCard } from './PushCard';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok } from '../../../test/fetch-mock';

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim();
const URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const initial: SettingsView['reports'] = { dailyAt: '21:00', format: 'textcard', recipients: null, channels: ['app'], robot: { configured: false, hint: null } };

/** Taro's H5 form components report their value in `detail`, like on weapp. */
const type = (el: Element, value: string) =>
  act(() => {
    el.dispatchEvent(new CustomEvent('input', { detail: { value }, bubbles: true }));
  });

/** What settings.update answers (the app checks every answer against the contract). */
const settingsWith = (reports: SettingsView['reports']): SettingsView => ({
  id: 'demo-bakery',
  name: '小麦面包坊',
  industry: '烘焙',
  timezone: 'Asia/Shanghai',
  aiPersona: '',
  businessHours: null,
  answerRules: { handoffWords: [], bannedWords: [], aliases: [] },
  reports,
  wecom: {
    corpId: 'ww1234567890',
    agentId: 1000002,
    secrets: { app: '****abcd', contact: null, kf: null },
    callbackToken: '****tok1',
    callbackAesKey: '****aes1',
    kfCallbackConfigured: false,
  },
});

beforeEach(() => {
  resetSession();
  process.env.TARO_ENV = 'h5';
});
afterAll(() => {
  process.env.TARO_ENV = 'h5';
});

describe('推送方式 (settings)', () => {
  it('pastes the robot URL, shows only its hint, chooses the robot and sends a test push that says what happened', async () => {
    const sent: Record<string, unknown>[] = [];
    mockFetch((body) => {
      sent.push(body);
      if (body.action === 'reports.robot.set') return ok({ robot: { configured: true, hint: 'key=69********aa' } });
      if (body.action === 'settings.update') return ok(settingsWith({ ...initial, channels: (body.reports as { channels: ('app' | 'robot')[] }).channels }));
      if (body.action === 'reports.testPush') return ok({ channel: 'robot', state: 'queued', detail: '这个群机器人一分钟最多发 20 条，已排队，约 1 分钟后发到群里' });
      return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
    });
    const { container } = render(<PushCard merchantId="demo-bakery" initial={initial} />);
    expect(text(container, '.push-robot-status')).toBe('还没填群机器人地址');
    type(container.querySelector('.push-robot-url')!, URL);
    fireEvent.click(container.querySelector('.push-robot-save')!);
    await waitFor(() => expect(text(container, '.push-robot-status')).toBe('已填（key=69********aa）'));
    expect(container.textContent).not.toContain('693a91f6');

    fireEvent.click(container.querySelector('.push-channel-robot .push-channel-head')!);
    await waitFor(() => expect(text(container, '.push-channel-robot .push-chosen')).toBe('已选'));
    expect(sent.find((b) => b.action === 'settings.update')).toMatchObject({ reports: { channels: ['app', 'robot'] } });

    fireEvent.click(container.querySelector('.push-test-robot')!);
    await waitFor(() => expect(text(container, '.push-outcome-queued')).toContain('已排队'));
    expect(sent.at(-1)).toMatchObject({ action: 'reports.testPush', channel: 'robot' });
  });

  it('keeps at least one channel and shows the server’s refusal in words', async () => {
    mockFetch((body) => {
      if (body.action === 'reports.robot.set') return fail(400, 'INPUT.INVALID', '群机器人地址不对');
      return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
    });
    const { container } = render(<PushCard merchantId="demo-bakery" initial={initial} />);
    fireEvent.click(container.querySelector('.push-channel-app .push-channel-head')!);
    await waitFor(() => expect(text(container, '.push-error')).toBe('至少留一个推送方式'));
    type(container.querySelector('.push-robot-url')!, 'https://example.com');
    fireEvent.click(container.querySelector('.push-robot-save')!);
    await waitFor(() => expect(text(container, '.push-error')).toBe('群机器人地址不对'));
  });

  describe('微信订阅消息', () => {
    const TMPL = 'report-tmpl-1';
    /** The server's side of the caller's credits, as the actions answer them. */
    const server = (start: number) => {
      let left = start;
      const sent: Record<string, unknown>[] = [];
      const handle = (body: { action: string; [k: string]: unknown }) => {
        sent.push(body);
        if (body.action === 'reports.subscribe.get') return ok({ templateId: TMPL, left });
        if (body.action === 'reports.subscribe.grant') {
          const added = Object.entries(body.results as Record<string, string>).filter(([k, v]) => k === TMPL && v === 'accept').length;
          left += added;
          return ok({ templateId: TMPL, added, left });
        }
        if (body.action === 'reports.testPush') {
          if (left === 0) return ok({ channel: 'subscribe', state: 'skipped', reason: 'no_credit', detail: '订阅次数用完了，点一下再订阅' });
          left -= 1;
          return ok({ channel: 'subscribe', state: 'sent', detail: '已发到微信（1 人）' });
        }
        return fail(404, 'INPUT.UNKNOWN_ACTION', '没有这个操作');
      };
      return { sent, handle };
    };

    it('in H5: says subscribing happens in the mini-program, still adds a send for local testing, and asks to renew when they run out', async () => {
      const s = server(0);
      mockFetch(s.handle);
      const { container } = render(<PushCard merchantId="demo-bakery" initial={initial} />);
      await waitFor(() => expect(text(container, '.push-subscribe-left')).toBe('你还能收 0 条'));
      expect(text(container, '.push-subscribe-h5')).toContain('要在微信小程序里点');
      fireEvent.click(container.querySelector('.push-test-subscribe')!);
      await waitFor(() => expect(text(container, '.push-subscribe-renew')).toBe('订阅次数用完了，点一下再订阅'));
      fireEvent.click(container.querySelector('.push-subscribe-button')!);
      await waitFor(() => expect(text(container, '.push-subscribe-left')).toBe('你还能收 1 条'));
      expect(s.sent.find((b) => b.action === 'reports.subscribe.grant')).toEqual({ action: 'reports.subscribe.grant', merchantId: 'demo-bakery', results: { [TMPL]: 'accept' } });
      expect(container.querySelector('.push-subscribe-renew')).toBeNull();
      fireEvent.click(container.querySelector('.push-test-subscribe')!);
      await waitFor(() => expect(text(container, '.push-outcome-sent')).toBe('已发到微信（1 人）'));
      await waitFor(() => expect(text(container, '.push-subscribe-left')).toBe('你还能收 0 条'));
    });

    it('in the mini-program: asks WeChat on the tap and sends only what WeChat answered', async () => {
      const s = server(2);
      const t = Taro as unknown as Record<string, unknown>;
      t.cloud = { callFunction: async ({ data }: { data: { action: string } }) => ({ result: s.handle(data).json }) };
      const asked: unknown[] = [];
      t.requestSubscribeMessage = async (opt: unknown) => {
        asked.push(opt);
        return asked.length === 1 ? { errMsg: 'requestSubscribeMessage:ok', [TMPL]: 'reject' } : { errMsg: 'requestSubscribeMessage:ok', [TMPL]: 'accept', weird: 'maybe' };
      };
      process.env.TARO_ENV = 'weapp';
      const { container } = render(<PushCard merchantId="demo-bakery" initial={initial} />);
      await waitFor(() => expect(text(container, '.push-subscribe-left')).toBe('你还能收 2 条'));
      expect(container.querySelector('.push-subscribe-h5')).toBeNull();
      fireEvent.click(container.querySelector('.push-subscribe-button')!);
      await waitFor(() => expect(text(container, '.push-error')).toBe('没有订阅成功：要在微信弹出的框里点“允许”'));
      expect(s.sent.some((b) => b.action === 'reports.subscribe.grant')).toBe(false);
      fireEvent.click(container.querySelector('.push-subscribe-button')!);
      await waitFor(() => expect(text(container, '.push-subscribe-left')).toBe('你还能收 3 条'));
      expect(asked).toEqual([{ tmplIds: [TMPL] }, { tmplIds: [TMPL] }]);
      expect(s.sent.find((b) => b.action === 'reports.subscribe.grant')).toMatchObject({ results: { [TMPL]: 'accept' } });
    });
  });
});

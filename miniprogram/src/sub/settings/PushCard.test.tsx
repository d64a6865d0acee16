import { act, fireEvent, render, waitFor } from '@testing-library/react';
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

beforeEach(() => resetSession());

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
});

import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import type { ApiResult, SettingsView } from '@xiaoer/shared/contracts/api';
import { ApiError, call, isAuthExpired } from '../../services/api';

type Reports = SettingsView['reports'];
type Channel = Reports['channels'][number];
type Outcome = ApiResult<'reports.testPush'>;

const NAMES: Record<Channel, string> = { app: '企业微信应用消息', robot: '企业微信群机器人' };
const EXPLAIN: Record<Channel, string> = {
  app: '发给老板（或选中的店员）本人，在企业微信里收到。',
  robot: '发到一个企业微信内部群里，群里的人都能看到。一分钟最多发 20 条，多的会排队晚一点发，不会丢。',
};

function messageOf(err: unknown): string {
  if (isAuthExpired(err)) return '登录已过期，请重新打开小程序';
  if (err instanceof ApiError) return err.message;
  return '没办好，请再试一次';
}

/**
 * 推送设置 · 推送方式: which channels the reports go to, the group robot's webhook URL (pasted
 * once; the server keeps it sealed and only shows a hint), and a test push per channel that
 * says what happened.
 */
export function PushCard({ merchantId, initial }: { merchantId: string; initial: Reports }) {
  const [channels, setChannels] = useState<Channel[]>(initial.channels);
  const [robot, setRobot] = useState(initial.robot);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Partial<Record<Channel, Outcome>>>({});

  const run = async (what: string, fn: () => Promise<void>) => {
    if (busy) return;
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  };

  const toggle = (c: Channel) =>
    run(`toggle-${c}`, async () => {
      const next = channels.includes(c) ? channels.filter((x) => x !== c) : [...channels, c];
      if (!next.length) throw new ApiError('INPUT.INVALID', '至少留一个推送方式', 400);
      const saved = await call({ action: 'settings.update', merchantId, reports: { channels: next } });
      setChannels(saved.reports.channels);
    });

  const saveRobot = (value: string | null) =>
    run('robot', async () => {
      const saved = await call({ action: 'reports.robot.set', merchantId, url: value });
      setRobot(saved.robot);
      setUrl('');
      if (value === null) setChannels((cs) => (cs.filter((c) => c !== 'robot').length ? cs.filter((c) => c !== 'robot') : ['app']));
    });

  const test = (c: Channel) =>
    run(`test-${c}`, async () => {
      const out = await call({ action: 'reports.testPush', merchantId, channel: c });
      setOutcomes((o) => ({ ...o, [c]: out }));
    });

  return (
    <View className="settings-section settings-push">
      <Text className="settings-section-title">推送方式</Text>
      <Text className="settings-explain">每天的报表发到哪里，可以两个都选。</Text>
      {(['app', 'robot'] as const).map((c) => (
        <View key={c} className={`push-channel push-channel-${c}`}>
          <View className="push-channel-head" onClick={() => void toggle(c)}>
            <Text className="settings-label">{NAMES[c]}</Text>
            <Text className="settings-value push-chosen">{channels.includes(c) ? '已选' : '没选'}</Text>
          </View>
          <Text className="settings-explain">{EXPLAIN[c]}</Text>
          {c === 'robot' && (
            <View className="push-robot">
              <Text className="settings-value push-robot-status">{robot.configured ? `已填（${robot.hint ?? ''}）` : '还没填群机器人地址'}</Text>
              <Input
                className="settings-input push-robot-url"
                value={url}
                maxlength={300}
                placeholder="粘贴群机器人的 Webhook 地址"
                onInput={(e) => setUrl(e.detail.value ?? '')}
              />
              <Button
                className="btn push-robot-save"
                loading={busy === 'robot' || undefined}
                disabled={!url.trim() || Boolean(busy) || undefined}
                onClick={() => void saveRobot(url.trim())}
              >
                保存地址
              </Button>
              {robot.configured && (
                <Button className="btn push-robot-remove" disabled={Boolean(busy) || undefined} onClick={() => void saveRobot(null)}>
                  删掉地址
                </Button>
              )}
            </View>
          )}
          <Button className={`btn push-test push-test-${c}`} loading={busy === `test-${c}` || undefined} disabled={Boolean(busy) || undefined} onClick={() => void test(c)}>
            发一条测试报表给我
          </Button>
          {outcomes[c] && <Text className={`settings-explain push-outcome push-outcome-${outcomes[c]!.state}`}>{outcomes[c]!.detail}</Text>}
        </View>
      ))}
      {error && <Text className="settings-error push-error">{error}</Text>}
    </View>
  );
}

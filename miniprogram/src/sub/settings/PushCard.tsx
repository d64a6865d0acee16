import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import type { ApiRequestOf, ApiResult, SettingsView } from '@xiaoer/shared/contracts/api';
import { ApiError, call, isAuthExpired } from '../../services/api';

type Reports = SettingsView['reports'];
type Channel = Reports['channels'][number];
type Outcome = ApiResult<'reports.testPush'>;
type Subscribe = ApiResult<'reports.subscribe.get'>;
type Results = ApiRequestOf<'reports.subscribe.grant'>['results'];
const ANSWERS = new Set(['accept', 'reject', 'ban', 'filter', 'acceptWithAudio']);

const CHANNELS = ['app', 'robot', 'subscribe'] as const satisfies readonly Channel[];
const NAMES: Record<Channel, string> = { app: '企业微信应用消息', robot: '企业微信群机器人', subscribe: '微信订阅消息' };
const EXPLAIN: Record<Channel, string> = {
  app: '发给老板（或选中的店员）本人，在企业微信里收到。',
  robot: '发到一个企业微信内部群里，群里的人都能看到。一分钟最多发 20 条，多的会排队晚一点发，不会丢。',
  subscribe: '发到你自己的微信“服务通知”里，不用企业微信。微信的规定：点一次“订阅”只能收一条，用完了要再点一次。',
};

// read at call time: tests switch TARO_ENV per case; builds inline it either way
const isWeapp = () => process.env.TARO_ENV === 'weapp';

/** What the WeChat prompt answered per template id (its errMsg and anything unknown left out). */
async function askWechat(templateId: string): Promise<Results> {
  const res = (await Taro.requestSubscribeMessage({ tmplIds: [templateId] } as unknown as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>;
  return Object.fromEntries(Object.entries(res).filter(([k, v]) => k !== 'errMsg' && ANSWERS.has(v))) as Results;
}

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
  const [sub, setSub] = useState<Subscribe | null>(null);

  useEffect(() => {
    let live = true;
    call({ action: 'reports.subscribe.get', merchantId })
      .then((s) => live && setSub(s))
      .catch(() => live && setSub(null));
    return () => {
      live = false;
    };
  }, [merchantId]);

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
      // a test spends one of the caller's sends too
      if (c === 'subscribe') setSub(await call({ action: 'reports.subscribe.get', merchantId }));
    });

  /** In the mini-program WeChat asks (it must follow a tap); elsewhere the grant is made as if it accepted (local testing). */
  const subscribe = () =>
    run('subscribe', async () => {
      if (!sub?.templateId) throw new ApiError('CONFIG.NO_SUBSCRIBE', '这个店小二还没配置订阅消息，暂时不能订阅', 503);
      const results: Results = isWeapp() ? await askWechat(sub.templateId) : { [sub.templateId]: 'accept' };
      if (!Object.values(results).some((r) => r === 'accept' || r === 'acceptWithAudio')) {
        throw new ApiError('INPUT.INVALID', '没有订阅成功：要在微信弹出的框里点“允许”', 400);
      }
      const granted = await call({ action: 'reports.subscribe.grant', merchantId, results });
      setSub({ templateId: granted.templateId, left: granted.left });
      setOutcomes(({ subscribe: _done, ...rest }) => rest);
    });

  return (
    <View className="settings-section settings-push">
      <Text className="settings-section-title">推送方式</Text>
      <Text className="settings-explain">每天的报表发到哪里，可以多选。</Text>
      {CHANNELS.map((c) => (
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
          {c === 'subscribe' && (
            <View className="push-subscribe">
              <Text className="settings-value push-subscribe-left">{sub ? `你还能收 ${sub.left} 条` : '正在查你还能收几条…'}</Text>
              {!isWeapp() && <Text className="settings-explain push-subscribe-h5">订阅要在微信小程序里点；在这里点“订阅”只是本地试用，不会真的发到微信。</Text>}
              {outcomes.subscribe?.reason === 'no_credit' && <Text className="settings-explain push-subscribe-renew">订阅次数用完了，点一下再订阅</Text>}
              <Button
                className="btn push-subscribe-button"
                loading={busy === 'subscribe' || undefined}
                disabled={Boolean(busy) || !sub?.templateId || undefined}
                onClick={() => void subscribe()}
              >
                订阅
              </Button>
            </View>
          )}
          <Button className={`btn push-test push-test-${c}`} loading={busy === `test-${c}` || undefined} disabled={Boolean(busy) || undefined} onClick={() => void test(c)}>
            发一条测试报表给我
          </Button>
          {outcomes[c] && !(c === 'subscribe' && outcomes[c]!.reason === 'no_credit') && (
            <Text className={`settings-explain push-outcome push-outcome-${outcomes[c]!.state}`}>{outcomes[c]!.detail}</Text>
          )}
        </View>
      ))}
      {error && <Text className="settings-error push-error">{error}</Text>}
    </View>
  );
}

import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Picker, Switch, Text, View } from '@tarojs/components';
import type { ApiResult, MemberView, SettingsView } from '@xiaoer/shared/contracts/api';
import type { PushFormat } from '@xiaoer/shared/domain/report';
import { ApiError, call, isAuthExpired } from '../../services/api';
import './ReportTimeCard.scss';

type Reports = SettingsView['reports'];
type Alerts = ApiResult<'alerts.settings'>;

export const FORMAT_LABEL: Record<PushFormat, string> = { textcard: '卡片', markdown: '图文', text: '纯文字' };
const FORMAT_EXPLAIN: Record<PushFormat, string> = {
  textcard: '一张卡片，点开看完整报表。',
  markdown: '带粗体和分行的图文，在企业微信里直接看。',
  text: '只有文字，哪个版本的企业微信都能看。',
};
const FORMATS: PushFormat[] = ['textcard', 'markdown', 'text'];

interface Draft {
  dailyAt: string;
  recipients: string[];
  format: PushFormat;
  /** 元 as typed; empty: no big-order alerts. */
  bigOrderYuan: string;
  unfulfilledHours: string;
  stock: boolean;
}

const yuanOf = (fen: number | null) => (fen === null ? '' : String(fen / 100));

function messageOf(err: unknown): string {
  if (isAuthExpired(err)) return '登录已过期，请重新打开小程序';
  if (err instanceof ApiError) return err.message;
  return '没保存上，请再试一次';
}

/** What the owner typed, checked here so the common mistakes never reach the server; a string is the error. */
function alertChange(d: Draft, base: Alerts): { bigOrderFen?: number | null; unfulfilledHours?: number; stock?: boolean } | string {
  const out: { bigOrderFen?: number | null; unfulfilledHours?: number; stock?: boolean } = {};
  const yuan = d.bigOrderYuan.trim();
  let big: number | null = null;
  if (yuan) {
    if (!/^\d{1,7}(\.\d{1,2})?$/.test(yuan) || Number(yuan) <= 0 || Number(yuan) > 1_000_000) return '大单金额要填 0 到 100 万之间的数，最多两位小数';
    big = Math.round(Number(yuan) * 100);
  }
  if (big !== base.bigOrderFen) out.bigOrderFen = big;
  const hours = Number(d.unfulfilledHours.trim());
  if (!/^\d{1,3}$/.test(d.unfulfilledHours.trim()) || hours < 1 || hours > 240) return '没发货的小时数要填 1 到 240 之间的整数';
  if (hours !== base.unfulfilledHours) out.unfulfilledHours = hours;
  if (d.stock !== base.stock) out.stock = d.stock;
  return out;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * 推送设置 · 报表和提醒: when the daily report goes out, who gets it (members with a WeCom
 * account; none picked = the owners), how it looks, and the alert thresholds. Saved on its own
 * button: the report settings through settings.update, the thresholds through alerts.settings.
 */
export function ReportTimeCard({ merchantId, initial }: { merchantId: string; initial: Reports }) {
  const [reports, setReports] = useState(initial);
  const [alerts, setAlerts] = useState<Alerts | null>(null);
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [draft, setDraft] = useState<Draft>({
    dailyAt: initial.dailyAt,
    recipients: initial.recipients ?? [],
    format: initial.format,
    bigOrderYuan: '',
    unfulfilledHours: '24',
    stock: true,
  });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      // alerts.settings with no change reads the current thresholds
      const [a, m] = await Promise.all([call({ action: 'alerts.settings', merchantId }), call({ action: 'members.list', merchantId })]);
      setAlerts(a);
      setMembers(m.members);
      setDraft((d) => ({ ...d, bigOrderYuan: yuanOf(a.bigOrderFen), unfulfilledHours: String(a.unfulfilledHours), stock: a.stock }));
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, [merchantId]);

  useEffect(() => {
    void load();
  }, [load]);

  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setError(null);
  };
  const toggle = (id: string) => set({ recipients: draft.recipients.includes(id) ? draft.recipients.filter((x) => x !== id) : [...draft.recipients, id] });

  const save = async () => {
    if (saving || !alerts) return;
    const alertsChange = alertChange(draft, alerts);
    if (typeof alertsChange === 'string') return setError(alertsChange);
    const reportsChange = {
      ...(draft.dailyAt !== reports.dailyAt ? { dailyAt: draft.dailyAt } : {}),
      ...(draft.format !== reports.format ? { format: draft.format } : {}),
      ...(!sameSet(draft.recipients, reports.recipients ?? []) ? { recipients: draft.recipients.length ? draft.recipients : null } : {}),
    };
    if (!Object.keys(reportsChange).length && !Object.keys(alertsChange).length) {
      void Taro.showToast({ title: '没有要保存的改动', icon: 'none' });
      return;
    }
    setSaving(true);
    setError(null);
    try {
      if (Object.keys(reportsChange).length) setReports((await call({ action: 'settings.update', merchantId, reports: reportsChange })).reports);
      if (Object.keys(alertsChange).length) setAlerts(await call({ action: 'alerts.settings', merchantId, ...alertsChange }));
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setSaving(false);
    }
  };

  // members who can get a WeCom message, and anyone already chosen (so they can be taken off)
  const choosable = (members ?? []).filter((m) => m.wecomUserId || draft.recipients.includes(m.id));

  return (
    <View className="settings-section settings-report-time">
      <Text className="settings-section-title">报表和提醒</Text>
      <Picker mode="time" value={draft.dailyAt} onChange={(e) => set({ dailyAt: e.detail.value })}>
        <View className="settings-row report-daily-at">
          <Text className="settings-label">每天几点发日报</Text>
          <Text className="settings-pick">{draft.dailyAt} ›</Text>
        </View>
      </Picker>

      <Text className="settings-label report-sub">发给谁</Text>
      <Text className="settings-explain">{draft.recipients.length ? '只发给选中的人。' : '一个都不选，就发给老板。'}只有填了企业微信账号的人能收到。</Text>
      {members === null && !loadError && <Text className="settings-explain">正在加载店员…</Text>}
      {members !== null && choosable.length === 0 && <Text className="settings-explain report-no-members">还没有人填企业微信账号：到「店员和邀请码」里给自己和店员填上。</Text>}
      {choosable.map((m) => {
        const on = draft.recipients.includes(m.id);
        return (
          <View key={m.id} className={`settings-row report-recipient recipient-${m.id} ${on ? 'recipient-on' : ''}`} onClick={() => toggle(m.id)}>
            <Text className="settings-label">
              {m.name || '没写名字'}
              {m.role === 'owner' && !m.name.includes('老板') ? '（老板）' : ''}
              {m.wecomUserId ? '' : '（没填企业微信账号，收不到）'}
            </Text>
            <Text className="settings-value">{on ? '✓ 已选' : '没选'}</Text>
          </View>
        );
      })}

      <Text className="settings-label report-sub">消息样式</Text>
      <View className="report-formats">
        {FORMATS.map((f) => (
          <Text key={f} className={`report-format format-${f} ${draft.format === f ? 'format-on' : ''}`} onClick={() => set({ format: f })}>
            {FORMAT_LABEL[f]}
          </Text>
        ))}
      </View>
      <Text className="settings-explain">{FORMAT_EXPLAIN[draft.format]}</Text>

      <Text className="settings-label report-sub">提醒</Text>
      {alerts && (
        <View className="report-alerts">
          <View className="settings-field alert-big">
            <Text className="settings-label">大单提醒：一单满多少元（不填就不提醒）</Text>
            <Input
              className="settings-input alert-big-input"
              type="digit"
              value={draft.bigOrderYuan}
              maxlength={10}
              placeholder="例如 500"
              onInput={(e) => set({ bigOrderYuan: e.detail.value })}
            />
          </View>
          <View className="settings-field alert-late">
            <Text className="settings-label">付款后多少小时还没发货算晚了</Text>
            <Input
              className="settings-input alert-late-input"
              type="number"
              value={draft.unfulfilledHours}
              maxlength={3}
              onInput={(e) => set({ unfulfilledHours: e.detail.value })}
            />
          </View>
          <View className="settings-row alert-stock">
            <Text className="settings-label">每天早上检查库存</Text>
            <Switch className="alert-stock-switch" color="#e0502d" checked={draft.stock} onChange={(e) => set({ stock: e.detail.value })} />
          </View>
        </View>
      )}
      {loadError && (
        <View className="report-load-error">
          <Text className="report-error-text">{loadError}</Text>
          <Button className="btn btn-plain report-reload" onClick={() => void load()}>
            重试
          </Button>
        </View>
      )}
      {error && <Text className="report-error-text report-error">{error}</Text>}
      <Button className="btn report-save" loading={saving || undefined} disabled={saving || !alerts || undefined} onClick={() => void save()}>
        保存报表和提醒
      </Button>
    </View>
  );
}

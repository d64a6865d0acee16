import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Picker, Switch, Text, View } from '@tarojs/components';
import type { SettingsView } from '@xiaoer/shared/contracts/api';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { ApiError, call, isAuthExpired } from '../../services/api';
import type { ShopSummary } from '../../services/session';
import { useShopLoad } from '../../services/useLoad';
import { OwnerOnly } from './OwnerOnly';
import { OrdersCard } from './OrdersCard';
import { PushCard } from './PushCard';
import { ReportTimeCard } from './ReportTimeCard';
import { InboxCard } from './InboxCard';
import { WordChips, AliasList } from './words';
import { LIMITS, PERSONA_MAX, WEEKDAYS, buildChanges, crossesMidnight, toDraft, type Draft } from './form';
import GrowingTextarea from '../../components/GrowingTextarea';
import './index.scss';

const loadSettings = (shop: ShopSummary) => (shop.role === 'owner' ? call({ action: 'settings.get', merchantId: shop.id }) : Promise.resolve(null));

export default function SettingsPage() {
  // no reload on show: coming back from the setup checker must not wipe unsaved edits
  const { state, reload } = useShopLoad(loadSettings, { refreshOnShow: false });

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data === null) body = <OwnerOnly />;
  else body = <SettingsForm shop={state.shop} initial={state.data} />;

  return <View className="page-settings">{body}</View>;
}

function SettingsForm({ shop, initial }: { shop: ShopSummary; initial: SettingsView }) {
  const [base, setBase] = useState(initial);
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setError(null);
  };

  const save = async () => {
    if (saving) return;
    const built = buildChanges(base, draft);
    if (!built.ok) {
      setError(built.error);
      return;
    }
    if (Object.keys(built.changes).length === 0) {
      void Taro.showToast({ title: '没有要保存的改动', icon: 'none' });
      return;
    }
    setSaving(true);
    try {
      const next = await call({ action: 'settings.update', merchantId: shop.id, ...built.changes });
      setBase(next);
      setDraft(toDraft(next));
      setError(null);
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(saveError(err));
    } finally {
      setSaving(false);
    }
  };

  const toggleDay = (day: number) =>
    set({ closedDays: draft.closedDays.includes(day) ? draft.closedDays.filter((d) => d !== day) : [...draft.closedDays, day].sort((a, b) => a - b) });

  return (
    <View className="settings-form">
      <View className="settings-section settings-shop">
        <Text className="settings-section-title">店铺信息</Text>
        <View className="settings-field">
          <Text className="settings-label">店名</Text>
          <Input className="settings-input settings-name" value={draft.name} maxlength={60} placeholder="客户看到的店名" onInput={(e) => set({ name: e.detail.value })} />
        </View>
        <View className="settings-readonly">
          <Text className="settings-label">行业</Text>
          <Text className="settings-value">{base.industry || '没填'}</Text>
        </View>
        <View className="settings-readonly">
          <Text className="settings-label">时区</Text>
          <Text className="settings-value">{base.timezone === 'Asia/Shanghai' ? '北京时间' : base.timezone}</Text>
        </View>
      </View>

      <View className="settings-section settings-persona">
        <Text className="settings-section-title">AI 的说话方式</Text>
        <Text className="settings-explain">告诉 AI 用什么口气跟客户说话。</Text>
        <GrowingTextarea
          className="settings-textarea settings-persona-input"
          value={draft.aiPersona}
          maxlength={PERSONA_MAX}
          placeholder="例如：说话亲切，称呼客户为亲，回答简短"
          onInput={(e) => set({ aiPersona: e.detail.value })}
        />
        <Text className="settings-counter">
          {draft.aiPersona.length}/{PERSONA_MAX}
        </Text>
      </View>

      <View className="settings-section settings-hours">
        <Text className="settings-section-title">营业时间</Text>
        <Text className="settings-explain">AI 全天都会回答；下班后需要人工的问题，会告诉客户几点开门再回复。</Text>
        <View className="settings-row">
          <Text className="settings-label">不设营业时间</Text>
          <Switch className="hours-none" color="#e0502d" checked={!draft.hoursOn} onChange={(e) => set({ hoursOn: !e.detail.value })} />
        </View>
        {draft.hoursOn && (
          <View className="hours-detail">
            <Picker mode="time" value={draft.open} onChange={(e) => set({ open: e.detail.value })}>
              <View className="settings-row hours-open">
                <Text className="settings-label">开门</Text>
                <Text className="settings-pick">{draft.open} ›</Text>
              </View>
            </Picker>
            <Picker mode="time" value={draft.close} onChange={(e) => set({ close: e.detail.value })}>
              <View className="settings-row hours-close">
                <Text className="settings-label">关门</Text>
                {/* one string: split text nodes can update apart and show 「02:00 ›第二天」 for a moment */}
                <Text className="settings-pick">{`${crossesMidnight(draft.open, draft.close) ? '第二天 ' : ''}${draft.close} ›`}</Text>
              </View>
            </Picker>
            {crossesMidnight(draft.open, draft.close) && <Text className="settings-explain hours-overnight">关门比开门早，算作过了半夜、第二天 {draft.close} 关门。</Text>}
            <Text className="settings-label settings-days-title">每周休息（点一下标成休息）</Text>
            <View className="settings-days">
              {WEEKDAYS.map((label, i) => {
                const closed = draft.closedDays.includes(i + 1);
                return (
                  <View key={label} className={`day-toggle day-${i + 1} ${closed ? 'day-closed' : ''}`} onClick={() => toggleDay(i + 1)}>
                    <Text>{label}</Text>
                    {closed && <Text className="day-rest">休</Text>}
                  </View>
                );
              })}
            </View>
          </View>
        )}
      </View>

      <WordChips
        kind="handoff"
        title="转人工的词"
        explain="客户说到这些词，AI 就交给你。"
        placeholder="例如：退款"
        words={draft.handoffWords}
        max={LIMITS.handoffWords}
        onChange={(handoffWords) => set({ handoffWords })}
      />
      <WordChips
        kind="banned"
        title="不能说的词"
        explain="AI 的回复里不会出现这些词；客户说了会标出来。"
        placeholder="例如：最便宜"
        words={draft.bannedWords}
        max={LIMITS.bannedWords}
        onChange={(bannedWords) => set({ bannedWords })}
      />
      <AliasList aliases={draft.aliases} onChange={(aliases) => set({ aliases })} />

      <WecomCard wecom={base.wecom} />

      <PushCard merchantId={shop.id} initial={base.reports} />

      <ReportTimeCard merchantId={shop.id} initial={base.reports} />

      <OrdersCard merchantId={shop.id} />

      <InboxCard merchantId={shop.id} />

      <View className="settings-footer">
        {error && <Text className="settings-error">{error}</Text>}
        <Button className="btn settings-save" loading={saving || undefined} disabled={saving || undefined} onClick={() => void save()}>
          保存
        </Button>
      </View>
    </View>
  );
}

function saveError(err: unknown): string {
  if (isAuthExpired(err)) return '登录已过期，请重新打开小程序再保存';
  if (err instanceof ApiError) return err.message;
  return '没保存上，请再试一次';
}

function WecomCard({ wecom }: { wecom: SettingsView['wecom'] }) {
  // Only what the server chose to send: the corp id, and each secret masked or null.
  const rows = [
    { key: 'corp', label: '企业 ID', value: wecom.corpId || '没填' },
    { key: 'app', label: '自建应用的 Secret', value: wecom.secrets.app ?? '没填' },
    { key: 'contact', label: '通讯录的 Secret', value: wecom.secrets.contact ?? '没填' },
    { key: 'kf', label: '微信客服的 Secret', value: wecom.secrets.kf ?? '没填' },
    { key: 'kfcb', label: '客服消息的回调', value: wecom.kfCallbackConfigured ? '已设置' : '还没设置' },
  ];
  return (
    <View className="settings-section settings-wecom">
      <Text className="settings-section-title">企业微信连接</Text>
      <Text className="settings-explain">这些在企业微信管理后台设置，这里只能看。</Text>
      {rows.map((r) => (
        <View key={r.key} className={`settings-readonly wecom-${r.key}`}>
          <Text className="settings-label">{r.label}</Text>
          <Text className="settings-value">{r.value}</Text>
        </View>
      ))}
      <View className="settings-row settings-setup-link" onClick={() => void Taro.navigateTo({ url: '/sub/setup/index' })}>
        <Text className="settings-link">检查企业微信有没有连好</Text>
        <Text className="settings-link">›</Text>
      </View>
    </View>
  );
}

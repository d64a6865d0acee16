import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Picker, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { MarketingSettings } from '@xiaoer/shared/domain/marketing-settings';
import { call } from '../../services/api';
import { asApiError } from '../../services/useLoad';

type Loaded = ApiResult<'marketing.settings.get'>;

/**
 * 群发设置: how many 群发 each customer may receive (must match what the shop's WeCom admin chose
 * in 群发助手, or the plan counts wrong) and the quiet hours that move a send, never drop anyone.
 */
export function SettingsCard({ merchantId, initial }: { merchantId: string; initial: Loaded }) {
  const [saved, setSaved] = useState<MarketingSettings>(initial.settings);
  const [draft, setDraft] = useState<MarketingSettings>(initial.settings);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const changed = draft.quota !== saved.quota || draft.quietHours.from !== saved.quietHours.from || draft.quietHours.to !== saved.quietHours.to;
  const setQuiet = (patch: Partial<MarketingSettings['quietHours']>) => setDraft((d) => ({ ...d, quietHours: { ...d.quietHours, ...patch } }));

  const save = async () => {
    if (busy || !changed) return;
    setBusy(true);
    setError(null);
    try {
      const { settings } = await call({ action: 'marketing.settings.save', merchantId, settings: { quota: draft.quota, quietHours: draft.quietHours } });
      setSaved(settings);
      setDraft(settings);
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="mk-card mk-settings">
      <Text className="mk-card-title">群发设置</Text>
      <Text className="mk-label">每位客户最多能收多少条</Text>
      <Text className="mk-hint">要和企业微信管理员在「群发助手」里设的一样。超过的客户这次收不到，发之前会告诉你有几位。</Text>
      <View className="mk-quotas">
        {initial.quotaOptions.map((o) => (
          <Text
            key={o.value}
            className={`mk-quota mk-quota-${o.value} ${draft.quota === o.value ? 'mk-quota-on' : ''}`}
            onClick={() => setDraft((d) => ({ ...d, quota: o.value }))}
          >
            {o.text}
          </Text>
        ))}
      </View>
      <Text className="mk-label">不打扰时间</Text>
      <Text className="mk-hint">这段时间里不发群发，定在这段时间的会等到结束再发，不会少发给谁。</Text>
      <View className="mk-quiet">
        <Picker mode="time" value={draft.quietHours.from} onChange={(e) => setQuiet({ from: e.detail.value })}>
          <Text className="mk-pick mk-quiet-from">{`从 ${draft.quietHours.from} ›`}</Text>
        </Picker>
        <Picker mode="time" value={draft.quietHours.to} onChange={(e) => setQuiet({ to: e.detail.value })}>
          <Text className="mk-pick mk-quiet-to">{`${draft.quietHours.to <= draft.quietHours.from ? '到第二天' : '到'} ${draft.quietHours.to} ›`}</Text>
        </Picker>
      </View>
      {error && <Text className="mk-error">{error}</Text>}
      {changed && (
        <Button className="btn mk-settings-save" loading={busy} onClick={() => void save()}>
          保存设置
        </Button>
      )}
    </View>
  );
}

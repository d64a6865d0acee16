import { Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { CONFIRM_NOTE, whenText } from '../../services/campaigns';

export type ForecastData = ApiResult<'campaigns.forecast'>;
export type ForecastState = { status: 'idle' } | { status: 'loading'; data: ForecastData | null } | { status: 'ready'; data: ForecastData } | { status: 'error'; data: null };

/** The live reach forecast: who would get it, from which staff member, and why the others would not. */
export function Forecast({ state, later }: { state: ForecastState; later: boolean }) {
  if (state.status === 'idle') return <Text className="fc-idle">选好发给哪些客户，这里会算出能收到多少人。</Text>;
  if (state.status === 'error') return <Text className="fc-idle">这次没算出来，改一下条件会再算。</Text>;
  const { data } = state;
  if (!data) return <Text className="fc-idle fc-loading">正在算能收到多少人…</Text>;
  const excluded = data.excluded.reduce((n, e) => n + e.count, 0);
  return (
    <View className={`fc ${state.status === 'loading' ? 'fc-stale' : ''}`}>
      <Text className="fc-count">{`能收到 ${data.recipients} 人`}</Text>
      {later && !data.quietNote && <Text className="fc-when">{`${whenText(data.sendAt)} 发`}</Text>}
      {data.quietNote && <Text className="fc-quiet">{data.quietNote}</Text>}
      {data.bySender.length > 0 && (
        <View className="fc-block">
          <Text className="fc-sub">由这些店员发出（每人要在企业微信里点确认）</Text>
          {data.bySender.map((s) => (
            <View key={s.userid} className="fc-row fc-sender">
              <Text className="fc-name">{s.name}</Text>
              <Text className="fc-value">{`${s.count} 人 · 确认 ${s.chunks} 次`}</Text>
            </View>
          ))}
        </View>
      )}
      {excluded > 0 && (
        <View className="fc-block">
          <Text className="fc-sub">{`这 ${excluded} 人收不到`}</Text>
          {data.excluded.map((e) => (
            <View key={e.reason} className={`fc-row fc-excluded fc-excluded-${e.reason}`}>
              <Text className="fc-name">{e.text}</Text>
              <Text className="fc-value">{`${e.count} 人`}</Text>
            </View>
          ))}
        </View>
      )}
      <Text className="fc-note">{CONFIRM_NOTE}</Text>
    </View>
  );
}

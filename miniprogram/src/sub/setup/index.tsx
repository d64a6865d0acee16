import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult, SetupItem } from '@xiaoer/shared/contracts/api';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { call } from '../../services/api';
import type { ShopSummary } from '../../services/session';
import { useShopLoad } from '../../services/useLoad';
import { OwnerOnly } from '../settings/OwnerOnly';
import './index.scss';

const check = (shop: ShopSummary) => (shop.role === 'owner' ? call({ action: 'setup.check', merchantId: shop.id }) : Promise.resolve(null));

export default function SetupPage() {
  const { state, reload } = useShopLoad(check);
  const [checking, setChecking] = useState(false);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  // keeps the list on screen while checking again, so the owner sees what changed
  const recheck = async () => {
    if (checking) return;
    setChecking(true);
    try {
      await reload(true);
    } finally {
      setChecking(false);
    }
  };

  let body;
  if (state.status === 'loading') body = <Loading text="正在检查…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data === null) body = <OwnerOnly />;
  else body = <SetupBody result={state.data} checking={checking} onRecheck={() => void recheck()} />;

  return <View className="page-setup">{body}</View>;
}

function SetupBody(props: { result: ApiResult<'setup.check'>; checking: boolean; onRecheck: () => void }) {
  const { result, checking, onRecheck } = props;
  const bad = result.items.filter((i) => !i.ok).length;
  const allOk = result.allOk && bad === 0;

  return (
    <View className="setup-ready">
      <View className={`setup-summary ${allOk ? 'setup-summary-ok' : 'setup-summary-bad'}`}>
        <Text className="setup-summary-title">{allOk ? '都连好了' : bad > 0 ? `还有 ${bad} 项要处理` : '还没连好'}</Text>
        <Text className="setup-summary-text">{allOk ? '客户在微信里发来的消息，AI 都能收到并回复。' : '照着红色项下面的说明改好，再点"重新检查"。'}</Text>
      </View>

      <View className="setup-list">
        {result.items.map((item) => (
          <Row key={item.key} item={item} />
        ))}
      </View>

      <Button className="btn setup-recheck" loading={checking || undefined} disabled={checking || undefined} onClick={onRecheck}>
        重新检查
      </Button>
    </View>
  );
}

function Row({ item }: { item: SetupItem }) {
  return (
    <View className={`setup-item setup-item-${item.key}`}>
      {/* a skipped check (not needed, or one that sends a real message) is neither green nor red */}
      <Text className={item.skipped ? 'setup-mark setup-skip' : item.ok ? 'setup-mark setup-ok' : 'setup-mark setup-bad'}>{item.skipped ? '–' : item.ok ? '✓' : '✗'}</Text>
      <View className="setup-item-main">
        <Text className="setup-label">{item.label}</Text>
        {item.detail && <Text className="setup-detail">{item.detail}</Text>}
        {!item.ok && item.fix && <Text className="setup-fix">{item.fix}</Text>}
      </View>
    </View>
  );
}

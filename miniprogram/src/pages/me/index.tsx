import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { refreshBadges } from '../../services/badge';
import { call } from '../../services/api';
import { currentShop, markSignedOut, switchShop, type ShopSummary } from '../../services/session';
import { asApiError, useShopLoad } from '../../services/useLoad';
import './index.scss';

export type MeData = { shops: ShopSummary[] };

type MenuRow = { key: string; title: string; hint: string; url: string; ownerOnly: boolean };

const MENU: MenuRow[] = [
  { key: 'kb', title: '知识库', hint: 'AI 回答客户时用的问答', url: '/sub/kb/index', ownerOnly: false },
  { key: 'teach', title: 'AI 没答上来', hint: '教 AI 回答它还不会的问题', url: '/sub/teach/index', ownerOnly: false },
  { key: 'reports', title: '报表', hint: '日报、周报、月报，可以导出 Excel', url: '/sub/reports/index', ownerOnly: false },
  { key: 'products', title: '商品和库存', hint: '还剩多少，快没了的先看', url: '/sub/products/index', ownerOnly: false },
  { key: 'alerts', title: '提醒', hint: '大单、退款、订单超时、库存快没了', url: '/sub/alerts/index', ownerOnly: false },
  { key: 'settings', title: '店铺设置', hint: '店名、AI 的说话方式、营业时间', url: '/sub/settings/index', ownerOnly: true },
  { key: 'staff', title: '店员和邀请码', hint: '谁在值班，邀请新店员', url: '/sub/staff/index', ownerOnly: true },
  { key: 'setup', title: '企业微信连接检查', hint: '看看客户的消息能不能收到', url: '/sub/setup/index', ownerOnly: true },
];

/** The member's shops: me.get is cached for the app session, so this costs no request. */
export async function loadMe(): Promise<MeData> {
  const { shops } = await currentShop();
  return { shops };
}

export default function MePage() {
  const { state, reload } = useShopLoad(loadMe);
  const [unanswered, setUnanswered] = useState<number | null>(null);

  // The count comes after the menu, not with it: refreshBadges also sets the tab bar badge,
  // which may never settle (H5 without a mounted tab bar), and must not hold the menu back.
  // Each load (mount, each later showing) makes a new ready state, so one badges.get per showing.
  const readyShopId = state.status === 'ready' ? state.shop.id : null;
  useEffect(() => {
    if (!readyShopId) return;
    let live = true;
    void refreshBadges(readyShopId).then((b) => {
      if (live) setUnanswered(b ? b.unanswered : null);
    });
    return () => {
      live = false;
    };
  }, [state, readyShopId]);

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else body = <MeBody shop={state.shop} data={state.data} unanswered={unanswered} />;

  return <View className="page-me">{body}</View>;
}

function MeBody({ shop, data, unanswered }: { shop: ShopSummary; data: MeData; unanswered: number | null }) {
  const isOwner = shop.role === 'owner';
  const others = data.shops.filter((s) => s.id !== shop.id);

  const chooseShop = () => {
    // an action sheet holds at most 6 items
    const list = others.slice(0, 6);
    Taro.showActionSheet({ itemList: list.map((s) => s.name) })
      .then(({ tapIndex }) => {
        const picked = list[tapIndex];
        if (!picked) return;
        switchShop(picked.id);
        // every open page shows the old shop's data: start over from 今日
        void Taro.reLaunch({ url: '/pages/today/index' });
      })
      .catch(() => undefined); // cancelled
  };

  return (
    <View className="me-ready">
      <View className="me-shop">
        <View className="me-shop-main">
          <Text className="me-shop-name">{shop.name}</Text>
          <Text className={`me-role me-role-${shop.role}`}>{isOwner ? '老板' : '店员'}</Text>
        </View>
        {others.length > 0 && (
          <View className="switch-shop" onClick={chooseShop}>
            <Text>切换店铺</Text>
          </View>
        )}
      </View>

      <View className="me-menu">
        {MENU.filter((row) => isOwner || !row.ownerOnly).map((row) => (
          <View key={row.key} className={`me-row menu-${row.key}`} onClick={() => void Taro.navigateTo({ url: row.url })}>
            <View className="me-row-main">
              <Text className="me-row-title">{row.title}</Text>
              <Text className="me-row-hint">{row.hint}</Text>
            </View>
            {row.key === 'teach' && unanswered !== null && unanswered > 0 && <Text className="me-count">{unanswered > 99 ? '99+' : unanswered}</Text>}
            <Text className="me-arrow">›</Text>
          </View>
        ))}
      </View>

      {isOwner && process.env.TARO_ENV !== 'weapp' && <SignOutEverywhere shop={shop} />}

      {!isOwner && <Text className="me-staff-note">店铺设置、店员和企业微信连接由老板管理。</Text>}
    </View>
  );
}

/**
 * 退出所有设备 (owners, on the web app: the mini-program signs in with WeChat and has no sessions
 * to end): for a lost phone or a login link sent to the wrong person. Every login of this person
 * ends, this one included, so the app goes to its signed-out screen.
 */
function SignOutEverywhere({ shop }: { shop: ShopSummary }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const signOut = async () => {
    if (busy) return;
    const { confirm } = await Taro.showModal({
      title: '退出所有设备？',
      content: '所有登录了店小二的手机和电脑（包括这台）都会退出，要再用得打开新的登录链接。',
      confirmText: '全部退出',
      cancelText: '不退出',
    });
    if (!confirm) return;
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'me.signOutEverywhere', merchantId: shop.id });
      markSignedOut();
      void Taro.reLaunch({ url: '/pages/today/index' });
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <View className="me-menu me-danger">
      <View className="me-row menu-signout" onClick={() => void signOut()}>
        <View className="me-row-main">
          <Text className="me-row-title">{busy ? '正在退出…' : '退出所有设备'}</Text>
          <Text className="me-row-hint">手机丢了、登录链接发错人时用</Text>
        </View>
      </View>
      {error && <Text className="me-error">{error}</Text>}
    </View>
  );
}

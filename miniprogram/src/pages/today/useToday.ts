import { useCallback, useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import type { DashboardToday } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import { refreshBadges } from '../../services/badge';
import { currentShop, onShopSwitch, refreshSession, type ShopSummary } from '../../services/session';

type Merchant = ShopSummary;

export type Badges = { waitingHuman: number; unanswered: number };

export type TodayState =
  | { status: 'loading' }
  | { status: 'empty' }
  | { status: 'error'; error: ApiError }
  | {
      status: 'ready';
      dashboard: DashboardToday;
      merchants: Merchant[];
      /** undefined while loading, null when badges.get failed: the link then shows no count. */
      badges?: Badges | null;
      /** Changes on every completed load, so the trend card knows to fetch again. */
      loadNo: number;
    };

const asApiError = (err: unknown): ApiError => (err instanceof ApiError ? err : new ApiError('CLIENT.UNEXPECTED', '出了点问题，请重试', 500));

let loads = 0;

/**
 * Everything the 今日 page needs, as a plain function: the shop from the app's one session store
 * (services/session: me.get once, the remembered shop else the first), then its dashboard.
 * Switching shop goes through `switchShop`, so every tab follows, not only this one.
 */
export async function loadToday(): Promise<TodayState> {
  try {
    const { shop, shops } = await currentShop();
    if (!shop) return { status: 'empty' };
    const dashboard = await call({ action: 'dashboard.today', merchantId: shop.id });
    return { status: 'ready', dashboard, merchants: shops, loadNo: ++loads };
  } catch (err) {
    return { status: 'error', error: asApiError(err) };
  }
}

/**
 * React state around loadToday. It loads on mount through useEffect (Taro's useLoad does not fire
 * in jest), again quietly each later time the tab is shown (back from 教 AI, switching tabs), again
 * after a shop switch anywhere in the app, and `reload` is for 重试 and pull-down refresh (`fresh`
 * asks me.get again). Stale answers are dropped when a newer load has started.
 */
export function useToday() {
  const [state, setState] = useState<TodayState>({ status: 'loading' });
  const seq = useRef(0);
  const shownOnce = useRef(false);

  const reload = useCallback(async (opts: { quiet?: boolean; fresh?: boolean } = {}) => {
    const mine = ++seq.current;
    if (opts.fresh) refreshSession();
    if (!opts.quiet) setState({ status: 'loading' });
    const next = await loadToday();
    if (mine !== seq.current) return;
    setState(next);
    if (next.status !== 'ready') return;
    // Badges (also the 会话 tab badge) come after the page is up: on H5 setting the tab badge
    // waits for the tab bar, and the dashboard must never wait for that.
    const badges = await refreshBadges(next.dashboard.merchant.id);
    if (mine === seq.current) setState((s) => (s.status === 'ready' ? { ...s, badges } : s));
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => onShopSwitch(() => void reload()), [reload]);

  useDidShow(() => {
    // the first show is the mount, which already loads
    if (!shownOnce.current) {
      shownOnce.current = true;
      return;
    }
    void reload({ quiet: true });
  });

  return { state, reload };
}

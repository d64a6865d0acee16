import { useCallback, useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import type { DashboardToday, MerchantSummary } from '@xiaoer/shared/contracts/api';
import type { z } from 'zod';
import { ApiError, call } from '../../services/api';
import { refreshBadges } from '../../services/badge';
import { pickMerchant, storeMerchantId } from '../../services/merchant';
import { clearSignedOut } from '../../services/session';

type Merchant = z.infer<typeof MerchantSummary>;

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
 * Everything the 今日 page needs, as a plain function: who am I (me.get), which shop (the one
 * remembered in storage, else the first), then that shop's dashboard. `merchantId` forces a shop.
 */
export async function loadToday(merchantId?: string): Promise<TodayState> {
  try {
    const me = await call({ action: 'me.get' });
    clearSignedOut();
    const merchant = merchantId ? (me.merchants.find((m) => m.id === merchantId) ?? pickMerchant(me.merchants)) : pickMerchant(me.merchants);
    if (!merchant) return { status: 'empty' };
    if (merchantId && merchant.id === merchantId) storeMerchantId(merchantId);
    const dashboard = await call({ action: 'dashboard.today', merchantId: merchant.id });
    return { status: 'ready', dashboard, merchants: me.merchants, loadNo: ++loads };
  } catch (err) {
    return { status: 'error', error: asApiError(err) };
  }
}

/**
 * React state around loadToday. It loads on mount through useEffect (Taro's useLoad does not fire
 * in jest), again quietly each later time the tab is shown (back from 教 AI, switching tabs), and
 * `reload` is for 重试, pull-down refresh and switching shops. Stale answers are dropped when a
 * newer load has started.
 */
export function useToday() {
  const [state, setState] = useState<TodayState>({ status: 'loading' });
  const seq = useRef(0);
  const shownOnce = useRef(false);

  const reload = useCallback(async (merchantId?: string, quiet = false) => {
    const mine = ++seq.current;
    if (!quiet) setState({ status: 'loading' });
    const next = await loadToday(merchantId);
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

  useDidShow(() => {
    // the first show is the mount, which already loads
    if (!shownOnce.current) {
      shownOnce.current = true;
      return;
    }
    void reload(undefined, true);
  });

  return { state, reload };
}

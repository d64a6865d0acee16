import { useCallback, useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { ApiError } from './api';
import { currentShop, followLinkedShop, onShopSwitch, type ShopSummary } from './session';

export type LoadState<T> = { status: 'loading' } | { status: 'noShop' } | { status: 'error'; error: ApiError } | { status: 'ready'; data: T; shop: ShopSummary };

export const asApiError = (err: unknown): ApiError => (err instanceof ApiError ? err : new ApiError('CLIENT.UNEXPECTED', '出了点问题，请重试', 500));

/**
 * Loads a page's data for the current shop: once on mount, then again each time the page is
 * shown after that (coming back from a thread, switching tabs) — never twice for one showing.
 * `reload(true)` keeps what is on screen while it loads (pull-to-refresh). Stale answers from an
 * older load are dropped. A shop switch anywhere in the app loads again (services/session).
 * `linkedShop`: the shop the page's link names (a push); followed once, before the first load.
 */
export function useShopLoad<T>(load: (shop: ShopSummary) => Promise<T>, opts: { refreshOnShow?: boolean; linkedShop?: string } = {}) {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading' });
  const seq = useRef(0);
  const shownOnce = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const linked = useRef(opts.linkedShop);

  const reload = useCallback(async (quiet = false) => {
    const mine = ++seq.current;
    if (!quiet) setState({ status: 'loading' });
    let next: LoadState<T>;
    try {
      const wanted = linked.current;
      if (wanted) {
        await followLinkedShop(wanted);
        // once: a switch made later elsewhere wins; kept after a failure, so 重试 follows it still
        linked.current = undefined;
      }
      // a switch (the one just followed, or another page's) started a newer load: leave it to that one
      if (mine !== seq.current) return;
      const { shop } = await currentShop();
      next = shop ? { status: 'ready', data: await loadRef.current(shop), shop } : { status: 'noShop' };
    } catch (err) {
      next = { status: 'error', error: asApiError(err) };
    }
    if (mine === seq.current) setState(next);
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  // another page switched shop: what is on screen belongs to the old one, so not quietly
  useEffect(() => onShopSwitch(() => void reload()), [reload]);

  useDidShow(() => {
    // the first show is the mount, which already loads
    if (!shownOnce.current) {
      shownOnce.current = true;
      return;
    }
    if (opts.refreshOnShow !== false) void reload(true);
  });

  return { state, reload, setState };
}

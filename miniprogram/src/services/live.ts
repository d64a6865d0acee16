import { useEffect, useRef } from 'react';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from './api';
import { currentShop } from './session';

export type Changes = ApiResult<'inbox.changes'>;

/** How often an open page asks what changed (inbox.changes is one small read on the server). */
export const LIVE_EVERY_MS = 4_000;

/** Index of 会话 in the tab bar (app.config.ts). */
const CONVERSATIONS_TAB = 1;

/** The 待人工 badge from the count a poll brought: no second call. */
export function showWaitingBadge(waiting: number): void {
  const done = waiting > 0 ? Taro.setTabBarBadge({ index: CONVERSATIONS_TAB, text: waiting > 99 ? '99+' : String(waiting) }) : Taro.removeTabBarBadge({ index: CONVERSATIONS_TAB });
  void Promise.resolve(done).catch(() => undefined);
}

const pageHidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';

/**
 * Live updates while a page is open: every few seconds `inbox.changes` since the last answer;
 * `onChange` runs when something changed (not on the first answer, which only sets the mark).
 * Paused while the page is hidden (another page on top, the app in the background: useDidHide,
 * and on H5 the browser tab: visibilitychange); a failed poll just waits for the next one.
 */
export function useInboxChanges(onChange: (c: Changes) => void, opts: { badge?: boolean } = {}): void {
  const since = useRef<number | null>(null);
  const shown = useRef(true);
  const cb = useRef(onChange);
  cb.current = onChange;
  const badge = opts.badge ?? true;

  useDidShow(() => {
    shown.current = true;
  });
  useDidHide(() => {
    shown.current = false;
  });

  useEffect(() => {
    let live = true;
    let busy = false;
    const poll = async () => {
      if (busy || !shown.current || pageHidden()) return;
      busy = true;
      try {
        const { shop } = await currentShop();
        if (!shop || !live) return;
        const c = await call({ action: 'inbox.changes', merchantId: shop.id, since: since.current ?? 0 });
        if (!live) return;
        if (badge) showWaitingBadge(c.waiting);
        const first = since.current === null;
        if (c.changedAt !== since.current) since.current = c.changedAt;
        if (!first && (c.conversationIds.length > 0 || c.full)) cb.current(c);
      } catch {
        // offline or signed out: the page shows what it has; the next poll tries again
      } finally {
        busy = false;
      }
    };
    // the mark is taken at once, so a change made while the page loaded is caught by the next tick
    void poll();
    const timer = setInterval(() => void poll(), LIVE_EVERY_MS);
    // back in the browser tab: catch up at once rather than at the next tick
    const onVisible = () => {
      if (!pageHidden()) void poll();
    };
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      clearInterval(timer);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible);
    };
  }, [badge]);
}

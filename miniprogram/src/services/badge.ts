import Taro from '@tarojs/taro';
import { call } from './api';

/** Index of 会话 in the tab bar (app.config.ts). */
const CONVERSATIONS_TAB = 1;

/**
 * The in-app handoff badge: how many customers wait for a person, on the 会话 tab. Called when a
 * tab page shows; a failure only leaves the badge as it was.
 */
export async function refreshBadges(merchantId: string): Promise<{ waitingHuman: number; unanswered: number } | null> {
  try {
    const b = await call({ action: 'badges.get', merchantId });
    if (b.waitingHuman > 0) {
      await Taro.setTabBarBadge({ index: CONVERSATIONS_TAB, text: b.waitingHuman > 99 ? '99+' : String(b.waitingHuman) }).catch(() => undefined);
    } else {
      await Taro.removeTabBarBadge({ index: CONVERSATIONS_TAB }).catch(() => undefined);
    }
    return b;
  } catch {
    return null;
  }
}

import Taro from '@tarojs/taro';
import type { z } from 'zod';
import type { MerchantSummary } from '@xiaoer/shared/contracts/api';
import { call } from './api';
import { pickMerchant, storeMerchantId } from './merchant';

export type ShopSummary = z.infer<typeof MerchantSummary>;

export type Session = { shop: ShopSummary | null; shops: ShopSummary[] };

/**
 * The one session store of the app: every page reads the current shop here (never its own copy
 * of me.get), and every mounted page listens for `switchShop` — tab pages stay mounted, so a
 * switch made on 今日 must reach 会话 and 客户 too.
 */
let current: Promise<Session> | null = null;
const listeners = new Set<() => void>();

/**
 * The shop every page works on: me.get once per app session (not once per page), then the
 * remembered shop or the first. Cleared by `switchShop`, `refreshSession` and on failure (so 重试
 * asks again).
 */
export function currentShop(): Promise<Session> {
  if (!current) {
    const mine = call({ action: 'me.get' }).then((me) => {
      clearSignedOut();
      return { shop: pickMerchant(me.merchants), shops: me.merchants };
    });
    current = mine;
    mine.catch(() => {
      if (current === mine) current = null;
    });
  }
  return current;
}

/** Works on another shop from now on, everywhere: every subscribed page loads again. */
export function switchShop(id: string): void {
  storeMerchantId(id);
  current = null;
  for (const listener of [...listeners]) listener();
}

/**
 * A link names the shop it is about (an alert push for one of several shops): work on that shop
 * from now on, everywhere, when the person belongs to it — what they open next (商品, 会话) is
 * about the same shop. A shop they are not in leaves them where they are. True when it switched.
 */
export async function followLinkedShop(id: string): Promise<boolean> {
  const { shop, shops } = await currentShop();
  if (shop?.id === id || !shops.some((s) => s.id === id)) return false;
  switchShop(id);
  return true;
}

/** Asks me.get again on the next read (pull-down refresh: a shop joined meanwhile shows up). */
export function refreshSession(): void {
  current = null;
}

/** Calls `listener` after every shop switch; returns the unsubscribe. */
export function onShopSwitch(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const SIGNED_OUT = 'xiaoer.signedOut';
const SIGNED_IN_BEFORE = 'xiaoer.signedInBefore';

/**
 * Whether this device was ever signed in: a 401 on a device that never was is a first visit (tell
 * them how to get in), not an expired login.
 */
export function signedInBefore(): boolean {
  try {
    return Taro.getStorageSync(SIGNED_IN_BEFORE) === true;
  } catch {
    return false;
  }
}

/**
 * 退出所有设备 was used on this device: its login is gone on purpose, so the signed-out screen
 * says that rather than "expired". Cleared by the next successful sign-in (me.get), which also
 * marks the device as signed in before.
 */
export function markSignedOut(): void {
  current = null;
  try {
    Taro.setStorageSync(SIGNED_OUT, true);
  } catch {
    // storage unavailable: the screen just says the login expired
  }
}

export function wasSignedOut(): boolean {
  try {
    return Taro.getStorageSync(SIGNED_OUT) === true;
  } catch {
    return false;
  }
}

export function clearSignedOut(): void {
  try {
    Taro.setStorageSync(SIGNED_IN_BEFORE, true);
    Taro.removeStorageSync(SIGNED_OUT);
  } catch {
    // nothing to clear
  }
}

/** For tests: forget the cached me.get. */
export function resetSession(): void {
  current = null;
}

import Taro from '@tarojs/taro';
import type { z } from 'zod';
import type { MerchantSummary } from '@xiaoer/shared/contracts/api';
import { call } from './api';
import { pickMerchant, storeMerchantId } from './merchant';

export type ShopSummary = z.infer<typeof MerchantSummary>;

let current: Promise<{ shop: ShopSummary | null; shops: ShopSummary[] }> | null = null;

/**
 * The shop every page works on: me.get once per app session (not once per page), then the
 * remembered shop or the first. Cleared by `switchShop` and on failure (so 重试 asks again).
 */
export function currentShop(): Promise<{ shop: ShopSummary | null; shops: ShopSummary[] }> {
  if (!current) {
    current = call({ action: 'me.get' }).then((me) => {
      clearSignedOut();
      return { shop: pickMerchant(me.merchants), shops: me.merchants };
    });
    current.catch(() => {
      current = null;
    });
  }
  return current;
}

export function switchShop(id: string): void {
  storeMerchantId(id);
  current = null;
}

const SIGNED_OUT = 'xiaoer.signedOut';

/**
 * 退出所有设备 was used on this device: its login is gone on purpose, so the signed-out screen
 * says that rather than "expired". Cleared by the next successful sign-in (me.get).
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
    Taro.removeStorageSync(SIGNED_OUT);
  } catch {
    // nothing to clear
  }
}

/** For tests: forget the cached me.get. */
export function resetSession(): void {
  current = null;
}

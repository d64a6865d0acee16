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
    current = call({ action: 'me.get' }).then((me) => ({ shop: pickMerchant(me.merchants), shops: me.merchants }));
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

/** For tests: forget the cached me.get. */
export function resetSession(): void {
  current = null;
}

import Taro from '@tarojs/taro';

const KEY = 'xiaoer.merchantId';

/** The shop the member last worked on (one person may belong to several shops). */
export function getStoredMerchantId(): string | null {
  try {
    const v: unknown = Taro.getStorageSync(KEY);
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

export function storeMerchantId(id: string): void {
  try {
    Taro.setStorageSync(KEY, id);
  } catch {
    // storage full or unavailable: the choice is simply not remembered
  }
}

/** The stored shop if the member still belongs to it, else the first one. */
export function pickMerchant<M extends { id: string }>(merchants: readonly M[]): M | null {
  const stored = getStoredMerchantId();
  const chosen = merchants.find((m) => m.id === stored) ?? merchants[0] ?? null;
  if (chosen && chosen.id !== stored) storeMerchantId(chosen.id);
  return chosen;
}

import Taro from '@tarojs/taro';

/**
 * 标签和规则 → 客户 with one tag picked. 客户 is a tab page and switchTab takes no query, so the
 * tag waits in storage until the 客户 page shows and takes it (once).
 */
const KEY = 'customers.pendingTag';

export function showCustomersWithTag(tag: string): void {
  Taro.setStorageSync(KEY, tag);
  void Taro.switchTab({ url: '/pages/customers/index' }).catch(() => undefined);
}

/** The tag another page asked 客户 to show, cleared as it is read; null when there is none. */
export function takePendingTag(): string | null {
  const tag: unknown = Taro.getStorageSync(KEY);
  if (typeof tag !== 'string' || !tag) return null;
  Taro.removeStorageSync(KEY);
  return tag;
}

/** "24 小时内有效" from the invite's expiry; the server's clock and ours may differ a little. */
export function expiryText(expiresAt: number, now: number = Date.now()): string {
  const ms = expiresAt - now;
  if (ms <= 0) return '已经过期了，请重新生成';
  // codes may live for days: "7 天" reads better than "168 小时"
  if (ms >= 48 * 3_600_000) return `${Math.round(ms / 86_400_000)} 天内有效`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} 小时内有效`;
  return `${Math.max(1, Math.ceil(ms / 60_000))} 分钟内有效`;
}

/** The characters the contract allows in a WeCom userid. */
export const WECOM_ID = /^[0-9A-Za-z_@.-]*$/;

import { useCallback, useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { ApiError, call, isAuthExpired } from '../../services/api';

type Status = ApiResult<'webhook.get'>;

const when = (ms: number) => {
  const d = new Date(ms);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

function messageOf(err: unknown): string {
  if (isAuthExpired(err)) return '登录已过期，请重新打开小程序';
  if (err instanceof ApiError) return err.message;
  return '没办好，请再试一次';
}

/**
 * 订单接入: the shop's order webhook secret. It is shown once, right after it is made; the server
 * keeps it sealed and never sends it again, so losing it means making a new one (the old one
 * stops working at once, which is also how a leaked secret is revoked).
 */
export function OrdersCard({ merchantId }: { merchantId: string }) {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setStatus(await call({ action: 'webhook.get', merchantId }));
    } catch (err) {
      setError(messageOf(err));
    }
  }, [merchantId]);

  useEffect(() => {
    void load();
  }, [load]);

  const rotate = async () => {
    if (busy) return;
    if (status?.configured) {
      const { confirm } = await Taro.showModal({
        title: '换一个新密钥？',
        content: '旧密钥马上失效：收银或点单系统要换成新密钥，不然订单会推不进来。',
        confirmText: '换新的',
        cancelText: '不换了',
      });
      if (!confirm) return;
    }
    setBusy(true);
    setError(null);
    try {
      const made = await call({ action: 'webhook.rotate', merchantId });
      setFresh(made.secret);
      setStatus((s) => ({ configured: true, rotatedAt: made.rotatedAt, path: s?.path ?? `/webhook/orders/${merchantId}` }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = () => {
    if (!fresh) return;
    Taro.setClipboardData({ data: fresh })
      .then(() => Taro.showToast({ title: '复制好了', icon: 'success' }))
      .catch(() => Taro.showToast({ title: '没复制上，请手动记下', icon: 'none' }));
  };

  return (
    <View className="settings-section settings-orders">
      <Text className="settings-section-title">订单接入</Text>
      <Text className="settings-explain">让收银或点单系统把每一单推给店小二，今日的营业额、订单和客户的消费就从这里来。也可以用电脑上的命令导入订单表格。</Text>
      {status && (
        <View className="settings-readonly orders-status">
          <Text className="settings-label">订单回调密钥</Text>
          <Text className="settings-value">{status.configured ? `已生成${status.rotatedAt ? `（${when(status.rotatedAt)}）` : ''}` : '还没生成'}</Text>
        </View>
      )}
      {status && (
        <View className="settings-readonly orders-path">
          <Text className="settings-label">回调地址</Text>
          <Text className="settings-value">{status.path}</Text>
        </View>
      )}
      {fresh && (
        <View className="orders-secret" onClick={copy}>
          <Text className="orders-secret-value">{fresh}</Text>
          <Text className="settings-explain">只显示这一次，请现在复制给负责收银系统的人（点一下复制）。离开这页就看不到了。</Text>
        </View>
      )}
      {error && <Text className="settings-error orders-error">{error}</Text>}
      <Button className="btn orders-rotate" loading={busy || undefined} disabled={busy || undefined} onClick={() => void rotate()}>
        {status?.configured ? '换一个新密钥' : '生成订单回调密钥'}
      </Button>
    </View>
  );
}

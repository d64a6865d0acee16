import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { call } from '../../services/api';

/**
 * A person with no shop yet joins one with the invite code the owner (or `merchant create`, for
 * the first owner) gave them. In the mini-program this is the only way in: WeChat says who the
 * caller is, the code says which shop.
 */
export function JoinShop({ onJoined }: { onJoined: () => void }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function join() {
    const c = code.trim();
    if (!c) return setError('先填上邀请码');
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'me.join', code: c });
      onJoined();
    } catch (err) {
      setError((err as Error).message || '没能加入，请稍后再试');
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="join-shop">
      <Input className="join-code" value={code} placeholder="输入邀请码" maxlength={32} onInput={(e) => setCode(e.detail.value)} onConfirm={() => void join()} />
      <Button className="btn primary join-submit" loading={busy} disabled={busy} onClick={() => void join()}>
        加入店铺
      </Button>
      {error && <Text className="state-text error-message join-error">{error}</Text>}
    </View>
  );
}

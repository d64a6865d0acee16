import { Button, Text, View } from '@tarojs/components';
import { isAuthExpired, type ApiError } from '../services/api';
import './StateView.scss';

/** Loading, empty and error states, the same on every page. */
export function Loading({ text = '正在加载…' }: { text?: string }) {
  return (
    <View className="state state-loading">
      <Text className="state-text">{text}</Text>
    </View>
  );
}

export function Empty({ title, text }: { title: string; text?: string }) {
  return (
    <View className="state state-empty">
      <Text className="state-title">{title}</Text>
      {text && <Text className="state-text">{text}</Text>}
    </View>
  );
}

export function NoShop() {
  return <Empty title="还没有店铺" text="你还没有加入任何店铺。请向老板要一个邀请码或登录链接。" />;
}

export function Failed({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  if (isAuthExpired(error)) {
    return (
      <View className="state state-error state-auth-expired">
        <Text className="state-title error-message">登录已过期，请向老板要一个新的登录链接</Text>
      </View>
    );
  }
  return (
    <View className="state state-error">
      <Text className="state-title">加载失败</Text>
      <Text className="state-text error-message">{error.message}</Text>
      {onRetry && (
        <Button className="btn retry" onClick={onRetry}>
          重试
        </Button>
      )}
    </View>
  );
}

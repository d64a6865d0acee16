import { Button, Text, View } from '@tarojs/components';
import { isAuthExpired, type ApiError } from '../services/api';
import { signedInBefore, wasSignedOut } from '../services/session';
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
  if (isAuthExpired(error)) return <SignedOut />;
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

/**
 * No valid login on this device. Three different people land here: someone opening the app for
 * the first time (tell them how to get in), someone whose login expired, and someone who signed
 * out of every device on purpose.
 */
export function SignedOut({ className = '' }: { className?: string }) {
  if (wasSignedOut()) {
    return (
      <View className={`state state-error state-auth-expired signed-out ${className}`}>
        <Text className="state-title error-message">已经在所有设备上退出了。要再用，请打开一个新的登录链接</Text>
      </View>
    );
  }
  if (signedInBefore()) {
    return (
      <View className={`state state-error state-auth-expired signed-out ${className}`}>
        <Text className="state-title error-message">登录已过期，请向老板要一个新的登录链接</Text>
        <Text className="state-text">为了安全，登录过一段时间会失效。打开老板发给你的新链接就能接着用。</Text>
      </View>
    );
  }
  return (
    <View className={`state state-first-visit signed-out ${className}`}>
      <Text className="state-title">欢迎使用店小二</Text>
      <Text className="state-text">店小二是帮你回复微信客户的 AI 店员。要进入你的店铺，需要先用一个登录链接打开。</Text>
      <View className="first-visit-ways">
        <View className="first-visit-way">
          <Text className="first-visit-who">我是店员</Text>
          <Text className="state-text">请老板在「我的 → 店员和邀请码」里生成邀请链接发给你，用手机打开它。</Text>
        </View>
        <View className="first-visit-way">
          <Text className="first-visit-who">我是老板</Text>
          <Text className="state-text">在电脑上运行 npm start，打开它最后打印出来的登录链接。</Text>
        </View>
      </View>
    </View>
  );
}

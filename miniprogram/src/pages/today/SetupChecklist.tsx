import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';

export type SetupStepKey = 'wecom' | 'faqs' | 'hours' | 'staff';
export type SetupStep = { key: SetupStepKey; title: string; hint: string; url: string; done: boolean };

/** The setup.check items without which customers' messages never reach the AI or get a reply. */
const CONNECTION_KEYS = ['callback', 'token_kf'];

const doneKey = (merchantId: string) => `xiaoer.setupDone.${merchantId}`;

/**
 * A new shop's first day, from what the backend already knows: connected to 企业微信 (setup.check),
 * has FAQs (kb.list), hours set (settings.get), someone besides the owner (members.list). Shown
 * until the shop is connected and has knowledge — the two without which the AI cannot help a
 * single customer; the other two are ticked along the way. Once done, remembered on this device so
 * 今日 stops asking (setup.check talks to WeCom).
 */
export function setupSteps(r: { check: ApiResult<'setup.check'>; faqCount: number; settings: ApiResult<'settings.get'>; members: ApiResult<'members.list'> }): {
  steps: SetupStep[];
  show: boolean;
} {
  const connected = CONNECTION_KEYS.every((key) => r.check.items.find((i) => i.key === key)?.ok === true);
  const steps: SetupStep[] = [
    { key: 'wecom', title: '连上企业微信', hint: '客户的消息才会到店小二，AI 才能回复', url: '/sub/setup/index', done: connected },
    { key: 'faqs', title: '告诉 AI 店里的常见问题', hint: '一条条添加，或者导入一个表格文件', url: '/sub/kb/index', done: r.faqCount > 0 },
    { key: 'hours', title: '设置营业时间', hint: '客户问几点开门，AI 照这个回答', url: '/sub/settings/index', done: r.settings.businessHours !== null },
    { key: 'staff', title: '邀请店员', hint: '有客户找人时，值班的店员也能接', url: '/sub/staff/index', done: r.members.members.length > 1 },
  ];
  return { steps, show: !(connected && r.faqCount > 0) };
}

async function loadSetup(merchantId: string) {
  const [check, kb, settings, members] = await Promise.all([
    call({ action: 'setup.check', merchantId }),
    call({ action: 'kb.list', merchantId, limit: 1 }),
    call({ action: 'settings.get', merchantId }),
    call({ action: 'members.list', merchantId }),
  ]);
  return setupSteps({ check, faqCount: kb.faqs.length, settings, members });
}

/**
 * The checklist card on 今日 (owners only: the calls are owner actions). Loads again with the page
 * (`loadNo`), so coming back from a step ticks it off. If it cannot load, it shows nothing: the
 * rest of 今日 matters more.
 */
/** `onShown` must be stable (a state setter): it is a dependency of the load. */
export function SetupChecklist({ merchantId, loadNo, onShown }: { merchantId: string; loadNo: number; onShown: (shown: boolean) => void }) {
  const [steps, setSteps] = useState<SetupStep[] | null>(null);

  useEffect(() => {
    let live = true;
    if (Taro.getStorageSync(doneKey(merchantId)) === true) {
      setSteps(null);
      onShown(false);
      return;
    }
    loadSetup(merchantId)
      .then(({ steps: next, show }) => {
        if (!live) return;
        if (!show) Taro.setStorageSync(doneKey(merchantId), true);
        setSteps(show ? next : null);
        onShown(show);
      })
      .catch(() => {
        if (!live) return;
        setSteps(null);
        onShown(false);
      });
    return () => {
      live = false;
    };
  }, [merchantId, loadNo, onShown]);

  if (!steps) return null;
  const done = steps.filter((s) => s.done).length;
  return (
    <View className="card setup-checklist">
      <View className="setup-head">
        <Text className="setup-title">开店第一步</Text>
        <Text className="setup-progress">
          {done}/{steps.length} 已完成
        </Text>
      </View>
      <Text className="setup-intro">做完这几步，AI 就能替你回复客户了。</Text>
      {steps.map((s) => (
        <View key={s.key} className={`setup-step setup-step-${s.key} ${s.done ? 'setup-step-done' : ''}`} onClick={() => void Taro.navigateTo({ url: s.url })}>
          <Text className="setup-tick">{s.done ? '✓' : ''}</Text>
          <View className="setup-step-main">
            <Text className="setup-step-title">{s.title}</Text>
            <Text className="setup-step-hint">{s.done ? '已完成' : s.hint}</Text>
          </View>
          <Text className="setup-arrow">›</Text>
        </View>
      ))}
    </View>
  );
}

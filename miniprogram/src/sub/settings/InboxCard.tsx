import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { FollowUpSetting } from '@xiaoer/shared/domain/conversation-state-follow-up';
import { FOLLOW_UP_MINUTES } from '@xiaoer/shared/domain/conversation-state-follow-up';
import { ApiError, call } from '../../services/api';
import GrowingTextarea from '../../components/GrowingTextarea';
import './InboxCard.scss';

const MINUTE_CHOICES = [5, 10, 15, 30, 60, 120].filter((n) => n >= FOLLOW_UP_MINUTES.min && n <= FOLLOW_UP_MINUTES.max);
const QUICK_MAX = 20;
const QUICK_CHARS = 300;

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : '没保存上，请再试一次');

/**
 * 客户再发消息时 (who answers a customer who writes again while a person holds the conversation)
 * and the shop's 快捷回复 (one tap away in every thread). Owner only, like the rest of 店铺设置.
 */
export function InboxCard({ merchantId }: { merchantId: string }) {
  const [setting, setSetting] = useState<FollowUpSetting | null>(null);
  const [quick, setQuick] = useState<string[] | null>(null);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call({ action: 'inbox.followUp.get', merchantId })
      .then((r) => setSetting(r.setting))
      .catch((err) => setError(messageOf(err)));
    call({ action: 'quickReplies.list', merchantId })
      .then((r) => setQuick(r.items))
      .catch((err) => setError(messageOf(err)));
  }, [merchantId]);

  const saveSetting = async (next: FollowUpSetting) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      setSetting((await call({ action: 'inbox.followUp.save', merchantId, setting: next })).setting);
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const saveQuick = async (items: string[]) => {
    if (busy) return false;
    setBusy(true);
    setError(null);
    try {
      setQuick((await call({ action: 'quickReplies.save', merchantId, items })).items);
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    const t = draft.trim();
    if (!t) return setError('先写好这条快捷回复');
    if ((quick ?? []).length >= QUICK_MAX) return setError(`快捷回复最多 ${QUICK_MAX} 条，先删掉一条`);
    if (await saveQuick([...(quick ?? []), t])) setDraft('');
  };

  return (
    <View className="settings-section inbox-card">
      <Text className="settings-section-title">客户再发消息时</Text>
      <Text className="settings-hint">店员接手以后，客户又发来消息，怎么办：</Text>
      {setting && (
        <View className="follow-up">
          <View className={`follow-option follow-notify ${setting.mode === 'notify' ? 'follow-on' : ''}`} onClick={() => void saveSetting({ ...setting, mode: 'notify' })}>
            <Text>再提醒店员（AI 不说话）</Text>
          </View>
          <View className={`follow-option follow-ai ${setting.mode === 'ai_after' ? 'follow-on' : ''}`} onClick={() => void saveSetting({ ...setting, mode: 'ai_after' })}>
            <Text>店员 {setting.minutes} 分钟没回，让 AI 先答有把握的问题</Text>
          </View>
          {setting.mode === 'ai_after' && (
            <View className="follow-minutes">
              {MINUTE_CHOICES.map((n) => (
                <View key={n} className={`follow-minute ${setting.minutes === n ? 'follow-on' : ''}`} onClick={() => void saveSetting({ ...setting, minutes: n })}>
                  <Text>{n} 分钟</Text>
                </View>
              ))}
            </View>
          )}
        </View>
      )}

      <Text className="settings-section-title quick-title">快捷回复</Text>
      <Text className="settings-hint">常用的话存在这里，回复客户时点一下就能填进输入框（最多 {QUICK_MAX} 条）。</Text>
      {quick?.map((q, i) => (
        <View key={q} className="quick-row">
          <Text className="quick-text">{q}</Text>
          <Button className="btn btn-plain quick-remove" disabled={busy || undefined} onClick={() => void saveQuick(quick.filter((_, j) => j !== i))}>
            删除
          </Button>
        </View>
      ))}
      <GrowingTextarea
        className="settings-textarea quick-input"
        value={draft}
        maxlength={QUICK_CHARS}
        placeholder="比如：您好，马上帮您看一下"
        onInput={(e) => setDraft(e.detail.value)}
      />
      <Button className="btn quick-add" disabled={busy || undefined} onClick={() => void add()}>
        添加快捷回复
      </Button>
      {error && <Text className="inbox-error">{error}</Text>}
    </View>
  );
}

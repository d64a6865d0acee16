import { useEffect, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Switch, Text, View } from '@tarojs/components';
import GrowingTextarea from '../../components/GrowingTextarea';
import type { FaqView } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Failed, Loading, NoShop } from '../../components/StateView';
import './index.scss';
import { allFaqs } from '../../services/faqs';

/** The page's query (?id=…); getCurrentInstance is the one source that works on weapp and H5. */
function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

export type FaqDraft = { question: string; answer: string; alternatives: string; enabled: boolean };

/** Checks the form the way the backend will, so the owner hears about it in words first. */
export function validate(d: FaqDraft): { ok: true; alternatives: string[] } | { ok: false; message: string } {
  const question = d.question.trim();
  const answer = d.answer.trim();
  if (!question || !answer) return { ok: false, message: '问题和回答都要填' };
  if (question.length > 500) return { ok: false, message: '问题太长了，500 个字以内' };
  if (answer.length > 4000) return { ok: false, message: '回答太长了，4000 个字以内' };
  const alternatives = [
    ...new Set(
      d.alternatives
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].filter((a) => a !== question);
  if (alternatives.length > 30) return { ok: false, message: '其他问法最多 30 种' };
  if (alternatives.some((a) => a.length > 500)) return { ok: false, message: '每种问法 500 个字以内' };
  return { ok: true, alternatives };
}

export default function KbEditPage() {
  const [id] = useState(() => pageParams().id);
  useEffect(() => {
    if (!id) void Taro.setNavigationBarTitle({ title: '加一条问答' }).catch(() => undefined);
  }, [id]);
  const { state, reload } = useShopLoad(
    async (shop) => {
      if (!id) return null;
      const faqs = await allFaqs(shop.id);
      const faq = faqs.find((f) => f.id === id);
      if (!faq) throw new ApiError('KB.NOT_FOUND', '这条问答已经不在了，可能被别人删了', 404);
      return faq;
    },
    // coming back to the form must not wipe what is being typed
    { refreshOnShow: false },
  );

  if (state.status === 'loading')
    return (
      <View className="page-kb-edit">
        <Loading />
      </View>
    );
  if (state.status === 'noShop')
    return (
      <View className="page-kb-edit">
        <NoShop />
      </View>
    );
  if (state.status === 'error')
    return (
      <View className="page-kb-edit">
        <Failed error={state.error} onRetry={() => void reload()} />
      </View>
    );
  return (
    <View className="page-kb-edit">
      <FaqForm shop={state.shop} faq={state.data} />
    </View>
  );
}

function FaqForm({ shop, faq }: { shop: ShopSummary; faq: FaqView | null }) {
  const [draft, setDraft] = useState<FaqDraft>({
    question: faq?.question ?? '',
    answer: faq?.answer ?? '',
    alternatives: faq?.alternatives.join('\n') ?? '',
    enabled: faq?.enabled ?? true,
  });
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<FaqDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const save = async () => {
    if (saving) return;
    const v = validate(draft);
    if (!v.ok) {
      setError(v.message);
      return;
    }
    setError(null);
    setSaving(true);
    try {
      await call({
        action: 'kb.save',
        merchantId: shop.id,
        ...(faq ? { id: faq.id } : {}),
        question: draft.question.trim(),
        answer: draft.answer.trim(),
        alternatives: v.alternatives,
        enabled: draft.enabled,
      });
      void Taro.showToast({ title: faq ? '改好了' : '加好了', icon: 'success' });
      await Taro.navigateBack().catch(() => undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : '没保存上，请重试');
    } finally {
      setSaving(false);
    }
  };

  return (
    <View className="kb-form">
      <Text className="kb-form-label">客户会怎么问</Text>
      <Input className="faq-question kb-form-input" value={draft.question} maxlength={500} placeholder="比如：几点开门？" onInput={(e) => set({ question: e.detail.value })} />

      <Text className="kb-form-label">AI 怎么回答</Text>
      <GrowingTextarea
        className="faq-answer kb-form-textarea"
        value={draft.answer}
        maxlength={4000}
        autoHeight
        placeholder="像你平时回客户那样写"
        onInput={(e) => set({ answer: e.detail.value })}
      />

      <Text className="kb-form-label">其他问法（一行一种，可不填）</Text>
      <GrowingTextarea
        className="faq-alternatives kb-form-textarea"
        value={draft.alternatives}
        autoHeight
        placeholder={'营业时间\n几点关门'}
        onInput={(e) => set({ alternatives: e.detail.value })}
      />

      <View className="kb-form-switch">
        <View className="kb-form-switch-text">
          <Text className="kb-form-label">启用</Text>
          <Text className="kb-form-hint">{draft.enabled ? 'AI 会用这条回答客户' : '停用后 AI 不会用这条'}</Text>
        </View>
        <Switch className="faq-enabled" checked={draft.enabled} color="#e0502d" onChange={(e) => set({ enabled: Boolean(e.detail.value) })} />
      </View>

      {error && <Text className="form-error">{error}</Text>}

      <Button className="btn faq-save" loading={saving} onClick={() => void save()}>
        保存
      </Button>
    </View>
  );
}

import { useEffect, useState, type ReactNode } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { TagRuleView } from '@xiaoer/shared/contracts/tags';
import { ApiError, call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { OwnerOnly } from '../settings/OwnerOnly';
import { conditionText, SOURCE_LABEL } from '../tags/rule-text';
import { PreviewList } from '../tags/PreviewList';
import { buildRule, draftOf, emptyDraft, KINDS, newRow, refusalText, rowText, type Draft, type Kind, type Row } from './draft';
import './index.scss';

type Preview = ApiResult<'tags.preview'>;

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

/** 新建规则 / 改规则: the rule builder (owners only; the server refuses staff as well). */
export default function TagRulePage() {
  // H5 hands the query over still encoded (template rule ids have colons)
  const [id] = useState(() => {
    const raw = pageParams().id;
    return raw ? decodeURIComponent(raw) : undefined;
  });
  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: id ? '改规则' : '新建规则' }).catch(() => undefined);
  }, [id]);
  const { state, reload } = useShopLoad(
    async (shop): Promise<{ rule: TagRuleView | null } | null> => {
      if (shop.role !== 'owner') return null;
      if (!id) return { rule: null };
      const { rules } = await call({ action: 'tags.rules.list', merchantId: shop.id });
      const rule = rules.find((r) => r.id === id);
      if (!rule) throw new ApiError('NOT_FOUND.TAG_RULE', '这条规则已经不在了，可能被删了', 404);
      return { rule };
    },
    // coming back to the form must not wipe what is being typed
    { refreshOnShow: false },
  );

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <OwnerOnly />;
  else body = <RuleForm shop={state.shop} rule={state.data.rule} />;
  return <View className="page-tag-rule">{body}</View>;
}

/** What a failed call says, the bad part of a refused rule named in words. */
const failureText = (err: unknown, fixed: boolean) =>
  err instanceof ApiError ? (err.code === 'INPUT.INVALID' ? refusalText(err.message, fixed) : err.message) : '出了点问题，请重试';

function RuleForm({ shop, rule }: { shop: ShopSummary; rule: TagRuleView | null }) {
  const [draft, setDraft] = useState<Draft>(() => (rule ? draftOf(rule) : emptyDraft()));
  const [adding, setAdding] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [preview, setPreview] = useState<{ json: string; result: Preview } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'save' | 'remove' | null>(null);

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setRow = (key: string, patch: Partial<Row>) => setDraft((d) => ({ ...d, rows: d.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)) }));
  const addRow = (kind: Kind) => {
    setDraft((d) => ({ ...d, rows: [...d.rows, newRow(kind)] }));
    setAdding(false);
  };
  const removeRow = (key: string) => setDraft((d) => ({ ...d, rows: d.rows.filter((r) => r.key !== key) }));

  // the preview is of exactly what would be saved: any change asks for a new one
  const built = buildRule(draft);
  const json = built.ok ? JSON.stringify(built.rule) : null;
  const previewed = preview !== null && preview.json === json;

  const runPreview = async () => {
    if (busy) return;
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems([]);
    setBusy('preview');
    try {
      const result = await call({ action: 'tags.preview', merchantId: shop.id, rule: built.rule });
      setPreview({ json: json!, result });
    } catch (err) {
      setPreview(null);
      setProblems([failureText(err, Boolean(draft.fixedWhen))]);
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    if (busy || !built.ok || !previewed) return;
    setBusy('save');
    try {
      await call({ action: 'tags.rules.save', merchantId: shop.id, ...(rule ? { id: rule.id } : {}), rule: built.rule });
      void Taro.showToast({ title: '规则存好了', icon: 'success' });
      await Taro.navigateBack().catch(() => undefined);
    } catch (err) {
      setProblems([failureText(err, Boolean(draft.fixedWhen))]);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (busy || !rule) return;
    const { confirm } = await Taro.showModal({
      title: '删掉这条规则？',
      content: '已经打上的标签会留在客户身上，以后不再自动打。',
      confirmText: '删掉',
      cancelText: '不删',
    });
    if (!confirm) return;
    setBusy('remove');
    try {
      await call({ action: 'tags.rules.remove', merchantId: shop.id, id: rule.id });
      void Taro.showToast({ title: '删掉了', icon: 'success' });
      await Taro.navigateBack().catch(() => undefined);
    } catch (err) {
      setProblems([failureText(err, false)]);
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className="rule-form">
      <View className="card">
        <Text className="form-label">规则名字</Text>
        <Input className="rule-name form-input" value={draft.name} maxlength={60} placeholder="比如：消费满一千的 VIP" onInput={(e) => set({ name: e.detail.value })} />
        <Text className="form-label">符合条件的客户打上标签</Text>
        <Input className="rule-tags form-input" value={draft.tags} placeholder="比如：VIP（多个用空格隔开）" onInput={(e) => set({ tags: e.detail.value })} />
        <Text className="form-label">同时去掉标签（可不填）</Text>
        <Input className="rule-remove-tags form-input" value={draft.removeTags} placeholder="比如：普通" onInput={(e) => set({ removeTags: e.detail.value })} />
      </View>

      <View className="card">
        <Text className="card-title">哪些客户</Text>
        {draft.fixedWhen ? (
          <View className="cond-fixed">
            <Text className="cond-fixed-text">{conditionText(draft.fixedWhen)}</Text>
            <Text className="form-hint">这条规则的条件比较复杂，这里只能改名字和标签。</Text>
          </View>
        ) : (
          <>
            {draft.rows.length > 1 && (
              <View className="chips mode">
                <Text className={`chip mode-all ${draft.mode === 'all' ? 'chip-on' : ''}`} onClick={() => set({ mode: 'all' })}>
                  下面全部满足
                </Text>
                <Text className={`chip mode-any ${draft.mode === 'any' ? 'chip-on' : ''}`} onClick={() => set({ mode: 'any' })}>
                  满足任意一个
                </Text>
              </View>
            )}
            {draft.rows.map((r, i) => (
              <View key={r.key} className={`cond cond-${r.kind}`}>
                <View className="cond-head">
                  <Text className="cond-no">{`条件 ${i + 1}`}</Text>
                  <Text className="cond-remove" onClick={() => removeRow(r.key)}>
                    删掉
                  </Text>
                </View>
                <RowFields row={r} onChange={(patch) => setRow(r.key, patch)} />
                <Text className={`cond-text ${rowText(r) ? '' : 'cond-text-todo'}`}>{rowText(r) ?? '还没填好'}</Text>
                <Text className={`chip cond-negate ${r.negate ? 'chip-on' : ''}`} onClick={() => setRow(r.key, { negate: !r.negate })}>
                  {r.negate ? '反过来了：不符合这条的客户' : '反过来：不符合这条的客户'}
                </Text>
              </View>
            ))}
            {adding ? (
              <View className="chips kinds">
                {KINDS.map((k) => (
                  <Text key={k.kind} className={`chip kind-${k.kind}`} onClick={() => addRow(k.kind)}>
                    {k.label}
                  </Text>
                ))}
              </View>
            ) : (
              <Button className="btn btn-plain add-cond" onClick={() => setAdding(true)}>
                加一个条件
              </Button>
            )}
          </>
        )}
      </View>

      {problems.length > 0 && (
        <View className="form-errors">
          {problems.map((p) => (
            <Text key={p} className="form-error">
              {p}
            </Text>
          ))}
        </View>
      )}

      {previewed && preview && <PreviewList result={preview.result} />}

      {previewed ? (
        <Button className="btn rule-save" loading={busy === 'save'} onClick={() => void save()}>
          保存规则
        </Button>
      ) : (
        <Button className="btn rule-preview" loading={busy === 'preview'} onClick={() => void runPreview()}>
          预览：看看有哪些客户
        </Button>
      )}
      <Text className="form-hint save-hint">{previewed ? '保存后，今晚会自动给符合的客户打上标签；也可以回到上一页点「立即执行」。' : '先预览，确认人对了再保存。'}</Text>

      {rule && (
        <Button className="btn btn-danger rule-remove" loading={busy === 'remove'} onClick={() => void remove()}>
          删掉这条规则
        </Button>
      )}
    </View>
  );
}

/** One condition's fields, laid out as the sentence reads. */
function RowFields({ row, onChange }: { row: Row; onChange: (patch: Partial<Row>) => void }) {
  const amount = (placeholder: string) => (
    <Input className="cond-amount form-input" type="digit" value={row.amount} placeholder={placeholder} onInput={(e) => onChange({ amount: e.detail.value })} />
  );
  const ops = (
    <View className="chips">
      <Text className={`chip cond-op-ge ${row.op === '>=' ? 'chip-on' : ''}`} onClick={() => onChange({ op: '>=' })}>
        至少
      </Text>
      <Text className={`chip cond-op-le ${row.op === '<=' ? 'chip-on' : ''}`} onClick={() => onChange({ op: '<=' })}>
        最多
      </Text>
    </View>
  );
  const line = (...parts: ReactNode[]) => (
    <View className="cond-line">
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          <Text key={i} className="cond-word">
            {p}
          </Text>
        ) : (
          <View key={i}>{p}</View>
        ),
      )}
    </View>
  );
  switch (row.kind) {
    case 'spend':
      return (
        <>
          {line('累计消费', ops)}
          {line(amount('1000'), '元')}
        </>
      );
    case 'orders':
      return (
        <>
          {line('下单次数', ops)}
          {line(amount('2'), '次')}
        </>
      );
    case 'noOrderFor':
      return line('超过', amount('30'), '天没下单');
    case 'orderedWithin':
      return line('最近', amount('30'), '天内下过单');
    case 'addedOver':
      return line('加好友超过', amount('30'), '天');
    case 'addedWithin':
      return line('最近', amount('7'), '天内加的好友');
    case 'keyword':
      return (
        <>
          {line('最近', <Input className="cond-days form-input" type="number" value={row.days} onInput={(e) => onChange({ days: e.detail.value })} />, '天内说过')}
          <Input className="cond-words form-input" value={row.text} placeholder="比如：大码 加大（多个用空格隔开）" onInput={(e) => onChange({ text: e.detail.value })} />
        </>
      );
    case 'category':
      return line('买过', <Input className="cond-category form-input" value={row.text} placeholder="比如：果茶" onInput={(e) => onChange({ text: e.detail.value })} />);
    case 'source':
      return (
        <>
          {line('来源是')}
          <View className="chips">
            {Object.entries(SOURCE_LABEL)
              .filter(([code]) => code !== 'contact')
              .map(([code, label]) => (
                <Text key={code} className={`chip cond-pick-${code} ${row.pick === code ? 'chip-on' : ''}`} onClick={() => onChange({ pick: code })}>
                  {label}
                </Text>
              ))}
          </View>
        </>
      );
    case 'birthday':
      return (
        <>
          {line('生日在')}
          <View className="chips">
            {['current', ...Array.from({ length: 12 }, (_, i) => String(i + 1))].map((m) => (
              <Text key={m} className={`chip month cond-pick-${m} ${row.pick === m ? 'chip-on' : ''}`} onClick={() => onChange({ pick: m })}>
                {m === 'current' ? '本月' : `${m}月`}
              </Text>
            ))}
          </View>
        </>
      );
  }
}

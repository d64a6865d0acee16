import { useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Switch, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { TagRuleView } from '@xiaoer/shared/contracts/tags';
import type { Condition } from '@xiaoer/shared/domain/tag-rule';
import { call } from '../../services/api';
import { asApiError, useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Failed, Loading, NoShop } from '../../components/StateView';
import { conditionText, tagChangeText } from './rule-text';
import { showCustomersWithTag } from '../../services/customer-filter';
import './index.scss';

type Templates = ApiResult<'tags.templates.list'>;
type Template = Templates['templates'][number];
type TemplatePreview = ApiResult<'tags.templates.preview'>;
type Applied = ApiResult<'tags.apply'>;
type Data = { tags: ApiResult<'tags.list'>['tags']; owner: { rules: TagRuleView[]; templates: Templates } | null };

const INDUSTRIES: { id: 'milktea' | 'clothing' | 'beauty' | 'general'; label: string }[] = [
  { id: 'milktea', label: '奶茶店' },
  { id: 'clothing', label: '服装店' },
  { id: 'beauty', label: '美容院' },
  { id: 'general', label: '通用' },
];
type INDUSTRY = (typeof INDUSTRIES)[number]['id'];

/** 标签和规则: every tag with its customers; for owners the rules, 立即执行 and the templates. */
export default function TagsPage() {
  // the templates' industry: the shop's own until the owner picks another
  const industry = useRef<INDUSTRY | undefined>(undefined);
  const { state, reload, setState } = useShopLoad<Data>(async (shop) => {
    const m = shop.id;
    const [tags, owner] = await Promise.all([
      call({ action: 'tags.list', merchantId: m }),
      shop.role === 'owner'
        ? Promise.all([
            call({ action: 'tags.rules.list', merchantId: m }),
            call({ action: 'tags.templates.list', merchantId: m, ...(industry.current ? { industry: industry.current } : {}) }),
          ])
        : null,
    ]);
    return { tags: tags.tags, owner: owner ? { rules: owner[0].rules, templates: owner[1] } : null };
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载标签…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else {
    const { data, shop } = state;
    const patchRule = (rule: TagRuleView) =>
      setState((s) =>
        s.status === 'ready' && s.data.owner ? { ...s, data: { ...s.data, owner: { ...s.data.owner, rules: s.data.owner.rules.map((r) => (r.id === rule.id ? rule : r)) } } } : s,
      );
    body = (
      <>
        <TagsCard tags={data.tags} />
        {data.owner ? (
          <>
            <RulesCard shop={shop} rules={data.owner.rules} onChanged={patchRule} onApplied={() => reload(true)} />
            <TemplatesCard
              shop={shop}
              templates={data.owner.templates}
              rules={data.owner.rules}
              onIndustry={(id) => {
                industry.current = id;
                void reload(true);
              }}
              onChanged={() => reload(true)}
            />
          </>
        ) : (
          <Text className="staff-note">自动打标签的规则由老板设置。你可以在客户资料里给客户加减标签。</Text>
        )}
      </>
    );
  }
  return <View className="page-tags">{body}</View>;
}

function TagsCard({ tags }: { tags: Data['tags'] }) {
  return (
    <View className="card tags-card">
      <Text className="card-title">标签</Text>
      {tags.length === 0 ? (
        <Text className="card-hint">还没有标签。开启下面的模板或新建规则后，客户会自动打上标签。</Text>
      ) : (
        <>
          <Text className="card-hint">点一个标签，看看有哪些客户。</Text>
          <View className="chips">
            {tags.map((t) => (
              <Text key={t.tag} className="chip tag-count" onClick={() => showCustomersWithTag(t.tag)}>
                {`${t.tag} · ${t.count} 人`}
              </Text>
            ))}
          </View>
        </>
      )}
    </View>
  );
}

/** A stored rule's conditions in words (stored rules were validated: this only guards the page). */
function whenText(when: unknown): string {
  try {
    return conditionText(when as Condition);
  } catch {
    return '条件看不懂了，请打开重新设置';
  }
}

function appliedText(r: Applied): string {
  const head =
    r.changed === 0
      ? `查了 ${r.customers} 位客户，标签都是对的，没有要改的。`
      : `查了 ${r.customers} 位客户，${r.changed} 位的标签有变化：加上 ${r.added} 个，去掉 ${r.removed} 个。`;
  const failed = r.wecomFailed > 0 ? `有 ${r.wecomFailed} 位客户的企业微信标签这次没打上，稍后会自动再试。` : '';
  const later = r.wecomLater > 0 ? `还有 ${r.wecomLater} 位客户的企业微信标签会在接下来几分钟里陆续打上。` : '';
  const done = !failed && !later && r.wecomCalls > 0 ? '已同步到企业微信。' : '';
  const rest = r.continuing ? '客户比较多，剩下的客户会在接下来几分钟里在后台接着打标签。' : '';
  return head + rest + (failed || done) + later;
}

function RulesCard(props: { shop: ShopSummary; rules: TagRuleView[]; onChanged: (r: TagRuleView) => void; onApplied: () => Promise<void> }) {
  const { shop, rules, onChanged, onApplied } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);

  const toggle = async (r: TagRuleView, enabled: boolean) => {
    if (busy) return;
    setBusy(r.id);
    setError(null);
    try {
      onChanged((await call({ action: 'tags.rules.setEnabled', merchantId: shop.id, id: r.id, enabled })).rule);
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const applyNow = async () => {
    if (busy) return;
    setBusy('apply');
    setError(null);
    try {
      const r = await call({ action: 'tags.apply', merchantId: shop.id });
      // the counts above refresh first, so the hint never sits beside the old numbers
      await onApplied();
      setApplied(appliedText(r));
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const open = (id?: string) => void Taro.navigateTo({ url: id ? `/sub/tag-rule/index?id=${encodeURIComponent(id)}` : '/sub/tag-rule/index' });
  const on = rules.filter((r) => r.enabled).length;

  return (
    <View className="card rules-card">
      <View className="card-head">
        <Text className="card-title">自动打标签的规则</Text>
        <Button className="btn btn-plain btn-small rule-new" onClick={() => open()}>
          新建规则
        </Button>
      </View>
      {rules.length === 0 ? (
        <Text className="card-hint rules-empty">还没有规则。可以开启下面的现成模板，或者新建一条。</Text>
      ) : (
        rules.map((r) => (
          <View key={r.id} className={`rule-item ${r.enabled ? '' : 'rule-off'}`}>
            <View className="rule-main" onClick={() => open(r.id)}>
              <Text className="rule-name">{r.name}</Text>
              <Text className="rule-when">{whenText(r.when)}</Text>
              <Text className="rule-change">{tagChangeText(r.tags, r.removeTags)}</Text>
            </View>
            <Switch className="rule-enabled" checked={r.enabled} disabled={busy === r.id || undefined} color="#e0502d" onChange={(e) => void toggle(r, Boolean(e.detail.value))} />
          </View>
        ))
      )}
      {error && <Text className="form-error">{error}</Text>}
      {on > 0 && (
        <>
          <Button className="btn apply-now" loading={busy === 'apply'} onClick={() => void applyNow()}>
            立即执行
          </Button>
          <Text className="card-hint apply-hint">{applied ?? `开着的 ${on} 条规则每晚会自动执行；想马上给客户打上标签，点「立即执行」。`}</Text>
        </>
      )}
    </View>
  );
}

function TemplatesCard(props: { shop: ShopSummary; templates: Templates; rules: TagRuleView[]; onIndustry: (id: INDUSTRY) => void; onChanged: () => Promise<void> }) {
  const { shop, templates, rules, onIndustry, onChanged } = props;
  return (
    <View className="card templates-card">
      <Text className="card-title">现成的模板</Text>
      <Text className="card-hint">{`按${templates.industryLabel}的习惯设好的规则，先预览，再一键开启。`}</Text>
      <View className="chips industries">
        {INDUSTRIES.map((i) => (
          <Text key={i.id} className={`chip industry-${i.id} ${templates.industry === i.id ? 'chip-on' : ''}`} onClick={() => templates.industry !== i.id && onIndustry(i.id)}>
            {i.label}
          </Text>
        ))}
      </View>
      {templates.templates.map((t) => (
        <TemplateItem key={t.id} shop={shop} template={t} rules={rules.filter((r) => r.templateId === t.id)} onChanged={onChanged} />
      ))}
    </View>
  );
}

function TemplateItem(props: { shop: ShopSummary; template: Template; rules: TagRuleView[]; onChanged: () => Promise<void> }) {
  const { shop, template: t, rules, onChanged } = props;
  const [preview, setPreview] = useState<TemplatePreview | null>(null);
  const [busy, setBusy] = useState<'preview' | 'enable' | 'disable' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [justOn, setJustOn] = useState(false);

  const run = async (what: 'preview' | 'enable' | 'disable', work: () => Promise<void>) => {
    if (busy) return;
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const loadPreview = () => run('preview', async () => setPreview(await call({ action: 'tags.templates.preview', merchantId: shop.id, templateId: t.id })));
  const enable = () =>
    run('enable', async () => {
      await call({ action: 'tags.templates.enable', merchantId: shop.id, templateId: t.id });
      setJustOn(true);
      // the button goes when the page knows the template is on: wait for that before it stops spinning
      await onChanged();
    });
  const disable = async () => {
    const { confirm } = await Taro.showModal({ title: `关掉「${t.name}」？`, content: '已经打上的标签会留着，以后不再自动更新。', confirmText: '关掉', cancelText: '不关' });
    if (!confirm) return;
    await run('disable', async () => {
      for (const r of rules.filter((x) => x.enabled)) await call({ action: 'tags.rules.setEnabled', merchantId: shop.id, id: r.id, enabled: false });
      setJustOn(false);
      setPreview(null);
      await onChanged();
    });
  };

  return (
    <View className={`tpl tpl-${t.id.replace(/[^a-z]/gi, '-')} ${t.enabled ? 'tpl-on' : ''}`}>
      <View className="tpl-head">
        <Text className="tpl-name">{t.name}</Text>
        <Text className="tpl-state">{t.enabled ? '已开启' : '没开启'}</Text>
      </View>
      <Text className="tpl-desc">{t.description}</Text>
      {preview && (
        <View className="tpl-preview-result">
          {preview.rules.map((r) => (
            <View key={r.name} className="tpl-rule">
              <View className="tpl-rule-head">
                <Text className="tpl-rule-name">{r.tags.length ? r.tags.join('、') : r.name}</Text>
                <Text className="tpl-rule-count">{`${r.count} 位客户`}</Text>
              </View>
              {r.sample.length > 0 && <Text className="tpl-rule-sample">{r.sample.map((c) => c.name || '客户').join('、') + (r.count > r.sample.length ? ' 等' : '')}</Text>}
            </View>
          ))}
        </View>
      )}
      {error && <Text className="form-error">{error}</Text>}
      {t.enabled ? (
        <>
          {justOn && <Text className="card-hint tpl-on-hint">开好了。标签今晚会自动打上；想现在就打，点上面的「立即执行」。</Text>}
          <Button className="btn btn-plain btn-small tpl-disable" loading={busy === 'disable'} onClick={() => void disable()}>
            关掉
          </Button>
        </>
      ) : preview ? (
        // no spinner: the button goes as soon as the template is on
        <Button className="btn tpl-enable" onClick={() => void enable()}>
          {busy === 'enable' ? '正在开启…' : '开启这个模板'}
        </Button>
      ) : (
        <Button className="btn btn-plain tpl-preview" loading={busy === 'preview'} onClick={() => void loadPreview()}>
          预览：会给哪些客户打上
        </Button>
      )}
    </View>
  );
}

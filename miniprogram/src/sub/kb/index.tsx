import { useMemo, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Switch, Text, View } from '@tarojs/components';
import type { AskResult, FaqView } from '@xiaoer/shared/contracts/api';
import { ApiError, call } from '../../services/api';
import { confidenceWords } from '../../services/confidence';
import { useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { LoadMore } from '../../components/LoadMore';
import { ImportFileError, pickFileWeapp, readFileH5, type PickedFile } from './importFile';
import './index.scss';

type KbData = { faqs: FaqView[]; nextCursor: string | null };
type ImportResult = { added: number; updated: number; errors: { line: number; message: string }[] };

const errorText = (err: unknown) => (err instanceof ApiError || err instanceof ImportFileError ? err.message : '出了点问题，请重试');

/** Whether a FAQ matches the search words (question, answer or any other phrasing). */
export function matches(faq: FaqView, words: string): boolean {
  const q = words.trim().toLowerCase();
  if (!q) return true;
  return [faq.question, faq.answer, ...faq.alternatives].some((t) => t.toLowerCase().includes(q));
}

export default function KbPage() {
  const { state, reload, setState } = useShopLoad<KbData>((shop) => call({ action: 'kb.list', merchantId: shop.id }));
  const [search, setSearch] = useState('');

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  if (state.status === 'loading')
    return (
      <View className="page-kb">
        <Loading text="正在加载知识库…" />
      </View>
    );
  if (state.status === 'noShop')
    return (
      <View className="page-kb">
        <NoShop />
      </View>
    );
  if (state.status === 'error')
    return (
      <View className="page-kb">
        <Failed error={state.error} onRetry={() => void reload()} />
      </View>
    );

  const { shop } = state;
  const replaceFaq = (faq: FaqView) => setState((s) => (s.status === 'ready' ? { ...s, data: { ...s.data, faqs: s.data.faqs.map((f) => (f.id === faq.id ? faq : f)) } } : s));
  const setData = (data: KbData) => setState((s) => (s.status === 'ready' ? { ...s, data } : s));

  return (
    <View className="page-kb">
      <AskBox shop={shop} />

      <View className="kb-toolbar">
        <Input className="kb-search" value={search} placeholder="搜问题或回答" onInput={(e) => setSearch(e.detail.value)} />
        <Button className="btn faq-add" onClick={() => void Taro.navigateTo({ url: '/sub/kb-edit/index' })}>
          加一条问答
        </Button>
      </View>

      {shop.role === 'owner' && <ImportBox shop={shop} onDone={() => void reload(true)} />}

      <FaqList data={state.data} search={search} shop={shop} onChanged={replaceFaq} onMore={setData} />
    </View>
  );
}

function FaqList(props: { data: KbData; search: string; shop: ShopSummary; onChanged: (f: FaqView) => void; onMore: (next: KbData) => void }) {
  const { data, search, shop, onChanged, onMore } = props;
  const faqs = data.faqs;
  const shown = useMemo(() => faqs.filter((f) => matches(f, search)), [faqs, search]);
  const [busy, setBusy] = useState<string | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const loadingMore = useRef(false);

  const loadMore = async () => {
    if (loadingMore.current || !data.nextCursor) return;
    loadingMore.current = true;
    setMore({ loading: true, error: null });
    try {
      const page = await call({ action: 'kb.list', merchantId: shop.id, cursor: data.nextCursor });
      const seen = new Set(faqs.map((f) => f.id));
      onMore({ faqs: [...faqs, ...page.faqs.filter((f) => !seen.has(f.id))], nextCursor: page.nextCursor });
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: errorText(err) });
    } finally {
      loadingMore.current = false;
    }
  };
  const foot = <LoadMore hasMore={Boolean(data.nextCursor)} loading={more.loading} error={more.error} onMore={() => void loadMore()} />;

  if (faqs.length === 0) return <Empty title="知识库还是空的" text="加几条常被问到的问答，AI 就能照着回复客户。" />;
  if (shown.length === 0)
    return (
      <View className="faq-list">
        <Empty title={`没有找到「${search.trim()}」`} text={data.nextCursor ? '只搜了已加载的问答，加载更多后再找找。' : '换个词试试。'} />
        {data.nextCursor && foot}
      </View>
    );

  const toggle = async (faq: FaqView, enabled: boolean) => {
    if (busy) return;
    setBusy(faq.id);
    onChanged({ ...faq, enabled }); // show it at once; put it back if the server says no
    try {
      const res = await call({ action: 'kb.setEnabled', merchantId: shop.id, id: faq.id, enabled });
      onChanged(res.faq);
      void Taro.showToast({ title: enabled ? '已启用' : '已停用，AI 不会再用它', icon: 'none' });
    } catch (err) {
      onChanged(faq);
      void Taro.showToast({ title: errorText(err), icon: 'none' });
    } finally {
      setBusy(null);
    }
  };

  return (
    <View className="faq-list">
      <Text className="faq-count">{`${data.nextCursor ? '已加载' : '共'} ${faqs.length} 条${search.trim() ? `，找到 ${shown.length} 条` : ''}`}</Text>
      {shown.map((f) => (
        <View key={f.id} className={`faq-item ${f.enabled ? '' : 'faq-disabled'}`} data-id={f.id}>
          <View className="faq-main" onClick={() => void Taro.navigateTo({ url: `/sub/kb-edit/index?id=${encodeURIComponent(f.id)}` })}>
            <View className="faq-q-row">
              <Text className="faq-question">{f.question}</Text>
              {!f.enabled && <Text className="faq-off">停用</Text>}
            </View>
            <Text className="faq-answer-line">{f.answer.split('\n')[0]}</Text>
            {f.alternatives.length > 0 && <Text className="faq-alts">还有 {f.alternatives.length} 种问法</Text>}
          </View>
          <View className="faq-toggle">
            <Switch className="faq-enabled" checked={f.enabled} disabled={busy === f.id || undefined} color="#e0502d" onChange={(e) => void toggle(f, Boolean(e.detail.value))} />
          </View>
        </View>
      ))}
      {foot}
    </View>
  );
}

/** 问问 AI: what the AI would answer a customer right now, without sending anything. */
function AskBox({ shop }: { shop: ShopSummary }) {
  const [text, setText] = useState('');
  const [asking, setAsking] = useState(false);
  const [result, setResult] = useState<AskResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = async () => {
    const q = text.trim();
    if (!q) {
      setError('先写一个客户可能会问的问题');
      return;
    }
    if (asking) return;
    setAsking(true);
    setError(null);
    try {
      setResult(await call({ action: 'kb.ask', merchantId: shop.id, text: q }));
    } catch (err) {
      setResult(null);
      setError(errorText(err));
    } finally {
      setAsking(false);
    }
  };

  return (
    <View className="kb-card ask-box">
      <Text className="kb-card-title">问问 AI</Text>
      <Text className="kb-card-hint">像客户一样问一句，看 AI 会怎么回（不会发给任何人）</Text>
      <View className="ask-row">
        <Input className="ask-input" value={text} placeholder="比如：几点关门？" confirmType="send" onInput={(e) => setText(e.detail.value)} onConfirm={() => void ask()} />
        <Button className="btn ask-submit" loading={asking} onClick={() => void ask()}>
          问一下
        </Button>
      </View>
      {error && <Text className="ask-error">{error}</Text>}
      {result && (
        <View className="ask-result">
          {result.handoff || !result.reply ? <Text className="ask-reply ask-handoff">AI 会转给人工：{result.reasonText}</Text> : <Text className="ask-reply">{result.reply}</Text>}
          <Text className="ask-confidence">{confidenceWords(result.confidence)}</Text>
          <View className="ask-knowledge">
            {result.knowledge.length === 0 ? (
              <Text className="ask-knowledge-none">没用到知识库</Text>
            ) : (
              <>
                <Text className="ask-knowledge-label">用到的问答：</Text>
                {result.knowledge.map((k) => (
                  <Text key={k.id} className="ask-knowledge-item">
                    {k.question}
                  </Text>
                ))}
              </>
            )}
          </View>
        </View>
      )}
    </View>
  );
}

/** Owner-only: bring a whole FAQ file in at once. */
function ImportBox({ shop, onDone }: { shop: ShopSummary; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement | null>(null);

  const send = async (file: PickedFile) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await call({ action: 'kb.import', merchantId: shop.id, format: file.format, content: file.content });
      setResult(res);
      if (res.added + res.updated > 0) onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (busy) return;
    if (process.env.TARO_ENV === 'h5') {
      fileInput.current?.click();
      return;
    }
    try {
      const file = await pickFileWeapp();
      if (file) await send(file);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const onH5File = async (files: FileList | null) => {
    const file = files?.[0];
    if (fileInput.current) fileInput.current.value = ''; // the same file can be picked again
    if (!file) return;
    try {
      await send(await readFileH5(file));
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <View className="kb-card import-box">
      <View className="import-row">
        <View className="import-text">
          <Text className="kb-card-title">批量导入</Text>
          <Text className="kb-card-hint">从微信聊天里选 Excel、CSV 或 JSON 文件</Text>
        </View>
        <Button className="btn kb-import" loading={busy} onClick={() => void start()}>
          导入文件
        </Button>
      </View>
      {process.env.TARO_ENV === 'h5' && (
        <input
          ref={fileInput}
          className="kb-import-file"
          type="file"
          accept=".json,.csv,.xlsx"
          style={{ display: 'none' }}
          onChange={(e) => void onH5File(e.currentTarget.files)}
        />
      )}
      {error && <Text className="import-error-message">{error}</Text>}
      {result && (
        <View className="import-result">
          <Text className="import-summary">
            导入了 {result.added} 条，更新 {result.updated} 条
          </Text>
          {result.errors.map((e) => (
            <Text key={`${e.line}-${e.message}`} className="import-error">
              第 {e.line} 行：{e.message}
            </Text>
          ))}
        </View>
      )}
    </View>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import GrowingTextarea from '../../components/GrowingTextarea';
import type { FaqView, TeachItemView } from '@xiaoer/shared/contracts/api';
import { HANDOFF_REASON_LABEL } from '@xiaoer/shared/domain/handoff-reason';
import { ApiError, call } from '../../services/api';
import { useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import './index.scss';
import { allFaqs } from '../../services/faqs';

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "11月22日 10:02" in the phone's time; "今天 10:02" for today. */
export function formatAskedAt(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return new Date(now).toDateString() === d.toDateString() ? `今天 ${t}` : `${d.getMonth() + 1}月${d.getDate()}日 ${t}`;
}

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : '出了点问题，请重试');

export default function TeachPage() {
  const { state, reload, setState } = useShopLoad((shop) => call({ action: 'teach.list', merchantId: shop.id }));
  // ?item=<id> (from a thread or a notification) opens that question's form at once
  const [openId, setOpenId] = useState<string | null>(() => pageParams().item ?? null);
  // ...and brings it into view once: it may sit below other questions, out of sight
  const fromLink = useRef<string | null>(pageParams().item ?? null);
  useEffect(() => {
    const id = fromLink.current;
    if (state.status !== 'ready' || !id || !state.data.items.some((i) => i.id === id)) return;
    fromLink.current = null;
    Taro.nextTick(() => void Taro.pageScrollTo({ selector: '#teach-open', duration: 300 })?.catch(() => undefined));
  }, [state]);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  const remove = (id: string) => {
    setOpenId(null);
    setState((s) => (s.status === 'ready' ? { ...s, data: { items: s.data.items.filter((i) => i.id !== id) } } : s));
  };

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data.items.length === 0) body = <Empty title="AI 都答上来了，没有要教的" text="客户问到 AI 答不了的问题时，会出现在这里。" />;
  else {
    // a gap in the knowledge base is taught once; a complaint, an order or a promise is handled by a person every time
    const toTeach = state.data.items.filter((i) => i.teachable !== false);
    const toHandle = state.data.items.filter((i) => i.teachable === false);
    body = (
      <View className="teach-list">
        {toHandle.length > 0 && (
          <View className="teach-group teach-group-handle">
            <Text className="teach-group-title">要店里处理的（{toHandle.length}）</Text>
            <Text className="teach-intro">投诉、订单、安全问题、找人和要店里答应的事，每次都要人来处理，不能教给 AI 一个固定回答。</Text>
            {toHandle.map((item) => (
              <HandleItem key={item.id} item={item} shop={state.shop} onDone={() => remove(item.id)} />
            ))}
          </View>
        )}
        {toTeach.length > 0 && (
          <View className="teach-group teach-group-teach">
            <Text className="teach-group-title">可以教给 AI 的（{toTeach.length}）</Text>
            <Text className="teach-intro">这些问题知识库里没有，AI 没答上来。教它一次，下次客户再问，它就会答了。</Text>
            {toTeach.map((item) => (
              <TeachItem
                key={item.id}
                item={item}
                shop={state.shop}
                open={openId === item.id}
                onOpen={() => setOpenId(openId === item.id ? null : item.id)}
                onDone={() => remove(item.id)}
              />
            ))}
          </View>
        )}
      </View>
    );
  }

  return <View className="page-teach">{body}</View>;
}

function TeachItem(props: { item: TeachItemView; shop: ShopSummary; open: boolean; onOpen: () => void; onDone: () => void }) {
  const { item, shop, open, onOpen, onDone } = props;
  return (
    <View className={`teach-item ${open ? 'teach-item-open' : ''}`} id={open ? 'teach-open' : undefined} data-id={item.id}>
      <View className="teach-summary" onClick={onOpen}>
        <View className="teach-row">
          <Text className="teach-customer">{item.customerName}</Text>
          <Text className="teach-time">{formatAskedAt(item.askedAt)}</Text>
        </View>
        <Text className="teach-asked">{item.question}</Text>
        {item.earlier.length > 0 && (
          <View className="teach-earlier">
            <Text className="teach-earlier-label">前面还问了：</Text>
            {item.earlier.map((q, i) => (
              <Text key={i} className="teach-earlier-item">
                {q}
              </Text>
            ))}
          </View>
        )}
        <Text className="teach-reason">没答上的原因：{item.reasonText}</Text>
        {item.staffReply && (
          <Text className="teach-staff-reply">
            {item.staffReply.by === 'servicer' ? '客服' : '店里'}回复了：{item.staffReply.text}
          </Text>
        )}
        {!open && <Text className="teach-open">教 AI ›</Text>}
      </View>
      {open && <TeachForm item={item} shop={shop} onDone={onDone} />}
    </View>
  );
}

/** What needs a person: why, what was asked, and a way to the conversation; never a 教 AI form. */
function HandleItem(props: { item: TeachItemView; shop: ShopSummary; onDone: () => void }) {
  const { item, shop, onDone } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const openThread = () => void Taro.navigateTo({ url: `/sub/thread/index?id=${encodeURIComponent(item.conversationId)}` });
  const done = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'teach.dismiss', merchantId: shop.id, itemId: item.id });
      onDone();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <View className="teach-item teach-item-handle" data-id={item.id}>
      <View className="teach-row">
        <Text className="teach-customer">{item.customerName}</Text>
        {item.handoffReason && <Text className="teach-tag">{HANDOFF_REASON_LABEL[item.handoffReason]}</Text>}
        <Text className="teach-time">{formatAskedAt(item.askedAt)}</Text>
      </View>
      <Text className="teach-asked">{item.question}</Text>
      <Text className="teach-reason">{item.reasonText}</Text>
      {item.staffReply && (
        <Text className="teach-staff-reply">
          {item.staffReply.by === 'servicer' ? '客服' : '店里'}回复了：{item.staffReply.text}
        </Text>
      )}
      {error && <Text className="teach-error">{error}</Text>}
      <View className="teach-actions">
        <Button className="teach-handled" disabled={busy || undefined} onClick={() => void done()}>
          处理好了
        </Button>
        <Button className="btn teach-go" onClick={openThread}>
          去处理
        </Button>
      </View>
    </View>
  );
}

type Mode = 'new' | 'alt';
type FaqsState = { status: 'idle' | 'loading' } | { status: 'error'; message: string } | { status: 'ready'; faqs: FaqView[] };

function TeachForm({ item, shop, onDone }: { item: TeachItemView; shop: ShopSummary; onDone: () => void }) {
  const [mode, setMode] = useState<Mode>('new');
  const [question, setQuestion] = useState(item.question);
  const [answer, setAnswer] = useState(item.staffReply?.text ?? '');
  const [faqId, setFaqId] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [faqs, setFaqs] = useState<FaqsState>({ status: 'idle' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadFaqs = async () => {
    setFaqs({ status: 'loading' });
    try {
      setFaqs({ status: 'ready', faqs: await allFaqs(shop.id) });
    } catch (err) {
      setFaqs({ status: 'error', message: errorText(err) });
    }
  };

  const chooseMode = (m: Mode) => {
    setMode(m);
    setError(null);
    // the FAQ list is only needed for 另一种问法: fetch it the first time that is chosen
    if (m === 'alt' && faqs.status === 'idle') void loadFaqs();
  };

  const options = useMemo(() => {
    if (faqs.status !== 'ready') return [];
    const q = search.trim().toLowerCase();
    return q ? faqs.faqs.filter((f) => [f.question, f.answer, ...f.alternatives].some((t) => t.toLowerCase().includes(q))) : faqs.faqs;
  }, [faqs, search]);

  const save = async () => {
    if (busy) return;
    const q = question.trim();
    if (!q) return setError('问题要填');
    if (mode === 'new' && !answer.trim()) return setError('回答要填，AI 以后就这样回客户');
    if (mode === 'alt' && !faqId) return setError('选一条已有的问答');
    setBusy(true);
    setError(null);
    try {
      await call({
        action: 'teach.save',
        merchantId: shop.id,
        itemId: item.id,
        question: q,
        ...(mode === 'new' ? { answer: answer.trim() } : { faqId: faqId! }),
      });
      void Taro.showToast({ title: '学会了', icon: 'success' });
      onDone();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const dismiss = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'teach.dismiss', merchantId: shop.id, itemId: item.id });
      void Taro.showToast({ title: '好的，不教了', icon: 'none' });
      onDone();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <View className="teach-form">
      <Text className="teach-label">客户的问题</Text>
      <Input className="teach-question teach-input" value={question} maxlength={500} onInput={(e) => setQuestion(e.detail.value)} />

      <View className="teach-modes">
        <Text className={`teach-mode teach-mode-new ${mode === 'new' ? 'teach-mode-on' : ''}`} onClick={() => chooseMode('new')}>
          存成新问答
        </Text>
        <Text className={`teach-mode teach-mode-alt ${mode === 'alt' ? 'teach-mode-on' : ''}`} onClick={() => chooseMode('alt')}>
          算作已有问答的另一种问法
        </Text>
      </View>

      {mode === 'new' ? (
        <>
          <Text className="teach-label">以后 AI 这样回答</Text>
          <GrowingTextarea
            className="teach-answer teach-input"
            value={answer}
            maxlength={4000}
            autoHeight
            placeholder="写下该怎么回客户"
            onInput={(e) => setAnswer(e.detail.value)}
          />
        </>
      ) : (
        <View className="teach-faqs">
          <Input className="teach-faq-search teach-input" value={search} placeholder="搜已有的问答" onInput={(e) => setSearch(e.detail.value)} />
          {faqs.status === 'loading' && <Text className="teach-hint">正在加载知识库…</Text>}
          {faqs.status === 'error' && (
            <View className="teach-faqs-failed">
              <Text className="teach-hint">{faqs.message}</Text>
              <Text className="teach-faqs-retry" onClick={() => void loadFaqs()}>
                重试
              </Text>
            </View>
          )}
          {faqs.status === 'ready' && options.length === 0 && (
            <Text className="teach-hint">{faqs.faqs.length === 0 ? '知识库还是空的，先存成新问答吧' : '没有找到，换个词试试'}</Text>
          )}
          {options.map((f) => (
            <View key={f.id} className={`teach-faq-option ${faqId === f.id ? 'teach-faq-selected' : ''}`} data-id={f.id} onClick={() => setFaqId(f.id)}>
              <Text className="teach-faq-q">{f.question}</Text>
              <Text className="teach-faq-a">{f.answer.split('\n')[0]}</Text>
            </View>
          ))}
        </View>
      )}

      {error && <Text className="teach-error">{error}</Text>}

      <View className="teach-actions">
        <Button className="teach-dismiss" disabled={busy || undefined} onClick={() => void dismiss()}>
          不用教
        </Button>
        <Button className="btn teach-save" loading={busy} onClick={() => void save()}>
          教会 AI
        </Button>
      </View>
    </View>
  );
}

import { useEffect, useRef, useState } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Button, Image, Text, View } from '@tarojs/components';
import type { ApiResult, TeachItemView } from '@xiaoer/shared/contracts/api';
import type { ServicerView } from '@xiaoer/shared/contracts/api-inbox';
import { useInboxChanges } from '../../services/live';
import type { Message } from '@xiaoer/shared/domain/conversation';
import { HANDOFF_REASON_LABEL, type HandoffReasonCode } from '@xiaoer/shared/domain/handoff-reason';
import { call } from '../../services/api';
import type { ShopSummary } from '../../services/session';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { SENDER_LABEL, STATE_LABEL, describeMessage, formatTime, imageSrc, useNow, waitedText } from '../../pages/conversations/format';
import './index.scss';
import { confidenceWords } from '../../services/confidence';
import GrowingTextarea from '../../components/GrowingTextarea';

type Thread = ApiResult<'conversations.get'>;

/** Taro inputs report their value in `detail.value` (weapp and H5 alike). */
const valueOf = (e: unknown): string => {
  const v = (e as { detail?: { value?: unknown } }).detail?.value;
  return typeof v === 'string' ? v : '';
};

/** A fresh id per draft, in the shape the contract accepts: the server drops a repeat with the same id. */
export function newClientMsgId(): string {
  return `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * 会话详情. A handoff notice opens it with ?id=<conversation>&merchant=<the shop it belongs to>:
 * the app switches to that shop first (an owner of several shops gets the thread, not 找不到).
 * Links without merchant (in-app, or notices sent before it was added) stay on the current shop.
 */
export default function ThreadPage() {
  const router = useRouter();
  const id = router?.params?.id ? decodeURIComponent(router.params.id) : '';
  const merchant = router?.params?.merchant || undefined;
  return <View className="page-thread">{id ? <ThreadLoader id={id} merchant={merchant} /> : <Empty title="找不到这个会话" text="请回到会话列表重新打开。" />}</View>;
}

function ThreadLoader({ id, merchant }: { id: string; merchant?: string }) {
  const { state, reload, setState } = useShopLoad<Thread>((shop) => call({ action: 'conversations.get', merchantId: shop.id, conversationId: id }), { linkedShop: merchant });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  // the customer wrote, the AI answered, a colleague replied or a send went through: shown within seconds
  const mine = useRef<Set<string>>(new Set());
  mine.current = new Set(state.status === 'ready' ? [id, ...state.data.messages.map((m) => `m:${m.id}`)] : [id]);
  useInboxChanges((c) => {
    if (c.full || c.conversationIds.some((x) => mine.current.has(x))) void reload(true);
  });

  // older history loads upward: the page before the oldest shown, kept above it
  const [older, setOlder] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const loadOlder = async () => {
    if (state.status !== 'ready' || !state.data.olderCursor || older.loading) return;
    setOlder({ loading: true, error: null });
    try {
      const page = await call({ action: 'conversations.get', merchantId: state.shop.id, conversationId: id, before: state.data.olderCursor });
      setState((s) => {
        if (s.status !== 'ready') return s;
        const seen = new Set(s.data.messages.map((m) => m.id));
        return {
          ...s,
          data: {
            ...s.data,
            messages: [...page.messages.filter((m) => !seen.has(m.id)), ...s.data.messages],
            olderCursor: page.olderCursor,
            knowledge: { ...page.knowledge, ...s.data.knowledge },
          },
        };
      });
      setOlder({ loading: false, error: null });
    } catch (err) {
      setOlder({ loading: false, error: asApiError(err).message });
    }
  };

  if (state.status === 'loading') return <Loading text="正在加载聊天记录…" />;
  if (state.status === 'noShop') return <NoShop />;
  if (state.status === 'error') return <Failed error={state.error} onRetry={() => void reload()} />;
  return <ThreadBody thread={state.data} shop={state.shop} onChanged={() => reload(true)} older={older} onOlder={() => void loadOlder()} />;
}

/**
 * A customer's image we kept from WeCom (`media:<sha256>`): fetched through the api (media.get)
 * once the row shows, rendered as a data URL; until then, or if it is gone, the text describes it.
 */
function useKeptImage(m: Message, merchantId: string): string | null {
  const ref = m.type === 'image' && m.mediaRef?.startsWith('media:') ? m.mediaRef : null;
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    if (!ref) return;
    let live = true;
    call({ action: 'media.get', merchantId, ref })
      .then((r) => {
        if (live && r.base64) setSrc(`data:${r.contentType};base64,${r.base64}`);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [ref, merchantId]);
  return src;
}

function ThreadBody(props: { thread: Thread; shop: ShopSummary; onChanged: () => Promise<void>; older: { loading: boolean; error: string | null }; onOlder: () => void }) {
  const { thread, shop, onChanged, older, onOlder } = props;
  const { conversation: conv, messages, knowledge, teach } = thread;
  const now = useNow();
  const newest = messages[messages.length - 1]?.id;

  // a thread opens at its newest message, and follows new ones (not when older ones are added above)
  useEffect(() => {
    if (!newest) return;
    const t = setTimeout(() => void Promise.resolve(Taro.pageScrollTo({ scrollTop: 1e7, duration: 0 })).catch(() => undefined), 50);
    return () => clearTimeout(t);
  }, [newest]);

  return (
    <View className="thread">
      <View className="thread-head">
        <Text className="thread-name">{conv.customerName || '客户'}</Text>
        <View className="thread-status">
          <Text className={`thread-state badge-${conv.state}`}>{STATE_LABEL[conv.state]}</Text>
          {conv.state === 'waiting_human' && <WaitLine conv={conv} now={now} />}
          {conv.handoffReasonText && <Text className="thread-reason">{conv.handoffReasonText}</Text>}
        </View>
        {thread.silence && <Text className="thread-silence">{thread.silence}</Text>}
      </View>

      {teach && <TeachCard teach={teach} />}

      <View className="msgs">
        {thread.olderCursor && (
          <View className="msgs-older" onClick={onOlder}>
            <Text>{older.loading ? '正在加载…' : older.error ? `${older.error}，点这里重试` : '更早的消息'}</Text>
          </View>
        )}
        {messages.length === 0 && <Text className="msgs-empty">还没有聊天记录</Text>}
        {messages.map((m) => (
          <MessageRow key={m.id} m={m} knowledge={knowledge} now={now} merchantId={shop.id} conversationId={conv.id} onChanged={onChanged} />
        ))}
      </View>

      <ActionBar thread={thread} shop={shop} onChanged={onChanged} />
    </View>
  );
}

/** Like the list's: the wait counts from the customer's oldest unanswered message and stops once the shop replied. */
function WaitLine({ conv, now }: { conv: Thread['conversation']; now: number }) {
  if (conv.replied) return <Text className="thread-replied">已回复</Text>;
  const from = conv.waitFrom ?? conv.waitingSince;
  return from !== null && from !== undefined ? <Text className="thread-waited">{waitedText(from, now)}</Text> : null;
}

function MessageRow(props: { m: Message; knowledge: Record<string, string>; now: number; merchantId: string; conversationId: string; onChanged: () => Promise<void> }) {
  const { m, knowledge, now, merchantId } = props;
  const kept = useKeptImage(m, merchantId);
  const src = imageSrc(m) ?? kept;
  const used = m.answer ? m.answer.knowledgeIds.map((k) => knowledge[k]).filter((q): q is string => !!q) : [];
  return (
    <View className={`msg msg-${m.sender}`}>
      <View className="msg-head">
        <Text className="msg-who">{SENDER_LABEL[m.sender]}</Text>
        <Text className="msg-time">{formatTime(m.at, now)}</Text>
      </View>
      <View className="msg-bubble">
        {src ? (
          <Image className="msg-image" src={src} mode="widthFix" />
        ) : (
          <Text className="msg-text" userSelect>
            {describeMessage(m)}
          </Text>
        )}
      </View>
      {m.sender === 'ai' && m.answer?.handoff && <Text className="msg-handoff">{handoffLine(m.answer.reason)}</Text>}
      {m.sender === 'ai' && m.answer && (
        <Text className="msg-meta">
          {used.length > 0 ? `用到的知识：${used.join('、')}` : '没用到知识库'} · {confidenceWords(m.answer.confidence)}
        </Text>
      )}
      {m.delivery === 'failed' && <Text className="msg-failed">没发出去</Text>}
      {m.delivery === 'pending' && <Text className="msg-pending">正在发送…</Text>}
      {m.delivery === 'unknown' && <Text className="msg-unknown">发送时系统中断，不确定客户收到没有</Text>}
      {(m.delivery === 'failed' || m.delivery === 'unknown') && (m.sender === 'ai' || m.sender === 'staff') && m.type === 'text' && (
        <RetrySend m={m} merchantId={merchantId} conversationId={props.conversationId} onChanged={props.onChanged} />
      )}
    </View>
  );
}

/** Beside a handoff notice: why the AI handed over; a notice stored before reasons says only that it did. */
export function handoffLine(reason: HandoffReasonCode | undefined): string {
  return reason ? `转人工 · ${HANDOFF_REASON_LABEL[reason]}` : '转人工';
}

/**
 * 重发 under a message that did not go out. The server sends it at most once more however often
 * it is tapped; one that may have reached the customer (unknown) is resent only after a confirm.
 */
function RetrySend(props: { m: Message; merchantId: string; conversationId: string; onChanged: () => Promise<void> }) {
  const { m, merchantId, conversationId, onChanged } = props;
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  const [error, setError] = useState<string | null>(null);

  const retry = async () => {
    if (busyRef.current) return;
    busyRef.current = true;
    setError(null);
    try {
      if (m.delivery === 'unknown') {
        const { confirm } = await Taro.showModal({ title: '再发一次？', content: '客户可能已经收到这条了，再发一次他会看到两条。', confirmText: '重发', cancelText: '不发了' });
        if (!confirm) return;
      }
      setBusy(true);
      await call({ action: 'conversations.retrySend', merchantId, conversationId, messageId: m.id });
      await onChanged();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  return (
    <>
      <Button className="btn btn-plain msg-retry" loading={busy} disabled={busy || undefined} onClick={() => void retry()}>
        重发
      </Button>
      {error && <Text className="msg-retry-error">{error}</Text>}
    </>
  );
}

function TeachCard({ teach }: { teach: TeachItemView }) {
  const open = () => void Taro.navigateTo({ url: `/sub/teach/index?item=${encodeURIComponent(teach.id)}` });
  // a complaint, an order, harm, a request for a person or a promise: handled each time, never taught as a FAQ
  if (teach.teachable === false)
    return (
      <View className="teach-card teach-card-handle">
        <Text className="teach-title">要店里处理（{teach.handoffReason ? HANDOFF_REASON_LABEL[teach.handoffReason] : teach.reasonText}）</Text>
        <Text className="teach-question">客户问：{teach.question}</Text>
        <Text className="teach-hint">这类问题每次都要人来处理，不用教给 AI。</Text>
      </View>
    );
  return (
    <View className="teach-card">
      <Text className="teach-title">AI 没答上来（{teach.reasonText}）</Text>
      <Text className="teach-question">客户问：{teach.question}</Text>
      {teach.staffReply ? (
        <>
          <Text className="teach-reply">你们回复了：{teach.staffReply.text}</Text>
          <Button className="btn teach-btn" onClick={open}>
            教给 AI
          </Button>
          <Text className="teach-hint">教会以后，下次有人这样问，AI 就能自己回答。</Text>
        </>
      ) : (
        <Text className="teach-hint">你回复客户以后，可以把这个回答教给 AI。</Text>
      )}
    </View>
  );
}

type Busy = null | 'send' | 'takeOver' | 'handBack' | 'transfer';

function ActionBar(props: { thread: Thread; shop: ShopSummary; onChanged: () => Promise<void> }) {
  const { thread, shop, onChanged } = props;
  const conv = thread.conversation;
  const base = { merchantId: shop.id, conversationId: conv.id };

  const [text, setText] = useState('');
  // the id belongs to the exact text it was made for: a retry of the same text reuses it (the
  // server sends it at most once), an edited text is a new message
  const draft = useRef<{ text: string; id: string } | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const busyRef = useRef<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [transferOpen, setTransferOpen] = useState(false);
  const [servicer, setServicer] = useState('');
  const [servicers, setServicers] = useState<ServicerView[] | null>(null);
  const [quickOpen, setQuickOpen] = useState(false);
  const [quick, setQuick] = useState<string[] | null>(null);

  const openTransfer = () => {
    setTransferOpen((o) => !o);
    if (servicers) return;
    call({ action: 'inbox.servicers', merchantId: shop.id })
      .then((r) => setServicers(r.servicers))
      .catch((err) => setError(asApiError(err).message));
  };
  const openQuick = () => {
    setQuickOpen((o) => !o);
    if (quick) return;
    call({ action: 'quickReplies.list', merchantId: shop.id })
      .then((r) => setQuick(r.items))
      .catch((err) => setError(asApiError(err).message));
  };
  const insertQuick = (t: string) => {
    setText((cur) => (cur.trim() ? `${cur}${t}` : t));
    setQuickOpen(false);
  };

  /** Runs one action at a time: a second tap while one is in flight does nothing. */
  const run = async (what: Exclude<Busy, null>, act: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = what;
    setBusy(what);
    setError(null);
    try {
      await act();
      await onChanged();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      busyRef.current = null;
      setBusy(null);
    }
  };

  const send = () => {
    const t = text.trim();
    if (!t) {
      setError('先写好要回复的话');
      return;
    }
    if (!draft.current || draft.current.text !== t) draft.current = { text: t, id: newClientMsgId() };
    const clientMsgId = draft.current.id;
    void run('send', async () => {
      await call({ action: 'conversations.reply', ...base, text: t, clientMsgId });
      draft.current = null;
      setText('');
    });
  };

  const takeOver = () => void run('takeOver', async () => void (await call({ action: 'conversations.takeOver', ...base })));
  const handBack = () => void run('handBack', async () => void (await call({ action: 'conversations.handBack', ...base })));
  const transfer = () => {
    const who = servicer.trim();
    if (!who) {
      setError('先选一位同事');
      return;
    }
    void run('transfer', async () => {
      await call({ action: 'conversations.transfer', ...base, servicerUserId: who });
      setTransferOpen(false);
      setServicer('');
    });
  };

  const errorLine = error && <Text className="action-error">{error}</Text>;

  if (conv.state === 'human_in_wecom') {
    return (
      <View className="action-bar action-readonly">
        <Text className="action-note">这个客户在企业微信里由同事接待，这里只能看</Text>
      </View>
    );
  }
  if (conv.state === 'closed') {
    return (
      <View className="action-bar action-closed">
        <Text className="action-note">会话已结束</Text>
      </View>
    );
  }
  if (conv.state === 'ai') {
    return (
      <View className="action-bar">
        <Text className="action-note">AI 正在回复这个客户。你想自己回的话，点下面的按钮，AI 会先停下。</Text>
        {errorLine}
        <Button className="btn take-over" loading={busy === 'takeOver'} disabled={busy !== null || undefined} onClick={takeOver}>
          我来回复
        </Button>
      </View>
    );
  }

  // waiting_human: the staff answers here. Button labels stay fixed while `loading` changes: the
  // H5 button re-renders its own children then, and a label swapped by React at the same moment
  // makes it lose track of them.
  return (
    <View className="action-bar">
      {conv.replied && <Text className="action-replied">已回复。客户再发消息前，可以把会话交还给 AI。</Text>}
      {quickOpen && (
        <View className="quick-sheet">
          {quick === null && <Text className="quick-note">正在加载快捷回复…</Text>}
          {quick?.length === 0 && <Text className="quick-note">还没有快捷回复。店长可以在「店铺设置 → 快捷回复」里添加常用的话。</Text>}
          {quick?.map((q) => (
            <View key={q} className="quick-item" onClick={() => insertQuick(q)}>
              <Text>{q}</Text>
            </View>
          ))}
        </View>
      )}
      <GrowingTextarea
        className="reply-input"
        value={text}
        placeholder="写给客户的话…"
        maxlength={4000}
        adjustPosition
        cursorSpacing={120}
        showConfirmBar={false}
        disabled={busy === 'send' || undefined}
        onInput={(e) => setText(valueOf(e))}
      />
      {errorLine}
      <Button className="btn reply-send" loading={busy === 'send'} disabled={busy !== null || undefined} onClick={send}>
        发送
      </Button>
      <View className="action-row">
        <Button className="btn btn-plain hand-back" loading={busy === 'handBack'} disabled={busy !== null || undefined} onClick={handBack}>
          交还给 AI
        </Button>
        <Button className="btn btn-plain quick-btn" disabled={busy !== null || undefined} onClick={openQuick}>
          快捷回复
        </Button>
        <Button className="btn btn-plain transfer-btn" disabled={busy !== null || undefined} onClick={openTransfer}>
          转企业微信人工
        </Button>
      </View>
      {transferOpen && (
        <View className="transfer-panel">
          <Text className="transfer-note">转给同事以后，同事在企业微信里接待这个客户，AI 不会再回；这里只能看聊天记录，不能再回复。</Text>
          {servicers === null && <Text className="transfer-note">正在找能接待的同事…</Text>}
          {servicers?.length === 0 && <Text className="transfer-note">还没有同事绑定企业微信。店长可以在「店员」里给同事填上企业微信账号。</Text>}
          {servicers?.map((p) => (
            <View key={p.wecomUserId} className={`transfer-person ${servicer === p.wecomUserId ? 'transfer-person-on' : ''}`} onClick={() => setServicer(p.wecomUserId)}>
              <Text>{p.name}</Text>
              {p.onDuty && <Text className="transfer-duty">在班</Text>}
            </View>
          ))}
          <View className="action-row">
            <Button className="btn btn-plain transfer-cancel" disabled={busy === 'transfer' || undefined} onClick={() => setTransferOpen(false)}>
              取消
            </Button>
            <Button className="btn transfer-confirm" loading={busy === 'transfer'} disabled={busy !== null || undefined} onClick={transfer}>
              确认转接
            </Button>
          </View>
        </View>
      )}
    </View>
  );
}

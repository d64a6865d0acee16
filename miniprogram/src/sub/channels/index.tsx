import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Image, Input, Text, View } from '@tarojs/components';
import type { ApiResult, MemberView } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { asApiError, useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { Failed, Loading, NoShop } from '../../components/StateView';
import GrowingTextarea from '../../components/GrowingTextarea';
import { OwnerOnly } from '../settings/OwnerOnly';
import { saveQr, SaveQrError } from './saveQr';
import './index.scss';

type Channel = ApiResult<'channels.list'>['channels'][number];
type Data = { channels: Channel[]; members: MemberView[] };
/** What the form edits: a new code, or one of the list's. */
type Editing = { channel: Channel | null } | null;

const splitTags = (s: string) => [...new Set(s.split(/[\s,，、]+/).filter(Boolean))];

/** 渠道活码 (owners): one QR code per place customers meet the shop, each with its welcome, tags, staff and numbers. */
export default function ChannelsPage() {
  const { state, reload } = useShopLoad<Data | null>(async (shop) => {
    if (shop.role !== 'owner') return null;
    const [list, team] = await Promise.all([call({ action: 'channels.list', merchantId: shop.id }), call({ action: 'members.list', merchantId: shop.id })]);
    return { channels: list.channels, members: team.members };
  });
  const [editing, setEditing] = useState<Editing>(null);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载活码…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <OwnerOnly />;
  else {
    const { channels, members } = state.data;
    const done = async () => {
      await reload(true);
      setEditing(null);
    };
    body = (
      <>
        <View className="card intro-card">
          <Text className="card-title">渠道活码</Text>
          <Text className="card-hint">
            给门店柜台、外卖袋、美团页面、海报各做一张二维码。客户扫码加店员为好友后，会收到这张码的欢迎语、自动打上标签，在客户资料里也能看到是从哪张码来的。
          </Text>
          {!editing && (
            <Button className="btn channel-new" onClick={() => setEditing({ channel: null })}>
              新建活码
            </Button>
          )}
        </View>
        {editing && (
          <ChannelForm key={editing.channel?.id ?? 'new'} shop={state.shop} channel={editing.channel} members={members} onDone={done} onCancel={() => setEditing(null)} />
        )}
        {channels.length === 0 && !editing ? (
          <Text className="channels-empty">还没有活码。点上面的「新建活码」做第一张。</Text>
        ) : (
          channels.map((c) => <ChannelItem key={c.id} shop={state.shop} channel={c} members={members} onEdit={() => setEditing({ channel: c })} onRemoved={() => reload(true)} />)
        )}
      </>
    );
  }
  return <View className="page-channels">{body}</View>;
}

const memberName = (members: MemberView[], userid: string) => members.find((m) => m.wecomUserId === userid)?.name || userid;

function ChannelItem(props: { shop: ShopSummary; channel: Channel; members: MemberView[]; onEdit: () => void; onRemoved: () => Promise<void> }) {
  const { shop, channel: c, members, onEdit, onRemoved } = props;
  const [busy, setBusy] = useState<'save' | 'remove' | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);

  const save = async () => {
    if (busy) return;
    setBusy('save');
    setNote(null);
    try {
      const how = await saveQr(c.qrCode, c.name);
      setNote({ text: how === 'album' ? '二维码已存到手机相册，可以拿去打印了。' : '二维码已开始下载；没下载的话，长按图片保存。', error: false });
    } catch (err) {
      setNote({ text: err instanceof SaveQrError ? err.message : '二维码没存下来，请重试', error: true });
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (busy) return;
    const { confirm } = await Taro.showModal({
      title: `删除「${c.name}」？`,
      content: '删除后这张二维码就扫不了了，已经印出去的也会失效。已经加进来的客户和他们的标签都会留着。',
      confirmText: '删除',
      cancelText: '不删',
    });
    if (!confirm) return;
    setBusy('remove');
    setNote(null);
    try {
      await call({ action: 'channels.remove', merchantId: shop.id, id: c.id });
      await onRemoved();
    } catch (err) {
      setNote({ text: asApiError(err).message, error: true });
      setBusy(null);
    }
  };

  return (
    <View className="card channel-item">
      <View className="channel-head">
        <Text className="channel-name">{c.name}</Text>
        <Text className="channel-edit" onClick={onEdit}>
          修改
        </Text>
      </View>
      <View className="channel-body">
        {c.qrCode ? <Image className="channel-qr" src={c.qrCode} mode="aspectFit" showMenuByLongpress /> : <View className="channel-qr channel-qr-none" />}
        <View className="channel-stats">
          <Text className="stat stat-added">{`扫码加好友 ${c.stats.added} 人`}</Text>
          <Text className="stat stat-friends">{`还是好友 ${c.stats.friends} 人`}</Text>
          <Text className="stat stat-ordered">{`30 天内下单 ${c.stats.ordered} 人`}</Text>
        </View>
      </View>
      <Text className="channel-line channel-members">{`接待：${c.members.map((u) => memberName(members, u)).join('、')}`}</Text>
      <Text className="channel-line channel-tags">{c.tags.length ? `自动打标签：${c.tags.join('、')}` : '不自动打标签'}</Text>
      <Text className="channel-line channel-welcome">{c.welcome ? `欢迎语：${c.welcome}` : '欢迎语：用店里默认的那句'}</Text>
      {note && <Text className={note.error ? 'form-error' : 'channel-note'}>{note.text}</Text>}
      <View className="channel-actions">
        <Button className="btn btn-small channel-save" loading={busy === 'save'} onClick={() => void save()}>
          保存二维码
        </Button>
        <Button className="btn btn-plain btn-small channel-remove" loading={busy === 'remove'} onClick={() => void remove()}>
          删除
        </Button>
      </View>
    </View>
  );
}

function ChannelForm(props: { shop: ShopSummary; channel: Channel | null; members: MemberView[]; onDone: () => Promise<void>; onCancel: () => void }) {
  const { shop, channel, members, onDone, onCancel } = props;
  const [name, setName] = useState(channel?.name ?? '');
  const [picked, setPicked] = useState<string[]>(channel?.members ?? []);
  const [tags, setTags] = useState(channel?.tags.join(' ') ?? '');
  const [welcome, setWelcome] = useState(channel?.welcome ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reachable = members.filter((m) => m.wecomUserId);

  const toggle = (userid: string) => setPicked((p) => (p.includes(userid) ? p.filter((u) => u !== userid) : [...p, userid]));

  const submit = async () => {
    if (busy) return;
    if (!name.trim()) return setError('给活码起个名字，比如「门店柜台」');
    if (!picked.length) return setError('至少选一位接待的店员');
    setBusy(true);
    setError(null);
    const fields = { name: name.trim(), members: picked, tags: splitTags(tags), welcome: welcome.trim() || null };
    try {
      if (channel) await call({ action: 'channels.update', merchantId: shop.id, id: channel.id, ...fields });
      else await call({ action: 'channels.create', merchantId: shop.id, ...fields });
      await onDone();
    } catch (err) {
      setError(asApiError(err).message);
      setBusy(false);
    }
  };

  return (
    <View className="card channel-form">
      <Text className="card-title">{channel ? `修改「${channel.name}」` : '新建活码'}</Text>
      <Text className="form-label">名字</Text>
      <Input className="form-input channel-name-input" value={name} maxlength={30} placeholder="比如：门店柜台、外卖袋、海报" onInput={(e) => setName(e.detail.value)} />
      <Text className="form-label">谁来接待（客户扫码后加的店员）</Text>
      {reachable.length === 0 ? (
        <Text className="card-hint members-none">还没有店员填了企业微信账号。先到「我的 · 店员和邀请码」里给店员填上，再回来做活码。</Text>
      ) : (
        <View className="chips">
          {reachable.map((m) => (
            <Text key={m.id} className={`chip member-chip ${picked.includes(m.wecomUserId!) ? 'chip-on member-on' : ''}`} onClick={() => toggle(m.wecomUserId!)}>
              {m.name || m.wecomUserId}
            </Text>
          ))}
        </View>
      )}
      {picked.length > 1 && <Text className="card-hint">选了几位时，企业微信会把扫码的客户轮流分给他们。</Text>}
      <Text className="form-label">扫码的客户自动打上标签（可不填）</Text>
      <Input className="form-input channel-tags-input" value={tags} placeholder="比如：到店 外卖（多个用空格隔开）" onInput={(e) => setTags(e.detail.value)} />
      <Text className="form-label">欢迎语（可不填）</Text>
      <GrowingTextarea
        className="form-input channel-welcome-input"
        value={welcome}
        maxlength={1000}
        placeholder="不填就用店里默认的欢迎语"
        onInput={(e) => setWelcome(e.detail.value)}
      />
      {error && <Text className="form-error">{error}</Text>}
      <View className="channel-actions">
        <Button className="btn btn-small channel-submit" loading={busy} onClick={() => void submit()}>
          {channel ? '保存修改' : '生成活码'}
        </Button>
        <Button className="btn btn-plain btn-small channel-cancel" onClick={onCancel}>
          取消
        </Button>
      </View>
    </View>
  );
}

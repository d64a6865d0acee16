import { useState } from 'react';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Switch, Text, View } from '@tarojs/components';
import type { ApiResult, MemberView } from '@xiaoer/shared/contracts/api';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { ApiError, call } from '../../services/api';
import type { ShopSummary } from '../../services/session';
import { useShopLoad } from '../../services/useLoad';
import { OwnerOnly } from '../settings/OwnerOnly';
import { expiryText, WECOM_ID } from './format';
import './index.scss';

type Invite = ApiResult<'invites.create'>;

const loadMembers = async (shop: ShopSummary) => (shop.role === 'owner' ? (await call({ action: 'members.list', merchantId: shop.id })).members : null);

const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : '出了点问题，请重试');

export default function StaffPage() {
  const { state, reload, setState } = useShopLoad(loadMembers);

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (state.data === null) body = <OwnerOnly />;
  else {
    const { shop, data } = state;
    // the server's answer replaces the row, so the list shows what was really saved
    const replace = (m: MemberView) => setState({ status: 'ready', shop, data: data.map((x) => (x.id === m.id ? { ...m, you: x.you } : x)) });
    const removed = (id: string) => setState({ status: 'ready', shop, data: data.filter((x) => x.id !== id) });
    body = (
      <View className="staff-ready">
        <MemberList shop={shop} members={data} onSaved={replace} onRemoved={removed} />
        <InviteCard shop={shop} />
      </View>
    );
  }

  return <View className="page-staff">{body}</View>;
}

function MemberList(props: { shop: ShopSummary; members: MemberView[]; onSaved: (m: MemberView) => void; onRemoved: (id: string) => void }) {
  const { shop, members, onSaved, onRemoved } = props;
  // the shop always keeps an owner: the last one has no 移出 (the server refuses it too)
  const owners = members.filter((m) => m.role === 'owner').length;
  return (
    <View className="staff-section">
      <Text className="staff-title">店里的人</Text>
      <Text className="staff-explain">有客户要找人时，会通过企业微信提醒值班的人。</Text>
      {members.length === 0 ? (
        <Empty title="还没有店员" text="用下面的邀请码请店员加入。" />
      ) : (
        members.map((m) => <MemberItem key={m.id} shop={shop} member={m} onSaved={onSaved} onRemoved={onRemoved} removable={!m.you && !(m.role === 'owner' && owners <= 1)} />)
      )}
    </View>
  );
}

function MemberItem(props: { shop: ShopSummary; member: MemberView; onSaved: (m: MemberView) => void; onRemoved: (id: string) => void; removable: boolean }) {
  const { shop, member, onSaved, onRemoved, removable } = props;
  const [removeBusy, setRemoveBusy] = useState(false);
  const [dutyBusy, setDutyBusy] = useState(false);
  // bumped on a failed toggle: remounting the switch puts it back where the saved value is
  const [dutyKey, setDutyKey] = useState(0);
  const [wecomId, setWecomId] = useState(member.wecomUserId ?? '');
  const [wecomBusy, setWecomBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const savedWecomId = member.wecomUserId ?? '';

  const toggleDuty = async (onDuty: boolean) => {
    if (dutyBusy) return;
    setDutyBusy(true);
    setError(null);
    try {
      const r = await call({ action: 'members.update', merchantId: shop.id, memberId: member.id, onDuty });
      onSaved(r.member);
    } catch (err) {
      setError(messageOf(err));
      setDutyKey((k) => k + 1);
    } finally {
      setDutyBusy(false);
    }
  };

  const dirty = wecomId.trim() !== savedWecomId;

  const saveWecom = async () => {
    if (!dirty || wecomBusy) return;
    const value = wecomId.trim();
    if (!WECOM_ID.test(value) || value.length > 64) {
      setError('企业微信账号只能是英文、数字和 _ @ . -');
      return;
    }
    setWecomBusy(true);
    setError(null);
    try {
      const r = await call({ action: 'members.update', merchantId: shop.id, memberId: member.id, wecomUserId: value });
      onSaved(r.member);
      setWecomId(r.member.wecomUserId ?? '');
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setWecomBusy(false);
    }
  };

  /** 移出店铺: after a confirm; the person loses access at once (their next call is refused). */
  const remove = async () => {
    if (removeBusy) return;
    const who = member.name || (member.role === 'owner' ? '这位老板' : '这位店员');
    const { confirm } = await Taro.showModal({
      title: `把${who}移出店铺？`,
      content: '移出以后，TA 马上就不能再看这家店、回复客户了，正在用的登录也会退出。要回来得重新邀请。',
      confirmText: '移出',
      cancelText: '不移出',
    });
    if (!confirm) return;
    setRemoveBusy(true);
    setError(null);
    try {
      await call({ action: 'members.remove', merchantId: shop.id, memberId: member.id });
      onRemoved(member.id);
      void Taro.showToast({ title: '已移出', icon: 'success' });
    } catch (err) {
      setError(messageOf(err));
      setRemoveBusy(false);
    }
  };

  return (
    <View className={`member-item member-${member.id}`}>
      <View className="member-head">
        <View className="member-who">
          <Text className="member-name">{member.name || '未命名'}</Text>
          <Text className={`member-role member-role-${member.role}`}>{member.role === 'owner' ? '老板' : '店员'}</Text>
        </View>
        <View className="member-duty">
          <Text className="member-duty-label">{member.onDuty ? '值班' : '不值班'}</Text>
          <Switch
            key={dutyKey}
            className="duty-switch"
            color="#e0502d"
            checked={member.onDuty}
            disabled={dutyBusy || undefined}
            onChange={(e) => void toggleDuty(e.detail.value)}
          />
        </View>
      </View>
      <View className="member-wecom">
        <Text className="member-wecom-label">企业微信账号</Text>
        <View className="member-wecom-row">
          <Input
            className="wecom-input"
            value={wecomId}
            maxlength={64}
            placeholder='在企业微信后台"通讯录"里能看到'
            onInput={(e) => {
              setWecomId(e.detail.value);
              setError(null);
            }}
          />
          <Button className={`wecom-save ${dirty ? 'wecom-dirty' : ''}`} disabled={!dirty || wecomBusy || undefined} onClick={() => void saveWecom()}>
            保存
          </Button>
        </View>
        {!savedWecomId && <Text className="member-hint">没填的话，收不到找人的提醒。</Text>}
      </View>
      {error && <Text className="member-error">{error}</Text>}
      {removable && (
        <Button className="member-remove" loading={removeBusy} disabled={removeBusy || undefined} onClick={() => void remove()}>
          移出店铺
        </Button>
      )}
    </View>
  );
}

function InviteCard({ shop }: { shop: ShopSummary }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = async (role: 'staff' | 'owner') => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      setInvite(await call({ action: 'invites.create', merchantId: shop.id, role }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = () => {
    if (!invite) return;
    Taro.setClipboardData({ data: invite.code })
      .then(() => Taro.showToast({ title: '复制好了', icon: 'success' }))
      .catch(() => Taro.showToast({ title: '没复制上，请手动记下', icon: 'none' }));
  };

  return (
    <View className="staff-section staff-invite">
      <Text className="staff-title">邀请码</Text>
      <Text className="staff-explain">把邀请码发给要加入的人，对方打开店小二小程序输入就行。一个码只能用一次。</Text>
      <View className="invite-buttons">
        <Button className="btn invite-staff" disabled={busy || undefined} onClick={() => void create('staff')}>
          邀请店员
        </Button>
        <Button className="invite-owner" disabled={busy || undefined} onClick={() => void create('owner')}>
          邀请老板
        </Button>
      </View>
      <Text className="staff-note">老板能改店铺设置、邀请别人；店员只能回复客户、教 AI。</Text>
      {error && <Text className="member-error invite-error">{error}</Text>}
      {invite && (
        <View className="invite-result">
          <Text className="invite-for">{invite.role === 'owner' ? '老板' : '店员'}的邀请码</Text>
          <Text className="invite-code" userSelect>
            {invite.code}
          </Text>
          <Text className="invite-expiry">{expiryText(invite.expiresAt)}</Text>
          <Button className="invite-copy" onClick={copy}>
            复制
          </Button>
        </View>
      )}
    </View>
  );
}

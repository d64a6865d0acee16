import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Input, Picker, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { Attachment } from '@xiaoer/shared/domain/marketing';
import { audienceText, type Audience } from '@xiaoer/shared/domain/audience';
import { ApiError, call } from '../../services/api';
import { asApiError, useShopLoad } from '../../services/useLoad';
import type { ShopSummary } from '../../services/session';
import { CONFIRM_NOTE, refusedField, whenText } from '../../services/campaigns';
import { checkLink, EMPTY_LINK, firstLink, isEmptyLink, linkAttachment, linkDraftOf, othersText, refusedLinkField, withLink, type LinkField } from '../../services/campaign-link';
import { Failed, Loading, NoShop } from '../../components/StateView';
import GrowingTextarea from '../../components/GrowingTextarea';
import { OwnerOnly } from '../settings/OwnerOnly';
import { buildAudience, draftOfAudience, emptyAudience, type AudienceDraft } from './audience';
import { Forecast, type ForecastState } from './Forecast';
import { LinkFields } from './LinkFields';
import './index.scss';

type Tag = ApiResult<'tags.list'>['tags'][number];
type Loaded = ApiResult<'campaigns.get'>['campaign'];
type Field = 'name' | 'audience' | 'exclude' | 'text0' | 'text1' | 'when' | LinkField | 'general';
type Problem = { field: Field; text: string };

/** The text variables the backend fills in per customer (shared/src/usecases/campaigns/variables.ts). */
const VARIABLES = ['称呼', '上次买的', '多少天没来'] as const;
const DEBOUNCE_MS = 400;

const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (t: number) => {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};
const timeOf = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
/** The phone's local date and time as an instant (the owner picks times as they live them). */
const instantOf = (date: string, time: string) => {
  const [y, m, d] = date.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  return new Date(y!, m! - 1, d!, h!, min!).getTime();
};

function fieldOf(path: string): Field {
  if (path.startsWith('audience')) return 'audience';
  if (path === 'texts.0' || path === 'texts') return 'text0';
  if (path === 'texts.1') return 'text1';
  if (path === 'name') return 'name';
  if (path === 'excludeMessagedDays') return 'exclude';
  if (path === 'sendAt') return 'when';
  return 'general';
}

/** A failed call as a problem beside the field the backend named (INPUT.INVALID's `details.path`); `sent`: the attachments it was given. */
function problemOf(err: unknown, sent: readonly Attachment[]): Problem {
  const e = asApiError(err);
  const named = e instanceof ApiError && e.code === 'INPUT.INVALID' ? refusedField(e.details) : null;
  if (!named) return { field: 'general', text: e.message };
  return refusedLinkField(named.path, sent) ?? { field: fieldOf(named.path), text: named.message ?? e.message };
}

function pageParams(): Record<string, string | undefined> {
  return Taro.getCurrentInstance()?.router?.params ?? {};
}

/** 新建群发 / 改群发 (owners): who gets it, what it says, when; the reach forecast follows every change. */
export default function CampaignEditPage() {
  // H5 hands the query over still encoded
  const [id] = useState(() => {
    const raw = pageParams().id;
    return raw ? decodeURIComponent(raw) : undefined;
  });
  useEffect(() => {
    void Taro.setNavigationBarTitle({ title: id ? '改群发' : '新建群发' }).catch(() => undefined);
  }, [id]);
  const { state, reload } = useShopLoad(
    async (shop): Promise<{ tags: Tag[]; campaign: Loaded | null } | null> => {
      if (shop.role !== 'owner') return null;
      const [tags, got] = await Promise.all([call({ action: 'tags.list', merchantId: shop.id }), id ? call({ action: 'campaigns.get', merchantId: shop.id, id }) : null]);
      return { tags: tags.tags, campaign: got?.campaign ?? null };
    },
    // coming back to the form must not wipe what is being typed
    { refreshOnShow: false },
  );

  let body;
  if (state.status === 'loading') body = <Loading />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else if (!state.data) body = <OwnerOnly />;
  else if (state.data.campaign && state.data.campaign.status !== 'draft')
    body = <Text className="ce-locked">这个群发已经安排发送了，不能再改。要换内容，可以先取消，再新建一个。</Text>;
  else body = <CampaignForm shop={state.shop} tags={state.data.tags} campaign={state.data.campaign} />;
  return <View className="page-campaign-edit">{body}</View>;
}

function CampaignForm({ shop, tags, campaign }: { shop: ShopSummary; tags: Tag[]; campaign: Loaded | null }) {
  const [campaignId, setCampaignId] = useState(campaign?.id);
  const [name, setName] = useState(campaign?.name ?? '');
  // a stored audience the builder cannot show stays as it is until the owner picks again
  const [fixed, setFixed] = useState<Audience | null>(() => (campaign && !draftOfAudience(campaign.audience) ? (campaign.audience as Audience) : null));
  const [aud, setAud] = useState<AudienceDraft>(() => (campaign && draftOfAudience(campaign.audience)) || emptyAudience());
  const [excludeDays, setExcludeDays] = useState(campaign?.excludeMessagedDays ? String(campaign.excludeMessagedDays) : '');
  const [texts, setTexts] = useState<[string, string]>([campaign?.texts[0] ?? '', campaign?.texts[1] ?? '']);
  const [ab, setAb] = useState(Boolean(campaign && campaign.texts.length > 1));
  const [later, setLater] = useState(Boolean(campaign?.sendAt && campaign.sendAt > Date.now() + 60_000));
  const [date, setDate] = useState(() => dateOf(campaign?.sendAt && campaign.sendAt > Date.now() ? campaign.sendAt : Date.now() + 3_600_000));
  const [time, setTime] = useState(() => timeOf(campaign?.sendAt && campaign.sendAt > Date.now() ? campaign.sendAt : Math.ceil((Date.now() + 3_600_000) / 3_600_000) * 3_600_000));
  const [forecast, setForecast] = useState<ForecastState>({ status: 'idle' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<'save' | 'send' | null>(null);
  const [link, setLink] = useState(() => linkDraftOf(campaign?.attachments ?? []));
  const [linkOpen, setLinkOpen] = useState(() => Boolean(campaign && firstLink(campaign.attachments)));
  // untouched, the stored attachments go back as they were (a second link stays too)
  const [linkEdited, setLinkEdited] = useState(false);
  // the link's problems show as it is typed, but only once the owner has tried to save
  const [linkTried, setLinkTried] = useState(false);
  const seq = useRef(0);

  const audience = fixed ?? buildAudience(aud);
  const days = excludeDays.trim();
  const daysBad = days !== '' && !(/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 90);
  const sendAt = later ? instantOf(date, time) : undefined;
  const usedTexts = (ab ? texts : [texts[0], '']).map((t) => t.trim()).filter(Boolean);
  const stored = campaign?.attachments ?? [];
  const linkProblem = checkLink(link);
  // a link still being typed is left out of the forecast (who gets it does not depend on it); saving waits for it
  const attachments = linkEdited && !linkProblem ? withLink(stored, isEmptyLink(link) ? null : linkAttachment(link, firstLink(stored))) : stored;
  const draft = audience
    ? {
        audience,
        ...(days && !daysBad ? { excludeMessagedDays: Number(days) } : {}),
        texts: usedTexts,
        // pictures and mini-programs come from elsewhere (the command line): kept as they are
        attachments,
        ...(sendAt !== undefined ? { sendAt } : {}),
      }
    : null;
  const key = draft ? JSON.stringify(draft) : null;

  // the live forecast: asked again a moment after the last change, older answers dropped
  useEffect(() => {
    const mine = ++seq.current;
    if (!key) {
      setForecast({ status: 'idle' });
      return;
    }
    setForecast((f) => ({ status: 'loading', data: f.status === 'ready' || f.status === 'loading' ? f.data : null }));
    const timer = setTimeout(() => {
      call<'campaigns.forecast'>({ action: 'campaigns.forecast', merchantId: shop.id, ...(JSON.parse(key) as typeof draft & object) })
        .then((data) => {
          if (mine !== seq.current) return;
          setForecast({ status: 'ready', data });
          setProblem((p) => (p && p.field !== 'general' && p.field !== 'name' ? null : p));
        })
        .catch((err: unknown) => {
          if (mine !== seq.current) return;
          setForecast({ status: 'error', data: null });
          setProblem(problemOf(err, (JSON.parse(key) as { attachments: Attachment[] }).attachments));
        });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, shop.id]);

  const setTag = (tag: string, where: 'include' | 'exclude') =>
    setAud((a) => {
      const other = where === 'include' ? 'exclude' : 'include';
      const on = a[where].includes(tag);
      return { ...a, [where]: on ? a[where].filter((t) => t !== tag) : [...a[where], tag], [other]: a[other].filter((t) => t !== tag) };
    });
  const setText = (i: 0 | 1, value: string) => setTexts((t) => (i === 0 ? [value, t[1]] : [t[0], value]));
  const insert = (i: 0 | 1, v: string) => setTexts((t) => (i === 0 ? [t[0] + `{${v}}`, t[1]] : [t[0], t[1] + `{${v}}`]));

  /** What must be right before anything is stored; the backend checks again. */
  const check = (sending: boolean): Problem | null => {
    setLinkTried(true);
    if (!draft) return { field: 'audience', text: '先选要发给哪些客户：至少点一个标签' };
    if (linkProblem) return linkProblem;
    if (daysBad) return { field: 'exclude', text: '天数填 1 到 90 之间的整数，不需要就空着' };
    if (sending && !texts[0].trim()) return { field: 'text0', text: '还没写要发的内容' };
    if (sending && ab && !texts[1].trim()) return { field: 'text1', text: '第二版还没写；不想对比就点「不要 B 版」' };
    return null;
  };

  const persist = async () => {
    const r = await call({ action: 'campaigns.save', merchantId: shop.id, ...(campaignId ? { id: campaignId } : {}), ...(name.trim() ? { name: name.trim() } : {}), ...draft! });
    setCampaignId(r.campaign.id);
    return r;
  };

  const saveDraft = async () => {
    if (busy) return;
    const p = check(false);
    setProblem(p);
    if (p) return;
    setBusy('save');
    try {
      await persist();
      void Taro.showToast({ title: '草稿存好了', icon: 'success' });
      await Taro.navigateBack().catch(() => Taro.switchTab({ url: '/pages/marketing/index' }));
    } catch (err) {
      setProblem(problemOf(err, attachments));
    } finally {
      setBusy(null);
    }
  };

  const send = async () => {
    if (busy) return;
    const p = check(true);
    setProblem(p);
    if (p) return;
    setBusy('send');
    try {
      const { campaign: saved, plan } = await persist();
      if (plan.recipients === 0) {
        setProblem({ field: 'audience', text: '按现在的条件，没有客户能收到这条群发。换几个标签试试。' });
        return;
      }
      const when = plan.sendAt > Date.now() + 60_000 ? `${whenText(plan.sendAt)} 发` : '马上发';
      const personal = usedTexts.some((t) => VARIABLES.some((v) => t.includes(`{${v}}`)));
      const { confirm } = await Taro.showModal({
        title: '确认发送？',
        content: `会发给 ${plan.recipients} 位客户，${when}。${CONFIRM_NOTE}${personal ? '内容里用了称呼这类变量，每位客户是单独一条，店员要一条条确认。' : ''}`,
        confirmText: '确认发送',
        cancelText: '再看看',
      });
      if (!confirm) return;
      await call({ action: 'campaigns.schedule', merchantId: shop.id, id: saved.id });
      await Taro.redirectTo({ url: `/sub/campaign/index?id=${encodeURIComponent(saved.id)}` });
    } catch (err) {
      setProblem(problemOf(err, attachments));
    } finally {
      setBusy(null);
    }
  };

  const err = (f: Field) => {
    if (f === 'exclude' && daysBad) return '天数填 1 到 90 之间的整数，不需要就空着';
    if (linkTried && linkProblem?.field === f) return linkProblem.text;
    return problem?.field === f ? problem.text : null;
  };
  const editLink = (d: typeof link) => {
    setLink(d);
    setLinkEdited(true);
    // what was said about the old link no longer holds; a still-bad one is said again live (linkTried)
    setProblem((p) => (p && p.field.startsWith('link') ? null : p));
  };
  const errorLine = (f: Field) => {
    const t = err(f);
    return t ? <Text className={`form-error error-${f}`}>{t}</Text> : null;
  };
  const known = new Set(tags.map((t) => t.tag));
  const chips = [...tags, ...[...aud.include, ...aud.exclude].filter((t) => !known.has(t)).map((tag) => ({ tag, count: 0, byRule: false }))];
  const past = sendAt !== undefined && sendAt < Date.now();
  const others = othersText(stored) || null;

  return (
    <View className="ce-form">
      <View className="card">
        <Text className="form-label">群发的名字（只有你看得到）</Text>
        <Input className="ce-name form-input" value={name} maxlength={60} placeholder="不填就用内容的开头" onInput={(e) => setName(e.detail.value)} />
        {errorLine('name')}
      </View>

      <View className="card ce-audience">
        <Text className="card-title">发给哪些客户</Text>
        {fixed ? (
          <>
            <Text className="ce-audience-text">{audienceText(fixed)}</Text>
            <Text className="form-hint">这个人群条件比较复杂，这里只能照用。想换人，点「重新选」。</Text>
            <Button className="btn btn-plain btn-small ce-repick" onClick={() => setFixed(null)}>
              重新选
            </Button>
          </>
        ) : chips.length === 0 ? (
          <Text className="form-hint ce-no-tags">还没有标签。先到「营销 → 标签和规则」给客户打上标签，再按标签群发。</Text>
        ) : (
          <>
            <Text className="form-hint">有这些标签的客户：</Text>
            <View className="chips ce-include">
              {chips.map((t) => (
                <Text key={t.tag} className={`chip ce-tag ${aud.include.includes(t.tag) ? 'chip-on' : ''}`} onClick={() => setTag(t.tag, 'include')}>
                  {`${t.tag} ${t.count}`}
                </Text>
              ))}
            </View>
            {aud.include.length > 1 && (
              <View className="chips ce-mode">
                <Text className={`chip ce-mode-all ${aud.mode === 'all' ? 'chip-on' : ''}`} onClick={() => setAud((a) => ({ ...a, mode: 'all' }))}>
                  都要有
                </Text>
                <Text className={`chip ce-mode-any ${aud.mode === 'any' ? 'chip-on' : ''}`} onClick={() => setAud((a) => ({ ...a, mode: 'any' }))}>
                  有一个就行
                </Text>
              </View>
            )}
            <Text className="form-hint">排除有这些标签的：</Text>
            <View className="chips ce-exclude">
              {chips.map((t) => (
                <Text key={t.tag} className={`chip ce-tag ${aud.exclude.includes(t.tag) ? 'chip-off' : ''}`} onClick={() => setTag(t.tag, 'exclude')}>
                  {t.tag}
                </Text>
              ))}
            </View>
            {audience && <Text className="ce-audience-text">{`发给：${audienceText(audience)}的客户`}</Text>}
          </>
        )}
        <View className="ce-days">
          <Text className="ce-word">最近</Text>
          <Input className="ce-days-input form-input" type="number" value={excludeDays} placeholder="不限" onInput={(e) => setExcludeDays(e.detail.value)} />
          <Text className="ce-word">天收到过群发的不发</Text>
        </View>
        {errorLine('exclude')}
        {errorLine('audience')}
      </View>

      <View className="card ce-content">
        <Text className="card-title">发什么</Text>
        {[0, 1].map((i) =>
          i === 1 && !ab ? null : (
            <View key={i} className={`ce-text ce-text-${i}`}>
              {ab && <Text className="form-label">{i === 0 ? 'A 版' : 'B 版'}</Text>}
              <GrowingTextarea
                className="ce-textarea form-input"
                value={texts[i as 0 | 1]}
                maxlength={1300}
                placeholder={i === 0 ? '比如：{称呼}，新品杨枝甘露上市啦，这周三会员第二杯半价～' : '换一种说法，比如先说优惠再说新品'}
                onInput={(e) => setText(i as 0 | 1, e.detail.value)}
              />
              <View className="chips ce-vars">
                {VARIABLES.map((v) => (
                  <Text key={v} className={`chip chip-small ce-var ce-var-${i}`} onClick={() => insert(i as 0 | 1, v)}>
                    {`+ ${v}`}
                  </Text>
                ))}
              </View>
              {errorLine(i === 0 ? 'text0' : 'text1')}
            </View>
          ),
        )}
        {others && <Text className="form-hint ce-attachments">{`还带着 ${others}，会和文字一起发。`}</Text>}
        <Text className="form-hint">点上面的按钮插入：每位客户看到自己的称呼、上次买的东西、多少天没来；没有记录的写成「亲」「上次那款」「好些」。</Text>
        {ab ? (
          <Text className="chip ce-ab-off" onClick={() => setAb(false)}>
            不要 B 版
          </Text>
        ) : (
          <Text className="chip ce-ab-on" onClick={() => setAb(true)}>
            再写一版，对半分着发，看哪版效果好
          </Text>
        )}
      </View>

      <View className="card ce-link-card">
        <LinkFields
          value={link}
          open={linkOpen}
          onOpen={() => setLinkOpen(true)}
          onChange={editLink}
          onRemove={() => {
            editLink(EMPTY_LINK);
            setLinkOpen(false);
          }}
          errorLine={errorLine}
        />
      </View>

      <View className="card ce-when">
        <Text className="card-title">什么时候发</Text>
        <View className="chips">
          <Text className={`chip ce-now ${later ? '' : 'chip-on'}`} onClick={() => setLater(false)}>
            立即发送
          </Text>
          <Text className={`chip ce-later ${later ? 'chip-on' : ''}`} onClick={() => setLater(true)}>
            定个时间
          </Text>
        </View>
        {later && (
          <View className="ce-pickers">
            <Picker mode="date" value={date} start={dateOf(Date.now())} onChange={(e) => setDate(e.detail.value)}>
              <Text className="ce-pick ce-date">{`${date} ›`}</Text>
            </Picker>
            <Picker mode="time" value={time} onChange={(e) => setTime(e.detail.value)}>
              <Text className="ce-pick ce-time">{`${time} ›`}</Text>
            </Picker>
          </View>
        )}
        {past && <Text className="form-hint ce-past">这个时间已经过了，确认后会马上发。</Text>}
        {errorLine('when')}
      </View>

      <View className="card ce-forecast">
        <Text className="card-title">预计能收到</Text>
        <Forecast state={forecast} later={later && !past} />
      </View>

      {errorLine('general')}
      <Button className="btn ce-send" loading={busy === 'send'} onClick={() => void send()}>
        确认发送
      </Button>
      <Button className="btn btn-plain ce-save" loading={busy === 'save'} onClick={() => void saveDraft()}>
        存草稿
      </Button>
    </View>
  );
}

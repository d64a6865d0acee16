import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Switch, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { FollowupParams } from '@xiaoer/shared/domain/followup';
import { call } from '../../services/api';
import { asApiError } from '../../services/useLoad';
import GrowingTextarea from '../../components/GrowingTextarea';
import { formatFen } from '../../pages/today/format';
import { AFTERCARE_CHOICES, AFTERCARE_MAX, BIRTHDAY_CHOICES, birthdayChoiceText, confirmText, dayText, DORMANT_CHOICES, SEND_RULE, VARIABLES, WHAT_IT_DOES } from './words';

export type Followup = ApiResult<'followups.list'>['followups'][number];
export type Preview = ApiResult<'followups.preview'>['previews'][number];

const DEBOUNCE_MS = 400;

/** Parameters compared and sent in one shape (the aftercare days in order). */
const paramsKey = (p: FollowupParams) => JSON.stringify({ ...p, ...(p.afterDays ? { afterDays: [...p.afterDays].sort((a, b) => a - b) } : {}) });

/** One follow-up: its switch, its setting, this week's preview, its text(s) and what it has done. */
export function FollowupCard({ merchantId, initial, preview: firstPreview }: { merchantId: string; initial: Followup; preview: Preview | undefined }) {
  const [saved, setSaved] = useState(initial);
  const [params, setParams] = useState<FollowupParams>(initial.params);
  const [texts, setTexts] = useState<[string, string]>([initial.texts[0] ?? '', initial.texts[1] ?? '']);
  const [ab, setAb] = useState(initial.texts.length > 1);
  const [preview, setPreview] = useState<Preview | undefined>(firstPreview);
  const [previewing, setPreviewing] = useState(false);
  const [busy, setBusy] = useState<'switch' | 'save' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // the switch keeps its own state on H5: a fresh one puts it back when the owner says no
  const [switchKey, setSwitchKey] = useState(0);
  const kind = saved.kind;

  const key = paramsKey(params);
  const paramsChanged = key !== paramsKey(saved.params);
  const usedTexts = (ab ? texts : [texts[0], '']).map((t) => t.trim()).filter(Boolean);
  const textsChanged = JSON.stringify(usedTexts) !== JSON.stringify(saved.texts);
  const dirty = paramsChanged || textsChanged;

  // this week's preview follows the setting before it is saved: asked a moment after the last change, older answers dropped
  const shownFor = useRef(paramsKey(initial.params));
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (key === shownFor.current) {
      setPreviewing(false);
      return;
    }
    setPreviewing(true);
    const timer = setTimeout(() => {
      call({ action: 'followups.preview', merchantId, kind, params: JSON.parse(key) as FollowupParams })
        .then((r) => {
          if (mine !== seq.current) return;
          shownFor.current = key;
          setPreview(r.previews.find((p) => p.kind === kind));
          setPreviewing(false);
        })
        .catch((err: unknown) => {
          if (mine !== seq.current) return;
          setPreviewing(false);
          setError(asApiError(err).message);
        });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, kind, merchantId]);

  /** What must be right before the text(s) can be approved; the backend checks again. */
  const textProblem = (): string | null => {
    if (!texts[0].trim()) return '还没写要发的话';
    if (ab && !texts[1].trim()) return 'B 版还没写；不想比较就点「不要 B 版」';
    return null;
  };

  const save = async (change: { enabled?: boolean; withTexts: boolean }, done: string) => {
    setBusy(change.enabled === undefined ? 'save' : 'switch');
    setError(null);
    setNote(null);
    try {
      const { followup } = await call({
        action: 'followups.save',
        merchantId,
        kind,
        ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
        ...(paramsChanged ? { params: JSON.parse(key) as FollowupParams } : {}),
        ...(change.withTexts ? { texts: usedTexts } : {}),
      });
      setSaved(followup);
      setNote(done);
    } catch (err) {
      setError(asApiError(err).message);
      setSwitchKey((k) => k + 1);
    } finally {
      setBusy(null);
    }
  };

  const turnOn = async () => {
    const problem = textProblem();
    if (problem) {
      setError(`${problem}，写好再打开。`);
      setSwitchKey((k) => k + 1);
      return;
    }
    const { confirm } = await Taro.showModal({
      title: `打开「${saved.name}」？`,
      content: confirmText(usedTexts, SEND_RULE),
      confirmText: '打开',
      cancelText: '先不开',
    });
    if (!confirm) {
      setSwitchKey((k) => k + 1);
      return;
    }
    // turning it on with these words is the owner's approval of them
    await save({ enabled: true, withTexts: true }, '打开了。每天上午 10 点会按上面这段话发。');
  };

  const turnOff = () => save({ enabled: false, withTexts: false }, '关掉了，不会再发。');

  const saveChanges = async () => {
    if (busy || !dirty) return;
    const problem = textsChanged ? textProblem() : null;
    if (problem) {
      setError(problem);
      return;
    }
    if (saved.enabled && textsChanged) {
      const { confirm } = await Taro.showModal({
        title: '按新的话发？',
        content: confirmText(usedTexts, '保存后，从下一次（每天上午 10 点）起按这段话发。'),
        confirmText: '保存',
        cancelText: '再改改',
      });
      if (!confirm) return;
    }
    await save({ withTexts: textsChanged }, saved.enabled ? '保存好了，下一次就按这个发。' : '保存好了。还没打开，一条都不会发。');
  };

  const setText = (i: 0 | 1, value: string) => setTexts((t) => (i === 0 ? [value, t[1]] : [t[0], value]));
  const insert = (i: 0 | 1, v: string) => setText(i, texts[i] + `{${v}}`);

  return (
    <View className={`card fu-card fu-${kind} ${saved.enabled ? 'fu-on' : 'fu-off'}`}>
      <View className="fu-head">
        <View className="fu-head-text">
          <Text className="fu-name">{saved.name}</Text>
          <Text className="fu-state">{saved.enabled ? '已打开，每天上午 10 点发' : '没打开，一条都不会发'}</Text>
        </View>
        <Switch
          key={switchKey}
          className="fu-switch"
          checked={saved.enabled}
          disabled={busy !== null || undefined}
          color="#e0502d"
          onChange={(e) => void (e.detail.value ? turnOn() : turnOff())}
        />
      </View>
      <Text className="fu-what">{WHAT_IT_DOES[kind]}</Text>

      <ParamsPicker kind={kind} params={params} onChange={setParams} />

      <View className="fu-preview">
        <Text className="fu-preview-count">{preview ? `这周会发给 ${preview.count} 人` : '这周会发给几人，暂时算不出来'}</Text>
        {previewing && <Text className="fu-preview-stale">正在按新的设置重新算…</Text>}
        {!saved.enabled && <Text className="fu-preview-off">这是打开后的预计；现在没打开，还没有发。</Text>}
        {preview && preview.sample.length > 0 && (
          <View className="fu-sample">
            {preview.sample.map((s) => (
              <View key={s.externalUserId} className="fu-sample-item">
                <Text className="fu-sample-name">{s.name || '没留名字的客户'}</Text>
                <Text className="fu-sample-day">{dayText(s.day)}</Text>
              </View>
            ))}
            {preview.count > preview.sample.length && <Text className="fu-sample-more">{`还有 ${preview.count - preview.sample.length} 人`}</Text>}
          </View>
        )}
      </View>

      <View className="fu-texts">
        <Text className="fu-label">发什么</Text>
        {([0, 1] as const).map((i) =>
          i === 1 && !ab ? null : (
            <View key={i} className={`fu-text fu-text-${i}`}>
              {ab && <Text className="fu-version">{i === 0 ? 'A 版' : 'B 版'}</Text>}
              <GrowingTextarea
                className="fu-textarea"
                value={texts[i]}
                maxlength={1300}
                placeholder={i === 0 ? '写一句想对客户说的话' : '换一种说法，两版各发一半客户'}
                onInput={(e) => setText(i, e.detail.value)}
              />
              <View className="chips fu-vars">
                {VARIABLES.map((v) => (
                  <Text key={v} className={`chip chip-small fu-var fu-var-${i}`} onClick={() => insert(i, v)}>
                    {`+ ${v}`}
                  </Text>
                ))}
              </View>
            </View>
          ),
        )}
        <Text className="fu-hint">点「+ 称呼」这些按钮，每位客户会看到自己的称呼、上次买的东西、多少天没来。</Text>
        {ab ? (
          <Text className="chip chip-small fu-ab-off" onClick={() => setAb(false)}>
            不要 B 版
          </Text>
        ) : (
          <Text className="chip chip-small fu-ab-on" onClick={() => setAb(true)}>
            再写一版（B 版），看哪版效果好
          </Text>
        )}
        {saved.enabled && !textsChanged && <Text className="fu-hint fu-approved">正在发的就是这段话，是你打开时确认过的。</Text>}
      </View>

      {error && <Text className="form-error fu-error">{error}</Text>}
      {note && !dirty && <Text className="fu-note">{note}</Text>}
      {dirty && (
        <Button className="btn fu-save" loading={busy === 'save'} onClick={() => void saveChanges()}>
          {saved.enabled ? '保存修改' : '保存（先不打开）'}
        </Button>
      )}

      <Numbers stats={saved.stats} enabled={saved.enabled} />
    </View>
  );
}

function ParamsPicker({ kind, params, onChange }: { kind: Followup['kind']; params: FollowupParams; onChange: (p: FollowupParams) => void }) {
  const [limit, setLimit] = useState(false);
  if (kind === 'repurchase')
    return (
      <View className="fu-param">
        <Text className="fu-label">什么时候发</Text>
        <Text className="fu-param-text">按每位客户自己的买东西间隔，到点提醒（买过 2 次以上的客户才算得出来）。</Text>
      </View>
    );
  if (kind === 'dormant') {
    const current = params.dormantDays ?? 60;
    const choices = [...new Set([...DORMANT_CHOICES, current])].sort((a, b) => a - b);
    return (
      <View className="fu-param">
        <Text className="fu-label">多少天没来买算沉睡</Text>
        <View className="chips">
          {choices.map((n) => (
            <Text key={n} className={`chip chip-small fu-choice fu-dormant-${n} ${n === current ? 'chip-on' : ''}`} onClick={() => onChange({ ...params, dormantDays: n })}>
              {`${n} 天`}
            </Text>
          ))}
        </View>
      </View>
    );
  }
  if (kind === 'birthday') {
    const current = params.daysBefore ?? 0;
    return (
      <View className="fu-param">
        <Text className="fu-label">生日当天发，还是提前几天</Text>
        <View className="chips">
          {BIRTHDAY_CHOICES.map((n) => (
            <Text key={n} className={`chip chip-small fu-choice fu-birthday-${n} ${n === current ? 'chip-on' : ''}`} onClick={() => onChange({ ...params, daysBefore: n })}>
              {birthdayChoiceText(n)}
            </Text>
          ))}
        </View>
      </View>
    );
  }
  const days = params.afterDays ?? [1];
  const choices = [...new Set([...AFTERCARE_CHOICES, ...days])].sort((a, b) => a - b);
  const toggle = (n: number) => {
    if (days.includes(n)) {
      // at least one day: the last one stays picked
      if (days.length > 1) onChange({ ...params, afterDays: days.filter((d) => d !== n) });
      setLimit(false);
    } else if (days.length >= AFTERCARE_MAX) setLimit(true);
    else onChange({ ...params, afterDays: [...days, n].sort((a, b) => a - b) });
  };
  return (
    <View className="fu-param">
      <Text className="fu-label">{`下单后第几天问一声（最多选 ${AFTERCARE_MAX} 个）`}</Text>
      <View className="chips">
        {choices.map((n) => (
          <Text key={n} className={`chip chip-small fu-choice fu-after-${n} ${days.includes(n) ? 'chip-on' : ''}`} onClick={() => toggle(n)}>
            {`第 ${n} 天`}
          </Text>
        ))}
      </View>
      {limit && <Text className="fu-hint fu-limit">{`最多选 ${AFTERCARE_MAX} 个，先点掉一个再选。`}</Text>}
    </View>
  );
}

function Numbers({ stats, enabled }: { stats: Followup['stats']; enabled: boolean }) {
  if (stats.runs === 0)
    return (
      <View className="fu-numbers fu-numbers-empty">
        <Text className="fu-label">效果</Text>
        <Text className="fu-hint">{enabled ? '还没发过。每天上午 10 点会看一遍谁该收到，发过以后这里会有数字。' : '还没发过，打开以后这里会显示发了多少、多少人回复和下单。'}</Text>
      </View>
    );
  const cells = [
    { cls: 'runs', label: '发了几天', value: `${stats.runs} 天` },
    { cls: 'delivered', label: '已送达', value: `${stats.delivered} 人` },
    { cls: 'replied', label: '7天内回复', value: `${stats.replied} 人` },
    { cls: 'ordered', label: '7天内下单', value: `${stats.ordered} 人` },
    { cls: 'revenue', label: '带来的营业额', value: formatFen(stats.revenueFen) },
  ];
  return (
    <View className="fu-numbers">
      <Text className="fu-label">效果</Text>
      <View className="fu-grid">
        {cells.map((c) => (
          <View key={c.cls} className={`fu-num fu-num-${c.cls}`}>
            <Text className="fu-num-value">{c.value}</Text>
            <Text className="fu-num-label">{c.label}</Text>
          </View>
        ))}
      </View>
      {stats.ab && (
        <View className="fu-ab">
          <Text className="fu-label">A 版和 B 版</Text>
          {stats.arms.map((a, i) => (
            <Text key={i} className="fu-hint fu-ab-arm">{`${i === 0 ? 'A' : 'B'} 版：送达 ${a.delivered} 人，回复 ${a.replied} 人，下单 ${a.ordered} 人`}</Text>
          ))}
          <Text className="fu-hint fu-ab-verdict">{stats.ab.replied.text}</Text>
          <Text className="fu-hint fu-ab-verdict">{stats.ab.ordered.text}</Text>
        </View>
      )}
    </View>
  );
}

import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import GrowingTextarea from '../../components/GrowingTextarea';
import { call } from '../../services/api';
import { asApiError } from '../../services/useLoad';

/**
 * What the shop changes by hand on 客户资料 (staff too): the tags (each change also reaches the
 * customer's WeCom tags when a colleague has them as a contact), the note and the birthday.
 */

export type Birthday = { month: number; day: number; year?: number };
export type Editable = { tags: string[]; note: string | null; birthday: Birthday | null };
type Saved = ApiResult<'customers.update'>['customer'];

const savedFields = (c: Saved): Editable => ({ tags: c.tags, note: c.note, birthday: c.birthday });

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The three birthday fields as the api takes them: null when all are empty, or what is wrong. */
export function parseBirthday(month: string, day: string, year: string): { ok: true; value: Birthday | null } | { ok: false; message: string } {
  const [m, d, y] = [month.trim(), day.trim(), year.trim()];
  if (!m && !d && !y) return { ok: true, value: null };
  if (!/^\d{1,2}$/.test(m) || Number(m) < 1 || Number(m) > 12) return { ok: false, message: '生日的月份要填 1 到 12' };
  const max = DAYS_IN_MONTH[Number(m) - 1]!;
  if (!/^\d{1,2}$/.test(d) || Number(d) < 1 || Number(d) > max) return { ok: false, message: `${Number(m)} 月的日子要填 1 到 ${max}` };
  if (y && (!/^\d{4}$/.test(y) || Number(y) < 1900 || Number(y) > new Date().getFullYear())) return { ok: false, message: '出生年份填四位数，比如 1990；不知道可以空着' };
  return { ok: true, value: { month: Number(m), day: Number(d), ...(y ? { year: Number(y) } : {}) } };
}

/** The customer's tags: tap one to take it off; type or pick one to add. */
export function TagEditor(props: { merchantId: string; externalUserId: string; tags: string[]; onSaved: (e: Editable) => void }) {
  const { merchantId, externalUserId, tags, onSaved } = props;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [known, setKnown] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const change = async (add: string[], remove: string[]) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { customer } = await call({ action: 'customers.tag', merchantId, externalUserId, add, remove });
      onSaved(savedFields(customer));
      if (add.length) setText('');
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };

  const start = () => {
    setOpen(true);
    // the shop's other tags, to pick from; typing works without them
    call({ action: 'tags.list', merchantId }).then(
      (r) => setKnown(r.tags.map((t) => t.tag)),
      () => undefined,
    );
  };

  const addTyped = () => {
    const t = text.trim();
    if (!t) return setError('先写上标签的名字');
    if (t.length > 30) return setError('标签名最多 30 个字');
    void change([t], []);
  };

  return (
    <View className="tag-editor">
      <View className="customer-tags">
        {tags.map((t) => (
          <View key={t} className="customer-tag tag-removable" onClick={() => void change([], [t])}>
            <Text className="tag-name">{t}</Text>
            <Text className="tag-x">×</Text>
          </View>
        ))}
        {!open && (
          <Text className="customer-tag tag-add" onClick={start}>
            + 加标签
          </Text>
        )}
      </View>
      {open && (
        <View className="tag-add-box">
          <View className="tag-add-row">
            <Input className="tag-input" value={text} maxlength={30} placeholder="新标签，比如 爱喝果茶" onInput={(e) => setText(e.detail.value)} onConfirm={addTyped} />
            <Button className="btn tag-add-btn" loading={busy} onClick={addTyped}>
              加上
            </Button>
          </View>
          {known.some((t) => !tags.includes(t)) && (
            <View className="customer-tags tag-suggest">
              {known
                .filter((t) => !tags.includes(t))
                .map((t) => (
                  <Text key={t} className="customer-tag tag-pick" onClick={() => void change([t], [])}>
                    {`+ ${t}`}
                  </Text>
                ))}
            </View>
          )}
          <Text className="tag-hint">点标签可以去掉。客户是同事的企业微信好友的，标签也会同步到企业微信。</Text>
        </View>
      )}
      {error && <Text className="form-error tag-error">{error}</Text>}
    </View>
  );
}

/** 备注和生日, saved together. */
export function NoteBirthdayCard(props: { merchantId: string; externalUserId: string; note: string | null; birthday: Birthday | null; onSaved: (e: Editable) => void }) {
  const { merchantId, externalUserId, onSaved } = props;
  const [note, setNote] = useState(props.note ?? '');
  const [month, setMonth] = useState(props.birthday ? String(props.birthday.month) : '');
  const [day, setDay] = useState(props.birthday ? String(props.birthday.day) : '');
  const [year, setYear] = useState(props.birthday?.year ? String(props.birthday.year) : '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async () => {
    if (busy) return;
    const b = parseBirthday(month, day, year);
    if (!b.ok) return setMessage({ ok: false, text: b.message });
    if (note.trim().length > 500) return setMessage({ ok: false, text: '备注最多 500 个字' });
    setBusy(true);
    setMessage(null);
    try {
      const { customer } = await call({ action: 'customers.update', merchantId, externalUserId, note: note.trim() || null, birthday: b.value });
      onSaved(savedFields(customer));
      setMessage({ ok: true, text: '存好了' });
    } catch (err) {
      setMessage({ ok: false, text: asApiError(err).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card note-card">
      <Text className="card-title">备注和生日</Text>
      <GrowingTextarea className="note-input" value={note} maxlength={500} placeholder="比如：不要香菜，每周五来取蛋糕" onInput={(e) => setNote(e.detail.value)} />
      <Text className="field-label">生日</Text>
      <View className="birthday-row">
        <Input className="birthday-month" type="number" maxlength={2} value={month} placeholder="月" onInput={(e) => setMonth(e.detail.value)} />
        <Text className="birthday-unit">月</Text>
        <Input className="birthday-day" type="number" maxlength={2} value={day} placeholder="日" onInput={(e) => setDay(e.detail.value)} />
        <Text className="birthday-unit">日</Text>
        <Input className="birthday-year" type="number" maxlength={4} value={year} placeholder="年份可不填" onInput={(e) => setYear(e.detail.value)} />
      </View>
      <Text className="field-hint">生日月可以用来自动打「本月生日」标签。</Text>
      {message && <Text className={message.ok ? 'save-ok' : 'form-error'}>{message.text}</Text>}
      <Button className="btn note-save" loading={busy} onClick={() => void save()}>
        保存备注和生日
      </Button>
    </View>
  );
}

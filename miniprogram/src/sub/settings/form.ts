import type { SettingsView } from '@xiaoer/shared/contracts/api';
import type { ApiRequestOf } from '@xiaoer/shared/contracts/api';

export type Alias = { term: string; means: string };

/** What the owner edits: the settings in the shape the form works with. */
export type Draft = {
  name: string;
  aiPersona: string;
  /** false: 不设营业时间 (sent as businessHours null). */
  hoursOn: boolean;
  open: string;
  close: string;
  closedDays: number[];
  handoffWords: string[];
  bannedWords: string[];
  aliases: Alias[];
};

export type Changes = Omit<ApiRequestOf<'settings.update'>, 'action' | 'merchantId'>;

export const NAME_MAX = 60;
export const PERSONA_MAX = 500;
export const WORD_MAX = 20;
export const MEANS_MAX = 40;
export const LIMITS = { handoffWords: 100, bannedWords: 200, aliases: 200 } as const;

export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

export function toDraft(s: SettingsView): Draft {
  return {
    name: s.name,
    aiPersona: s.aiPersona,
    hoursOn: s.businessHours !== null,
    // sensible times to start from when the owner turns hours on
    open: s.businessHours?.open ?? '09:00',
    close: s.businessHours?.close ?? '21:00',
    closedDays: [...(s.businessHours?.closedDays ?? [])].sort((a, b) => a - b),
    handoffWords: [...s.answerRules.handoffWords],
    bannedWords: [...s.answerRules.bannedWords],
    aliases: s.answerRules.aliases.map((a) => ({ ...a })),
  };
}

/** "HH:MM" strings compare like times. */
export const crossesMidnight = (open: string, close: string) => close < open;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const hoursOf = (d: Draft) => (d.hoursOn ? { open: d.open, close: d.close, closedDays: [...d.closedDays].sort((a, b) => a - b) } : null);

const normalHours = (h: SettingsView['businessHours']) => (h ? { open: h.open, close: h.close, closedDays: [...h.closedDays].sort((a, b) => a - b) } : null);

/**
 * The settings.update fields that differ from what the server has, or the first problem in
 * plain words. Checked here so the owner never sees the contract's raw validation text.
 */
export function buildChanges(base: SettingsView, d: Draft): { ok: true; changes: Changes } | { ok: false; error: string } {
  const name = d.name.trim();
  if (!name) return { ok: false, error: '店名不能空着' };
  if (name.length > NAME_MAX) return { ok: false, error: `店名最多 ${NAME_MAX} 个字` };
  if (d.aiPersona.length > PERSONA_MAX) return { ok: false, error: `AI 的说话方式最多 ${PERSONA_MAX} 个字` };
  if (d.hoursOn && d.open === d.close) {
    return { ok: false, error: '开门和关门时间一样了。一天到晚都有人的话，打开"不设营业时间"就好' };
  }

  const changes: Changes = {};
  if (name !== base.name) changes.name = name;
  if (d.aiPersona !== base.aiPersona) changes.aiPersona = d.aiPersona;
  const hours = hoursOf(d);
  if (!sameJson(hours, normalHours(base.businessHours))) changes.businessHours = hours;
  const rules = { handoffWords: d.handoffWords, bannedWords: d.bannedWords, aliases: d.aliases };
  const baseRules = {
    handoffWords: base.answerRules.handoffWords,
    bannedWords: base.answerRules.bannedWords,
    aliases: base.answerRules.aliases.map(({ term, means }) => ({ term, means })),
  };
  // the rules travel as one object: send all three lists when any of them changed
  if (!sameJson(rules, baseRules)) changes.answerRules = rules;
  return { ok: true, changes };
}

/** Adds one word to a chip list, or says why not. */
export function addWord(list: string[], raw: string, max: number): { ok: true; list: string[] } | { ok: false; error: string } {
  const word = raw.trim();
  if (!word) return { ok: false, error: '先写一个词' };
  if (word.length > WORD_MAX) return { ok: false, error: `一个词最多 ${WORD_MAX} 个字` };
  if (list.includes(word)) return { ok: false, error: `"${word}"已经有了` };
  if (list.length >= max) return { ok: false, error: `最多 ${max} 个词` };
  return { ok: true, list: [...list, word] };
}

export function addAlias(list: Alias[], rawTerm: string, rawMeans: string): { ok: true; list: Alias[] } | { ok: false; error: string } {
  const term = rawTerm.trim();
  const means = rawMeans.trim();
  if (!term || !means) return { ok: false, error: '店里的叫法和它指的东西都要写' };
  if (term.length > WORD_MAX) return { ok: false, error: `叫法最多 ${WORD_MAX} 个字` };
  if (means.length > MEANS_MAX) return { ok: false, error: `指的东西最多 ${MEANS_MAX} 个字` };
  if (list.some((a) => a.term === term)) return { ok: false, error: `"${term}"已经有了` };
  if (list.length >= LIMITS.aliases) return { ok: false, error: `最多 ${LIMITS.aliases} 个叫法` };
  return { ok: true, list: [...list, { term, means }] };
}

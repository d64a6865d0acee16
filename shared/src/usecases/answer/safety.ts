/**
 * Output safety (issue: answer engine §6): a banned-word list as data, extended per shop, applied
 * to every reply the AI is about to send and flagged on what customers write; internal notes a
 * shop keeps in its answers are never sent.
 */
import { normalize } from './tokenize';

/**
 * Shipped list: what no shop's AI should ever say — absolute claims the 广告法 forbids, medical
 * promises, and abuse. Kept to unambiguous words: a banned word in a reply stops the reply
 * (a person answers instead), so a word that also appears in honest answers ("最好提前预订")
 * must not be here.
 */
export const SHIPPED_BANNED_WORDS: readonly string[] = [
  // 广告法 absolute terms
  '国家级',
  '世界级',
  '全网最低',
  '全网第一',
  '全国第一',
  '销量第一',
  '第一品牌',
  '史上最低',
  '最低价',
  '独一无二',
  '绝无仅有',
  '万能',
  '百分之百有效',
  '100%有效',
  '零风险',
  '永不反弹',
  // medical promises
  '根治',
  '治愈',
  '包治',
  '药到病除',
  '无副作用',
  '特效药',
  '祖传秘方',
  // abuse
  '傻逼',
  '傻b',
  'sb',
  '他妈的',
  '操你',
  '滚蛋',
  '去死',
  '白痴',
  '脑残',
  '废物',
];

/** Markers of text a shop writes for itself inside an answer: 【内部：…】, （内部备注：…）, a line starting 内部备注. */
const INTERNAL_NOTE = [/【\s*内部[^】]*】/g, /[（(]\s*内部[^）)]*[）)]/g, /^\s*(内部备注|内部|备注（内部）)[:：].*$/gm];
/** What the model's instructions look like; a reply quoting them leaks the prompt. */
const PROMPT_LEAK = /【知识库】|knowledge_ids|\[id:\s*[^\]]+\]|只输出一个严格的 JSON|你是一家小店的在线客服/;

export function bannedWordsIn(text: string, extra: readonly string[] = []): string[] {
  const t = normalize(text);
  const hits: string[] = [];
  for (const w of [...SHIPPED_BANNED_WORDS, ...extra]) {
    const n = normalize(w);
    // ASCII words only as whole words ("sb" must not match "usb")
    const hit = /^[a-z0-9]+$/.test(n) ? new RegExp(`(^|[^a-z0-9])${n}($|[^a-z0-9])`).test(text.toLowerCase()) : n.length > 0 && t.includes(n);
    if (hit && !hits.includes(w)) hits.push(w);
  }
  return hits;
}

export function stripInternalNotes(text: string): string {
  let out = text;
  for (const re of INTERNAL_NOTE) out = out.replace(re, '');
  return out.replace(/\n{3,}/g, '\n\n').trim();
}

export type ReplyCheck = { ok: true; text: string } | { ok: false; reason: 'banned_word' | 'prompt_leak' | 'empty'; words: string[] };

/** The last check before anything the AI wrote goes to a customer. */
export function checkReply(text: string, extraBanned: readonly string[] = []): ReplyCheck {
  const clean = stripInternalNotes(text);
  if (!clean) return { ok: false, reason: 'empty', words: [] };
  if (PROMPT_LEAK.test(clean)) return { ok: false, reason: 'prompt_leak', words: [] };
  const words = bannedWordsIn(clean, extraBanned);
  if (words.length) return { ok: false, reason: 'banned_word', words };
  return { ok: true, text: clean };
}

import { useEffect, useState } from 'react';
import type { ConversationView } from '@xiaoer/shared/contracts/api';
import type { Message } from '@xiaoer/shared/domain/conversation';

/**
 * Display helpers shared by 会话, 会话详情, 客户 and 客户资料. Dates use the phone's own clock and
 * time zone (the owner reads times as they live them) and no toLocaleString (the mini-program JS
 * engine's locale data varies).
 */

export type ConversationState = ConversationView['state'];
export type Sender = Message['sender'];

export const STATE_LABEL: Record<ConversationState, string> = {
  waiting_human: '待人工',
  ai: 'AI 在回复',
  human_in_wecom: '企业微信人工',
  closed: '已结束',
};

export const SENDER_LABEL: Record<Sender, string> = {
  customer: '客户',
  ai: 'AI',
  staff: '店员',
  servicer: '企业微信客服',
  system: '系统',
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long a customer has been waiting for a person: "等了 12 分钟". */
export function waitedText(waitingSince: number, now: number = Date.now()): string {
  const ms = Math.max(0, now - waitingSince);
  if (ms < MINUTE) return '刚刚开始等';
  if (ms < HOUR) return `等了 ${Math.floor(ms / MINUTE)} 分钟`;
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    const min = Math.floor((ms % HOUR) / MINUTE);
    return min > 0 ? `等了 ${h} 小时 ${min} 分钟` : `等了 ${h} 小时`;
  }
  return `等了 ${Math.floor(ms / DAY)} 天`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const hm = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
const startOfDay = (t: number) => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
};

/** Days between the calendar days of `at` and `now` (0 = same day, 1 = yesterday). */
function daysAgo(at: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(at)) / DAY);
}

/** A message's time: "14:05", "昨天 14:05", "11月20日 14:05", "2025年11月20日 14:05". */
export function formatTime(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const ago = daysAgo(at, now);
  if (ago === 0) return hm(d);
  if (ago === 1) return `昨天 ${hm(d)}`;
  if (d.getFullYear() === new Date(now).getFullYear()) return `${d.getMonth() + 1}月${d.getDate()}日 ${hm(d)}`;
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日 ${hm(d)}`;
}

/** A short time for list rows: "14:05", "昨天", "11月20日", "2025/11/20". */
export function shortTime(at: number, now: number = Date.now()): string {
  const d = new Date(at);
  const ago = daysAgo(at, now);
  if (ago === 0) return hm(d);
  if (ago === 1) return '昨天';
  if (d.getFullYear() === new Date(now).getFullYear()) return `${d.getMonth() + 1}月${d.getDate()}日`;
  return `${d.getFullYear()}/${d.getMonth() + 1}/${d.getDate()}`;
}

/** A calendar date: "2026年11月20日". */
export function formatDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

/** 123456 分 → "¥1,234.56". */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

function eventText(m: Extract<Message, { type: 'event' }>): string {
  switch (m.event) {
    case 'enter_session':
      return '客户进入了会话';
    case 'transfer_to_wecom': {
      // the colleague's name (an account id means nothing to the owner)
      const who = typeof m.detail.servicerName === 'string' ? m.detail.servicerName : '';
      return who ? `已转给企业微信同事 ${who}` : '已转给企业微信同事';
    }
    case 'ai_resumed':
      return typeof m.detail.text === 'string' ? m.detail.text : '店员一直没回，AI 先答有把握的问题';
    case 'session_status_change':
      return m.detail.change_type === 3 ? '会话已结束' : '企业微信客服接待了这个客户';
    case 'msg_send_fail':
      return '有条消息没发出去';
    default:
      return '[其他消息]';
  }
}

/**
 * A message as one line of text. Images with a usable address are shown as pictures by the
 * thread page; everything else that is not text gets a short description.
 */
export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'text':
      return m.text;
    case 'image':
      return '[图片]';
    case 'voice':
      return '[语音]';
    case 'video':
      return '[视频]';
    case 'file':
      return m.fileName ? `[文件] ${m.fileName}` : '[文件]';
    case 'location':
      return `[位置] ${[m.name, m.address].filter(Boolean).join(' ') || '客户发了一个位置'}`;
    case 'link':
      return `[链接] ${m.title || m.url}`;
    case 'miniprogram':
      return `[小程序] ${m.title}`;
    case 'business_card':
      return '[名片]';
    case 'event':
      return eventText(m);
  }
}

/** A picture address the app can load itself (WeCom media ids cannot be shown directly). */
export function imageSrc(m: Message): string | null {
  if (m.type !== 'image' || !m.mediaRef) return null;
  return m.mediaRef.startsWith('http') || m.mediaRef.startsWith('/') ? m.mediaRef : null;
}

/** The current time, refreshed every `everyMs` so "等了 12 分钟" keeps counting while the page is open. */
export function useNow(everyMs = MINUTE): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

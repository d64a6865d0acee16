import crypto from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n random characters from [A-Za-z0-9] (slight modulo bias is fine for a sandbox). */
export function randomId(n: number): string {
  let s = '';
  for (const b of crypto.randomBytes(n)) s += ALNUM[b % ALNUM.length];
  return s;
}

export const randomDigits = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');

export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export const strList = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null);

/** A CDATA section that survives `]]>` inside the text. */
export const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A readable one-line text of a message body, for the sent list. */
export function textOf(msgtype: string, body: Record<string, unknown>): string {
  const part = obj(body[msgtype]);
  switch (msgtype) {
    case 'text':
    case 'markdown':
    case 'markdown_v2':
      return str(part.content);
    case 'msgmenu': {
      const items = Array.isArray(part.list) ? part.list.map((x) => str(obj(obj(x)[str(obj(x).type)]).content)).filter(Boolean) : [];
      return [str(part.head_content), ...items, str(part.tail_content)].filter(Boolean).join(' / ');
    }
    case 'link':
    case 'miniprogram':
    case 'textcard':
      return [str(part.title), str(part.desc ?? part.description)].filter(Boolean).join(' — ');
    case 'news': {
      const first = Array.isArray(part.articles) ? obj(part.articles[0]) : {};
      return str(first.title);
    }
    case 'location':
      return [str(part.name), str(part.address)].filter(Boolean).join(' ');
    case 'image':
    case 'voice':
    case 'video':
    case 'file':
      return `[${msgtype}] ${str(part.media_id)}`;
    default:
      return `[${msgtype}]`;
  }
}

/** Shows a credential without showing it. */
export const mask = (s: string) => (s.length <= 8 ? '*'.repeat(s.length) : `${s.slice(0, 4)}…${s.slice(-4)}`);

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

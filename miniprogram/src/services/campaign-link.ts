import { Attachment } from '@xiaoer/shared/domain/marketing';

/**
 * The link card a 群发 can carry (WeCom's `link` attachment, shared/src/domain/marketing.ts): the
 * form's three fields, the checks made before anything is sent, and how it is shown. The editor
 * and the detail page share these so both say the same thing.
 */

export type LinkAttachment = Extract<Attachment, { type: 'link' }>;
export type LinkDraft = { title: string; url: string; desc: string };
export type LinkField = 'linkTitle' | 'linkUrl' | 'linkDesc';

/** The schema's limits (domain/marketing.ts `Attachment`), repeated for the fields' maxlength. */
export const LINK_MAX = { title: 60, url: 1000, desc: 170 } as const;

export const EMPTY_LINK: LinkDraft = { title: '', url: '', desc: '' };

const URL_TEXT = '链接地址要以 https:// 或 http:// 开头，最好从浏览器地址栏整个复制过来';
/** What each field's refusal says; zod's own words are English, so they are not shown. */
const REFUSED: Record<LinkField, string> = {
  linkTitle: `标题要填，最多 ${LINK_MAX.title} 个字`,
  linkUrl: URL_TEXT,
  linkDesc: `说明最多 ${LINK_MAX.desc} 个字`,
};
const FIELD_OF: Record<string, LinkField> = { title: 'linkTitle', url: 'linkUrl', desc: 'linkDesc' };

const isLink = (a: Attachment): a is LinkAttachment => a.type === 'link';

export function firstLink(attachments: readonly Attachment[]): LinkAttachment | null {
  return attachments.find(isLink) ?? null;
}

export function linkDraftOf(attachments: readonly Attachment[]): LinkDraft {
  const l = firstLink(attachments);
  return l ? { title: l.title, url: l.url, desc: l.desc ?? '' } : EMPTY_LINK;
}

export const isEmptyLink = (d: LinkDraft) => !d.title.trim() && !d.url.trim() && !d.desc.trim();

/** The stored attachment the form makes; the picture of a link opened for editing stays while its address does. */
export function linkAttachment(d: LinkDraft, previous: LinkAttachment | null): LinkAttachment {
  const url = d.url.trim();
  const desc = d.desc.trim();
  return {
    type: 'link',
    title: d.title.trim(),
    url,
    ...(desc ? { desc } : {}),
    ...(previous?.picUrl && previous.url === url ? { picUrl: previous.picUrl } : {}),
  };
}

/** What is wrong with the form's link, in the owner's words; null when it is fine or left empty. */
export function checkLink(d: LinkDraft): { field: LinkField; text: string } | null {
  if (isEmptyLink(d)) return null;
  const url = d.url.trim();
  if (!url) return { field: 'linkUrl', text: '还没填链接地址；不想带链接，点「不带链接了」' };
  // WeCom opens only web addresses; the schema alone would let other schemes through
  if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(url)) return { field: 'linkUrl', text: URL_TEXT };
  if (!d.title.trim()) return { field: 'linkTitle', text: '给链接起个标题，客户在卡片上先看到的就是它' };
  const parsed = Attachment.safeParse(linkAttachment(d, null));
  if (!parsed.success) {
    const field = FIELD_OF[String(parsed.error.issues[0]?.path[0])] ?? 'linkUrl';
    return { field, text: REFUSED[field] };
  }
  return null;
}

/**
 * The attachments to send: the form's link in place of every link already there (at the first
 * one's place, else last), pictures and mini-programs untouched; `null` takes the links out.
 */
export function withLink(attachments: readonly Attachment[], link: LinkAttachment | null): Attachment[] {
  const at = attachments.findIndex(isLink);
  const rest = attachments.filter((a) => !isLink(a));
  if (!link) return rest;
  const kept = at < 0 ? rest.length : attachments.slice(0, at).filter((a) => !isLink(a)).length;
  return [...rest.slice(0, kept), link, ...rest.slice(kept)];
}

/** The link field an INPUT.INVALID path like `attachments.0.url` names, with what to say there. */
export function refusedLinkField(path: string, sent: readonly Attachment[]): { field: LinkField; text: string } | null {
  const m = /^attachments\.(\d+)\.(\w+)/.exec(path);
  const field = m ? FIELD_OF[m[2]!] : undefined;
  if (!m || !field || sent[Number(m[1])]?.type !== 'link') return null;
  return { field, text: REFUSED[field] };
}

/** An address short enough for a card line: no scheme, no www., cut with … */
export function shortUrl(url: string, max = 32): string {
  const bare = url
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/\/$/, '');
  return bare.length > max ? `${bare.slice(0, max - 1)}…` : bare;
}

/** The other things sent along, counted in words: "1 张图片、2 个小程序". */
export function othersText(attachments: readonly Attachment[]): string {
  const images = attachments.filter((a) => a.type === 'image').length;
  const apps = attachments.filter((a) => a.type === 'miniprogram').length;
  return [images ? `${images} 张图片` : '', apps ? `${apps} 个小程序` : ''].filter(Boolean).join('、');
}

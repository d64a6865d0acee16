import type { ReactNode } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { LINK_MAX, type LinkDraft, type LinkField } from '../../services/campaign-link';

/**
 * 附带一个链接: a card under the text (a shop page, an activity, a coupon). Closed until the owner
 * asks for it, so a plain text 群发 stays short; a draft that has a link opens with it.
 */
export function LinkFields({
  value,
  open,
  onOpen,
  onChange,
  onRemove,
  errorLine,
}: {
  value: LinkDraft;
  open: boolean;
  onOpen: () => void;
  onChange: (d: LinkDraft) => void;
  onRemove: () => void;
  errorLine: (f: LinkField) => ReactNode;
}) {
  if (!open)
    return (
      <Text className="chip ce-link-add" onClick={onOpen}>
        + 附带一个链接
      </Text>
    );
  const set = (k: keyof LinkDraft) => (e: { detail: { value: string } }) => onChange({ ...value, [k]: e.detail.value });
  return (
    <View className="ce-link">
      <Text className="form-label">附带一个链接</Text>
      <Text className="form-hint">客户会在文字下面看到一张卡片，点开就是这个链接。</Text>
      <Text className="form-label">标题</Text>
      <Input className="ce-link-title form-input" value={value.title} maxlength={LINK_MAX.title} placeholder="比如：春季新品，点开看看" onInput={set('title')} />
      {errorLine('linkTitle')}
      <Text className="form-label">链接地址</Text>
      <Input className="ce-link-url form-input" value={value.url} maxlength={LINK_MAX.url} placeholder="https://" onInput={set('url')} />
      {errorLine('linkUrl')}
      <Text className="form-label">一句说明（可不填）</Text>
      <Input className="ce-link-desc form-input" value={value.desc} maxlength={LINK_MAX.desc} placeholder="比如：全场第二件半价，周日截止" onInput={set('desc')} />
      {errorLine('linkDesc')}
      <Text className="chip chip-small ce-link-remove" onClick={onRemove}>
        不带链接了
      </Text>
    </View>
  );
}

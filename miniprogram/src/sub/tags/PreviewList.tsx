import { Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import { formatFen } from '../../pages/conversations/format';
import './PreviewList.scss';

type Preview = ApiResult<'tags.preview'>;

/** A preview's answer: how many customers match now, and the first of them (the api sends 10). */
export function PreviewList({ result, title }: { result: Preview; title?: string }) {
  const { count, sample } = result;
  return (
    <View className="preview">
      {title && <Text className="preview-title">{title}</Text>}
      <Text className="preview-count">{count === 0 ? '现在没有客户符合' : `现在有 ${count} 位客户符合`}</Text>
      {count === 0 ? (
        <Text className="preview-note">条件可能太严了，也可能还没有这样的客户。</Text>
      ) : (
        <>
          {count > sample.length && <Text className="preview-note">{`先列出其中 ${sample.length} 位：`}</Text>}
          {sample.map((c) => (
            <View key={c.externalUserId} className="preview-item">
              <Text className="preview-name">{c.name || '客户'}</Text>
              <Text className="preview-facts">{`${formatFen(c.totalSpentFen)} · ${c.orderCount} 单`}</Text>
            </View>
          ))}
        </>
      )}
    </View>
  );
}

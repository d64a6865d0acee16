import { Button, Text } from '@tarojs/components';
import './LoadMore.scss';

/** The foot of a paged list: the last page's error, then 加载更多 (重试 after an error) or 没有更多了. */
export function LoadMore(props: { hasMore: boolean; loading: boolean; error: string | null; onMore: () => void }) {
  const { hasMore, loading, error, onMore } = props;
  return (
    <>
      {error && <Text className="more-error">{error}</Text>}
      {hasMore ? (
        <Button className="btn btn-plain load-more" onClick={onMore}>
          {loading ? '正在加载…' : error ? '重试' : '加载更多'}
        </Button>
      ) : (
        <Text className="list-end">没有更多了</Text>
      )}
    </>
  );
}

import { Empty } from '../../components/StateView';

/**
 * What a staff member sees on an owner-only page (reached through an old link or a shared
 * path): the menu never offers these pages to staff, and the server would refuse with 403.
 */
export function OwnerOnly() {
  return <Empty title="只有老板能打开这一页" text="要改这里的东西，请找老板。" />;
}

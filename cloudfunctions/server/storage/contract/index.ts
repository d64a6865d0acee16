import type { MakeStorage } from './harness';
import { inviteRepoContract, memberRepoContract, merchantRepoContract, storeRepoContract } from './people.contract';
import { conversationRepoContract, customerRepoContract, messageRepoContract } from './customers.contract';
import { auditRepoContract, counterRepoContract, knowledgeRepoContract, marketingRepoContract, orderRepoContract } from './business.contract';
import { inboxRepoContract, jobRepoContract, kvRepoContract } from './jobs.contract';
import { orderWriteContract } from './orders.contract';
import { orderTotalsContract } from './order-totals.contract';
import { reportRepoContract } from './reports.contract';
import { campaignRepoContract } from './campaigns.contract';

export type { MakeStorage };

/** Every repository's contract, for any adapter: `describe(adapter, () => runStorageContracts(make))`. */
export function runStorageContracts(make: MakeStorage) {
  merchantRepoContract(make);
  storeRepoContract(make);
  memberRepoContract(make);
  inviteRepoContract(make);
  customerRepoContract(make);
  conversationRepoContract(make);
  messageRepoContract(make);
  knowledgeRepoContract(make);
  counterRepoContract(make);
  jobRepoContract(make);
  auditRepoContract(make);
  orderRepoContract(make);
  orderWriteContract(make);
  orderTotalsContract(make);
  reportRepoContract(make);
  marketingRepoContract(make);
  campaignRepoContract(make);
  inboxRepoContract(make);
  kvRepoContract(make);
}

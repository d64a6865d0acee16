import type { Storage } from '@xiaoer/shared/ports/storage';
import { type Db, openDb, integrityCheck } from './db';
import { SqliteInvites, SqliteMembers, SqliteMerchants, SqliteStores } from './people';
import { SqliteConversations, SqliteCustomers, SqliteMessages } from './customers';
import { SqliteCampaigns } from './campaigns';
import { SqliteAudit, SqliteCounters, SqliteKnowledge, SqliteOrders, SqliteTagRules } from './business';
import { SqliteJobs } from './jobs';
import { SqliteInbox } from './inbox';
import { SqliteKv } from './kv';
import { startCheckpointer } from './checkpointer';
import { SqliteReports } from './reports';
import { GroupCommit } from './group-commit';
import { ReadCache } from './read-cache';

export interface SqliteStorage extends Storage {
  db: Db;
  integrityCheck(): string;
}

export interface SqliteOptions {
  /** WAL checkpoints on a thread of their own (checkpointer.ts): the long-lived host and the CLI. */
  checkpointInBackground?: boolean;
}

export function openSqliteStorage(file: string, opts: SqliteOptions = {}): SqliteStorage {
  const db = openDb(file);
  // an order event's counters and its order write share commits with concurrent events' (one per turn)
  const orderWrites = new GroupCommit(db);
  const checkpointer = opts.checkpointInBackground && file !== ':memory:' ? startCheckpointer(db, file) : undefined;
  // one look at the connection's data_version per turn serves every cached table
  const cache = new ReadCache(db);
  return {
    db,
    merchants: new SqliteMerchants(db, cache),
    stores: new SqliteStores(db),
    members: new SqliteMembers(db),
    invites: new SqliteInvites(db),
    customers: new SqliteCustomers(db),
    conversations: new SqliteConversations(db),
    messages: new SqliteMessages(db),
    knowledge: new SqliteKnowledge(db),
    counters: new SqliteCounters(db, orderWrites),
    jobs: new SqliteJobs(db),
    audit: new SqliteAudit(db),
    orders: new SqliteOrders(db, orderWrites),
    reports: new SqliteReports(db),
    tagRules: new SqliteTagRules(db),
    campaigns: new SqliteCampaigns(db),
    inbox: new SqliteInbox(db),
    kv: new SqliteKv(db, cache),
    integrityCheck: () => integrityCheck(db),
    close: async () => {
      await checkpointer?.stop();
      db.close();
    },
  };
}

import type { Storage } from '@xiaoer/shared/ports/storage';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { type CloudbaseDb, errorCode } from './sdk';
import { CloudbaseInvites, CloudbaseMembers, CloudbaseMerchants, CloudbaseStores } from './people';
import { CloudbaseConversations, CloudbaseCustomers, CloudbaseMessages } from './customers';
import { CloudbaseCampaigns } from './campaigns';
import { CloudbaseAudit, CloudbaseCounters, CloudbaseKnowledge, CloudbaseOrders, CloudbaseTagRules } from './business';
import { CloudbaseInbox, CloudbaseJobs } from './jobs';
import { CloudbaseKv } from './kv';
import { CloudbaseReports } from './reports';
import { COLLECTIONS } from './collections';

export { COLLECTIONS, INDEXES } from './collections';

/**
 * Creates each missing collection, all at once (a cold function start pays one round trip);
 * an existing one is fine whatever the server calls that.
 */
export async function ensureCollections(db: CloudbaseDb): Promise<string[]> {
  const results = await Promise.all(
    COLLECTIONS.map(async (name) => {
      try {
        await db.createCollection(name);
        return name;
      } catch (err) {
        try {
          await db.collection(name).limit(1).get();
          return null;
        } catch {
          throw new AppError('STORAGE.CLOUDBASE', `建不了云数据库集合 ${name}（${errorCode(err) || String((err as Error)?.message ?? err)}）`, 503);
        }
      }
    }),
  );
  return results.filter((n): n is (typeof COLLECTIONS)[number] => n !== null);
}

export function createCloudbaseStorage(db: CloudbaseDb): Storage {
  return {
    merchants: new CloudbaseMerchants(db),
    stores: new CloudbaseStores(db),
    members: new CloudbaseMembers(db),
    invites: new CloudbaseInvites(db),
    customers: new CloudbaseCustomers(db),
    conversations: new CloudbaseConversations(db),
    messages: new CloudbaseMessages(db),
    knowledge: new CloudbaseKnowledge(db),
    counters: new CloudbaseCounters(db),
    jobs: new CloudbaseJobs(db),
    audit: new CloudbaseAudit(db),
    orders: new CloudbaseOrders(db),
    reports: new CloudbaseReports(db),
    tagRules: new CloudbaseTagRules(db),
    campaigns: new CloudbaseCampaigns(db),
    inbox: new CloudbaseInbox(db),
    kv: new CloudbaseKv(db),
    close: async () => undefined,
  };
}

/**
 * Opens the CloudBase database through @cloudbase/node-sdk (loaded here, only in cloudbase
 * mode). Credentials were checked by the config: the SDK would otherwise crash the process
 * with an unhandled rejection on the first call.
 */
export async function openCloudbaseStorage(config: Config, logger: Logger): Promise<Storage> {
  const cb = config.cloudbase;
  if (!cb.envId || !cb.secretId || !cb.secretKey) throw new AppError('CONFIG.MISSING', 'CloudBase 需要 CLOUDBASE_ENV_ID、TENCENTCLOUD_SECRETID、TENCENTCLOUD_SECRETKEY');
  if (cb.serviceUrl && process.env.TENCENTCLOUD === undefined) {
    // With an explicit serviceUrl the SDK's "am I inside Tencent Cloud?" probe only picks a
    // header, yet it costs a metadata.tencentyun.com lookup on every call (never cached when it
    // fails). The SDK skips the probe when TENCENTCLOUD is set.
    process.env.TENCENTCLOUD = 'true';
  }
  const { default: tcb } = await import('@cloudbase/node-sdk');
  const app = tcb.init({
    env: cb.envId,
    secretId: cb.secretId,
    secretKey: cb.secretKey,
    ...(cb.sessionToken ? { sessionToken: cb.sessionToken } : {}),
    ...(cb.serviceUrl ? { serviceUrl: cb.serviceUrl } : {}),
    timeout: 15_000,
  } as Parameters<typeof tcb.init>[0]);
  const db = app.database() as unknown as CloudbaseDb;
  const created = await ensureCollections(db);
  if (created.length) logger.info({ created }, 'CloudBase collections created');
  return createCloudbaseStorage(db);
}

/**
 * `npm run cloudbase-fake [-- --port 9900]`: an in-memory server speaking CloudBase's database
 * wire protocol, to try `APP_RUNTIME=cloudbase` without a Tencent account. It is a test fake
 * (see test/cloudbase-fake/engine.ts for what it does and does not do); data lives in memory.
 */
import { parseArgs } from 'node:util';
import { startFakeCloudbase } from '../test/cloudbase-fake/server';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9900' } } });
void startFakeCloudbase({ port: Number(values.port) }).then(({ url }) => {
  console.log(`fake CloudBase (in memory) at ${url}`);
  console.log(
    `try: APP_RUNTIME=cloudbase CLOUDBASE_SERVICE_URL=${url} CLOUDBASE_ENV_ID=dev TENCENTCLOUD_SECRETID=dev TENCENTCLOUD_SECRETKEY=dev APP_MASTER_KEY=$(openssl rand -hex 32) npm start`,
  );
});

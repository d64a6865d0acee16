import type { FunctionDeploy } from '../server/deploy-settings';

// processes each callback inline (answers, sends) within WeCom's retries: the full 60 s
export const DEPLOY: FunctionDeploy = { memoryMB: 256, timeoutS: 60, httpPath: '/wecom/callback', callsWecom: true, role: 'the WeCom callback URL' };

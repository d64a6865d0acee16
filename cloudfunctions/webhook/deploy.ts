import type { FunctionDeploy } from '../server/deploy-settings';

export const DEPLOY: FunctionDeploy = { memoryMB: 256, timeoutS: 20, httpPath: '/webhook/orders', callsWecom: false, role: 'the order webhook' };

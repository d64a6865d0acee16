import type { FunctionDeploy } from '../server/deploy-settings';

// renders the weekly chart (resvg) and sends campaigns: memory for both, a tick must end within 60 s
export const DEPLOY: FunctionDeploy = { memoryMB: 512, timeoutS: 60, httpPath: null, callsWecom: true, role: 'scheduled jobs, every minute' };

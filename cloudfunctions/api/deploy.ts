import type { FunctionDeploy } from '../server/deploy-settings';

// campaign plans over 100k customers and knowledge-base imports (a worker thread) need the room
export const DEPLOY: FunctionDeploy = { memoryMB: 512, timeoutS: 30, httpPath: null, callsWecom: true, role: 'the owner app (mini-program cloud calls)' };

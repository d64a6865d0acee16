/**
 * How each cloud function is deployed (`cloudfunctions/<fn>/deploy.ts`); `npm run deploy` and its
 * dry-run plan read these, the trigger and permissions from `config.json` beside them, the jobs
 * from the scheduler's list and the collections from the CloudBase adapter — nothing is listed twice.
 */
export interface FunctionDeploy {
  /** CloudBase bills GB-seconds: the smallest size that runs the function's heaviest work. */
  memoryMB: 128 | 256 | 512 | 1024;
  /** At most 60 s (the ceiling, and the older CloudBase CLI limit); never CloudBase's 3 s default. */
  timeoutS: number;
  /** The HTTP access path the function is bound to (CloudBase 云接入 / HTTP 访问服务), or null. */
  httpPath: string | null;
  /** Calls WeCom: needs the environment's fixed egress IP for 企业可信IP. */
  callsWecom: boolean;
  /** One line on what the function does, shown in the plan. */
  role: string;
}

/**
 * The runtime every function is created with. It cannot be changed after creation, so the
 * longest-supported LTS CloudBase offers: Node 24 (its recommended runtime; 20 reached end of
 * life in April 2026). Bundles are built for Node 20 syntax (scripts/build-functions.mjs), which
 * Node 24 runs and which the Node 20 test machines load as they are.
 */
export const RUNTIME = 'Nodejs24.11';

/**
 * `npm run build:release`: exactly what is uploaded, for one CloudBase environment.
 *   - the mini-program (weapp) into miniprogram/dist/weapp/ (project.config.json's miniprogramRoot),
 *     with Taro.cloud.init bound to CLOUDBASE_ENV_ID (TARO_APP_CLOUD_ENV at build time);
 *   - the function bundles into build/cloudfunctions/ (its cloudfunctionRoot; `npm run deploy` uploads them);
 *   - project.private.config.json with WX_APPID, when set (WeChat DevTools reads it over the
 *     committed project.config.json, whose appid stays the placeholder `touristappid`);
 *   - build/release.json: the environment, the appid and every file with its size and sha256.
 * Then it checks the output: the env id is inside the app, both roots are where
 * project.config.json points, the main package is under WeChat's 2 MB.
 * Subscribe-message template ids are per environment on the server side (WX_SUBSCRIBE_TEMPLATE_REPORT
 * in the functions' variables); the app asks the api for them, so nothing of theirs is built in.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRelease, type ReleaseManifest } from './release-check';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const envId = process.env.CLOUDBASE_ENV_ID?.trim() ?? '';
const appid = process.env.WX_APPID?.trim();
const fail = (msg: string): never => {
  console.error(`build:release: ${msg}`);
  process.exit(1);
};
if (!envId) fail('set CLOUDBASE_ENV_ID to the CloudBase environment the app calls (云开发控制台 → 环境 ID)');
if (!/^[a-z0-9][a-z0-9-]{1,63}$/i.test(envId)) fail(`"${envId}" does not look like a CloudBase environment id`);
if (appid && !/^wx[0-9a-f]{16}$/.test(appid)) fail(`WX_APPID "${appid}" is not a mini-program AppID (wx + 16 hex characters, 小程序后台 → 开发管理 → 开发设置)`);

function run(label: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  console.log(`— ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) fail(`${label} failed (exit ${r.status})`);
}

const project = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8'));
run('mini-program (weapp)', 'npm', ['run', 'build:weapp', '-w', 'miniprogram'], { TARO_APP_CLOUD_ENV: envId, NODE_ENV: 'production', XIAOER_APP_OUT: '' });
run('cloud functions', process.execPath, ['scripts/build-functions.mjs'], { XIAOER_FUNCTIONS_OUT: '' });

const privateFile = path.join(root, 'project.private.config.json');
if (appid) fs.writeFileSync(privateFile, `${JSON.stringify({ appid, projectname: `xiaoer-${envId}` }, null, 2)}\n`);

function files(dir: string) {
  const out: { path: string; bytes: number; sha256: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const data = fs.readFileSync(full);
        out.push({ path: path.relative(root, full).split(path.sep).join('/'), bytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') });
      }
    }
  };
  walk(dir);
  return out;
}
const miniprogramRoot = project.miniprogramRoot.replace(/\/$/, '');
const cloudfunctionRoot = project.cloudfunctionRoot.replace(/\/$/, '');
const manifest: ReleaseManifest & { appid: string } = {
  envId,
  appid: appid ?? project.appid,
  miniprogramRoot,
  cloudfunctionRoot,
  miniprogram: files(path.join(root, miniprogramRoot)),
  cloudfunctions: files(path.join(root, cloudfunctionRoot)),
};
const problems = checkRelease(root, manifest);
fs.writeFileSync(path.join(root, 'build/release.json'), `${JSON.stringify(manifest, null, 2)}\n`);
if (problems.length) fail(`the release output is not right:\n  ${problems.join('\n  ')}`);
const kb = (n: number) => `${Math.round(n / 1024)} KB`;
const sum = (list: { bytes: number }[]) => list.reduce((n, f) => n + f.bytes, 0);
console.log(
  `release for ${envId}: mini-program ${manifest.miniprogram.length} files (${kb(sum(manifest.miniprogram))}) in ${miniprogramRoot}/, functions ${kb(sum(manifest.cloudfunctions))} in ${cloudfunctionRoot}/`,
);
console.log(
  appid ? `appid ${appid} (project.private.config.json)` : 'appid: touristappid (placeholder) — set WX_APPID to upload; a tourist appid can only preview without cloud calls',
);
console.log('next: npm run deploy (functions), then open this folder in WeChat DevTools and 上传 the mini-program; manifest in build/release.json');

/**
 * What `npm run build:release` checks before it calls a build releasable (test/release-check.test.ts
 * runs it on good and broken outputs): the app is where project.config.json points and is bound to
 * the environment, every function has its bundle, and the main package fits WeChat's 2 MB.
 */
import fs from 'node:fs';
import path from 'node:path';

export const MAIN_PACKAGE_LIMIT = 2 * 1024 * 1024;

export interface ReleaseManifest {
  envId: string;
  miniprogramRoot: string;
  cloudfunctionRoot: string;
  miniprogram: { path: string; bytes: number }[];
  cloudfunctions: { path: string; bytes: number }[];
}

export function checkRelease(root: string, m: ReleaseManifest): string[] {
  const problems: string[] = [];
  const app = m.miniprogram.map((f) => f.path.slice(m.miniprogramRoot.length + 1));
  for (const need of ['app.json', 'app.js'])
    if (!app.includes(need)) problems.push(`${m.miniprogramRoot}/${need} is missing: the mini-program was not built where project.config.json's miniprogramRoot points`);
  // Taro inlines TARO_APP_CLOUD_ENV into the bundle; a build without it calls the default environment
  const quoted = [`"${m.envId}"`, `'${m.envId}'`];
  const bound = m.miniprogram.some((f) => f.path.endsWith('.js') && quoted.some((q) => fs.readFileSync(path.join(root, f.path), 'utf8').includes(q)));
  if (!bound) problems.push(`the mini-program does not carry the environment id "${m.envId}": Taro.cloud.init would use the default environment`);
  const functions = fs.readdirSync(path.join(root, 'cloudfunctions')).filter((d) => fs.existsSync(path.join(root, 'cloudfunctions', d, 'main.ts')));
  for (const fn of functions) {
    if (!m.cloudfunctions.some((f) => f.path === `${m.cloudfunctionRoot}/${fn}/index.js`)) problems.push(`${m.cloudfunctionRoot}/${fn}/index.js is missing`);
  }
  if (app.includes('app.json')) {
    const appJson = JSON.parse(fs.readFileSync(path.join(root, m.miniprogramRoot, 'app.json'), 'utf8'));
    const subRoots = ((appJson.subPackages ?? appJson.subpackages ?? []) as { root: string }[]).map((s) => s.root.replace(/\/$/, '') + '/');
    const main = m.miniprogram.filter((f, i) => !subRoots.some((r) => app[i].startsWith(r))).reduce((n, f) => n + f.bytes, 0);
    if (main > MAIN_PACKAGE_LIMIT) problems.push(`the main package is ${main} bytes, over WeChat's 2 MB`);
  }
  return problems;
}

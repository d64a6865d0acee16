import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRelease } from '../scripts/release-check';

/**
 * The checks `npm run build:release` makes on its own output (npm test runs that build for a test
 * environment; this runs the checks on small good and broken outputs).
 */
const repo = path.resolve(__dirname, '..');
let root: string;
const ENV = 'xiaoer-prod-1a2b';

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}
function manifest() {
  const list = (dir: string) =>
    fs.existsSync(path.join(root, dir))
      ? (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[])
          .filter((f) => fs.statSync(path.join(root, dir, f)).isFile())
          .map((f) => ({ path: `${dir}/${f}`, bytes: fs.statSync(path.join(root, dir, f)).size }))
      : [];
  return {
    envId: ENV,
    miniprogramRoot: 'miniprogram/dist/weapp',
    cloudfunctionRoot: 'build/cloudfunctions',
    miniprogram: list('miniprogram/dist/weapp'),
    cloudfunctions: list('build/cloudfunctions'),
  };
}
const functions = fs.readdirSync(path.join(repo, 'cloudfunctions')).filter((d) => fs.existsSync(path.join(repo, 'cloudfunctions', d, 'main.ts')));

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'xiaoer-release-'));
  fs.symlinkSync(path.join(repo, 'cloudfunctions'), path.join(root, 'cloudfunctions'));
  write('miniprogram/dist/weapp/app.json', JSON.stringify({ pages: ['pages/today/index'], subPackages: [{ root: 'sub/', pages: ['campaign/index'] }] }));
  write('miniprogram/dist/weapp/app.js', `wx.cloud.init({env:"${ENV}",traceUser:!0});`);
  write('miniprogram/dist/weapp/sub/campaign/index.js', 'x'.repeat(3 * 1024 * 1024));
  for (const fn of functions) write(`build/cloudfunctions/${fn}/index.js`, 'exports.main = async () => 1;');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('release output checks', () => {
  it('passes a complete release bound to its environment (a big subpackage does not count against the main package)', () => {
    expect(checkRelease(root, manifest())).toEqual([]);
  });

  it('names each thing that is wrong', () => {
    write('miniprogram/dist/weapp/app.js', 'wx.cloud.init({traceUser:!0});');
    write('miniprogram/dist/weapp/pages/big.js', 'x'.repeat(2 * 1024 * 1024 + 1));
    fs.rmSync(path.join(root, 'build/cloudfunctions', functions[0]!), { recursive: true });
    expect(checkRelease(root, manifest())).toEqual([
      `the mini-program does not carry the environment id "${ENV}": Taro.cloud.init would use the default environment`,
      `build/cloudfunctions/${functions[0]}/index.js is missing`,
      expect.stringMatching(/^the main package is \d+ bytes, over WeChat's 2 MB$/),
    ]);
  });

  it('finds a mini-program built somewhere else than miniprogramRoot', () => {
    fs.rmSync(path.join(root, 'miniprogram/dist/weapp'), { recursive: true });
    expect(checkRelease(root, manifest())).toEqual(expect.arrayContaining([expect.stringContaining('app.json is missing')]));
  });
});

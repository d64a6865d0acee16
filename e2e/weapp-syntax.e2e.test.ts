import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'acorn';
import { ROOT } from './helpers';

/**
 * The weapp package WeChat DevTools uploads is the folder project.config.json names, as it is on
 * disk: es6/enhance are off, so nothing transpiles it again. Every script in it must parse as
 * ES2017 (what the JS engines in the WeChat versions owners have understand). Runs after the weapp
 * build (`npm test` runs browser jest after its builds lane); XIAOER_APP_OUT checks a build
 * written elsewhere.
 */
const project = JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'));
const root = process.env.XIAOER_APP_OUT ? path.resolve(process.env.XIAOER_APP_OUT) : path.join(ROOT, project.miniprogramRoot);

const parsesAsEs2017 = (code: string): string | null => {
  try {
    parse(code, { ecmaVersion: 2017, sourceType: 'script' });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};

function scripts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return scripts(full);
    return e.isFile() && e.name.endsWith('.js') ? [full] : [];
  });
}

describe('weapp output runs on the WeChat versions owners have', () => {
  it('keeps the mini-program settings that ship the build as it is', () => {
    // the folder build:weapp writes (miniprogram/config/index.ts outputRoot)
    expect(project.miniprogramRoot.replace(/\/$/, '')).toBe('miniprogram/dist/weapp');
    expect(project.setting).toMatchObject({ es6: false, enhance: false });
  });

  it('the check itself rejects the syntax that broke older WeChat', () => {
    expect(parsesAsEs2017('var a = {}; a?.b;')).not.toBeNull();
    expect(parsesAsEs2017('var a = null ?? 1;')).not.toBeNull();
    expect(parsesAsEs2017('var a = {}; var b = { ...a };')).not.toBeNull();
    expect(parsesAsEs2017('class A { x = 1 }')).not.toBeNull();
    expect(parsesAsEs2017('async function f() { await 1; } var g = (a, b) => `${a}${b}`;')).toBeNull();
  });

  it('every .js under miniprogramRoot parses as an ES2017 script', () => {
    expect(fs.existsSync(path.join(root, 'app.json'))).toBe(true);
    const files = scripts(root);
    expect(files.length).toBeGreaterThan(5);
    const bad = files
      .map((f) => ({ file: path.relative(root, f), error: parsesAsEs2017(fs.readFileSync(f, 'utf8')) }))
      .filter((r) => r.error)
      .map((r) => `${r.file}: ${r.error}`);
    expect(bad).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import * as sass from 'sass';

/**
 * Brand colours, type sizes and spacing come from styles/_tokens.scss only: a raw hex colour in
 * any other stylesheet of the app fails here, so the palette cannot drift page by page again.
 */
const SRC = path.resolve(__dirname, '..', 'miniprogram', 'src');
const TOKENS = path.join(SRC, 'styles', '_tokens.scss');

/** Stylesheets not moved to the tokens yet, each with why (none now; a new entry needs a reason). */
const NOT_YET: Record<string, string> = {};

function stylesheets(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return stylesheets(full);
    return e.name.endsWith('.scss') ? [full] : [];
  });
}

const withoutComments = (scss: string) => scss.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const rawHexColours = (scss: string): string[] => withoutComments(scss).match(/#[0-9a-fA-F]{3,8}\b/g) ?? [];

const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');
const sheets = stylesheets(SRC).filter((f) => f !== TOKENS);

describe('design tokens', () => {
  it('the check finds a raw colour and ignores comments and tokens', () => {
    expect(rawHexColours('.a { color: #E0502D; border: 1px solid #fff; }')).toEqual(['#E0502D', '#fff']);
    expect(rawHexColours('/* was #e0502d */\n.a { color: $color-brand; } // not #fff\n/* #ifdef h5 */')).toEqual([]);
  });

  it('no stylesheet outside styles/_tokens.scss spells a hex colour', () => {
    expect(sheets.length).toBeGreaterThan(10);
    const found = sheets
      .filter((f) => !(rel(f) in NOT_YET))
      .flatMap((f) => rawHexColours(fs.readFileSync(f, 'utf8')).map((hex) => `${rel(f)}: ${hex} (use a $color-… from styles/_tokens.scss)`));
    expect(found).toEqual([]);
  });

  it('every exception still exists (delete it from NOT_YET once it moved)', () => {
    for (const f of Object.keys(NOT_YET)) expect(rawHexColours(fs.readFileSync(path.join(SRC, f), 'utf8')).length).toBeGreaterThan(0);
  });

  it('every stylesheet compiles against the tokens', () => {
    for (const f of sheets) expect(() => sass.compile(f, { style: 'compressed' })).not.toThrow();
  });
});

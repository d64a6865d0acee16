import { loadConfig, describeConfig } from '../cloudfunctions/server/config';

describe('configuration (ARCHITECTURE §1 switching rules)', () => {
  it('defaults to local storage, the built-in sandbox and retrieval-only answers', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ runtime: 'local', port: 8787, host: '127.0.0.1', seedDemo: true, wecom: { source: 'sandbox', maxSkewS: 300 }, llm: { enabled: false } });
    expect(c.dataDir.endsWith('.data')).toBe(true);
    expect(describeConfig(c).join('\n')).toContain('retrieval only');
  });

  it('uses WECOM_API_BASE when set and the model only when LLM_API_KEY is set', () => {
    const c = loadConfig({ WECOM_API_BASE: 'http://127.0.0.1:9999', LLM_API_KEY: 'sk-test-1234567890' });
    expect(c.wecom).toMatchObject({ source: 'env', apiBase: 'http://127.0.0.1:9999' });
    expect(c.llm.enabled).toBe(true);
    expect(describeConfig(c).join('\n')).not.toContain('sk-test-1234567890');
    expect(loadConfig({ LLM_API_KEY: '' }).llm.enabled).toBe(false);
  });

  it('cloudbase mode demands its credentials and a master key, uses real WeCom, never seeds', () => {
    expect(() => loadConfig({ APP_RUNTIME: 'cloudbase' })).toThrow(/CLOUDBASE_ENV_ID.*TENCENTCLOUD_SECRETID.*TENCENTCLOUD_SECRETKEY.*APP_MASTER_KEY/);
    const c = loadConfig({ APP_RUNTIME: 'cloudbase', CLOUDBASE_ENV_ID: 'env-1', TENCENTCLOUD_SECRETID: 'id', TENCENTCLOUD_SECRETKEY: 'key', APP_MASTER_KEY: 'a'.repeat(64) });
    expect(c.wecom).toMatchObject({ source: 'wecom', apiBase: 'https://qyapi.weixin.qq.com' });
    expect(c.seedDemo).toBe(false);
  });

  it('rejects bad values with a clear error code', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID' }));
    expect(() => loadConfig({ APP_RUNTIME: 'mars' })).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID' }));
  });
});

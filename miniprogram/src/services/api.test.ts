import Taro from '@tarojs/taro';
import { ApiError, call, isAuthExpired } from './api';
import { fail, mockFetch, ok } from '../../test/fetch-mock';
import { dashboard, me } from '../../test/fixtures';

afterEach(() => {
  process.env.TARO_ENV = 'h5';
  jest.restoreAllMocks();
});

describe('call() on h5', () => {
  it('POSTs the request to same-origin /fn/api and returns the validated data', async () => {
    const fetch = mockFetch(() => ok(me));
    await expect(call({ action: 'me.get' })).resolves.toEqual(me);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/fn/api');
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse((init as { body: string }).body)).toEqual({ action: 'me.get' });
  });

  it('sends dashboard.today with the merchant and validates the dashboard', async () => {
    const fetch = mockFetch(() => ok(dashboard()));
    const d = await call({ action: 'dashboard.today', merchantId: 'demo-bakery' });
    expect(d.merchant.name).toBe('小麦面包坊');
    expect(JSON.parse((fetch.mock.calls[0]![1] as { body: string }).body)).toEqual({ action: 'dashboard.today', merchantId: 'demo-bakery' });
  });

  it('rejects data that does not match the contract', async () => {
    mockFetch(() => ok({ memberId: 'mem-1', merchants: [{ id: 'demo-bakery' }] }));
    await expect(call({ action: 'me.get' })).rejects.toMatchObject({ name: 'ApiError', code: 'CLIENT.BAD_RESULT' });
  });

  it('turns an error envelope into an ApiError with its code, message and status', async () => {
    mockFetch(() => fail(403, 'AUTH.FORBIDDEN', '你没有这家店的权限'));
    const err = await call({ action: 'dashboard.today', merchantId: 'other-shop' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'AUTH.FORBIDDEN', message: '你没有这家店的权限', status: 403 });
    expect(isAuthExpired(err)).toBe(false);
  });

  it('marks a 401 envelope as an expired login', async () => {
    mockFetch(() => fail(401, 'AUTH.UNAUTHENTICATED', '请先登录'));
    const err = await call({ action: 'me.get' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH.UNAUTHENTICATED', status: 401 });
    expect(isAuthExpired(err)).toBe(true);
  });

  it('throws ApiError on a non-JSON answer', async () => {
    mockFetch(() => ({ status: 502, text: '<html>Bad Gateway</html>' }));
    await expect(call({ action: 'me.get' })).rejects.toMatchObject({ code: 'NETWORK.BAD_RESPONSE', status: 502 });
  });

  it('throws ApiError when the server cannot be reached', async () => {
    (globalThis as { fetch?: unknown }).fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(call({ action: 'me.get' })).rejects.toMatchObject({ code: 'NETWORK.UNREACHABLE' });
  });

  it('checks the request against the contract before sending it', async () => {
    const fetch = mockFetch(() => ok(dashboard()));
    await expect(call({ action: 'dashboard.today', merchantId: 'Not A Valid Id!' })).rejects.toMatchObject({ code: 'INPUT.INVALID' });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('call() on weapp', () => {
  const cloud = () => {
    const callFunction = jest.fn();
    (Taro as unknown as { cloud: unknown }).cloud = { callFunction };
    process.env.TARO_ENV = 'weapp';
    return callFunction;
  };

  it('calls the api cloud function with the request and no fetch', async () => {
    const fetch = mockFetch(() => ok(me));
    const callFunction = cloud().mockResolvedValue({ result: { ok: true, data: me }, errMsg: 'cloud.callFunction:ok' });
    await expect(call({ action: 'me.get' })).resolves.toEqual(me);
    expect(callFunction).toHaveBeenCalledWith({ name: 'api', data: { action: 'me.get' } });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('maps an error envelope to an ApiError whose status follows the code', async () => {
    cloud().mockResolvedValue({ result: { ok: false, code: 'AUTH.UNAUTHENTICATED', message: '请先加入店铺' } });
    const err = await call({ action: 'me.get' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH.UNAUTHENTICATED', status: 401 });
    expect(isAuthExpired(err)).toBe(true);
  });

  it('wraps a failed cloud call', async () => {
    cloud().mockRejectedValue({ errMsg: 'cloud.callFunction:fail -404011 FUNCTION_NOT_FOUND' });
    await expect(call({ action: 'me.get' })).rejects.toMatchObject({ code: 'NETWORK.CLOUD_CALL_FAILED' });
  });
});

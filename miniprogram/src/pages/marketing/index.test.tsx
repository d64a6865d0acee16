import { fireEvent, render } from '@testing-library/react';
import Taro from '@tarojs/taro';
import MarketingPage from './index';

describe('营销 page', () => {
  it('says marketing is coming and that the AI still answers, without calling the backend', () => {
    const fetch = jest.fn();
    (globalThis as { fetch?: unknown }).fetch = fetch;
    const { container } = render(<MarketingPage />);
    expect(container.querySelector('.page-marketing')).not.toBeNull();
    expect(container.textContent).toContain('营销活动还在做');
    expect(container.textContent).toContain('AI 都会先回答');
    expect(container.querySelectorAll('.mk-item')).toHaveLength(2);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('opens 标签和规则 from its card', () => {
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<MarketingPage />);
    fireEvent.click(container.querySelector('.mk-tags')!);
    expect(nav).toHaveBeenCalledWith({ url: '/sub/tags/index' });
    nav.mockRestore();
  });
});

import { render } from '@testing-library/react';
import MarketingPage from './index';

describe('营销 page', () => {
  it('says marketing is coming and that the AI still answers, without calling the backend', () => {
    const fetch = jest.fn();
    (globalThis as { fetch?: unknown }).fetch = fetch;
    const { container } = render(<MarketingPage />);
    expect(container.querySelector('.page-marketing')).not.toBeNull();
    expect(container.textContent).toContain('营销活动和标签规则还在做');
    expect(container.textContent).toContain('AI 都会先回答');
    expect(container.querySelectorAll('.mk-item')).toHaveLength(3);
    expect(fetch).not.toHaveBeenCalled();
  });
});

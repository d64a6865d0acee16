import { fireEvent, render, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import TodayPage from './index'
import { loadToday } from './useToday'
import { fail, mockFetch, ok } from '../../../test/fetch-mock'
import { dashboard, me } from '../../../test/fixtures'

const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent?.trim()

beforeEach(() => {
  Taro.clearStorageSync()
})

describe('今日 page', () => {
  it('shows the shop name and today’s counters with the change versus yesterday', async () => {
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(dashboard())))
    const { container } = render(<TodayPage />)

    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'))
    expect(text(container, '.shop-meta')).toContain('11月22日')
    expect(text(container, '.counter-newCustomers .counter-label')).toBe('新客户')
    expect(text(container, '.counter-newCustomers .counter-value')).toBe('3')
    expect(text(container, '.counter-newCustomers .counter-delta')).toBe('比昨天多 1')
    expect(text(container, '.counter-consultations .counter-delta')).toBe('和昨天一样')
    expect(text(container, '.counter-customerMessages .counter-delta')).toBe('比昨天少 15')
    expect(text(container, '.counter-aiAnswered .counter-label')).toBe('AI 已回复')
    expect(text(container, '.counter-aiHandoffs .counter-label')).toBe('转人工')
    expect(text(container, '.counter-orders .counter-value')).toBe('7')
    expect(text(container, '.counter-waitingHuman .counter-value')).toBe('2')
    expect(text(container, '.counter-revenueFen .counter-value')).toBe('¥1,234.50')
    expect(text(container, '.counter-revenueFen .counter-delta')).toBe('比昨天多 ¥234.50')

    const actions = fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body))
    expect(actions).toEqual([{ action: 'me.get' }, { action: 'dashboard.today', merchantId: 'demo-bakery' }])
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery')
  })

  it('hides revenue for staff', async () => {
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(dashboard({ role: 'staff', revenueFen: null }))))
    const { container } = render(<TodayPage />)
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'))
    expect(container.querySelector('.counter-revenueFen')).toBeNull()
    expect(text(container, '.shop-meta')).toContain('店员')
  })

  it('tells an expired session to ask the owner for a new login link', async () => {
    mockFetch(() => fail(401, 'AUTH.UNAUTHENTICATED', '请先登录'))
    const { container } = render(<TodayPage />)
    await waitFor(() => expect(container.textContent).toContain('登录已过期，请向老板要一个新的登录链接'))
    expect(container.querySelector('.retry')).toBeNull()
  })

  it('shows other errors with a 重试 button that loads again', async () => {
    let broken = true
    mockFetch(({ action }) => {
      if (broken) return fail(500, 'SERVER.INTERNAL', '服务器开小差了')
      return action === 'me.get' ? ok(me) : ok(dashboard())
    })
    const { container } = render(<TodayPage />)
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'))
    broken = false
    fireEvent.click(container.querySelector('.retry')!)
    await waitFor(() => expect(text(container, '.shop-name')).toBe('小麦面包坊'))
  })

  it('shows an empty state when the member has no shop', async () => {
    mockFetch(() => ok({ memberId: 'mem-1', merchants: [] }))
    const { container } = render(<TodayPage />)
    await waitFor(() => expect(container.querySelector('.today-empty')).not.toBeNull())
    expect(container.textContent).toContain('还没有店铺')
  })
})

describe('loadToday()', () => {
  it('uses the shop remembered in storage when the member still belongs to it', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'shop-b')
    const fetch = mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(dashboard())))
    const state = await loadToday()
    expect(state.status).toBe('ready')
    expect(JSON.parse((fetch.mock.calls[1]![1] as { body: string }).body)).toMatchObject({ merchantId: 'shop-b' })
  })

  it('falls back to the first shop when the remembered one is gone', async () => {
    Taro.setStorageSync('xiaoer.merchantId', 'closed-shop')
    mockFetch(({ action }) => (action === 'me.get' ? ok(me) : ok(dashboard())))
    await loadToday()
    expect(Taro.getStorageSync('xiaoer.merchantId')).toBe('demo-bakery')
  })
})

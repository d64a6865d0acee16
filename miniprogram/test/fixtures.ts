import { zeroCounters, type Counters } from '@xiaoer/shared/domain/counters'
import type { ApiResult } from '@xiaoer/shared/contracts/api'

export const me: ApiResult<'me.get'> = {
  memberId: 'mem-1',
  merchants: [
    { id: 'demo-bakery', name: '小麦面包坊', role: 'owner' },
    { id: 'shop-b', name: '街角花店', role: 'staff' },
  ],
}

const counters = (c: Partial<Counters>): Counters => ({ ...zeroCounters(), ...c })

export const dashboard = (over: Partial<ApiResult<'dashboard.today'>> = {}): ApiResult<'dashboard.today'> => ({
  merchant: { id: 'demo-bakery', name: '小麦面包坊', timezone: 'Asia/Shanghai' },
  role: 'owner',
  day: '2026-11-22',
  today: counters({ newCustomers: 3, consultations: 12, customerMessages: 40, aiAnswered: 30, aiHandoffs: 4, orders: 7, revenueFen: 123450 }),
  yesterday: counters({ newCustomers: 2, consultations: 12, customerMessages: 55, aiAnswered: 20, aiHandoffs: 5, orders: 9, revenueFen: 100000 }),
  waitingHuman: 2,
  revenueFen: 123450,
  ...over,
})

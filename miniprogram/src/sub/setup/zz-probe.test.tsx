import { render, act } from '@testing-library/react'
import { Button, View, Text } from '@tarojs/components'
const tick = () => act(async () => { await new Promise((res) => setTimeout(res, 50)) })
it('probe text', async () => {
  const r = render(<Button className='b'>保存</Button>)
  await tick()
  console.log('--- text change')
  r.rerender(<Button className='b'>正在保存…</Button>)
  await tick()
})
it('probe conditional error above', async () => {
  const r = render(<View className='f'><Button className='b'>保存</Button></View>)
  await tick()
  console.log('--- insert before')
  r.rerender(<View className='f'><Text className='e'>err</Text><Button className='b'>保存</Button></View>)
  await tick()
})

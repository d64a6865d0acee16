import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='trends' title='经营趋势' text='这一页正在做。' />
}

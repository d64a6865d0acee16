export default definePageConfig({
  navigationBarTitleText: '会话详情',
  enablePullDownRefresh: true,
});

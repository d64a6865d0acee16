export default definePageConfig({
  navigationBarTitleText: '今日',
  enablePullDownRefresh: true,
});

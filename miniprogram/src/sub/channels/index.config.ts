export default definePageConfig({
  navigationBarTitleText: '渠道活码',
  enablePullDownRefresh: true,
});

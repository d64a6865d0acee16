export default definePageConfig({
  navigationBarTitleText: '客户资料',
  enablePullDownRefresh: true,
});

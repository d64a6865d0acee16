export default definePageConfig({
  navigationBarTitleText: '自动跟进',
  enablePullDownRefresh: true,
});

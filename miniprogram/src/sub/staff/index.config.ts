export default definePageConfig({ navigationBarTitleText: '店员和邀请码', enablePullDownRefresh: true });

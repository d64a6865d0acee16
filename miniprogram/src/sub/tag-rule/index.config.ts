export default definePageConfig({ navigationBarTitleText: '标签规则' });

export default defineAppConfig({
  pages: ['pages/today/index', 'pages/conversations/index', 'pages/customers/index', 'pages/marketing/index', 'pages/me/index'],
  // Everything that is not a tab lives in one subpackage: the main package (tab pages, services,
  // shared contracts) must stay under 0.6 MB; ECharts is only ever loaded here (sub/trends).
  subPackages: [
    {
      root: 'sub',
      pages: [
        'thread/index',
        'customer/index',
        'kb/index',
        'kb-edit/index',
        'teach/index',
        'trends/index',
        'settings/index',
        'staff/index',
        'setup/index',
        'report/index',
        'reports/index',
        'alerts/index',
        'products/index',
        'tags/index',
        'tag-rule/index',
        'channels/index',
      ],
    },
  ],
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f5f6f8',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '店小二',
    navigationBarTextStyle: 'black',
  },
  tabBar: {
    color: '#6b7280',
    selectedColor: '#e0502d',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/today/index', text: '今日' },
      { pagePath: 'pages/conversations/index', text: '会话' },
      { pagePath: 'pages/customers/index', text: '客户' },
      { pagePath: 'pages/marketing/index', text: '营销' },
      { pagePath: 'pages/me/index', text: '我的' },
    ],
  },
});

export { DEMO_KF_ACCOUNT, DEMO_MERCHANT_ID, DEMO_WECOM } from './catalog';
export { buildDemoShop, type DemoShopData } from './build';
export { seedDemoShop } from './seed';

import type { Page } from './page';
import { devicesPage } from './pages/devices';
import { imagesPage } from './pages/images';
import { lakeDatasetPage } from './pages/lake-dataset';
import { lakeSearchPage } from './pages/lake-search';
import { lakeSqlPage } from './pages/lake-sql';
import { opsPage } from './pages/ops';
import { profilePage } from './pages/profile';
import { productPage, shopPage } from './pages/shop';
import { telemetryPage } from './pages/telemetry';

export interface NavigationEntry {
  /**
   * The hash route: '/devices' is #/devices. A segment ':name' matches any one segment, which the page
   * reads as the parameter `name` ('/shop/:productId': #/shop/th-aria-2).
   */
  path: string;
  label: string;
  page: Page;
  /** Shown only to members of the admins group (the API enforces it again). */
  adminOnly?: boolean;
  /** Open to everyone, signed in or not, and in the menu of visitors who are not (the shop). */
  public?: boolean;
  /** A page reached from another (a dataset from the lake's search): not in the menu, which marks its parent. */
  parent?: string;
}

/**
 * The portal's pages, in menu order: the menu shows those without a parent, the public ones to
 * everyone, the others once signed in. A service's page joins with one entry when its API lands.
 */
export const NAVIGATION: readonly NavigationEntry[] = [
  { path: '/devices', label: 'Devices', page: devicesPage },
  // clickstream's API (base path /clicks): 1-minute averages and alerts.
  { path: '/telemetry', label: 'Telemetry', page: telemetryPage },
  { path: '/images', label: 'Images', page: imagesPage },
  // The catalog's API (base path /catalog): the data lake's search, datasets and SQL.
  { path: '/lake', label: 'Lake', page: lakeSearchPage },
  { path: '/lake/dataset', label: 'Dataset', page: lakeDatasetPage, parent: '/lake' },
  { path: '/lake/sql', label: 'SQL', page: lakeSqlPage },
  // The ops service's admin API (base path /ops): tasks, runs, security findings.
  { path: '/ops', label: 'Ops', page: opsPage, adminOnly: true },
  // clickstream's anonymous routes (base path /clicks): the products, and the beacons of every page.
  { path: '/shop', label: 'Shop', page: shopPage, public: true },
  { path: '/shop/:productId', label: 'Product', page: productPage, parent: '/shop', public: true },
  { path: '/profile', label: 'Profile', page: profilePage },
];

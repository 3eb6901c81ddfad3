import type { Page } from './page';
import { devicesPage } from './pages/devices';
import { imagesPage } from './pages/images';
import { lakeDatasetPage } from './pages/lake-dataset';
import { lakeSearchPage } from './pages/lake-search';
import { lakeSqlPage } from './pages/lake-sql';
import { opsPage } from './pages/ops';
import { profilePage } from './pages/profile';
import { telemetryPage } from './pages/telemetry';

export interface NavigationEntry {
  /** The hash route: '/devices' is #/devices. */
  path: string;
  label: string;
  page: Page;
  /** Shown only to members of the admins group (the API enforces it again). */
  adminOnly?: boolean;
  /** A page reached from another (a dataset from the lake's search): not in the menu, which marks its parent. */
  parent?: string;
}

/**
 * The signed-in portal's pages, in menu order: the menu shows those without a parent. A service's
 * page joins with one entry when its API lands.
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
  { path: '/profile', label: 'Profile', page: profilePage },
];

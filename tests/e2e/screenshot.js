// Takes the README's screenshot: the demo proxy with its built-in
// sandbox, Leanplum connected, and the export dialog of a demo cohort.
// Run: node tests/e2e/screenshot.js [out.png]; default docs/screenshot.png.

import { join } from 'node:path';
import { ensureBuilt, startProxy, startFront, launchBrowser, ROOT } from './harness.js';

const out = process.argv[2] ?? join(ROOT, 'docs', 'screenshot.png');

ensureBuilt();
const proxy = await startProxy();
const front = await startFront({ proxyPort: proxy.port });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  await page.goto(front.url + '/');
  const card = page.getByRole('article', { name: 'Leanplum' });
  await card.getByRole('button', { name: 'Connect', exact: true }).click();
  const connect = page.getByRole('dialog', { name: 'Connect Leanplum' });
  await connect.getByLabel('App ID', { exact: true }).fill('app_cohort-sync-demo-sandbox-app-00000000000000');
  await connect.getByLabel('API Secret', { exact: true }).fill('prod_cohort-sync-demo-sandbox-key-00000000000000');
  await connect.getByRole('button', { name: 'Connect', exact: true }).click();
  await card.getByText('Connected', { exact: true }).waitFor();

  await page.getByRole('link', { name: 'Cohorts', exact: true }).click();
  await page.getByRole('button', { name: 'Actions for Power users', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Export to Leanplum' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export to Leanplum' });
  await dialog.getByRole('radio', { name: 'Dynamic sync' }).check();
  await dialog.getByRole('table', { name: 'Change preview' }).waitFor();
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await front.close();
  await proxy.stop();
}

// The app shell: both pages render the proxy's data, navigation works by
// click and by URL, errors are shown in words with a retry, and the console
// can be embedded under a base path without touching its host page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, startProxy, startFront, launchBrowser, withPage } from './harness.js';

let proxy;
let front;
let browser;

const HOST_HEADER = 'Acme Analytics dashboard';
const HOST_FOOTER = 'Footer owned by the host page';

function hostPage(indexHtml) {
  return indexHtml
    .replace('data-base=""', 'data-base="/dashboard/leanplum"')
    .replace('<body>', `<body><header id="host-header"><h2>${HOST_HEADER}</h2></header>`)
    .replace('</body>', `<footer id="host-footer"><p>${HOST_FOOTER}</p></footer></body>`);
}

before(async () => {
  ensureBuilt();
  proxy = await startProxy();
  front = await startFront({ proxyPort: proxy.port, hostPages: { '/dashboard/leanplum': hostPage } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await front?.close();
  await proxy?.stop();
});

test('the integrations page shows Leanplum from the proxy', async () => {
  await withPage(browser, 'integrations-page', async (page) => {
    await page.goto(front.url + '/');
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    const card = page.getByRole('article', { name: 'Leanplum' });
    await card.waitFor();
    assert.equal(await card.getByText('Not connected', { exact: true }).count(), 1);
  });
});

test('the cohorts page lists every demo cohort with its member count', async () => {
  await withPage(browser, 'cohorts-page', async (page) => {
    await page.goto(front.url + '/cohorts');
    const table = page.getByRole('table', { name: 'Cohorts' });
    await table.waitFor();
    const expected = {
      'Churn risk': '540',
      'Newsletter subscribers': '2,140',
      'Power users': '920',
      'Recent signups': '380',
      'Trial ending this week': '90',
      'VIP accounts': '24',
    };
    for (const [name, members] of Object.entries(expected)) {
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
      assert.equal(await row.count(), 1, `one row for ${name}`);
      assert.equal(await row.getByRole('cell').nth(1).innerText(), members, `members of ${name}`);
    }
  });
});

test('navigation works by clicking and by URL, and unknown URLs say so', async () => {
  await withPage(browser, 'navigation', async (page) => {
    await page.goto(front.url + '/');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Cohorts', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Cohorts' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/cohorts');

    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();

    await page.goto(front.url + '/no-such-page');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Go to Integrations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
  });
});

test('a stopped proxy is reported in words and retry recovers', async () => {
  await withPage(browser, 'proxy-down', async (page) => {
    await page.goto(front.url + '/');
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    await page.getByRole('article', { name: 'Leanplum' }).waitFor();

    const database = proxy.database;
    await proxy.stop();
    await page.getByRole('link', { name: 'Cohorts', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Could not load cohorts\./);
    assert.match(await alert.innerText(), /proxy/i);

    proxy = await startProxy({ database });
    front.setProxyPort(proxy.port);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('table', { name: 'Cohorts' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
  });
});

test('embedded under a base path, the console leaves its host page alone', async () => {
  await withPage(browser, 'embedded', async (page) => {
    await page.goto(front.url + '/dashboard/leanplum/cohorts');
    await page.getByRole('heading', { level: 1, name: 'Cohorts' }).waitFor();
    await page.getByRole('table', { name: 'Cohorts' }).waitFor();

    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/dashboard\/leanplum\/?$/);

    assert.equal(await page.locator('#host-header h2').innerText(), HOST_HEADER);
    assert.equal(await page.locator('#host-footer p').innerText(), HOST_FOOTER);
    // The console stays inside its host element.
    assert.equal(await page.locator('body > .console').count(), 0);
    assert.equal(await page.locator('#cohort-sync-console > .console').count(), 1);
  });
});

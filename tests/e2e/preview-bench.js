// Measures the export preview in the browser for large cohorts: from
// picking Export to Leanplum to the identity numbers on screen, and the
// part of it spent decoding, resolving and planning (the app's
// `cohort-preview` user-timing mark), first with no previous export,
// then against the snapshot a one-time export of every member leaves.
// Run: node tests/e2e/preview-bench.js [members...]; defaults to 100000
// and 1000000.

import { ensureBuilt, startProxy, startFront, launchBrowser, useReleaseProxy, callApi } from './harness.js';
import { importDataset, bigProfiles, bigMembers } from './cohort-data.js';
import { startFakeLeanplum, GOOD_APP_ID, GOOD_SECRET } from './fake-leanplum.js';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const SIZES = sizes.length ? sizes : [100_000, 1_000_000];
const largest = Math.max(...SIZES);

useReleaseProxy();
ensureBuilt();
console.log(`importing ${largest.toLocaleString('en-US')} profiles…`);
const database = await importDataset({
  profiles: bigProfiles(largest),
  cohorts: (function* () {
    for (const n of SIZES) yield { id: `bench-${n}`, name: `Bench ${n}`, description: '', members: bigMembers(n) };
  })(),
});
const fake = await startFakeLeanplum();
const proxy = await startProxy({ database, args: ['--leanplum-url', fake.url] });
const front = await startFront({ proxyPort: proxy.port });
const browser = await launchBrowser();
try {
  const api = async (page, method, path, body) => (await callApi(page, front.url, method, path, body)).body;
  const setup = await browser.newPage();
  await api(setup, 'POST', '/integrations/leanplum/connect', { app_id: GOOD_APP_ID, api_secret: GOOD_SECRET });
  await setup.close();
  for (const n of SIZES) {
    for (const snapshot of ['no snapshot', 'a snapshot of every member']) {
      const page = await browser.newPage();
      if (snapshot !== 'no snapshot') {
        // A one-time export leaves a snapshot as large as the cohort.
        const sync = await api(page, 'POST', '/syncs', { cohort_id: `bench-${n}`, kind: 'one_time' });
        for (let state = sync.status.state; state !== 'done'; ) {
          if (state === 'failed' || state === 'paused') throw new Error(`export failed: ${JSON.stringify(sync)}`);
          await new Promise((r) => setTimeout(r, 500));
          state = (await api(page, 'GET', `/syncs/${sync.id}`)).status.state;
        }
      }
      await page.goto(front.url + '/cohorts');
      await page.getByRole('button', { name: `Actions for Bench ${n}`, exact: true }).click();
      const item = page.getByRole('menuitem', { name: 'Export to Leanplum' });
      await item.waitFor();
      const started = Date.now();
      await item.click();
      const shown = n.toLocaleString('en-US');
      await page
        .getByRole('dialog', { name: 'Export to Leanplum' })
        .getByRole('row', { name: `Members ${shown}`, exact: true })
        .waitFor({ timeout: 300_000 });
      const ms = Date.now() - started;
      const mark = await page.evaluate(() => performance.getEntriesByName('cohort-preview').at(-1)?.detail);
      console.log(
        `${shown} members, ${snapshot}: ${ms} ms to the preview on screen; ` +
          `${Math.round(mark.total_ms)} ms streaming+work, of which ${Math.round(mark.work_ms)} ms decode+resolve+plan`,
      );
      await page.close();
    }
  }
} finally {
  await browser.close();
  await front.close();
  await proxy.stop();
  await fake.close();
}

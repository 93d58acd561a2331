// The Cohorts page: the list, the ⋯ menu, the export dialog's identity and
// change previews computed in the browser, the CSV, starting a sync once,
// following its runs, stopping it, and who may export.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { ensureBuilt, startProxy, startFront, launchBrowser, withPage, callApi } from './harness.js';
import { startFakeLeanplum, GOOD_APP_ID, GOOD_SECRET } from './fake-leanplum.js';
import { importDataset, bigProfiles, bigMembers } from './cohort-data.js';

const HTML_NAME = '<img src=x onerror="window.__xss=1"><b>Bold</b> cohort';
const HTML_ID = 'html<b>';
const LONG_ID = 'x'.repeat(401);

let fake;
let proxy;
let front;
let browser;
let otherProxy;
let otherFront;

function* profiles() {
  yield { distinct_id: 'u1', properties: { $leanplum_user_id: 'lp-1', plan: 'pro' } };
  yield { distinct_id: 'u2', properties: { plan: 'free' } };
  yield { distinct_id: 'u3', properties: { $leanplum_user_id: 42 } };
  yield { distinct_id: 'u4', properties: { $leanplum_user_id: '   ' } };
  yield { distinct_id: 'u5', properties: { $leanplum_user_id: 'lp-1' } };
  yield { distinct_id: 'u6', properties: { $leanplum_user_id: LONG_ID } };
  yield { distinct_id: 'u8', properties: {} };
  yield { distinct_id: '<b>u9</b>', properties: { plan: 'x' } };
  yield { distinct_id: 's1', properties: { $leanplum_user_id: 's-1' } };
  yield { distinct_id: 's2', properties: { plan: 'x' } };
  yield { distinct_id: 's3', properties: { $leanplum_user_id: 's-3' } };
  yield* bigProfiles(200_000);
}

function* cohorts() {
  yield {
    id: 'main',
    name: 'Main cohort',
    description: 'Every identity case once',
    members: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', '<b>u9</b>'],
  };
  yield { id: 'shifting', name: 'Shifting', description: 'Changes between syncs', members: ['s1', 's2', 's3'] };
  yield { id: HTML_ID, name: HTML_NAME, description: '<i>not italic</i>', members: ['u1'] };
  yield { id: 'big100k', name: 'Big 100k', description: 'Many members', members: bigMembers(100_000) };
  yield { id: 'big200k', name: 'Big 200k', description: 'Even more members', members: bigMembers(200_000) };
}

/** Calls the API of the main proxy as the page's account. */
function api(page, method, path, body, headers) {
  return callApi(page, front.url, method, path, body, headers);
}

async function waitForSync(page, id, done) {
  for (let i = 0; i < 200; i++) {
    const { body } = await api(page, 'GET', `/syncs/${id}`);
    if (done(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sync ${id} never finished`);
}

before(async () => {
  ensureBuilt();
  fake = await startFakeLeanplum();
  const database = await importDataset({ profiles: profiles(), cohorts: cohorts() });
  proxy = await startProxy({ database, args: ['--leanplum-url', fake.url] });
  front = await startFront({ proxyPort: proxy.port });
  otherProxy = await startProxy({ args: ['--leanplum-url', fake.url] });
  otherFront = await startFront({ proxyPort: otherProxy.port });
  browser = await launchBrowser();
  await withPage(browser, 'connect', async (page) => {
    const connected = await api(page, 'POST', '/integrations/leanplum/connect', {
      app_id: GOOD_APP_ID,
      api_secret: GOOD_SECRET,
    });
    assert.equal(connected.status, 200);
  });
});

after(async () => {
  await browser?.close();
  await front?.close();
  await otherFront?.close();
  await proxy?.stop();
  await otherProxy?.stop();
  await fake?.close();
});

function row(page, name) {
  return page
    .getByRole('table', { name: 'Cohorts' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** Opens the export dialog of `name` with the mouse. */
async function openExport(page, name) {
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Export to Leanplum' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export to Leanplum' });
  await dialog.waitFor();
  return dialog;
}

async function counts(scope, caption) {
  const table = scope.getByRole('table', { name: caption });
  await table.getByRole('row').first().waitFor();
  const out = {};
  for (const r of await table.getByRole('row').all()) {
    out[await r.getByRole('rowheader').innerText()] = await r.getByRole('cell').innerText();
  }
  return out;
}

async function listRows(dialog, name) {
  const table = dialog.getByRole('table', { name, exact: true });
  await table.waitFor();
  const rows = table.getByRole('row');
  const out = [];
  for (const r of (await rows.all()).slice(1)) {
    const cells = await r.getByRole('cell').allInnerTexts();
    out.push(cells.join(' | '));
  }
  return out;
}

test('the list filters by name and sorts by a column header', async () => {
  await withPage(browser, 'cohorts-list', async (page) => {
    await page.goto(front.url + '/cohorts');
    const table = page.getByRole('table', { name: 'Cohorts' });
    await table.waitFor();
    await page.getByLabel('Filter by name').fill('big');
    assert.deepEqual(await table.getByRole('rowheader').allInnerTexts(), ['Big 100k', 'Big 200k']);
    const members = table.getByRole('columnheader', { name: 'Members' });
    await members.getByRole('button').click();
    await members.getByRole('button').click();
    assert.equal(await members.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await table.getByRole('rowheader').allInnerTexts(), ['Big 200k', 'Big 100k']);
    assert.equal(await row(page, 'Big 200k').getByRole('cell').nth(1).innerText(), '200,000');
  });
});

test('the identity preview gives every number and every flagged reason', async () => {
  await withPage(browser, 'identity-preview', async (page) => {
    await page.goto(front.url + '/cohorts');
    const dialog = await openExport(page, 'Main cohort');
    assert.deepEqual(await counts(dialog, 'Identity preview'), {
      Members: '9',
      Identified: '7',
      'Anonymous (not exported)': '2',
      'Matched by $leanplum_user_id': '2',
      'Matched by distinct ID': '2',
      'Fallbacks to distinct ID': '2',
      'Invalid (not exported)': '1',
      'Conflicts (not exported)': '1',
      Exported: '5',
    });
    const reasons = async (group) =>
      dialog.getByRole('region', { name: group }).getByRole('listitem').allInnerTexts();
    assert.deepEqual(await reasons('Fallbacks (2)'), [
      'u3 — $leanplum_user_id is a number (42), not a string, so the distinct id is used.',
      'u4 — $leanplum_user_id is blank, so the distinct id is used.',
    ]);
    assert.deepEqual(await reasons('Invalid (1)'), [
      'u6 — The Leanplum id is 401 characters long; Leanplum accepts at most 400. Not exported.',
    ]);
    assert.deepEqual(await reasons('Conflicts (1)'), [
      'u1 — 2 members resolve to the Leanplum id "lp-1": "u1", "u5". It is sent once, for "u1" (first in the cohort); the others are not exported.',
    ]);
    assert.match(
      await dialog.getByRole('img', { name: /^Of 9 members/ }).getAttribute('aria-label'),
      /2 by \$leanplum_user_id, 2 by distinct ID, 2 fallbacks, 1 invalid, 2 anonymous/,
    );
    assert.match(await dialog.innerText(), /Mixpanel: Main cohort/);

    assert.deepEqual(await counts(dialog, 'Change preview'), {
      'To add': '5',
      'To remove': '0',
      Unchanged: '0',
      'Updates sent to Leanplum': '5',
    });
    // An HTML distinct id is text, not markup.
    assert.deepEqual(await listRows(dialog, 'To add'), [
      'u1 | lp-1',
      'u2 | u2',
      'u3 | u3',
      'u4 | u4',
      '<b>u9</b> | <b>u9</b>',
    ]);
    assert.equal(await dialog.locator('.plan-table b').count(), 0);

    await dialog.getByLabel('Search by distinct ID or Leanplum ID').fill('LP-1');
    assert.deepEqual(await listRows(dialog, 'To add'), ['u1 | lp-1']);
    await dialog.getByLabel('Search by distinct ID or Leanplum ID').fill('<b>');
    assert.deepEqual(await listRows(dialog, 'To add'), ['<b>u9</b> | <b>u9</b>']);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download plan as CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'main-plan.csv');
    assert.equal(
      readFileSync(await download.path(), 'utf8'),
      'distinct_id,leanplum_user_id,operation\r\n' +
        'u1,lp-1,add\r\nu2,u2,add\r\nu3,u3,add\r\nu4,u4,add\r\n<b>u9</b>,<b>u9</b>,add\r\n',
    );
  });
});

test('after an export, the change preview shows additions, removals and the one-time replacement', async () => {
  await withPage(browser, 'change-preview', async (page) => {
    await page.goto(front.url + '/cohorts');
    const first = await api(page, 'POST', '/syncs', { cohort_id: 'shifting', kind: 'one_time' }, { 'idempotency-key': 'setup-1' });
    assert.equal(first.status, 201);
    await waitForSync(page, first.body.id, (s) => s.status.state === 'done');
    const moved = await api(page, 'POST', '/ingest/profiles', [
      { $distinct_id: 's2', $set: { $leanplum_user_id: 's-2' } },
      { $distinct_id: 's3', $set: { $leanplum_user_id: 's-3b' } },
    ]);
    assert.equal(moved.status, 200);

    await page.reload();
    const dialog = await openExport(page, 'Shifting');
    await dialog.getByRole('radio', { name: 'Dynamic sync' }).check();
    assert.deepEqual(await counts(dialog, 'Change preview'), {
      'To add': '2',
      'To remove': '2',
      Unchanged: '1',
      'Updates sent to Leanplum': '4',
    });
    assert.deepEqual(await listRows(dialog, 'To add'), ['s2 | s-2', 's3 | s-3b']);
    await dialog.getByRole('button', { name: 'To remove' }).click();
    // Removals come in the order of the proxy's snapshot.
    assert.deepEqual((await listRows(dialog, 'To remove')).sort(), ['s2 | s2', 's3 | s-3']);
    await dialog.getByLabel('Search by distinct ID or Leanplum ID').fill('s-3');
    assert.deepEqual(await listRows(dialog, 'To remove'), ['s3 | s-3']);
    await dialog.getByLabel('Search by distinct ID or Leanplum ID').fill('');
    await dialog.getByRole('button', { name: 'Unchanged' }).click();
    assert.deepEqual(await listRows(dialog, 'Unchanged'), ['s1 | s-1']);

    await dialog.getByRole('radio', { name: 'One-time export' }).check();
    assert.deepEqual(await counts(dialog, 'Change preview'), {
      'Replacing the previous export': '3',
      'Dropped from the previous export': '2',
      'Already set by the last sync': '1',
      'Updates sent to Leanplum': '5',
    });
    assert.deepEqual(await listRows(dialog, 'Replacing the previous export'), ['s2 | s-2', 's3 | s-3b', 's1 | s-1']);
    await dialog.getByRole('button', { name: 'Dropped from the previous export' }).click();
    assert.deepEqual((await listRows(dialog, 'Dropped from the previous export')).sort(), ['s2 | s2', 's3 | s-3']);
  });
});

test('Start Sync clicked twice starts one sync, whose run is followed and can be stopped', async () => {
  await withPage(browser, 'start-sync', async (page) => {
    await page.goto(front.url + '/cohorts');
    const before = (await api(page, 'GET', '/syncs')).body.syncs.filter((s) => s.cohort_id === 'shifting');
    const callsBefore = fake.calls.length;
    const dialog = await openExport(page, 'Shifting');
    await dialog.getByRole('radio', { name: 'Dynamic sync' }).check();
    await dialog.getByRole('table', { name: 'Change preview' }).waitFor();
    await dialog.getByRole('button', { name: 'Start Sync' }).dblclick();
    await dialog.getByRole('status').filter({ hasText: 'Dynamic sync started' }).waitFor();
    const after = (await api(page, 'GET', '/syncs')).body.syncs.filter((s) => s.cohort_id === 'shifting');
    assert.equal(after.length, before.length + 1, 'exactly one sync started');

    await dialog.getByRole('button', { name: 'Close' }).click();
    const panel = page.getByRole('region', { name: 'Sync of Shifting' });
    await panel.waitFor();
    const history = panel.getByRole('table', { name: 'Run history' });
    const done = history.getByRole('row').filter({ hasText: 'Succeeded' });
    await done.first().waitFor({ timeout: 20000 });
    const cells = await done.first().getByRole('cell').allInnerTexts();
    // added, removed, not found, skipped, invalid, failed, status
    assert.deepEqual(cells.slice(0, 7), ['2', '2', '0', '0', '0', '0', 'Succeeded']);
    const attribute = 'Mixpanel: Shifting';
    assert.equal(fake.attributes.get('s-2')[attribute], true);
    assert.equal(fake.attributes.get('s-3b')[attribute], true);
    assert.equal(fake.attributes.get('s2')[attribute], false);
    assert.equal(fake.attributes.get('s-3')[attribute], false);
    assert.equal(fake.attributes.get('s-1')[attribute], true);
    const sent = fake.calls.slice(callsBefore).flatMap((c) => c.body?.data ?? []);
    assert.deepEqual(sent.map((a) => a.userId).sort(), ['s-2', 's-3', 's-3b', 's2']);
    assert.match(await panel.getByRole('img').getAttribute('aria-label'), /Latest run: 3 members, 2 added, 2 removed/);

    await panel.getByRole('button', { name: 'Stop sync' }).click();
    const confirm = page.getByRole('dialog', { name: 'Stop this sync?' });
    await confirm.getByRole('button', { name: 'Stop sync' }).click();
    await panel.getByText('Stopped', { exact: true }).waitFor();
    await confirm.waitFor({ state: 'hidden' });
  });
});

test('a member can look but not export', async () => {
  await withPage(browser, 'member-cannot-export', async (page) => {
    await page.goto(front.url + '/cohorts');
    assert.equal((await api(page, 'POST', '/session', { account_id: 'max' })).status, 204);
    await page.reload();
    await page.getByRole('button', { name: 'Actions for Main cohort' }).click();
    const item = page.getByRole('menuitem', { name: /Export to Leanplum/ });
    await item.waitFor();
    assert.equal(await item.getAttribute('aria-disabled'), 'true');
    assert.match(await item.innerText(), /Only project admins can export cohorts\./);
    await item.dispatchEvent('click');
    assert.equal(await page.getByRole('dialog', { name: 'Export to Leanplum' }).count(), 0);
  });
});

test('without Leanplum connected, the menu says so and links to Integrations', async () => {
  await withPage(browser, 'not-connected', async (page) => {
    await page.goto(otherFront.url + '/cohorts');
    await page.getByRole('button', { name: 'Actions for Power users' }).click();
    const item = page.getByRole('menuitem', { name: /Export to Leanplum/ });
    await item.waitFor();
    assert.match(await item.innerText(), /Leanplum is not connected/);
    await item.click();
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/integrations');
  });
});

test('the menu and the dialog work with the keyboard alone', async () => {
  await withPage(browser, 'keyboard', async (page) => {
    await page.goto(front.url + '/cohorts');
    const button = page.getByRole('button', { name: 'Actions for Main cohort' });
    await button.focus();
    await page.keyboard.press('Enter');
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'menuitem');
    assert.equal(await focused(), 'Export to Leanplum');
    await page.keyboard.press('Escape');
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Actions for Main cohort');

    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'menuitem');
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Export to Leanplum' });
    await dialog.getByRole('table', { name: 'Identity preview' }).waitFor();
    // Tab to the kind radios and pick One-time export with the arrows.
    for (let i = 0; i < 15; i++) {
      const name = await page.evaluate(() => document.activeElement?.type);
      if (name === 'radio') break;
      await page.keyboard.press('Tab');
    }
    const onDynamic = await page.evaluate(() => document.activeElement?.checked);
    await page.keyboard.press(onDynamic ? 'ArrowUp' : 'Space');
    assert.equal(await dialog.getByRole('radio', { name: 'One-time export' }).isChecked(), true);
    await dialog.getByRole('table', { name: 'Replacing the previous export' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Actions for Main cohort');
  });
});

test('the page and the open dialog pass axe', async () => {
  await withPage(browser, 'axe', async (page) => {
    await page.goto(front.url + '/cohorts');
    await page.getByRole('table', { name: 'Cohorts' }).waitFor();
    const pageResults = await new AxeBuilder({ page }).analyze();
    assert.deepEqual(pageResults.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
    const dialog = await openExport(page, 'Main cohort');
    await dialog.getByRole('table', { name: 'Change preview' }).waitFor();
    const dialogResults = await new AxeBuilder({ page }).include('dialog[open]').analyze();
    assert.deepEqual(dialogResults.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
  });
});

test('cohort names and ids holding HTML are shown as text', async () => {
  await withPage(browser, 'html-as-text', async (page) => {
    await page.goto(front.url + '/cohorts');
    const r = row(page, HTML_NAME);
    await r.waitFor();
    assert.equal(await r.getByRole('cell').first().innerText(), '<i>not italic</i>');
    assert.equal(await page.locator('table.cohorts img, table.cohorts b, table.cohorts i').count(), 0);
    const dialog = await openExport(page, HTML_NAME);
    assert.match(await dialog.innerText(), /Cohort: <img src=x onerror="window.__xss=1"><b>Bold<\/b> cohort/);
    await dialog.getByRole('table', { name: 'Identity preview' }).waitFor();
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });
});

async function timePreview(page, name, members) {
  await page.goto(front.url + '/cohorts');
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const bar = document.querySelector('[role=progressbar]');
      const label = bar && document.getElementById(bar.getAttribute('aria-labelledby'))?.textContent;
      if (label?.startsWith('Reading members')) {
        window.__progress.push([Number(bar.getAttribute('aria-valuenow')), Number(bar.getAttribute('aria-valuemax'))]);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const started = Date.now();
  await page.getByRole('menuitem', { name: 'Export to Leanplum' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export to Leanplum' });
  const shown = members.toLocaleString('en-US');
  await dialog.getByRole('row', { name: `Members ${shown}`, exact: true }).waitFor({ timeout: 60000 });
  const ms = Date.now() - started;
  const mark = await page.evaluate(() => performance.getEntriesByName('cohort-preview').at(-1)?.detail);
  console.log(`preview of ${shown} members: ${ms} ms in the page (decode+resolve+plan ${Math.round(mark.work_ms)} ms)`);
  return { dialog, ms };
}

test('a 200,000-member cohort previews with a progress bar and a small DOM', async () => {
  await withPage(browser, 'big-cohort', async (page) => {
    await timePreview(page, 'Big 100k', 100_000);
    const { dialog } = await timePreview(page, 'Big 200k', 200_000);
    const progress = await page.evaluate(() => window.__progress);
    assert.ok(progress.length > 0, 'a progress bar was shown');
    assert.ok(progress.every(([, max]) => max === 200_000), 'the progress bar counts the announced lines');
    assert.ok(progress.some(([now]) => now > 0 && now < 200_000), 'the progress bar moved');

    assert.equal(await dialog.getByRole('row', { name: 'To add 200,000', exact: true }).count(), 1);
    assert.ok((await page.locator('[role=row]').count()) < 300, 'few rows in the DOM');
    // Scroll to the middle: the rows there are rendered, still few.
    await dialog.locator('.plan-scroll').evaluate((el) => (el.scrollTop = 100_000 * 28));
    await dialog.getByRole('cell', { name: 'big-100000', exact: true }).waitFor();
    assert.ok((await page.locator('[role=row]').count()) < 300);
    await dialog.getByLabel('Search by distinct ID or Leanplum ID').fill('lp-big-199998');
    assert.deepEqual(await listRows(dialog, 'To add'), ['big-199998 | lp-big-199998']);
  });
});

test('loading a large cohort can be cancelled', async () => {
  await withPage(browser, 'cancel', async (page) => {
    await page.goto(front.url + '/cohorts');
    const dialog = await openExport(page, 'Big 200k');
    await dialog.getByRole('button', { name: 'Cancel loading' }).click();
    await dialog.getByText('Loading cancelled.').waitFor();
    await dialog.getByRole('button', { name: 'Load preview again' }).click();
    await dialog.getByRole('row', { name: 'Members 200,000', exact: true }).waitFor({ timeout: 60000 });
  });
});

// Last: it leaves Leanplum refusing the stored credentials.
test('a failed run says why behind View error', async () => {
  await withPage(browser, 'failed-run', async (page) => {
    await page.goto(front.url + '/cohorts');
    fake.setMode('reject');
    try {
      const dialog = await openExport(page, 'Main cohort');
      await dialog.getByRole('radio', { name: 'One-time export' }).check();
      await dialog.getByRole('table', { name: 'Change preview' }).waitFor();
      await dialog.getByRole('button', { name: 'Start Sync' }).click();
      await dialog.getByRole('status').filter({ hasText: 'One-time export started' }).waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();

      const panel = page.getByRole('region', { name: 'Sync of Main cohort' });
      const failed = panel.getByRole('table', { name: 'Run history' }).getByRole('row').filter({ has: page.getByRole('cell', { name: 'Failed', exact: true }) });
      await failed.first().waitFor({ timeout: 20000 });
      // Started, added, removed, not found, skipped, invalid, failed, status.
      assert.deepEqual((await failed.first().getByRole('cell').allInnerTexts()).slice(0, 7), ['0', '0', '0', '2', '1', '0', 'Failed']);
      // One run: its cohort size is a dot, since a line needs two.
      assert.equal(await panel.getByRole('img').locator('circle').count(), 1);
      const toggle = failed.first().getByRole('button', { name: 'View error' });
      const error = page.locator(`[id="${await toggle.getAttribute('aria-controls')}"]`);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await error.isVisible(), false);
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      assert.equal(await error.isVisible(), true);
      assert.match(await error.innerText(), /Invalid app ID or client key\./);
      assert.doesNotMatch(await error.innerText(), new RegExp(GOOD_SECRET));
      await toggle.click();
      assert.equal(await error.isVisible(), false);
    } finally {
      fake.setMode('ok');
    }
  });
});

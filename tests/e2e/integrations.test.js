// The Integrations page: connecting Leanplum with checked credentials,
// what happens when Leanplum refuses or cannot be reached, disconnecting,
// what a non-admin sees, keyboard use, accessibility, and the events
// Leanplum sends back for a month.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { ensureBuilt, startProxy, startFront, launchBrowser, withPage, tempDir, ROOT } from './harness.js';
import { startFakeLeanplum, GOOD_APP_ID, GOOD_SECRET } from './fake-leanplum.js';

let browser;

before(async () => {
  ensureBuilt();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/**
 * A fresh proxy (demo accounts, its own database) in front of a fake
 * Leanplum, or of the built-in sandbox when `sandbox` is true.
 */
async function environment({ sandbox = false, database } = {}) {
  const fake = sandbox ? null : await startFakeLeanplum();
  const args = ['--retry-base-ms', '5', ...(fake ? ['--leanplum-url', fake.url] : [])];
  const proxy = await startProxy({ database, args });
  const front = await startFront({ proxyPort: proxy.port });
  return {
    fake,
    proxy,
    front,
    connectCalls: () => (fake ? fake.calls.length : 0),
    async close() {
      await front.close();
      // A test may have replaced the proxy with a restarted one.
      await this.proxy.stop();
      await fake?.close();
    },
  };
}

async function withEnvironment(options, body) {
  const env = await environment(options);
  try {
    await body(env);
  } finally {
    await env.close();
  }
}

function card(page) {
  return page.getByRole('article', { name: 'Leanplum' });
}

async function openIntegrations(page, env) {
  await page.goto(env.front.url + '/');
  await card(page).waitFor();
  // The session decides whether Connect is enabled; wait for it.
  await page.getByLabel('Signed in as').waitFor();
}

async function openConnect(page) {
  await card(page).getByRole('button', { name: /^(Connect|Reconnect)$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Connect Leanplum' });
  await dialog.waitFor();
  return dialog;
}

/** Types the pair the fake Leanplum accepts into the Connect dialog. */
async function fillGoodPair(dialog) {
  await dialog.getByLabel('App ID', { exact: true }).fill(GOOD_APP_ID);
  await dialog.getByLabel('API Secret', { exact: true }).fill(GOOD_SECRET);
}

/** Text of the element(s) a field's aria-describedby points at. */
async function describedText(page, field) {
  const ids = (await field.getAttribute('aria-describedby')) ?? '';
  const parts = [];
  for (const id of ids.split(/\s+/).filter(Boolean)) {
    parts.push(await page.locator(`[id="${id}"]`).innerText());
  }
  return parts.join('\n').trim();
}

/** Connects through the API from the page, as the signed-in account. */
async function apiCall(page, path, body) {
  return page.evaluate(
    async ({ path, body }) => {
      const session = await (await fetch('/api/session')).json();
      const response = await fetch('/api' + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
        body: JSON.stringify(body ?? {}),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { path, body },
  );
}

const DEV_KEY = 'dev_' + 'C'.repeat(43);

test('every credential problem appears under its field and clears when fixed', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'validation', async (page) => {
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      const appId = dialog.getByLabel('App ID', { exact: true });
      const secret = dialog.getByLabel('API Secret', { exact: true });
      const submit = dialog.getByRole('button', { name: 'Connect', exact: true });

      // An untouched dialog shows no problems, but cannot be submitted.
      assert.equal(await describedText(page, appId), '');
      assert.equal(await describedText(page, secret), '');
      assert.equal(await submit.isDisabled(), true);

      const cases = [
        [appId, 'x', 'Leanplum App IDs start with "app_"', 'error'],
        [appId, 'prod_' + 'B'.repeat(43), 'This is the production key, not an App ID', 'error'],
        [appId, 'app_ab:cd', "The App ID can't contain a colon", 'error'],
        [appId, 'app_ab cd', 'The App ID contains a space, tab or line break', 'error'],
        [appId, 'app_' + 'A'.repeat(300), 'The App ID is 304 characters long', 'error'],
        [appId, 'app_short', "This doesn't look like a Leanplum App ID", 'warning'],
        [appId, '', 'Enter the App ID.', 'error'],
        [secret, 'prod_ab cd', 'The API secret contains a space, tab or line break', 'error'],
        [secret, 'prod_' + 'B'.repeat(300), 'The API secret is 305 characters long', 'error'],
        [secret, DEV_KEY, 'This is a development key', 'warning'],
        [secret, 'exp_' + 'C'.repeat(43), 'This is a data export key', 'warning'],
        [secret, 'cro_' + 'C'.repeat(43), 'This is a content read-only key', 'warning'],
        [secret, GOOD_APP_ID, 'This looks like an App ID, not an API key', 'warning'],
        [secret, 'hello', "This doesn't look like a Leanplum API key", 'warning'],
        [secret, 'prod_short', "This doesn't look like a complete Leanplum API key", 'warning'],
        [secret, '', 'Enter the API secret', 'error'],
      ];
      const good = new Map([
        [appId, GOOD_APP_ID],
        [secret, GOOD_SECRET],
      ]);
      await appId.fill(GOOD_APP_ID);
      await secret.fill(GOOD_SECRET);
      for (const [field, value, message, kind] of cases) {
        const label = field === appId ? 'App ID' : 'API Secret';
        await field.fill(value);
        assert.match(await describedText(page, field), new RegExp(escape(message)), `${label} "${value.slice(0, 12)}"`);
        assert.equal(await field.getAttribute('aria-invalid'), String(kind === 'error'), `aria-invalid for ${message}`);
        assert.equal(await submit.isDisabled(), kind === 'error', `submit disabled for ${message}`);

        await field.fill(good.get(field));
        assert.equal(await describedText(page, field), '', `${message} clears`);
        assert.equal(await field.getAttribute('aria-invalid'), 'false');
        assert.equal(await submit.isDisabled(), false);
      }
      assert.equal(env.connectCalls(), 0, 'nothing is sent while typing');
    });
  });
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('warnings do not block, and pasted whitespace is trimmed and noted', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'warnings-trim', async (page) => {
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      const appId = dialog.getByLabel('App ID', { exact: true });
      const secret = dialog.getByLabel('API Secret', { exact: true });
      await appId.fill(`  ${GOOD_APP_ID}\n`);
      await secret.fill(DEV_KEY);
      assert.match(await describedText(page, appId), /Spaces or line breaks around the App ID were removed\./);
      assert.match(await describedText(page, secret), /This is a development key/);
      const submit = dialog.getByRole('button', { name: 'Connect', exact: true });
      assert.equal(await submit.isDisabled(), false);

      // The fake accepts only the production key: the pair goes out trimmed.
      await secret.fill(` ${GOOD_SECRET} `);
      await submit.click();
      await card(page).getByText('Connected', { exact: true }).waitFor();
      assert.equal(env.fake.calls.length, 1);
      assert.equal(env.fake.calls[0].body.appId, GOOD_APP_ID);
      assert.equal(env.fake.calls[0].body.clientKey, GOOD_SECRET);
    });
  });
});

test('a rejected pair keeps the dialog open with Leanplum\'s reason and the fields', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'rejected', async (page) => {
      env.fake.setMode('reject');
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await fillGoodPair(dialog);
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();

      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      assert.match(text, /Leanplum did not accept these credentials\./);
      assert.match(text, /Invalid app ID or client key\./);
      assert.equal(await alert.getByRole('button', { name: 'Try again' }).count(), 0);
      assert.equal(await dialog.getByLabel('App ID', { exact: true }).inputValue(), GOOD_APP_ID);
      assert.equal(await dialog.getByLabel('API Secret', { exact: true }).inputValue(), GOOD_SECRET);
      assert.equal(await card(page).getByText('Not connected', { exact: true }).count(), 1);
    });
  });
});

test('an unreachable Leanplum gets its own message and retry works', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'unreachable', async (page) => {
      env.fake.setMode('fail');
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await fillGoodPair(dialog);
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();

      const alert = dialog.getByRole('alert');
      await alert.waitFor({ timeout: 20000 });
      const text = await alert.innerText();
      assert.match(text, /Could not reach Leanplum\./);
      assert.doesNotMatch(text, /did not accept/);

      env.fake.setMode('ok');
      await alert.getByRole('button', { name: 'Try again' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await card(page).getByText('Connected', { exact: true }).waitFor();
    });
  });
});

test('an unreachable proxy is reported apart from a refusal, and retry works', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'proxy-unreachable', async (page) => {
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await fillGoodPair(dialog);

      const database = env.proxy.database;
      await env.proxy.stop();
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /Could not reach the proxy\./);
      assert.doesNotMatch(await alert.innerText(), /did not accept/);

      env.proxy = await startProxy({ database, args: ['--leanplum-url', env.fake.url] });
      env.front.setProxyPort(env.proxy.port);
      await alert.getByRole('button', { name: 'Try again' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await card(page).getByText('Connected', { exact: true }).waitFor();
    });
  });
});

test('an accepted pair shows Connected with the App ID; a double submit sends once; the secret is gone', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'accepted', async (page, context) => {
      const connectRequests = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/integrations/leanplum/connect')) connectRequests.push(r);
      });
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await fillGoodPair(dialog);

      // Two clicks in the same task, before the page can re-render.
      await dialog.getByRole('button', { name: 'Connect', exact: true }).evaluate((button) => {
        button.click();
        button.click();
        button.form.requestSubmit();
      });
      await dialog.waitFor({ state: 'hidden' });
      const tag = card(page).getByText('Connected', { exact: true });
      await tag.waitFor();
      assert.match(await card(page).innerText(), new RegExp(`App ID ${GOOD_APP_ID}, verified \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
      assert.equal(connectRequests.length, 1, 'one connect request');
      assert.equal(env.fake.calls.length, 1, 'one call to Leanplum');

      const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      assert.equal(storage.includes(GOOD_SECRET), false, 'not in browser storage');
      const cookies = await context.cookies();
      assert.equal(JSON.stringify(cookies).includes(GOOD_SECRET), false, 'not in cookies');
      assert.equal(page.url().includes(GOOD_SECRET), false, 'not in the URL');
      assert.equal((await page.content()).includes(GOOD_SECRET), false, 'not in the DOM');
      const inputs = await page.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
      assert.equal(inputs.includes(GOOD_SECRET), false, 'not in any input');
    });
  });
});

test('the secret is never written to the console', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'console', async (page) => {
      const lines = [];
      page.on('console', (m) => lines.push(m.text()));
      env.fake.setMode('reject');
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await fillGoodPair(dialog);
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
      await dialog.getByRole('alert').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(lines.some((l) => l.includes(GOOD_SECRET)), false);
      assert.equal((await page.content()).includes(GOOD_SECRET), false, 'gone from the DOM after Cancel');

      // Opening again starts empty.
      const again = await openConnect(page);
      assert.equal(await again.getByLabel('API Secret', { exact: true }).inputValue(), '');
      assert.equal(await again.getByRole('alert').count(), 0);
    });
  });
});

test('the secret can be shown and hidden', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'show-secret', async (page) => {
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      const secret = dialog.getByLabel('API Secret', { exact: true });
      assert.equal(await secret.getAttribute('type'), 'password');
      await dialog.getByRole('button', { name: 'Show secret' }).click();
      assert.equal(await secret.getAttribute('type'), 'text');
      await dialog.getByRole('button', { name: 'Hide secret' }).click();
      assert.equal(await secret.getAttribute('type'), 'password');
    });
  });
});

test('disconnecting asks first, says syncs will pause, and pauses them', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'disconnect', async (page) => {
      await page.goto(env.front.url + '/');
      const answer = await apiCall(page, '/integrations/leanplum/connect', { app_id: GOOD_APP_ID, api_secret: GOOD_SECRET });
      assert.equal(answer.status, 200);
      const started = await apiCall(page, '/syncs', { cohort_id: 'power-users', kind: 'dynamic' });
      assert.equal(started.status, 201);
      await openIntegrations(page, env);
      await card(page).getByText('Connected', { exact: true }).waitFor();

      const disconnect = card(page).getByRole('button', { name: 'Disconnect' });
      await disconnect.click();
      const dialog = page.getByRole('dialog', { name: 'Disconnect Leanplum?' });
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /Active syncs will pause until Leanplum is connected again\./);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await card(page).getByText('Connected', { exact: true }).count(), 1);
      assert.equal(await disconnect.evaluate((b) => b === document.activeElement), true, 'focus back on Disconnect');

      await disconnect.click();
      await dialog.getByRole('button', { name: 'Disconnect' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await card(page).getByText('Not connected', { exact: true }).waitFor();
      assert.equal(await card(page).getByRole('button', { name: 'Disconnect' }).count(), 0);
      const syncs = await page.evaluate(async () => (await fetch('/api/syncs')).json());
      const sync = syncs.syncs.find((s) => s.id === started.body.id);
      assert.deepEqual(sync.status, { state: 'paused', reason: 'disconnected' });
    });
  });
});

test('a member sees the state with disabled controls, and the proxy refuses them', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'member', async (page) => {
      await page.goto(env.front.url + '/');
      const connected = await apiCall(page, '/integrations/leanplum/connect', { app_id: GOOD_APP_ID, api_secret: GOOD_SECRET });
      assert.equal(connected.status, 200);
      await openIntegrations(page, env);

      await page.getByLabel('Signed in as').selectOption({ label: 'Max Member (member)' });
      const note = card(page).getByText('Only project admins can connect or disconnect Leanplum.');
      await note.waitFor();
      assert.equal(await card(page).getByText('Connected', { exact: true }).count(), 1);
      assert.match(await card(page).innerText(), new RegExp(`App ID ${GOOD_APP_ID}`));
      const reconnect = card(page).getByRole('button', { name: 'Reconnect' });
      const disconnect = card(page).getByRole('button', { name: 'Disconnect' });
      assert.equal(await reconnect.isDisabled(), true);
      assert.equal(await disconnect.isDisabled(), true);

      const refused = await apiCall(page, '/integrations/leanplum/disconnect');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'forbidden');
      const refusedConnect = await apiCall(page, '/integrations/leanplum/connect', { app_id: GOOD_APP_ID, api_secret: GOOD_SECRET });
      assert.equal(refusedConnect.status, 403);

      // Back to the admin: the controls come back.
      await page.getByLabel('Signed in as').selectOption({ label: 'Ada Admin (admin)' });
      await note.waitFor({ state: 'hidden' });
      assert.equal(await reconnect.isDisabled(), false);
    });
  });
});

test('the connect dialog works with the keyboard alone', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'keyboard', async (page) => {
      await openIntegrations(page, env);
      const connect = card(page).getByRole('button', { name: 'Connect', exact: true });
      await connect.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Connect Leanplum' });
      await dialog.waitFor();
      const focusedLabel = () => page.evaluate(() => document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.textContent);
      assert.equal(await focusedLabel(), 'App ID');

      await page.keyboard.type('app_typed');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await connect.evaluate((b) => b === document.activeElement), true, 'focus back on Connect');

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      assert.equal(await dialog.getByLabel('App ID', { exact: true }).inputValue(), '', 'starts empty again');
      await page.keyboard.type(GOOD_APP_ID);
      await page.keyboard.press('Tab');
      assert.equal(await focusedLabel(), 'API Secret');
      await page.keyboard.type(GOOD_SECRET);
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await card(page).getByText('Connected', { exact: true }).waitFor();
      assert.equal(env.fake.calls.length, 1);
    });
  });
});

test('Cancel closes the dialog and returns focus to Connect', async () => {
  await withEnvironment({}, async (env) => {
    await withPage(browser, 'cancel', async (page) => {
      await openIntegrations(page, env);
      const dialog = await openConnect(page);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const connect = card(page).getByRole('button', { name: 'Connect', exact: true });
      assert.equal(await connect.evaluate((b) => b === document.activeElement), true);
    });
  });
});

test('axe finds no violations on the page or in the open dialogs', async () => {
  await withEnvironment({ sandbox: true }, async (env) => {
    await withPage(browser, 'axe', async (page) => {
      await openIntegrations(page, env);
      await page.getByRole('table', { name: /Leanplum events in/ }).waitFor();
      await page.getByText('Leanplum calls go to the built-in sandbox').waitFor();
      const pageScan = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(pageScan.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);

      const dialog = await openConnect(page);
      await dialog.getByLabel('App ID', { exact: true }).fill('prod_x');
      await dialog.getByLabel('API Secret', { exact: true }).fill(DEV_KEY);
      const dialogScan = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(dialogScan.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), []);
      await page.keyboard.press('Escape');

      await page.evaluate(async () => {
        const session = await (await fetch('/api/session')).json();
        // The built-in sandbox accepts only its own demo pair.
        await fetch('/api/integrations/leanplum/connect', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
          body: JSON.stringify({
            app_id: 'app_cohort-sync-demo-sandbox-app-00000000000000',
            api_secret: 'prod_cohort-sync-demo-sandbox-key-00000000000000',
          }),
        });
      });
      await page.reload();
      await card(page).getByRole('button', { name: 'Disconnect' }).click();
      await page.getByRole('dialog', { name: 'Disconnect Leanplum?' }).waitFor();
      const confirmScan = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(confirmScan.violations.map((v) => v.id), []);
    });
  });
});

// A known month: u1 got a push and opened it (counts), u2 and u3 only got
// emails (exempt), u4 used the app without Leanplum (counts, not listed).
const JAN = Date.UTC(2026, 0, 1) / 1000;
const DAY = 86400;
const KNOWN_EVENTS = [
  ['(Leanplum) Push Notification Send', 'e2e-u1', JAN + 2 * DAY + 3600],
  ['(Leanplum) Push Notification Open', 'e2e-u1', JAN + 2 * DAY + 7200],
  ['(Leanplum) Email Send', 'e2e-u2', JAN + 4 * DAY + 100],
  ['(Leanplum) Email Delivered', 'e2e-u2', JAN + 4 * DAY + 200],
  ['(Leanplum) Email Send', 'e2e-u3', JAN + 4 * DAY + 300],
  ['App Open', 'e2e-u4', JAN + 9 * DAY],
];

test('the events panel shows a known month\'s figures and chart', async () => {
  const dir = tempDir();
  const database = join(dir, 'events.sqlite');
  const file = join(dir, 'events.ndjson');
  writeFileSync(
    file,
    KNOWN_EVENTS.map(([event, id, time]) =>
      JSON.stringify({ event, properties: { distinct_id: id, time, ...(event.startsWith('(Leanplum)') ? { $source: 'leanplum' } : {}) } }),
    ).join('\n') + '\n',
  );
  execFileSync(join(ROOT, 'target', 'debug', 'cohort-proxy'), ['--database', database, 'import', '--events', file], { stdio: 'pipe' });

  await withEnvironment({ database }, async (env) => {
    await withPage(browser, 'events', async (page) => {
      await openIntegrations(page, env);
      const panel = page.getByRole('region', { name: 'Events from Leanplum' });
      await panel.getByRole('table', { name: /Leanplum events in/ }).waitFor();
      assert.equal(await panel.getByRole('button', { name: 'Next month' }).isDisabled(), true, 'no months in the future');

      await panel.getByLabel('Month').fill('2026-01');
      const table = panel.getByRole('table', { name: 'Leanplum events in January 2026' });
      await table.waitFor();
      const rows = await table.getByRole('row').evaluateAll((trs) => trs.slice(1).map((tr) => [...tr.children].map((c) => c.textContent)));
      assert.deepEqual(rows, [
        ['(Leanplum) Email Delivered', '1', '1', 'Exempt'],
        ['(Leanplum) Email Send', '2', '2', 'Exempt'],
        ['(Leanplum) Push Notification Open', '1', '1', 'Counts'],
        ['(Leanplum) Push Notification Send', '1', '1', 'Exempt'],
      ]);
      const figure = async (name) => panel.getByRole('term').filter({ hasText: name }).locator('xpath=following-sibling::dd').innerText();
      assert.equal(await figure('Monthly tracked users (MTU)'), '2');
      assert.equal(await figure('People with any event'), '4');
      assert.equal(await figure('Kept out of MTU by the exemption'), '2');

      const chart = panel.getByRole('img');
      assert.equal(
        await chart.getAttribute('aria-label'),
        'Leanplum events per day in January 2026: 5 in all, 4 exempt from MTU and 1 counting toward it. Busiest day: the 5th, with 3.',
      );
      assert.equal(await chart.locator('rect.bar-exempt').count(), 31);

      // Stepping back a month shows an empty December.
      await panel.getByRole('button', { name: 'Previous month' }).click();
      await panel.getByText('No events from Leanplum in December 2025.').waitFor();
      assert.equal(await panel.getByRole('img').count(), 0);
    });
  });
});

// A fake Leanplum API on loopback for the browser tests: speaks the
// `multi` call the proxy makes, checks the credentials, keeps per-user
// attributes, and can be told to reject or fail.

import { createServer } from 'node:http';

/** A valid-looking credential pair the fake accepts by default. */
export const GOOD_APP_ID = 'app_' + 'A'.repeat(43);
export const GOOD_SECRET = 'prod_' + 'B'.repeat(43);

/**
 * Starts the fake. Options: `appId`, `secret` (the accepted pair),
 * `knownUsers` (a Set of user IDs that exist; default: every user exists).
 * Returns { url, calls, attributes, setMode(mode), close() } where mode is
 * 'ok', 'reject' (401 with a reason) or 'fail' (500).
 */
export async function startFakeLeanplum({ appId = GOOD_APP_ID, secret = GOOD_SECRET, knownUsers = null } = {}) {
  const state = { mode: 'ok' };
  const calls = [];
  // userId -> { attribute: value }
  const attributes = new Map();

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      calls.push({ action: url.searchParams.get('action'), query: url.search, headers: req.headers, body: json });
      const send = (status, payload) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (state.mode === 'fail') return send(500, { response: [{ success: false, error: { message: 'Internal error' } }] });
      const expectedAuth = 'Basic ' + Buffer.from(`${appId}:${secret}`).toString('base64');
      const authorized = req.headers.authorization === expectedAuth && json?.appId === appId && json?.clientKey === secret;
      if (state.mode === 'reject' || !authorized) {
        return send(401, { response: [{ success: false, error: { message: 'Invalid app ID or client key.' } }] });
      }
      const data = Array.isArray(json?.data) ? json.data : [];
      const users = new Set(data.map((a) => a.userId));
      if (users.size > 50) {
        return send(403, { response: [{ success: false, error: { message: 'Too many users in one call.' } }] });
      }
      const response = data.map((action) => {
        if (action.action !== 'setUserAttributes') {
          return { success: false, error: { message: `Unknown action ${action.action}` } };
        }
        if (knownUsers && !knownUsers.has(action.userId)) {
          return { success: true, warning: { message: 'User not found; request skipped.' } };
        }
        const current = attributes.get(action.userId) ?? {};
        attributes.set(action.userId, { ...current, ...action.userAttributes });
        return { success: true };
      });
      send(200, { response });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/api`,
    calls,
    attributes,
    setMode(mode) {
      state.mode = mode;
    },
    close: () =>
      new Promise((r) => {
        server.close(r);
        // Keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

// Test harness: starts the proxy on a free loopback port with a temporary
// database, serves the built console in front of it, and drives Debian's
// Chromium through playwright-core. Never downloads a browser.

import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');
let proxyProfile = 'debug';

/** Benchmarks run the optimised proxy; tests keep the quick debug build. */
export function useReleaseProxy() {
  proxyProfile = 'release';
}

/** The proxy binary the harness runs. */
export function proxyBin() {
  return join(ROOT, 'target', proxyProfile, 'cohort-proxy');
}
const RESULTS = join(ROOT, 'test-results');

/**
 * Builds the release console once, unless dist/ already holds it, and
 * brings the proxy up to date.
 */
export function ensureBuilt() {
  if (!existsSync(join(DIST, 'index.html'))) {
    execFileSync(join(ROOT, 'scripts', 'build-app'), { stdio: 'inherit' });
  }
  // Quick when the proxy is up to date; never runs a stale one.
  const release = proxyProfile === 'release' ? ['--release'] : [];
  execFileSync('cargo', ['build', '--quiet', '-p', 'cohort-proxy', ...release], { cwd: ROOT, stdio: 'inherit' });
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'cohort-sync-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts the proxy. Resolves with { url, port, process, logs, stop() }.
 * `args` are extra command-line arguments.
 */
export async function startProxy({ database, demo = true, listen = '127.0.0.1:0', args = [], env = {} } = {}) {
  const db = database ?? join(tempDir(), 'test.sqlite');
  const argv = ['--database', db, '--listen', listen, ...(demo ? ['--demo'] : []), ...args];
  const child = spawn(proxyBin(), argv, {
    cwd: ROOT,
    env: { ...process.env, RUST_LOG: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`proxy did not start:\n${logs.join('')}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code}:\n${logs.join('')}`));
    });
  });
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    database: db,
    process: child,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the built console and forwards /api to the proxy, like a
 * dashboard would. `hostPages` maps a path prefix to a function that
 * returns the HTML of a host page embedding the console.
 */
export async function startFront({ proxyPort, hostPages = {} }) {
  const state = { proxyPort };
  const indexHtml = readFileSync(join(DIST, 'index.html'), 'utf8');
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path.startsWith('/api/') || path === '/api') {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: state.proxyPort, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('proxy unavailable');
      });
      req.pipe(upstream);
      return;
    }
    for (const [prefix, page] of Object.entries(hostPages)) {
      if (path === prefix || path.startsWith(prefix + '/')) {
        res.writeHead(200, { 'content-type': TYPES['.html'] });
        res.end(page(indexHtml));
        return;
      }
    }
    const file = join(DIST, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (path !== '/' && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(200, { 'content-type': TYPES['.html'] });
    res.end(indexHtml);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    setProxyPort(p) {
      state.proxyPort = p;
    },
    close: () =>
      new Promise((r) => {
        server.close(r);
        // Keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * Calls the proxy's API at `baseUrl` with `page`'s cookies and CSRF
 * token, as the page's signed-in account. Resolves with { status, body }.
 */
export async function callApi(page, baseUrl, method, path, body, headers = {}) {
  const session = await (await page.request.get(baseUrl + '/api/session')).json();
  const response = await page.request.fetch(baseUrl + '/api' + path, {
    method,
    headers: { 'x-csrf-token': session.csrf_token, 'content-type': 'application/json', ...headers },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status(), body: text ? JSON.parse(text) : null };
}

/** Launches headless Debian Chromium. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

/**
 * Runs `body` with a fresh page; on failure saves a screenshot under
 * test-results/ and rethrows. Fails on any page error (a wasm panic).
 */
export async function withPage(browser, name, body) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  try {
    await body(page, context);
    if (pageErrors.length) throw new Error(`page error: ${pageErrors[0].message}`);
  } catch (e) {
    mkdirSync(RESULTS, { recursive: true });
    const file = join(RESULTS, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${file})`;
    throw e;
  } finally {
    await context.close();
  }
}

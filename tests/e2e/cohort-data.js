// Datasets for the Cohorts page tests: NDJSON files imported into a fresh
// proxy database with the proxy's own `import` command.

import { execFileSync } from 'node:child_process';
import { writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir, proxyBin } from './harness.js';

/** Writes `lines` (objects) as NDJSON to `file`, streaming big ones. */
async function writeNdjson(file, lines) {
  const out = createWriteStream(file);
  for (const line of lines) {
    if (!out.write(JSON.stringify(line) + '\n')) {
      await new Promise((r) => out.once('drain', r));
    }
  }
  await new Promise((r) => out.end(r));
}

/**
 * Imports profiles and cohorts into a new database; resolves with its
 * path. `profiles` and `cohorts` are iterables of NDJSON records.
 */
export async function importDataset({ profiles, cohorts }) {
  const dir = tempDir('cohorts-e2e-');
  const database = join(dir, 'cohorts.sqlite');
  const profilesFile = join(dir, 'profiles.ndjson');
  const cohortsFile = join(dir, 'cohorts.ndjson');
  await writeNdjson(profilesFile, profiles);
  await writeNdjson(cohortsFile, cohorts);
  execFileSync(proxyBin(), ['--database', database, 'import', '--profiles', profilesFile, '--cohorts', cohortsFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return database;
}

/** `n` generated profiles: even ones carry a `$leanplum_user_id`. */
export function* bigProfiles(n) {
  for (let i = 0; i < n; i++) {
    const properties = i % 2 === 0 ? { $leanplum_user_id: `lp-big-${i}`, plan: 'pro' } : { plan: 'free' };
    yield { distinct_id: `big-${i}`, properties };
  }
}

/** The distinct ids of the first `n` generated profiles. */
export function bigMembers(n) {
  return Array.from({ length: n }, (_, i) => `big-${i}`);
}

export { writeFileSync };

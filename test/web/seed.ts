/** Seeds a live server with real register data through the services (as a user of the product would). */
import type { Bulwark } from '../../src/app/bulwark.js';
import { newId } from '../../src/core/ids.js';
import type { ShiftClock } from './support/server.js';

const DAY = 86_400_000;
const SCORES = { critical: 9.8, high: 7.5, medium: 5.3, low: 2.1 } as const;
const CATEGORIES = ['A01', 'A02', 'A03', 'A05', 'A06', 'A07', 'A08', 'A10'];
const COMPONENTS = ['api-gateway', 'sms-router', 'mail-relay', 'billing', 'auth-service', 'web'];

/** Text an attacker would put into a finding: it must show as text and run nothing. */
export const HOSTILE = {
  title: '<script>window.__xss="title"</script><img src=x onerror="window.__xss=\'img\'">',
  description:
    'Stored XSS: <img src=x onerror="window.__xss=\'desc\'"> and <a href="javascript:window.__xss=\'href\'">click</a>',
  component: 'javascript:window.__xss="component"',
  remediation: 'See javascript:alert(document.domain) and <svg onload="window.__xss=\'svg\'"></svg>',
};

export interface Seeded {
  total: number;
  hostileId: string;
  lifecycleId: string;
}

/**
 * 7 days of history: each day some findings are discovered, some move on, and that day's posture
 * snapshot is taken, so the risk trend has a point per day. Then the clock returns to the present.
 */
export async function seedRegister(b: Bulwark, clock: ShiftClock, perDay = 8): Promise<Seeded> {
  const severities = Object.keys(SCORES) as (keyof typeof SCORES)[];
  let n = 0;
  const created: string[] = [];
  for (let day = 6; day >= 0; day--) {
    clock.offset = -day * DAY;
    for (let i = 0; i < perDay; i++, n++) {
      const severity = severities[n % severities.length]!;
      const v = await b.vulnerabilities.create({
        title: `Finding ${String(n).padStart(3, '0')}: ${severity} issue in ${COMPONENTS[n % COMPONENTS.length]}`,
        component: `${COMPONENTS[n % COMPONENTS.length]}@1.${n % 7}.0`,
        cvss_score: SCORES[severity],
        owasp_category: CATEGORIES[n % CATEGORIES.length],
        owasp_edition: '2025',
        cve: `CVE-2025-${String(10000 + n)}`,
        description: `Seeded finding number ${n}.`,
        remediation: 'Upgrade to the fixed release.',
        discovered_at: clock.now() - (n % 5) * DAY,
      });
      created.push(v.id);
    }
    // Older findings move along their lifecycle, so MTTR and the status counts are real.
    for (const id of created.splice(0, Math.floor(perDay / 2))) {
      await b.vulnerabilities.transition(id, { to: 'in_progress' }, 'seed');
      if (n % 3 === 0) await b.vulnerabilities.transition(id, { to: 'resolved', note: 'fixed' }, 'seed');
      n++;
    }
    await b.postureTrend.capture();
  }
  clock.offset = 0;
  const hostile = await b.vulnerabilities.create({
    ...HOSTILE,
    cvss_score: 6.1,
    cwes: ['CWE-79'],
  });
  const lifecycle = await b.vulnerabilities.create({
    title: 'Lifecycle walk: Log4Shell in the mail relay',
    component: 'log4j-core@2.14.1',
    cve: 'CVE-2021-44228',
    cvss_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    cwes: ['CWE-502'],
    remediation: 'Upgrade log4j-core to 2.17.1',
  });
  // An audit entry with hostile metadata, for the audit page (once its route is on this server).
  await b.audit.append({
    event_type: 'config_change',
    user_id: '<script>window.__xss="audit"</script>',
    source_ip: '203.0.113.9',
    action: 'dashboard.test <img src=x onerror="window.__xss=\'audit\'">',
    outcome: 'allowed',
    metadata: { link: 'javascript:window.__xss="meta"', html: '<img src=x onerror="window.__xss=1">' },
  });
  const page = await b.vulnerabilities.list({}, { limit: 500 });
  return { total: page.items.length, hostileId: hostile.id, lifecycleId: lifecycle.id };
}

/**
 * A week of authentication attempts: a steady trickle of logins, and a brute-force burst from one
 * IP yesterday. Written straight into authentication_attempts (migration 001), since the auth
 * guard's importer is another capability; after the merge, seed with `bulwark auth import` instead.
 */
export async function seedAttempts(
  b: Bulwark,
  now: number,
): Promise<{ failures: number; successes: number }> {
  const rows = [];
  const HOUR = 3_600_000;
  let failures = 0;
  let successes = 0;
  for (let h = 7 * 24 - 1; h >= 1; h--) {
    const at = now - h * HOUR;
    const ok = h % 3 !== 0;
    rows.push({ at, result: ok ? 'success' : 'failure', ip: `192.0.2.${h % 50}` });
    if (ok) successes++;
    else failures++;
  }
  for (let i = 0; i < 60; i++, failures++)
    rows.push({ at: now - 26 * HOUR + i * 20_000, result: 'failure', ip: '203.0.113.66' });
  await b.store.db
    .insertInto('authentication_attempts')
    .values(
      rows.map((r) => ({
        id: newId(),
        user_id: r.result === 'failure' ? 'admin' : 'alice',
        sender: null,
        source_ip: r.ip,
        ip_key: r.ip,
        timestamp: r.at,
        result: r.result,
        failure_reason: r.result === 'failure' ? 'bad_password' : null,
        failure_detail: null,
        rl_bucket_state: '[]',
      })),
    )
    .execute();
  return { failures, successes };
}

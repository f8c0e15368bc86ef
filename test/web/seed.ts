/** Seeds a live server with real register data through the services (as a user of the product would). */
import type { Bulwark } from '../../src/app/bulwark.js';
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
  const page = await b.vulnerabilities.list({}, { limit: 500 });
  return { total: page.items.length, hostileId: hostile.id, lifecycleId: lifecycle.id };
}

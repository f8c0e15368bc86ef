/**
 * Structural checks of SARIF 2.1.0 and CycloneDX 1.5 documents: the fields each specification
 * requires, and the references inside a document that must resolve. No validator library is a
 * dependency, so the required parts of the schemas are written out here (SARIF 2.1.0 §3.13–3.27,
 * CycloneDX 1.5 JSON schema: bom, component, vulnerability, affects).
 */
import { expect } from 'vitest';

type J = Record<string, unknown>;
const obj = (v: unknown, where: string): J => {
  expect(v, where).toBeTypeOf('object');
  expect(v, where).not.toBeNull();
  expect(Array.isArray(v), where).toBe(false);
  return v as J;
};
const arr = (v: unknown, where: string): unknown[] => {
  expect(Array.isArray(v), `${where} is an array`).toBe(true);
  return v as unknown[];
};
const str = (v: unknown, where: string): string => {
  expect(typeof v, where).toBe('string');
  expect((v as string).length, where).toBeGreaterThan(0);
  return v as string;
};

export function assertSarif210(doc: unknown): void {
  const log = obj(doc, 'log');
  expect(log.version).toBe('2.1.0');
  str(log.$schema, '$schema');
  const runs = arr(log.runs, 'runs');
  expect(runs.length).toBeGreaterThan(0);
  for (const [ri, r] of runs.entries()) {
    const run = obj(r, `runs.${ri}`);
    const driver = obj(obj(run.tool, 'tool').driver, 'driver');
    str(driver.name, 'driver.name');
    const rules = arr(driver.rules ?? [], 'rules').map((x, i) => obj(x, `rules.${i}`));
    const ruleIds = rules.map((x) => str(x.id, 'rule.id'));
    expect(new Set(ruleIds).size, 'rule ids are unique').toBe(ruleIds.length);
    const artifacts = arr(run.artifacts ?? [], 'artifacts');
    for (const [i, x] of arr(run.results, 'results').entries()) {
      const res = obj(x, `results.${i}`);
      str(obj(res.message, 'message').text, 'message.text');
      const ruleId = str(res.ruleId, 'ruleId');
      if (res.ruleIndex !== undefined)
        expect(ruleIds[res.ruleIndex as number], 'ruleIndex resolves').toBe(ruleId);
      if (res.level !== undefined) expect(['none', 'note', 'warning', 'error']).toContain(res.level);
      for (const loc of arr(res.locations ?? [], 'locations')) {
        const al = obj(
          obj(obj(loc, 'location').physicalLocation, 'physicalLocation').artifactLocation,
          'artifactLocation',
        );
        str(al.uri, 'uri');
        if (al.index !== undefined)
          expect((al.index as number) < artifacts.length, 'artifact index resolves').toBe(true);
      }
      for (const s of arr(res.suppressions ?? [], 'suppressions'))
        expect(['inSource', 'external']).toContain(obj(s, 's').kind);
    }
  }
}

export function assertCycloneDx15(doc: unknown): { components: string[]; vulnerabilities: J[] } {
  const bom = obj(doc, 'bom');
  expect(bom.bomFormat).toBe('CycloneDX');
  expect(bom.specVersion).toBe('1.5');
  expect(String(bom.serialNumber)).toMatch(
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  expect(bom.version).toBe(1);
  const refs = new Set<string>();
  const components = arr(bom.components ?? [], 'components').map((c, i) => {
    const comp = obj(c, `components.${i}`);
    expect([
      'application',
      'framework',
      'library',
      'container',
      'platform',
      'operating-system',
      'device',
      'device-driver',
      'firmware',
      'file',
      'machine-learning-model',
      'data',
    ]).toContain(comp.type);
    str(comp.name, 'component.name');
    const ref = str(comp['bom-ref'], 'bom-ref');
    expect(refs.has(ref), `bom-ref ${ref} unique`).toBe(false);
    refs.add(ref);
    return ref;
  });
  const vulnerabilities = arr(bom.vulnerabilities ?? [], 'vulnerabilities').map((v, i) => {
    const vuln = obj(v, `vulnerabilities.${i}`);
    str(vuln.id, 'vulnerability.id');
    for (const rating of arr(vuln.ratings ?? [], 'ratings')) {
      const r = obj(rating, 'rating');
      if (r.severity !== undefined)
        expect(['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown']).toContain(r.severity);
    }
    const affects = arr(vuln.affects, 'affects');
    expect(affects.length).toBeGreaterThan(0);
    for (const a of affects)
      expect(refs.has(str(obj(a, 'affects').ref, 'affects.ref')), 'affects ref resolves to a component').toBe(
        true,
      );
    return vuln;
  });
  return { components, vulnerabilities };
}

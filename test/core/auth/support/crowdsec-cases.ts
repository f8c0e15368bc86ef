/**
 * Reads CrowdSec hub test cases (shared/data/authlogs/crowdsec-hub/tests/<case>/, MIT): the log,
 * and from scenario.assert the alerts CrowdSec raises (scenario, event count, source value, event
 * timestamps) and from parser.assert what each line parsed to.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../support/shared-data.js';

export interface CrowdsecAlert {
  scenario: string;
  events: number;
  /** The decision's value: an IP, or a range like `2001:db8:85a3::/64`. */
  value: string;
  scope: string;
  /** Event timestamps, as epoch ms. */
  eventTimes: number[];
}

const caseDir = (name: string): string => sharedPath('authlogs/crowdsec-hub/tests', name);

export function crowdsecLog(name: string): string[] {
  const lines = readFileSync(`${caseDir(name)}/${name}.log`, 'utf8').split('\n');
  return lines.filter((l) => l.trim() !== '');
}

export function crowdsecAlerts(name: string): CrowdsecAlert[] {
  const text = readFileSync(`${caseDir(name)}/scenario.assert`, 'utf8');
  const count = Number(/^len\(results\) == (\d+)/m.exec(text)![1]);
  const alerts: CrowdsecAlert[] = [];
  for (let i = 0; i < count; i++) {
    const grab = (re: string): string | undefined =>
      new RegExp(`^results\\[${i}\\]\\.${re}`, 'm').exec(text)?.[1];
    const times = [
      ...text.matchAll(
        new RegExp(
          `^results\\[${i}\\]\\.Overflow\\.Alert\\.Events\\[(\\d+)\\]\\.GetMeta\\("timestamp"\\) == "([^"]+)"`,
          'gm',
        ),
      ),
    ]
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => Date.parse(m[2]!));
    alerts.push({
      scenario: grab('Overflow\\.Alert\\.GetScenario\\(\\) == "([^"]+)"')!,
      events: Number(grab('Overflow\\.Alert\\.GetEventsCount\\(\\) == (\\d+)') ?? times.length),
      value: grab('Overflow\\.Sources\\["[^"]+"\\]\\.GetValue\\(\\) == "([^"]+)"')!,
      scope: grab('Overflow\\.Sources\\["[^"]+"\\]\\.GetScope\\(\\) == "([^"]+)"')!,
      eventTimes: times,
    });
  }
  return alerts;
}

export interface ParsedLineExpectation {
  success: boolean;
  logType?: string;
  sourceIp?: string;
  targetUser?: string;
}

/** What parser.assert says each log line parsed to at the given stage/parser. */
export function crowdsecParserResults(name: string, parser: string): ParsedLineExpectation[] {
  const text = readFileSync(`${caseDir(name)}/parser.assert`, 'utf8');
  const prefix = `results["s01-parse"]["${parser}"]`;
  const out: ParsedLineExpectation[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const m = /^\[(\d+)\]\.(.*) == (.*)$/.exec(line.slice(prefix.length));
    if (!m) continue;
    const i = Number(m[1]);
    const e = (out[i] ??= { success: false });
    const value = JSON.parse(m[3]!) as unknown;
    if (m[2] === 'Success') e.success = value === true;
    else if (m[2] === 'Evt.Meta["log_type"]') e.logType = String(value);
    else if (m[2] === 'Evt.Meta["source_ip"]') e.sourceIp = String(value);
    else if (m[2] === 'Evt.Meta["target_user"]') e.targetUser = String(value);
  }
  return out;
}

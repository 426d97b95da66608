import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Parsed fixture JSON: tests reach into it and edit it freely, so it is typed loosely on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FixtureJson = Record<string, any>;

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'alerts');

/** A payload from test/fixtures/alerts, parsed afresh (callers may change it). */
export function alertFixture(name: string): FixtureJson {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as FixtureJson;
}

export function alertFixtureText(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

/** The same alert as another alert instance (a distinct alertId), as a storm of alerts would bring. */
export function withAlertId(payload: FixtureJson, suffix: string): FixtureJson {
  const copy = structuredClone(payload);
  copy.data.essentials.alertId = `${copy.data.essentials.alertId.replace(/[^/]+$/, '')}${suffix}`;
  return copy;
}

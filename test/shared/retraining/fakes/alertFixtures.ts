import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'alerts');

/** A payload from test/fixtures/alerts, parsed afresh (callers may change it). */
export function alertFixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, any>;
}

export function alertFixtureText(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

/** The same alert as another alert instance (a distinct alertId), as a storm of alerts would bring. */
export function withAlertId(payload: Record<string, any>, suffix: string): Record<string, any> {
  const copy = structuredClone(payload);
  copy.data.essentials.alertId = `${copy.data.essentials.alertId.replace(/[^/]+$/, '')}${suffix}`;
  return copy;
}

/**
 * The one name a feature may not have: `__proto__`. An object literal and an assignment take it for the object's
 * prototype, and JSON Schema validators (ajv) never accept it as a property, so no reading of events could keep it as
 * a feature. Training data, baseline profiles and the event contract refuse it by name instead.
 */
export const RESERVED_FEATURE_NAME = '__proto__';

export const RESERVED_FEATURE_NAME_REASON = 'it names the prototype of a JavaScript object';

export function isReservedFeatureName(name: string): boolean {
  return name === RESERVED_FEATURE_NAME;
}

/**
 * A model name as this app accepts it: it becomes part of blob names (cooldowns, templates) and Azure ML job names,
 * so it is kept to characters both accept.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function isModelName(value: string): boolean {
  return MODEL_NAME_PATTERN.test(value);
}

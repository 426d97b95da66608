/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A feature name that wraps at its underscores (and spaces), never inside a word. */
export function wrappable(name: string): string {
  return esc(name).replace(/_/g, '_<wbr>');
}

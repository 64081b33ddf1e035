/**
 * Values written into generated source code (`.projenrc.ts`, the sample `src/index.ts`) are always
 * string literals: whatever a flag holds, it stays data and never becomes code.
 */

/** A single-quoted TypeScript/JavaScript string literal that evaluates to exactly `value`. */
export function tsString(value: string): string {
  // JSON escapes backslashes, double quotes and every control character; then the quotes are swapped.
  const body = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${body.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

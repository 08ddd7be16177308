// JSON.parse builds whatever nesting a body holds, and every validator after it walks that nesting recursively.
// A body is measured before it is parsed: a scan with a counter, no recursion, stopping at the first level too deep.

/** Whether `text` opens arrays and objects more than `max` levels inside one another. Brackets in strings do not count. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // a backslash: the next character is escaped
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

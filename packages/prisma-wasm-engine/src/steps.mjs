// @ts-check
// The steps of a migration script, which data-loss warnings are numbered by.

/** The steps of a diff script: each starts at a `-- AlterTable`-style header line. @param {string} script */
export function scriptSteps(script) {
  return script.split(/^(?=-- [A-Z]\w+$)/m).filter((step) => /^-- [A-Z]\w+$/m.test(step));
}

/**
 * The step a warning is about: the first whose SQL names the warning's table (and column, when it names one). The
 * checker's messages name them in backticks: "drop the column `email` on the `authors` table".
 * @param {string} message
 * @param {string[]} steps
 */
export function stepIndexOf(message, steps) {
  const table = message.match(/`([^`]+)` table/)?.[1] ?? message.match(/table `([^`]+)`/)?.[1];
  if (!table) return 0;
  const column = message.match(/column `([^`]+)`/)?.[1];
  const names = (/** @type {string} */ step) => step.includes(`"${table}"`) && (!column || step.includes(`"${column}"`));
  const index = steps.findIndex(names);
  return index === -1 ? Math.max(0, steps.findIndex((step) => step.includes(`"${table}"`))) : index;
}

import { CHROMIUM_HELP, findChromium } from '../support/chromium';

/** Repeats, below the results, why the browser specs were skipped (the note at the top scrolls away). */
export default async function globalTeardown(): Promise<void> {
  if (findChromium() === null && process.env.REQUIRE_CHROMIUM !== '1') process.stderr.write(`\nNOTE: ${CHROMIUM_HELP}\n`);
}

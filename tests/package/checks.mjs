// What the package test runners share: one "ok - NAME" / "not ok - NAME" line per check, then a
// "test result:" line (the test command counts it) and the exit status.
export function checks() {
  let passed = 0;
  let failed = 0;
  return {
    async check(name, body) {
      try {
        await body();
        passed++;
        console.log(`ok - ${name}`);
      } catch (e) {
        failed++;
        console.log(`not ok - ${name}\n${String(e.stack ?? e).replace(/^/gm, '    ')}`);
      }
    },
    finish() {
      console.log(`test result: ${failed ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed`);
      process.exit(failed ? 1 : 0);
    },
  };
}

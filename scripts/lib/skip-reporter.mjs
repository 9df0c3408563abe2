// A node:test reporter that writes one JSON line per skipped test (name, file, reason), so that
// scripts/run-tests.mjs can list every skip with its reason in its closing summary.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { skip, name, file } = event.data;
    if (skip === undefined || skip === false) continue;
    yield `${JSON.stringify({ name, file: file ?? null, reason: typeof skip === 'string' ? skip : '' })}\n`;
  }
}

// A 50 MB FASTA must not freeze the server: analysis is capped (UME004 says where it stopped) and
// requests are answered while the capped part is being analysed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, fileUri } from './harness';

const PROTEIN =
  'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIK';

function bigFasta(bytes: number): { text: string; records: number } {
  const parts: string[] = [];
  let size = 0;
  let records = 0;
  while (size < bytes) {
    const rec = `>seq${records++}\n${PROTEIN.slice(0, 60)}\n${PROTEIN.slice(60, 120)}\n${PROTEIN.slice(120)}\n`;
    parts.push(rec);
    size += rec.length;
  }
  return { text: parts.join(''), records };
}

test('a 50 MB FASTA is capped with UME004 and the server keeps answering meanwhile', async () => {
  const client = await TestClient.start({ settings: {} });
  try {
    const small = fileUri('small.fasta');
    client.open(small, 'fasta', '>p\nMKTAYIAKQR\n');
    await client.diagnosticsFor(small); // RDKit loaded, server warm

    const { text } = bigFasta(50 * 1024 * 1024);
    const big = fileUri('big.fasta');
    const started = Date.now();
    client.open(big, 'fasta', text);

    // Ask for code actions on the small document again and again until the big one is published.
    let published = false;
    const answeredBefore: number[] = [];
    const probing = (async () => {
      while (!published) {
        const t = Date.now();
        await client.codeActions(small, { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, []);
        if (!published) answeredBefore.push(Date.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const ds = await client.diagnosticsFor(big, 60000);
    published = true;
    await probing;
    const elapsed = Date.now() - started;

    assert.deepEqual(ds.map((d) => [d.code, d.severity]), [['UME004', 3 /* Information */]]);
    assert.match(ds[0]!.message as string, /^Analysed the first 5\.0 MiB of 50\.0 MiB .*"umeStudio\.maxFileSizeMB"/);
    // Yielding between chunks of sequences lets other requests through during the analysis.
    assert.ok(answeredBefore.length >= 3, `only ${answeredBefore.length} requests answered while the big file was analysed`);
    const sorted = [...answeredBefore].sort((a, b) => a - b);
    console.log(
      `50 MB FASTA: first diagnostics after ${elapsed} ms; ${sorted.length} requests answered meanwhile, ` +
        `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`,
    );
  } finally {
    await client.stop();
  }
});

// The hover's time budget (UME_HOVER_BUDGET_MS here, 8 s by default): a hover whose score is not
// ready in time answers with the sequence's modality and says so, instead of keeping the editor
// waiting; the scoring goes on and fills the cache, so hovering again shows the real score.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { TestClient, fileUri } from './harness';
import { writeRandomModel } from './scoring-model';

const UNIT = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRL';
// ~2000 residues: a masked PLL of this takes seconds on a CPU, far past a 200 ms budget.
const LONG = UNIT.repeat(20);

let client: TestClient;

before(async () => {
  const modelPath = await writeRandomModel('budget-model');
  process.env['UME_HOVER_BUDGET_MS'] = '200';
  try {
    client = await TestClient.start({ settings: { scoring: { modelPath, device: 'cpu' } } });
  } finally {
    delete process.env['UME_HOVER_BUDGET_MS'];
  }
});
after(async () => {
  await client.stop();
});

const text = (h: Hover | null): string => {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
};

test('over its budget a hover says so at once; the score it started shows on the next hover', async () => {
  const uri = fileUri('budget.fasta');
  client.open(uri, 'fasta', `>long\n${LONG}\n`);
  await client.diagnosticsFor(uri, 60_000);
  const t0 = Date.now();
  const first = text(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 10 } }));
  const took = Date.now() - t0;
  assert.match(first, /^\*\*UME\*\* · amino_acid/);
  assert.match(first, /not scored yet: scoring did not finish within the hover's 0\.200 s budget \(the server is busy\); it goes on, and hovering again shows the score/);
  assert.ok(took < 5000, `the over-budget hover took ${took} ms`);
  // The scoring it started goes on; once it is cached the hover answers with the score.
  let scored = '';
  for (let i = 0; i < 120 && !scored; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const h = text(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 10 } }));
    if (/reward: \*\*-?\d/.test(h)) scored = h;
  }
  assert.ok(scored, 'the score never arrived');
  assert.match(scored, /PLL \(mean log-prob\): -?\d/);
});

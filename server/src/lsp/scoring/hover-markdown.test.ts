import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMarkdown, unscoredHover } from './hover-markdown';

test('text from files cannot become Markdown links, emphasis, code or HTML', () => {
  assert.equal(escapeMarkdown('[x](javascript:alert(1)) *a* _b_ `c` <img src=x> a|b ~~s~~ &amp;\nnext'), '\\[x\\](javascript:alert(1)) \\*a\\* \\_b\\_ \\`c\\` &lt;img src=x&gt; a\\|b \\~\\~s\\~\\~ &amp;amp; next');
  assert.equal(escapeMarkdown('C[C@@H](O)c1ccccc1'), 'C\\[C@@H\\](O)c1ccccc1');
  assert.match(unscoredHover(null, null, 5, 'bad <b>x</b>'), /not scored: bad &lt;b&gt;x&lt;\/b&gt;$/);
});

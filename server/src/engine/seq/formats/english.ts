// Is an all-letter token an English word rather than a protein? Plain text is full of long words
// ("information", "HEADLINES") made only of amino-acid letters, so the alphabet alone cannot tell.
// A log-likelihood ratio does: letter-pair probabilities of English words against independent
// residues at UniProt background frequencies. English reuses few pairs (TH, ER, IN...); proteins
// draw letters almost independently.
//
// ENGLISH_PAIRS was generated once from Debian's hunspell-en-us word list (/usr/share/hunspell/
// en_US.dic, 77,827 words of 3+ letters): for each first letter a..z, 26 letters giving
// round(-2 * log2 P(second | first)), add-half smoothing, capped at 25, encoded as 'a' + value.
const ENGLISH_PAIRS =
  'sjijookoksngjfsktgiglmoqmpfkqpgtvsgqvfqrgszhlphstzmzfxmtgzxghzijvufvtioijzzzluhopkepmoeqvlnmhqxilpjpnzlujn' +
  'jiknmpmtrikgmlreginmnlnrgsstghusfxvgtsguzhrjhztzlzgqtqfrjigwvinkhtzgnpizqzjufpsrerttfztmmmfryjkkjvoziyimgjk' +
  'mkttvpikfhlskgholvrvlexssfuxrhrrxsuerxsquexuxuxgmprenskfsnjnjjozljnkrmzjzfpolfoprfyognpgoytnljoswixejqtfrwtf' +
  'zwqjogizsotjutzlzhqihfnhphsmpqkiqsqjgmprunqmljknojqlvnhifkjtgijhllpprgsstfsvghxuisqgjzgljjxszmzntwwswwwnwtqt' +
  'trwstwsawswwwfmlkfolofunmklgmukkjkopzjuipisgrsihwmmjmjjpsgfjtnzmvgrnufqthezwnpqgszhnjjwpzjqjjjkkolsktpghgok' +
  'wgfhvpvqsqfyxscxvueztrzthwzqqtmszzoyenrnfpsifwoloifpzklopzqxnuhqithoulexxpprigtsogknqljuhlijiololurhhhjhyihi' +
  'mrmptoeqqsdzsmhzqmpqgtusqrmsqzji';

/** UniProtKB/Swiss-Prot amino-acid composition (percent); other letters are rare in proteins. */
const RESIDUE_PERCENT: Record<string, number> = {
  A: 8.25, R: 5.53, N: 4.06, D: 5.45, C: 1.37, Q: 3.93, E: 6.75, G: 7.07, H: 2.27, I: 5.96,
  L: 9.66, K: 5.84, M: 2.42, F: 3.86, P: 4.7, S: 6.56, T: 5.34, W: 1.08, Y: 2.92, V: 6.87,
};
const RARE_RESIDUE_PERCENT = 0.1;

/**
 * Mean log2 likelihood ratio per letter pair above which a token reads as English. Measured on the
 * hunspell list (upper-cased words without J) against every window of three real proteins
 * (HBA_HUMAN, HBB_HUMAN, an E. coli protein): for 8-9 letters, threshold -0.5 takes 0.27% of
 * words for proteins and misses 4.5% of protein windows; from 10 letters, threshold 0 takes 0.67%
 * of words and misses no window (0.22% of words at 12 letters).
 */
function threshold(pairs: number): number {
  return pairs + 1 < 10 ? -0.5 : 0;
}

export function englishScore(letters: string): number {
  const lower = letters.toLowerCase();
  let sum = 0;
  let n = 0;
  for (let i = 0; i + 1 < lower.length; i++) {
    const a = lower.charCodeAt(i) - 97;
    const b = lower.charCodeAt(i + 1) - 97;
    if (a < 0 || a > 25 || b < 0 || b > 25) continue;
    const english = -(ENGLISH_PAIRS.charCodeAt(a * 26 + b) - 97) / 2;
    const protein = Math.log2((RESIDUE_PERCENT[lower[i + 1]!.toUpperCase()] ?? RARE_RESIDUE_PERCENT) / 100);
    sum += english - protein;
    n++;
  }
  return n === 0 ? Infinity : sum / n;
}

export function looksEnglish(letters: string): boolean {
  return englishScore(letters) > threshold(letters.length - 1);
}

// Is an all-letter token an English word rather than a sequence? Plain text is full of long words
// ("information", "HEADLINES") made only of amino-acid letters, so the alphabet alone cannot tell.
// English spelling reuses a small set of letter pairs; protein sequences do not. A token most of
// whose adjacent letter pairs are among the ~170 most frequent English bigrams is taken for a word.

const COMMON_BIGRAMS = new Set(
  (
    'TH HE IN ER AN RE ON AT EN ND TI ES OR TE OF ED IS IT AL AR ST TO NT NG SE HA AS OU IO LE VE CO ' +
    'ME DE HI RI RO IC NE EA RA CE LI CH LL BE MA SI OM UR CA EL TA LA NS DI FO HO PE EC PR NO CT US ' +
    'AC OT IL TR LY NC ET UT SS SO RS UN LO WA GE IE WH EE WI EM AD OL RT PO WE NA UL NI TS MO OW PA ' +
    'IM MI AI SH IR SU ID OS IV IA AM FI CI VI PL IG TU EV LD RY MP FE BL AB GH TY OP WO SA AY EX KE ' +
    'FR OO AV AG IF AP GR OD BO SP RD DO UC BU EI OV BY RM EP TT OC FA EF CU RN SC GI DA YO CR CL DU ' +
    'GA QU UE FF BA EY LS VA UM PP UA UP LU GO HT RU UG DS LT PI RC RR EG AU CK EW MU BR BI PT AK PU ' +
    'UI RG IB TL NY KI RK YS OB MM FU PH OG MS YE UD MB IP UB OI RL GU DR HR CC TW FT WN NU EW NK OK ' +
    'SM SN SK SL WR GN NN DL'
  ).split(' '),
);

const VOWELS = /[AEIOUY]/;

export function looksEnglish(letters: string): boolean {
  const up = letters.toUpperCase();
  if (up.length < 2) return true;
  let common = 0;
  for (let i = 0; i + 1 < up.length; i++) {
    if (COMMON_BIGRAMS.has(up.slice(i, i + 2))) common++;
  }
  const ratio = common / (up.length - 1);
  if (ratio >= 0.6) return true;
  // Long consonant runs (beyond "ngths"/"tchw") never occur in English words.
  let run = 0;
  for (const ch of up) {
    run = VOWELS.test(ch) ? 0 : run + 1;
    if (run >= 6) return false;
  }
  return ratio >= 0.5 && up.length <= 12;
}

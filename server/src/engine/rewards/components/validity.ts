// validity: 1 when the completion holds a valid sequence, 0 when not: RDKit parses the SMILES;
// proteins use the 20 standard one-letter codes (plus IUPAC's X B Z J U O with allow_iupac);
// nucleotides A C G T U (plus IUPAC's N R Y S W K M B D H V with allow_iupac); with require_tag,
// a completion without a tag pair is invalid. Unlike other components it never abstains on a
// malformed row: judging malformed rows is its job.

import type { Modality } from '../../seq/types';
import type { ParamSpec } from './params';
import type { BuildContext, Component, ComponentRow, Measurement } from './types';

export const VALIDITY_PARAMS: ParamSpec = {
  require_tag: { kind: 'boolean', default: false, doc: 'untagged completions are invalid (training: the policy must emit <smiles>..</smiles> etc.)' },
  allow_iupac: { kind: 'boolean', default: false, doc: 'accept IUPAC ambiguity codes in proteins (X B Z J U O) and nucleotides (N R Y S W K M B D H V)' },
  modalities: { kind: 'string[]', doc: 'only these modalities are valid (default: all three)' },
};

const STRICT: Record<Modality, RegExp | null> = { SMILES: null, amino_acid: /^[ACDEFGHIKLMNPQRSTVWY]+$/, nucleotide: /^[ACGTU]+$/i };
const IUPAC: Record<Modality, RegExp | null> = { SMILES: null, amino_acid: /^[ACDEFGHIKLMNPQRSTVWYXBZJUO]+$/, nucleotide: /^[ACGTUNRYSWKMBDHV]+$/i };

export function validityComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const requireTag = params['require_tag'] === true;
  const alphabet = params['allow_iupac'] === true ? IUPAC : STRICT;
  const only = params['modalities'] as Modality[] | undefined;
  const judge = (r: ComponentRow): Measurement => {
    if (!r.seq.ok) return { raw: 0, error: r.seq.reason, kind: r.seq.kind };
    const { text, modality, source } = r.seq;
    if (requireTag && (source === 'detected' || source === 'given')) return { raw: 0, error: 'no tag pair (require_tag)', kind: 'no-tag' };
    if (only && !only.includes(modality)) return { raw: 0, error: `a ${modality} sequence; valid modalities here: ${only.join(', ')}`, kind: 'other-modality' };
    if (modality === 'SMILES') {
      const v = ctx.rdkit.validate(text);
      return v.ok ? { raw: 1 } : { raw: 0, error: `invalid SMILES: ${v.reason ?? 'RDKit rejected it'}`, kind: 'invalid-smiles' };
    }
    const re = alphabet[modality]!;
    if (re.test(text)) return { raw: 1 };
    const bad = [...text].find((c) => !re.test(c));
    return { raw: 0, error: `"${bad}" is not in the ${modality === 'amino_acid' ? 'protein' : 'nucleotide'} alphabet${params['allow_iupac'] ? ' (IUPAC)' : ' (set allow_iupac for ambiguity codes)'}`, kind: 'invalid-sequence' };
  };
  return { name, type: 'validity', measure: async (rows) => rows.map(judge) };
}

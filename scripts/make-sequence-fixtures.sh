#!/usr/bin/env bash
# Draws the real sequences in test/fixtures/sequences/*.tsv from public data in Debian packages.
# Run once by hand when the fixtures need to change; tests read the committed TSVs and do not need
# these packages. Selection is deterministic (every k-th record passing a length filter), so
# re-running on the same package versions reproduces the files byte for byte.
#
#   sudo apt-get install -y rdkit-data emboss-data mmseqs2-examples r-bioc-biostrings \
#        vsearch-examples bowtie-examples rnahybrid
#   scripts/make-sequence-fixtures.sh
#
# Columns: text, expected_modality (lobster's names), source (package: file: record id), licence.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/sequences
mkdir -p "$out"

need() { [ -e "$1" ] || { echo "missing $1: install Debian package $2 (apt-get install -y $2)" >&2; exit 1; }; }
NCI=/usr/share/RDKit/Data/NCI/first_5K.smi;                       need "$NCI" rdkit-data
CHEBI=/usr/share/EMBOSS/data/OBO/chebi.obo;                       need "$CHEBI" emboss-data
UNIPROT=/usr/share/doc/mmseqs2/example-data/DB.fasta.gz;          need "$UNIPROT" mmseqs2-examples
DM3=/usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz; need "$DM3" r-bioc-biostrings
ORF=/usr/lib/R/site-library/Biostrings/extdata/someORF.fa;        need "$ORF" r-bioc-biostrings
RRNA=/usr/share/doc/vsearch-examples/BioMarKs50k.fsa.gz;          need "$RRNA" vsearch-examples
ECOLI=/usr/share/doc/bowtie/examples/genomes/NC_008253.fna.gz;    need "$ECOLI" bowtie-examples
LET7=/usr/share/doc/rnahybrid/examples/let-7.fasta;               need "$LET7" rnahybrid

# Debian's Python (the python3 on PATH may be a bare pyenv); standard library only.
/usr/bin/python3 - "$out" "$NCI" "$CHEBI" "$UNIPROT" "$DM3" "$ORF" "$RRNA" "$ECOLI" "$LET7" <<'PY'
import gzip, re, sys
out, NCI, CHEBI, UNIPROT, DM3, ORF, RRNA, ECOLI, LET7 = sys.argv[1:]

def opener(p):
    return gzip.open(p, 'rt') if p.endswith('.gz') else open(p)

def fasta(p):
    head, seq = None, []
    with opener(p) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('>'):
                if head is not None:
                    yield head, ''.join(seq)
                head, seq = line[1:].strip(), []
            elif head is not None:
                seq.append(line.strip())
    if head is not None:
        yield head, ''.join(seq)

def every(items, n):
    # n items spread evenly over the list (first one included).
    k = max(1, len(items) // n)
    return items[::k][:n]

def write(name, rows):
    with open(f'{out}/{name}', 'w') as f:
        f.write('text\texpected_modality\tsource\tlicence\n')
        for r in rows:
            assert all('\t' not in c and '\n' not in c for c in r), r
            f.write('\t'.join(r) + '\n')
    print(f'{out}/{name}: {len(rows)} rows')

# SMILES: NCI (Kekule, uppercase) from rdkit-data; ChEBI (aromatic lowercase, charges, stereo).
nci = []
with open(NCI) as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 2 and 8 <= len(parts[0]) <= 80:
            nci.append((parts[0], parts[1]))
smiles = [(s, 'SMILES', f'rdkit-data: {NCI}: NCI id {i}', 'BSD-3-Clause (rdkit-data)') for s, i in every(nci, 12)]

chebi, cur = [], None
with open(CHEBI) as f:
    for line in f:
        if line.startswith('id: CHEBI:'):
            cur = line.split()[1]
        m = re.match(r'synonym: "(.*)" RELATED SMILES', line)
        if m and cur:
            s = m.group(1).replace('\\\\', '\\')  # OBO escapes backslashes
            if 10 <= len(s) <= 80 and re.search(r'[cnos]', s) and ' ' not in s:
                chebi.append((s, cur))
            cur = None
smiles += [(s, 'SMILES', f'emboss-data: {CHEBI}: {i}', 'CC-BY-3.0 (ChEBI, via emboss-data)') for s, i in every(chebi, 12)]
write('smiles.tsv', smiles)

# Proteins: UniProt records shipped as mmseqs2's example database.
prot = [(s, h.split()[0]) for h, s in fasta(UNIPROT) if 30 <= len(s) <= 400]
write('proteins.tsv', [(s, 'amino_acid', f'mmseqs2-examples: {UNIPROT}: {i}', 'CC-BY-4.0 (UniProt, via mmseqs2-examples GPL-3)') for s, i in every(prot, 22)])

# Nucleotides: fly upstream regions (soft-masked, lowercase), yeast ORFs (uppercase), E. coli genome
# windows, 18S rRNA amplicons (lowercase) and one real RNA written with U (let-7 miRNA).
nuc = []
for h, s in every(list(fasta(DM3)), 6):
    nuc.append((s[:240], 'nucleotide', f'r-bioc-biostrings: {DM3}: {h.split()[0]} bases 1-240', 'Artistic-2.0 (Biostrings)'))
for h, s in list(fasta(ORF))[:4]:
    nuc.append((s[:300], 'nucleotide', f'r-bioc-biostrings: {ORF}: {h.split()[0]} bases 1-300', 'Artistic-2.0 (Biostrings)'))
for h, s in fasta(ECOLI):
    for start in (0, 1_000_000, 2_000_000, 3_000_000):
        nuc.append((s[start:start + 300], 'nucleotide', f'bowtie-examples: {ECOLI}: {h.split()[0]} bases {start + 1}-{start + 300}', 'Artistic-2.0 (bowtie-examples)'))
    break
for h, s in every(list(fasta(RRNA)), 6):
    nuc.append((s, 'nucleotide', f'vsearch-examples: {RRNA}: {h.split(";")[0]}', 'BSD-2-Clause (vsearch-examples)'))
for h, s in fasta(LET7):
    nuc.append((s, 'nucleotide', f'rnahybrid: {LET7}: {h} (RNA, U)', 'GPL-2+ (rnahybrid)'))
write('nucleotides.tsv', nuc)
PY

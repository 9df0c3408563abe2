#!/usr/bin/python3
"""Peer for `npm run bench -- detect`: lobster's `_detect_modality` algorithm (prescient-design/lobster,
validate=True) in Python with Debian's RDKit, run on the same file as our engine.

Re-implemented from lobster's documented behaviour (REFERENCE.md section 1), keeping its costs: strip +
upper; length check; ^[ATGC]+$ then an IUPAC-letter check per base; ^[ACDEFGHIKLMNPQRSTVWY]+$ then a
per-residue protein-letter check (lobster does both through Biopython's Seq; the letter sets are
inlined here so Biopython is not needed); SMILES rules validated with Chem.MolFromSmiles. Failures
raise ValueError, as in lobster, and are counted.

usage: lobster_detect.py FILE WARM_FILE fasta|smi
Prints one JSON line: parse_ms, detect_ms, sequences, modality counts, errors, max_rss_mb, rdkit.
"""

import json
import re
import resource
import sys
import time

from rdkit import Chem, RDLogger, rdBase

RDLogger.DisableLog("rdApp.*")  # lobster's callers see RDKit's log; printing 10k lines would time the terminal

AMBIGUOUS_DNA_LETTERS = "GATCRYWSMKHBVDN"  # Bio.Data.IUPACData.ambiguous_dna_letters
PROTEIN_LETTERS = "ACDEFGHIKLMNPQRSTVWY"  # Bio.Data.IUPACData.protein_letters

DNA = re.compile(r"^[ATGC]+$")
AMINO_ACID = re.compile(r"^[ACDEFGHIKLMNPQRSTVWY]+$")
SMILES_CHAR = re.compile(r"[CNOSPFIHBrCl()\[\]=#@+\-\.\\\/]")
SIMPLE_SMILES = re.compile(r"^[CHONSPFIBrCl0123456789]+$")


def valid_smiles(text):
    try:
        return Chem.MolFromSmiles(text) is not None
    except Exception:
        return False


def detect_modality(text):
    text = text.strip().upper()
    if len(text) < 3:
        raise ValueError(f"Sequence too short (length {len(text)}). Minimum length required is 3 characters.")
    if DNA.match(text):
        if not all(b in AMBIGUOUS_DNA_LETTERS for b in text):
            raise ValueError("Sequence appears to be DNA but failed validation")
        return "nucleotide"
    if AMINO_ACID.match(text):
        if not all(r in PROTEIN_LETTERS for r in text):
            raise ValueError("Sequence appears to be protein but failed validation")
        return "amino_acid"
    if SMILES_CHAR.search(text) and any(c in text for c in "()[]=#@"):
        if not valid_smiles(text):
            raise ValueError("Sequence appears to be SMILES but failed validation")
        return "SMILES"
    if SIMPLE_SMILES.match(text) and len(text) >= 3:
        if not valid_smiles(text):
            raise ValueError("Sequence appears to be SMILES but failed validation")
        return "SMILES"
    raise ValueError("Unable to determine modality for sequence")


def parse_fasta(text):
    """Records joined across lines; ';' comment lines skipped."""
    out, cur = [], None
    for line in text.split("\n"):
        if line.startswith(">"):
            if cur is not None:
                out.append("".join(cur))
            cur = []
        elif cur is not None and not line.startswith(";"):
            cur.append(line.strip())
    if cur is not None:
        out.append("".join(cur))
    return out


def parse_smi(text):
    """First whitespace-separated field of each non-empty, non-comment line."""
    out = []
    for line in text.split("\n"):
        fields = line.split(None, 1)
        if fields and not fields[0].startswith("#"):
            out.append(fields[0])
    return out


def run(seqs):
    counts, errors = {}, 0
    for s in seqs:
        try:
            m = detect_modality(s)
            counts[m] = counts.get(m, 0) + 1
        except ValueError:
            errors += 1
    return counts, errors


def main():
    path, warm, fmt = sys.argv[1:4]
    parse = parse_fasta if fmt == "fasta" else parse_smi
    with open(warm, encoding="utf-8") as f:
        run(parse(f.read()))  # same warm-up input as ours (imports, RDKit tables)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    t0 = time.perf_counter()
    seqs = parse(text)
    t1 = time.perf_counter()
    counts, errors = run(seqs)
    t2 = time.perf_counter()
    print(json.dumps({
        "parse_ms": (t1 - t0) * 1e3, "detect_ms": (t2 - t1) * 1e3, "sequences": len(seqs),
        "modality": counts, "errors": errors,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rdkit": rdBase.rdkitVersion,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()

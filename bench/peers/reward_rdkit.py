#!/usr/bin/python3
"""Python RDKit reference for the reward library (Debian python3-rdkit; run with /usr/bin/python3).

  reward_rdkit.py props FILE [START COUNT]   one JSON line per SMILES: descriptors, QED (and its 8
                                             properties), Murcko and generic Murcko scaffolds
  reward_rdkit.py tanimoto FILE [START COUNT] one JSON line per consecutive pair: Morgan r2/2048 Tanimoto
  reward_rdkit.py sa FILE [START COUNT]       one JSON line per SMILES: Ertl's SA score (RDKit Contrib sascorer.py,
                                             rdkit-data) and its fragment term score1
  reward_rdkit.py bench FILE REPEAT           seconds per component over the file's SMILES (see bench/reward.ts)

FILE holds one SMILES per line (the first whitespace-separated word); unparsable lines give {"ok": false}.
The tests and bench/reward.ts compare the TypeScript components with these numbers.
"""
import json
import sys
import time

from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import AllChem, Crippen, Descriptors, QED, rdMolDescriptors as rdmd
from rdkit.Chem.Scaffolds import MurckoScaffold

RDLogger.DisableLog("rdApp.*")


def read(path, start=0, count=None):
    with open(path, encoding="utf-8") as f:
        words = [line.split()[0] for line in f if line.strip()]
    end = len(words) if count is None else start + count
    return words[start:end]


def scaffold(mol, generic):
    try:
        s = MurckoScaffold.GetScaffoldForMol(mol)
        if generic:
            s = MurckoScaffold.MakeScaffoldGeneric(s)
        return Chem.MolToSmiles(s, isomericSmiles=False)
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        return {"error": str(e)}


def props(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return {"smiles": smiles, "ok": False}
    out = {"smiles": smiles, "ok": True}
    out["mw"] = Descriptors.MolWt(mol)
    out["clogp"] = Crippen.MolLogP(mol)
    out["tpsa"] = rdmd.CalcTPSA(mol)
    out["hbd"] = rdmd.CalcNumHBD(mol)
    out["hba"] = rdmd.CalcNumHBA(mol)
    out["rotatable_bonds"] = rdmd.CalcNumRotatableBonds(mol)
    out["rings"] = rdmd.CalcNumRings(mol)
    out["aromatic_rings"] = rdmd.CalcNumAromaticRings(mol)
    out["heavy_atoms"] = rdmd.CalcNumHeavyAtoms(mol)
    try:
        p = QED.properties(mol)
        out["qed_props"] = list(p)
        out["qed"] = QED.qed(mol, qedProperties=p)
    except Exception as e:  # noqa: BLE001
        out["qed"] = {"error": str(e)}
    out["murcko"] = scaffold(mol, False)
    out["generic"] = scaffold(mol, True)
    return out


def fingerprint(smiles):
    mol = Chem.MolFromSmiles(smiles)
    return None if mol is None else AllChem.GetMorganFingerprintAsBitVect(mol, 2, nBits=2048)


def main(argv):
    mode, path = argv[1], argv[2]
    if mode == "props":
        start = int(argv[3]) if len(argv) > 3 else 0
        count = int(argv[4]) if len(argv) > 4 else None
        for s in read(path, start, count):
            print(json.dumps(props(s)))
    elif mode == "tanimoto":
        start = int(argv[3]) if len(argv) > 3 else 0
        count = int(argv[4]) if len(argv) > 4 else None
        words = read(path, start, count)
        fps = [fingerprint(s) for s in words]
        for i in range(len(words) - 1):
            a, b = fps[i], fps[i + 1]
            t = None if a is None or b is None else DataStructs.TanimotoSimilarity(a, b)
            print(json.dumps({"a": words[i], "b": words[i + 1], "tanimoto": t}))
    elif mode == "sa":
        start = int(argv[3]) if len(argv) > 3 else 0
        count = int(argv[4]) if len(argv) > 4 else None
        sys.path.insert(0, "/usr/share/RDKit/Contrib/SA_Score")
        import sascorer  # noqa: PLC0415 - rdkit-data's copy of Ertl's scorer

        sascorer.readFragmentScores("/usr/share/RDKit/Contrib/SA_Score/fpscores")
        for s in read(path, start, count):
            mol = Chem.MolFromSmiles(s)
            if mol is None:
                print(json.dumps({"smiles": s, "ok": False}))
                continue
            fps = rdmd.GetMorganFingerprint(mol, 2).GetNonzeroElements()
            nf = sum(fps.values())
            score1 = sum(sascorer._fscores.get(b, -4) * v for b, v in fps.items()) / nf if nf else 0.0
            print(json.dumps({"smiles": s, "ok": True, "sa": sascorer.calculateScore(mol), "score1": score1}))
    elif mode == "bench":
        bench(read(path), int(argv[3]))
    else:
        sys.exit(f"unknown mode {mode}; use props, tanimoto or bench")


def bench(words, repeat):
    """Seconds per component, the same work bench/reward.ts times (parse included in each)."""
    ref = [fingerprint(s) for s in words[:16]]
    ref = [f for f in ref if f is not None]
    components = {
        "validity": lambda m: 1.0,
        "qed": lambda m: QED.qed(m),
        "mw": Descriptors.MolWt,
        "clogp": Crippen.MolLogP,
        "tpsa": rdmd.CalcTPSA,
        "similarity": lambda m: max(DataStructs.BulkTanimotoSimilarity(AllChem.GetMorganFingerprintAsBitVect(m, 2, nBits=2048), ref)),
        "murcko": lambda m: Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(m), isomericSmiles=False),
    }
    out = {}
    for name, fn in components.items():
        t0 = time.perf_counter()
        for _ in range(repeat):
            for s in words:
                m = Chem.MolFromSmiles(s)
                if m is not None:
                    fn(m)
        out[name] = (time.perf_counter() - t0) / repeat
    # The default molecular multi mix: validity + qed + mw window + murcko diversity, one parse per molecule.
    t0 = time.perf_counter()
    for _ in range(repeat):
        for s in words:
            m = Chem.MolFromSmiles(s)
            if m is not None:
                QED.qed(m)
                Descriptors.MolWt(m)
                Chem.MolToSmiles(MurckoScaffold.GetScaffoldForMol(m), isomericSmiles=False)
    out["multi"] = (time.perf_counter() - t0) / repeat
    print(json.dumps({"molecules": len(words), "seconds": out}))


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Writes wup_nltk_reference.tsv: Wu-Palmer similarities as NLTK computes them, for
test_wordnet. Needs NLTK (Debian: python3-nltk) and the WordNet 3.0 files of wordnet-base.
NLTK's reader wants a `lexnames` file that wordnet-base does not ship, so this script builds
a temporary folder of links plus that file (the 45 lexicographer file names of WordNet 3.0).

    /usr/bin/python3 tests/core/semantic/make_wup_reference.py > tests/core/semantic/wup_nltk_reference.tsv
"""
import os
import random
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")
from nltk.corpus.reader.wordnet import WordNetCorpusReader  # noqa: E402

LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute
noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group
noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession
noun.process noun.quantity noun.relation noun.shape noun.state noun.substance noun.time
verb.body verb.change verb.cognition verb.communication verb.competition verb.consumption
verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession
verb.social verb.stative verb.weather adj.ppl""".split()
POS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def reader(src="/usr/share/wordnet"):
    tmp = tempfile.mkdtemp()
    for name in os.listdir(src):
        os.symlink(os.path.join(src, name), os.path.join(tmp, name))
    with open(os.path.join(tmp, "lexnames"), "w") as f:
        for i, name in enumerate(LEXNAMES):
            f.write(f"{i:02d}\t{name}\t{POS[name.split('.')[0]]}\n")
    return WordNetCorpusReader(tmp, None)


def main():
    wn = reader()
    rng = random.Random(20240611)
    nouns = sorted(wn.all_synsets("n"), key=lambda s: s.offset())
    pairs = []
    cifar10 = ["airplane.n.01", "car.n.01", "bird.n.01", "cat.n.01", "deer.n.01",
               "dog.n.01", "frog.n.01", "horse.n.01", "ship.n.01", "truck.n.01"]
    pairs += [(wn.synset(a), wn.synset(b)) for i, a in enumerate(cifar10) for b in cifar10[i + 1:]]
    pairs += [(rng.choice(nouns), rng.choice(nouns)) for _ in range(150)]
    selfs = [s for s in rng.sample(nouns, 3000) if s.wup_similarity(s) != 1.0][:15]
    pairs += [(s, s) for s in selfs + rng.sample(nouns, 15) + [wn.synset("dog.n.01")]]
    for s in rng.sample(nouns, 60):  # siblings and parent/child: close pairs, LCS ties
        parents = s.hypernyms() + s.instance_hypernyms()
        if parents:
            kids = parents[0].hyponyms() + parents[0].instance_hyponyms()
            pairs += [(s, rng.choice(kids)), (parents[0], s)]
    out = sys.stdout
    out.write("# synset a\tsynset b\tNLTK wup_similarity (NLTK %s, WordNet %s)\n"
              % (__import__("nltk").__version__, wn.get_version()))
    for a, b in pairs:
        out.write(f"{a.name()}\t{b.name()}\t{a.wup_similarity(b)!r}\n")


if __name__ == "__main__":
    main()

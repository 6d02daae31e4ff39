#!/usr/bin/python3
"""Builds examples/data/wordnet-themes.csv, the bundled example dataset, from Debian's wordnet-base.

The real use case is a small set of short free-text answers (a staff survey), each tagged with one
or more themes. WordNet noun glosses grouped by lexicographer file have that shape and a licence
that allows redistribution: each gloss is a short text, its lexicographer file (noun.feeling,
noun.body, ...) is its theme. A quarter of the rows join two glosses of different themes and carry
both labels, so the set is multi-label like survey narratives.

Deterministic: the same wordnet-base data gives the same file. Run from the repository root:
    /usr/bin/python3 examples/make_wordnet_dataset.py
"""
import csv
import random
import sys

DATA_NOUN = "/usr/share/wordnet/data.noun"
OUTPUT = "examples/data/wordnet-themes.csv"
# Lexicographer file numbers (WordNet lexnames) of the themes, chosen to sound like a health-care
# staff survey: bodies, conditions, feelings, people and how they talk.
THEMES = {8: "body", 10: "communication", 12: "feeling", 18: "person", 26: "state"}
SINGLE_PER_THEME = 18
PAIRS = 30
SEED = 20240101
# Glosses with capitals or digits name particular people, places or dates; glosses with these
# words describe slurs. Neither belongs in an example dataset.
UNWANTED_WORDS = ("offensive", "slur", "derogatory", "disparaging", "vulgar", "obscene", "slang")


def glosses_by_theme():
    by_theme = {name: [] for name in THEMES.values()}
    with open(DATA_NOUN, encoding="utf-8") as f:
        for line in f:
            if line.startswith("  "):  # licence header
                continue
            head, _, gloss = line.partition(" | ")
            fields = head.split()
            lexfile = int(fields[1])
            if lexfile not in THEMES:
                continue
            # The definition only, without the quoted usage examples after ';'.
            text = gloss.strip().split(";")[0].strip()
            words = text.split()
            plain = text.islower() and not any(c.isdigit() for c in text)
            clean = not any(w in text for w in UNWANTED_WORDS)
            if 6 <= len(words) <= 16 and plain and clean and '"' not in text and "(" not in text:
                by_theme[THEMES[lexfile]].append(text)
    return by_theme


def main():
    rng = random.Random(SEED)
    by_theme = glosses_by_theme()
    pools = {t: rng.sample(sorted(g), SINGLE_PER_THEME + PAIRS) for t, g in by_theme.items()}
    rows = []
    for theme, pool in pools.items():
        for text in pool[:SINGLE_PER_THEME]:
            rows.append((text, [theme]))
    themes = sorted(pools)
    spare = {t: pools[t][SINGLE_PER_THEME:] for t in themes}
    for i in range(PAIRS):
        a, b = rng.sample(themes, 2)
        first, second = spare[a].pop(), spare[b].pop()
        rows.append((first + "; and " + second, sorted([a, b])))
    rng.shuffle(rows)
    with open(OUTPUT, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "text", "themes"])
        for i, (text, labels) in enumerate(rows, start=1):
            out.writerow([f"r{i:03d}", text, ";".join(labels)])
    print(f"wrote {len(rows)} rows, themes {', '.join(themes)} to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes examples/models/tiny-bert-demo: a tiny, RANDOMLY INITIALISED BERT (no pre-training) in
Hugging Face layout, so the demo sweep can show a transformer classifier row on a laptop CPU.

It is not a pre-trained model and says nothing about what RoBERTa, DistilBERT or XLNet add: real
studies point the spec's classifiers at real checkpoints (roberta-base, distilbert-base-uncased,
xlnet-base-cased). What it exercises is the whole path: a WordPiece vocab.txt, a BertModel
checkpoint without a classification head (the worker initialises one per job, seeded), fine-tuning
and the fold AUCs.

  vocab.txt          [PAD] [UNK] [CLS] [SEP] [MASK], every lower-case word of
                     examples/data/wordnet-themes.csv, then single characters and their "##"
                     continuations, so any English text tokenizes without [UNK] runs
  config.json        BertModel: hidden 32, 2 layers, 2 heads, intermediate 64, 128 positions
  model.safetensors  float32, names as BertModel.save_pretrained writes them (no "bert." prefix);
                     weights ~ N(0, 0.02) as transformers' _init_weights, LayerNorm 1/0, biases 0

Standard library only (no numpy/torch), seeded: the output is byte-identical on every run.
Usage: python3 examples/make_demo_encoder.py [OUT_DIR]
"""
import csv
import json
import os
import random
import re
import string
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "models", "tiny-bert-demo")
SEED = 20241126
HIDDEN, LAYERS, HEADS, INTERMEDIATE, POSITIONS, TYPES = 32, 2, 2, 64, 128, 2
INIT_STD = 0.02
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_vocab():
    words = set()
    with open(os.path.join(HERE, "data", "wordnet-themes.csv"), newline="") as f:
        for row in csv.DictReader(f):
            words.update(re.findall(r"[a-z0-9]+", row["text"].lower()))
    chars = list(string.ascii_lowercase + string.digits) + list(string.punctuation)
    pieces = SPECIALS + sorted(words - set(chars)) + chars + ["##" + c for c in string.ascii_lowercase + string.digits]
    return pieces


def tensors(vocab_size):
    rng = random.Random(SEED)

    def normal(*shape):
        n = 1
        for d in shape:
            n *= d
        return shape, [rng.gauss(0.0, INIT_STD) for _ in range(n)]

    def const(value, *shape):
        n = 1
        for d in shape:
            n *= d
        return shape, [value] * n

    out = {}
    word = normal(vocab_size, HIDDEN)
    word[1][0:HIDDEN] = [0.0] * HIDDEN  # the [PAD] row stays zero, as nn.Embedding(padding_idx=0)
    out["embeddings.word_embeddings.weight"] = word
    out["embeddings.position_embeddings.weight"] = normal(POSITIONS, HIDDEN)
    out["embeddings.token_type_embeddings.weight"] = normal(TYPES, HIDDEN)
    out["embeddings.LayerNorm.weight"] = const(1.0, HIDDEN)
    out["embeddings.LayerNorm.bias"] = const(0.0, HIDDEN)
    for i in range(LAYERS):
        p = "encoder.layer.%d." % i
        for name in ("attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense"):
            out[p + name + ".weight"] = normal(HIDDEN, HIDDEN)
            out[p + name + ".bias"] = const(0.0, HIDDEN)
        out[p + "attention.output.LayerNorm.weight"] = const(1.0, HIDDEN)
        out[p + "attention.output.LayerNorm.bias"] = const(0.0, HIDDEN)
        out[p + "intermediate.dense.weight"] = normal(INTERMEDIATE, HIDDEN)
        out[p + "intermediate.dense.bias"] = const(0.0, INTERMEDIATE)
        out[p + "output.dense.weight"] = normal(HIDDEN, INTERMEDIATE)
        out[p + "output.dense.bias"] = const(0.0, HIDDEN)
        out[p + "output.LayerNorm.weight"] = const(1.0, HIDDEN)
        out[p + "output.LayerNorm.bias"] = const(0.0, HIDDEN)
    out["pooler.dense.weight"] = normal(HIDDEN, HIDDEN)
    out["pooler.dense.bias"] = const(0.0, HIDDEN)
    return out


def write_safetensors(path, named):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(named):
        shape, values = named[name]
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    os.makedirs(OUT, exist_ok=True)
    vocab = build_vocab()
    with open(os.path.join(OUT, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": len(vocab),
        "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": POSITIONS,
        "type_vocab_size": TYPES, "initializer_range": INIT_STD, "layer_norm_eps": 1e-12,
        "pad_token_id": 0, "position_embedding_type": "absolute",
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                   "model_max_length": POSITIONS}, f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(OUT, "model.safetensors"), tensors(len(vocab)))
    print("wrote %s (vocab %d)" % (OUT, len(vocab)))


if __name__ == "__main__":
    main()

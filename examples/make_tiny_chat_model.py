#!/usr/bin/env python3
r"""Writes examples/models/tiny-chat: a tiny, RANDOMLY INITIALISED instruct-style LLaMA (no training)
in Hugging Face layout, with a byte-level BPE tokenizer.json, ChatML special tokens and Qwen2.5's
chat template, so a sweep can run chat-format generation end to end on a CPU in seconds.

Its texts are noise. What it exercises is the whole chat path: tokenizer_config.json's
chat_template rendered with its special tokens, a byte-level BPE tokenizer.json (added tokens split
out of the prompt), a LlamaForCausalLM checkpoint, generation that stops at <|im_end|>.

  tokenizer.json         byte-level BPE as GPT-2/Qwen2 write it: ids 0-255 the 256 byte symbols
                         (GPT-2's bytes_to_unicode, in byte order), 256-508 merges learned here by
                         a small deterministic BPE training on the texts of
                         examples/data/wordnet-themes.csv, then the added special tokens
                         509 <|im_start|>, 510 <|endoftext|>, 511 <|im_end|>
  tokenizer_config.json  Qwen2Tokenizer-style: eos <|im_end|>, pad <|endoftext|>, no bos; the
                         chat_template of tests/fixtures/chat-templates/qwen2.5-7b-instruct
                         (Apache-2.0), copied verbatim
  config.json            LlamaForCausalLM: vocab 512, hidden 64, 2 layers, 8 heads (4 kv),
                         intermediate 172, 512 positions, untied lm_head, eos 511, pad 510
  generation_config.json eos [511, 510], pad 510
  model.safetensors      float32, names and shapes of LlamaForCausalLM's state_dict; weights
                         ~ N(0, 0.1), RMSNorm weights 1 + 0.05 N(0, 1)

Ending the turn. A random model would almost never pick <|im_end|>, so after the random draw a
few weights are set by hand to a two-step rule, "a word, then maybe a full stop; after a full stop,
<|im_end|>": hidden dimension 0 of the embedding of every text token but "\n" and "." is
WORD_FEATURE and the lm_head row of "." reads it with FULL_STOP_GAIN; dimension 1 of "."'s
embedding is STOP_FEATURE and <|im_end|>'s lm_head row reads it with IM_END_GAIN. The features
reach the last hidden state through the residual stream. So the reply is noise ending in "." and
then <|im_end|>; "\n" (the end of "<|im_start|>assistant\n") carries no feature, so a reply is
not empty. The gains were tuned with a pure-Python forward pass (not part of this script) on 8
prompts of examples/data/wordnet-themes.csv in the Qwen2.5 chat format, 40 new tokens at most:
greedy gives one token and "." (then <|im_end|>); temperature 0.7 ends after 2-9 tokens and
temperature 1.0 after 2-26 (24 of 24 samples each ended with <|im_end|>).

Standard library only (no numpy/torch; Debian 12's /usr/bin/python3 runs it), seeded: the output
is byte-identical on every run.
Usage: python3 examples/make_tiny_chat_model.py [OUT_DIR]
"""
import collections
import csv
import json
import os
import random
import re
import sys

from make_demo_encoder import write_safetensors  # the same writer as the demo encoder

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "models", "tiny-chat")
TEMPLATE_CONFIG = os.path.join(HERE, "..", "tests", "fixtures", "chat-templates",
                               "qwen2.5-7b-instruct", "tokenizer_config.json")
SEED = 20250611
VOCAB, HIDDEN, LAYERS, HEADS, KV_HEADS, INTERMEDIATE, POSITIONS = 512, 64, 2, 8, 4, 172, 512
HEAD_DIM = HIDDEN // HEADS
INIT_STD = 0.1
NORM_STD = 0.05
NEWLINE, FULL_STOP = 10, 46  # the byte symbols of "\n" and "." (ids are byte values)
WORD_FEATURE = 1.5     # embedding[id][0] of the text tokens but "\n" and "."
STOP_FEATURE = 1.5     # embedding["."][1]
FULL_STOP_GAIN = 3.5   # lm_head["."][0]
IM_END_GAIN = 5.0      # lm_head[<|im_end|>][1]
IM_START, ENDOFTEXT, IM_END = 509, 510, 511
SPECIALS = [(IM_START, "<|im_start|>"), (ENDOFTEXT, "<|endoftext|>"), (IM_END, "<|im_end|>")]
BPE_SIZE = IM_START  # byte symbols + learned merges: ids 0-508


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (openai/gpt-2 encoder.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


# GPT-2's pre-tokenizer pattern with \p{L} -> [^\W\d_] and \p{N} -> \d (Python's re has no \p{..});
# the same on the ASCII training texts.
PRE_TOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def train_bpe():
    """Byte-level BPE: merge the most frequent adjacent pair (ties: the smallest pair) until the
    vocabulary has BPE_SIZE entries. Returns (vocab {token: id}, merges [(a, b)])."""
    byte_char = bytes_to_unicode()
    words = collections.Counter()
    with open(os.path.join(HERE, "data", "wordnet-themes.csv"), newline="") as f:
        for row in csv.DictReader(f):
            for piece in PRE_TOKEN.findall(row["text"]):
                words[tuple(byte_char[b] for b in piece.encode("utf-8"))] += 1
    vocab = {byte_char[b]: b for b in range(256)}
    merges = []
    while len(vocab) < BPE_SIZE:
        pairs = collections.Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            sys.exit("make_tiny_chat_model: the training texts ran out of pairs at %d tokens"
                     % len(vocab))
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        joined = best[0] + best[1]
        if joined not in vocab:
            vocab[joined] = len(vocab)
        merged = collections.Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += count
        words = merged
    return vocab, merges


def tokenizer_json(vocab, merges):
    added = [{"id": i, "content": text, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, text in SPECIALS]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
                           "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                    "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            # Id order, as the tokenizers library writes it.
            "vocab": dict(sorted(vocab.items(), key=lambda item: item[1])),
            "merges": ["%s %s" % pair for pair in merges],
        },
    }


def tensors():
    rng = random.Random(SEED)

    def normal(rows, cols):
        return (rows, cols), [rng.gauss(0.0, INIT_STD) for _ in range(rows * cols)]

    def norm_weight():
        return (HIDDEN,), [1.0 + NORM_STD * rng.gauss(0.0, 1.0) for _ in range(HIDDEN)]

    out = {}
    out["model.embed_tokens.weight"] = normal(VOCAB, HIDDEN)
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        out[p + "self_attn.q_proj.weight"] = normal(HEADS * HEAD_DIM, HIDDEN)
        out[p + "self_attn.k_proj.weight"] = normal(KV_HEADS * HEAD_DIM, HIDDEN)
        out[p + "self_attn.v_proj.weight"] = normal(KV_HEADS * HEAD_DIM, HIDDEN)
        out[p + "self_attn.o_proj.weight"] = normal(HIDDEN, HEADS * HEAD_DIM)
        out[p + "mlp.gate_proj.weight"] = normal(INTERMEDIATE, HIDDEN)
        out[p + "mlp.up_proj.weight"] = normal(INTERMEDIATE, HIDDEN)
        out[p + "mlp.down_proj.weight"] = normal(HIDDEN, INTERMEDIATE)
        out[p + "input_layernorm.weight"] = norm_weight()
        out[p + "post_attention_layernorm.weight"] = norm_weight()
    out["model.norm.weight"] = norm_weight()
    out["lm_head.weight"] = normal(VOCAB, HIDDEN)

    # Ending the turn (see the module docstring): hidden dimension 0 says "after a word", read by
    # the lm_head row of "."; dimension 1 says "after a full stop", read by <|im_end|>'s row.
    embed, head = out["model.embed_tokens.weight"][1], out["lm_head.weight"][1]
    for token in range(IM_START):
        if token not in (NEWLINE, FULL_STOP):
            embed[token * HIDDEN + 0] = WORD_FEATURE
    embed[FULL_STOP * HIDDEN + 1] = STOP_FEATURE
    head[FULL_STOP * HIDDEN + 0] = FULL_STOP_GAIN
    head[IM_END * HIDDEN + 1] = IM_END_GAIN
    return out


def write_json(name, value, sort_keys=True):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        json.dump(value, f, indent=2, sort_keys=sort_keys, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(TEMPLATE_CONFIG, encoding="utf-8") as f:
        chat_template = json.load(f)["chat_template"]
    vocab, merges = train_bpe()
    assert sorted(vocab.values()) == list(range(BPE_SIZE))

    write_json("config.json", {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": None, "eos_token_id": IM_END, "hidden_act": "silu",
        "hidden_size": HIDDEN, "initializer_range": INIT_STD, "intermediate_size": INTERMEDIATE,
        "max_position_embeddings": POSITIONS, "model_type": "llama",
        "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
        "num_key_value_heads": KV_HEADS, "pad_token_id": ENDOFTEXT, "pretraining_tp": 1,
        "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "torch_dtype": "float32",
        "transformers_version": "4.36.0.dev0", "use_cache": True, "vocab_size": VOCAB,
    })
    write_json("generation_config.json", {"eos_token_id": [IM_END, ENDOFTEXT],
                                          "pad_token_id": ENDOFTEXT})
    # tokenizers' own key order (version, ..., model; vocab by id), as Hugging Face writes it.
    write_json("tokenizer.json", tokenizer_json(vocab, merges), sort_keys=False)
    write_json("tokenizer_config.json", {
        "add_bos_token": False,
        "added_tokens_decoder": {
            str(i): {"content": text, "lstrip": False, "normalized": False, "rstrip": False,
                     "single_word": False, "special": True} for i, text in SPECIALS},
        "bos_token": None,
        "chat_template": chat_template,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "model_max_length": POSITIONS,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    })
    write_safetensors(os.path.join(OUT, "model.safetensors"), tensors())
    print("wrote %s (%d merges)" % (OUT, len(merges)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The transformers peer of bench/finetune_bench (used by bench/gpu-finetune.sh): Hugging Face
AutoModelForSequenceClassification (RobertaForSequenceClassification for the roberta-base shape)
loaded with from_pretrained from the model folder the C++ side wrote (same random weights, tensor
names as transformers writes them; problem_type multi_label_classification), trained on the same
examples, batch, autocast dtype and optimiser settings by the loop of bench/finetune_peer.py:
torch.autocast, binary_cross_entropy_with_logits, torch.optim.AdamW with its defaults for the
device (foreach on CUDA), clip_grad_norm_(1.0), linear decay, no host sync inside the loop.

Same line protocol as bench/finetune_peer.py ("PEER_READY {...check_logits}", then
"RUN <batch> <steps> <seed>" -> "PEER_RUN {"steps", "seconds", "loss"}"). Without torch or
transformers it prints one "PEER_UNAVAILABLE: reason" line and exits with status 1, so the bench
reports the peer as unavailable and gpu-finetune.sh can fall back to the plain PyTorch peer.

Run alone: python3 bench/gpu_finetune_peer.py --model-dir DIR [--device cuda --autocast bfloat16]
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    from torch import nn
except ImportError as e:
    print(f"PEER_UNAVAILABLE: {sys.executable} cannot import torch ({e})", flush=True)
    sys.exit(1)
try:
    import transformers
    from transformers import AutoModelForSequenceClassification
except ImportError as e:
    print(f"PEER_UNAVAILABLE: {sys.executable} cannot import transformers ({e}); this peer needs "
          "Hugging Face transformers (pip install transformers), or use bench/finetune_peer.py, "
          "the same architecture in plain PyTorch", flush=True)
    sys.exit(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from finetune_peer import AUTOCAST, Trainer, add_flags, serve  # noqa: E402  (the same loop)


class Classifier(nn.Module):
    """Gives a transformers model the (ids, mask, token_types) -> logits call of the loop."""

    def __init__(self, hf):
        super().__init__()
        self.hf = hf

    def forward(self, ids, mask, token_types):
        return self.hf(input_ids=ids, attention_mask=mask, token_type_ids=token_types).logits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_flags(ap, batch=32, steps=20, device="cuda", autocast="bfloat16")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    with open(os.path.join(a.model_dir, "inputs.json")) as f:
        data = json.load(f)
    t0 = time.perf_counter()
    hf = AutoModelForSequenceClassification.from_pretrained(a.model_dir, torch_dtype=torch.float32)
    trainer = Trainer(Classifier(hf).to(device), data, device, AUTOCAST[a.autocast],
                      a.learning_rate)
    print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    serve(trainer, a, data, "transformers",
          f"{type(hf).__name__}, transformers {transformers.__version__}, "
          f"torch {torch.__version__}, "
          f"attention {getattr(hf.config, '_attn_implementation', '?')}")


if __name__ == "__main__":
    main()

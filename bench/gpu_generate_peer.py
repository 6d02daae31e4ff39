#!/usr/bin/env python3
"""The transformers peer of bench/generate_bench (used by bench/gpu-generate.sh): Hugging Face
LlamaForCausalLM.generate on the same shape, prompts, batch sizes and dtype, greedy, with
min_new_tokens = max_new_tokens and no EOS, so every sequence decodes the full length.

The model is built from --model-dir/config.json on the device in the requested dtype; with
GEN_LOAD_WEIGHTS=1 in the environment (bench/gpu-generate.sh's default) it then loads the
weights the C++ side wrote (model.safetensors, through the safetensors package) so that the two
can be compared token for token: the batch-1 run returns its greedy ids as "ids0". Without it,
or without the safetensors package, the weights stay random (for timing the values do not
matter) and no ids are returned. It speaks generate_bench's line protocol with --serve:
"PEER_READY {json}" once built, then for each stdin line "RUN <batch> <new_tokens>" one line
"PEER_RUN {"batch", "prefill_s", "decode_s", "decode_steps"}". Timing: a logits processor
synchronises the device and takes a timestamp at every generated token; prefill is the time to
the first, decode the time from the first to the last, as the C++ side measures. Without torch or
transformers it prints one "PEER_UNAVAILABLE: reason" line and exits 0.
"""
import argparse
import json
import os
import sys
import time

try:
    import torch
    import transformers
    from transformers import LlamaConfig, LlamaForCausalLM, LogitsProcessor, LogitsProcessorList
except ImportError as e:
    print(f"PEER_UNAVAILABLE: {sys.executable} cannot import torch and transformers ({e})")
    sys.exit(0)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class StepTimer(LogitsProcessor):
    """Called once per generated token, before it is chosen: records when its logits were ready."""

    def __init__(self, sync):
        self.sync, self.times = sync, []

    def __call__(self, input_ids, scores):
        self.sync()
        self.times.append(time.perf_counter())
        return scores


def build_model(model_dir, device, dtype):
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    config = LlamaConfig(
        vocab_size=c["vocab_size"], hidden_size=c["hidden_size"],
        intermediate_size=c["intermediate_size"], num_hidden_layers=c["num_hidden_layers"],
        num_attention_heads=c["num_attention_heads"],
        num_key_value_heads=c.get("num_key_value_heads") or c["num_attention_heads"],
        max_position_embeddings=c.get("max_position_embeddings", 4096),
        rms_norm_eps=c.get("rms_norm_eps", 1e-6), tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=None, pad_token_id=0)
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        if hasattr(torch, "get_default_device"):  # torch >= 2.3: build straight on the device
            with torch.device(device):
                model = LlamaForCausalLM(config)
        else:
            model = LlamaForCausalLM(config).to(device)
    finally:
        torch.set_default_dtype(previous)
    model = model.to(device=device, dtype=dtype).eval()
    path = os.path.join(model_dir, "model.safetensors")
    if os.environ.get("GEN_LOAD_WEIGHTS") == "1" and os.path.exists(path):
        try:
            from safetensors.torch import load_file
        except ImportError:
            print("GEN_LOAD_WEIGHTS: no safetensors package; the weights stay random", flush=True)
        else:
            t0 = time.perf_counter()
            state = load_file(path, device=str(device))
            model.load_state_dict(state, strict=True)
            del state
            model.loaded_weights = True
            print(f"loaded {path} in {time.perf_counter() - t0:.1f} s", flush=True)
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model


def generate(model, prompts, new_tokens, device, sync):
    ids = torch.tensor(prompts, device=device)
    timer = StepTimer(sync)
    sync()
    t0 = time.perf_counter()
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids),
                         max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                         logits_processor=LogitsProcessorList([timer]), pad_token_id=0)
    sync()
    got = out.shape[1] - ids.shape[1]
    if got != new_tokens or len(timer.times) != new_tokens:
        raise RuntimeError(f"generate made {got} tokens ({len(timer.times)} timed), "
                           f"expected {new_tokens}")
    return timer.times[0] - t0, timer.times[-1] - timer.times[0], out[:, ids.shape[1]:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--serve", action="store_true", help="take RUN lines on stdin (generate_bench)")
    ap.add_argument("--batches", default="1,8,32", help="without --serve: the batch sizes to run")
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPES))
    a = ap.parse_args()
    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    device, dtype = torch.device(a.device), DTYPES[a.dtype]
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    with open(os.path.join(a.model_dir, "prompts.json")) as f:
        prompts = json.load(f)
    t0 = time.perf_counter()
    model = build_model(a.model_dir, device, dtype)  # not in inference mode: it makes Parameters
    print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)
    print("PEER_READY " + json.dumps({
        "name": "transformers-generate",
        "detail": f"LlamaForCausalLM.generate, transformers {transformers.__version__}, "
                  f"torch {torch.__version__}, "
                  f"attention {getattr(model.config, '_attn_implementation', '?')}"}), flush=True)
    lines = sys.stdin if a.serve else (f"RUN {b} {a.new_tokens}" for b in a.batches.split(","))
    for line in lines:
        parts = line.split()
        if not parts or parts[0] == "QUIT":
            break
        batch, new_tokens = int(parts[1]), int(parts[2])
        with torch.inference_mode():
            prefill_s, decode_s, new_ids = generate(model, prompts[:batch], new_tokens, device,
                                                    sync)
        result = {"batch": batch, "prefill_s": prefill_s, "decode_s": decode_s,
                  "decode_steps": new_tokens - 1}
        if batch == 1 and getattr(model, "loaded_weights", False):
            result["ids0"] = new_ids[0].tolist()  # the same weights: greedy ids comparable
        if a.serve:
            print("PEER_RUN " + json.dumps(result), flush=True)
        else:
            print(f"batch {batch}: prefill {prefill_s:.3f} s, decode "
                  f"{batch * (new_tokens - 1) / decode_s:.2f} tok/s", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The Python peer of bench/generate_bench: the same LLaMA decoder written with plain PyTorch ops
(a preallocated KV cache, F.linear projections, RMSNorm and softmax in float32 as transformers
computes them), decoding the same model folder and prompts greedily with the same thread count.

It reads config.json, model.safetensors (parsed here, so nothing beyond torch is needed) and
prompts.json from --model-dir. With --serve it speaks generate_bench's line protocol: it prints
"PEER_READY {json}" once loaded, then answers each stdin line "RUN <batch> <new_tokens>" with
"PEER_RUN {"batch", "prefill_s", "decode_s", "decode_steps", "ids0"}", the decode phase timed
from the batch's first generated token to its last, as the C++ side times it. Without torch it
prints one "PEER_UNAVAILABLE: reason" line and exits 0.

Run alone: /usr/bin/python3 bench/generate_peer.py --model-dir DIR [--batches 1,8,32 ...]
"""
import argparse
import json
import os
import struct
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the bench prints this and goes on without a peer
    print(f"PEER_UNAVAILABLE: {sys.executable} cannot import torch ({e}); "
          "on Debian: apt-get install python3-torch")
    sys.exit(0)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
ST_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "I64": torch.int64}


def load_safetensors(path, device, dtype):
    """Reads every tensor of a .safetensors file (u64 header length, header JSON, raw data)."""
    with open(path, "rb") as f:
        buf = bytearray(os.path.getsize(path))
        f.readinto(buf)
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        t = torch.frombuffer(buf, dtype=torch.uint8, count=end - begin, offset=8 + n + begin)
        t = t.view(ST_DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = t.to(device=device, dtype=dtype)  # shares buf when nothing changes
    return out


class Llama:
    def __init__(self, model_dir, device, dtype):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads") or self.heads
        self.head_dim = self.hidden // self.heads
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.layers = c["num_hidden_layers"]
        self.device, self.dtype = device, dtype
        self.w = load_safetensors(os.path.join(model_dir, "model.safetensors"), device, dtype)
        d = self.head_dim
        inv_freq = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, d, 2).float() / d))
        freqs = torch.outer(torch.arange(4096).float(), inv_freq)
        angles = torch.cat([freqs, freqs], -1)
        self.cos = angles.cos().to(device, dtype)
        self.sin = angles.sin().to(device, dtype)

    def rms_norm(self, x, weight):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * xf.to(x.dtype)

    @staticmethod
    def rotate(x, cos, sin):
        half = x.shape[-1] // 2
        return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin

    def forward(self, ids, start, cache):
        """ids [B, T] at positions start..start+T-1; cache: per layer (k, v) [B, KVH, cap, d]."""
        b, t = ids.shape
        h, kvh, d = self.heads, self.kv_heads, self.head_dim
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        cos = self.cos[start:start + t].view(1, 1, t, d)
        sin = self.sin[start:start + t].view(1, 1, t, d)
        end = start + t
        mask = None
        if t > 1:  # causal mask over this pass's own keys (the prompt)
            mask = torch.full((t, end), torch.finfo(self.dtype).min, device=self.device,
                              dtype=self.dtype).triu(start + 1)
        for i in range(self.layers):
            p = f"model.layers.{i}."
            w = self.w
            y = self.rms_norm(x, w[p + "input_layernorm.weight"])
            q = F.linear(y, w[p + "self_attn.q_proj.weight"]).view(b, t, h, d).transpose(1, 2)
            k = F.linear(y, w[p + "self_attn.k_proj.weight"]).view(b, t, kvh, d).transpose(1, 2)
            v = F.linear(y, w[p + "self_attn.v_proj.weight"]).view(b, t, kvh, d).transpose(1, 2)
            q, k = self.rotate(q, cos, sin), self.rotate(k, cos, sin)
            kc, vc = cache[i]
            kc[:, :, start:end] = k
            vc[:, :, start:end] = v
            keys, values = kc[:, :, :end], vc[:, :, :end]
            if kvh != h:
                keys = keys.repeat_interleave(h // kvh, 1)
                values = values.repeat_interleave(h // kvh, 1)
            scores = torch.matmul(q, keys.transpose(2, 3)) / (d ** 0.5)
            if mask is not None:
                scores = scores + mask
            probs = torch.softmax(scores, -1, dtype=torch.float32).to(self.dtype)
            attn = torch.matmul(probs, values).transpose(1, 2).reshape(b, t, h * d)
            x = x + F.linear(attn, w[p + "self_attn.o_proj.weight"])
            y = self.rms_norm(x, w[p + "post_attention_layernorm.weight"])
            act = F.silu(F.linear(y, w[p + "mlp.gate_proj.weight"])) * F.linear(y, w[p + "mlp.up_proj.weight"])
            x = x + F.linear(act, w[p + "mlp.down_proj.weight"])
        x = self.rms_norm(x[:, -1], self.w["model.norm.weight"])
        return F.linear(x, self.w["lm_head.weight"]).float()

    def generate(self, prompts, new_tokens, sync):
        """Greedy; returns (ids [B][new_tokens], prefill_s, decode_s)."""
        b, t = len(prompts), len(prompts[0])
        cap = t + new_tokens
        t0 = time.perf_counter()  # the cache allocation counts as prefill, as on the C++ side
        cache = [(torch.zeros(b, self.kv_heads, cap, self.head_dim, device=self.device, dtype=self.dtype),
                  torch.zeros(b, self.kv_heads, cap, self.head_dim, device=self.device, dtype=self.dtype))
                 for _ in range(self.layers)]
        ids = torch.tensor(prompts, device=self.device)
        token = self.forward(ids, 0, cache).argmax(-1)
        out = [token]
        sync()
        t1 = time.perf_counter()
        for step in range(new_tokens - 1):
            token = self.forward(token.view(b, 1), t + step, cache).argmax(-1)
            out.append(token)
            token.tolist()  # the C++ runtime reads each token on the host too
        sync()
        t2 = time.perf_counter()
        return torch.stack(out, 1).tolist(), t1 - t0, t2 - t1


def serve(model, prompts, sync):
    """The line protocol of generate_bench: "RUN <batch> <new_tokens>" -> "PEER_RUN {...}"."""
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "QUIT":
            break
        batch, new_tokens = int(parts[1]), int(parts[2])
        ids, prefill_s, decode_s = model.generate(prompts[:batch], new_tokens, sync)
        print("PEER_RUN " + json.dumps({"batch": batch, "prefill_s": prefill_s, "decode_s": decode_s,
                                        "decode_steps": new_tokens - 1, "ids0": ids[0]}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--serve", action="store_true", help="take RUN lines on stdin (generate_bench)")
    ap.add_argument("--batches", default="1,8,32", help="without --serve: the batch sizes to run")
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    a = ap.parse_args()
    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    device, dtype = torch.device(a.device), DTYPES[a.dtype]
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    with open(os.path.join(a.model_dir, "prompts.json")) as f:
        prompts = json.load(f)
    with torch.inference_mode():
        t0 = time.perf_counter()
        model = Llama(a.model_dir, device, dtype)
        print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)
        print("PEER_READY " + json.dumps({
            "name": "python-pytorch",
            "detail": f"plain PyTorch loop with KV cache, torch {torch.__version__}, "
                      f"{torch.get_num_threads()} threads, {sys.executable}"}), flush=True)
        if a.serve:
            serve(model, prompts, sync)
            return
        for batch in [int(x) for x in a.batches.split(",")]:
            model.generate(prompts[:batch], min(4, a.new_tokens), sync)  # warm-up
            _, prefill_s, decode_s = model.generate(prompts[:batch], a.new_tokens, sync)
            print(f"batch {batch}: prefill {prefill_s:.3f} s, decode "
                  f"{batch * (a.new_tokens - 1) / decode_s:.2f} tok/s", flush=True)


if __name__ == "__main__":
    main()

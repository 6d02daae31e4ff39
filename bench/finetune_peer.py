#!/usr/bin/env python3
"""The Python peer of bench/finetune_bench: BERT, RoBERTa and XLNet sequence classifiers written
from scratch with torch.nn modules the way transformers writes them (eager attention; XLNet's
relative attention with transformers' einsums, rel_shift_bnij, one-hot segment matrix and masks,
in its [T, B, ...] layout), trained as a PyTorch user trains them: dropout on,
binary_cross_entropy_with_logits, torch.optim.AdamW (weight decay 0.01 on every parameter),
clip_grad_norm_(1.0) and a linear decay of the learning rate -- the settings finetune_bench gives
EncoderClassifier::FineTune. transformers itself is not needed (nor installed on the CPU machine);
the module and parameter names are its own, so its state dicts load with strict=True.

It reads config.json, model.safetensors and inputs.json ({"ids", "token_types", "labels",
"check_examples"}) from --model-dir. With --serve it speaks finetune_bench's line protocol: it
prints "PEER_READY {"name", "detail", "check_logits"}" once loaded (check_logits: eval-mode logits
of the first check_examples examples, before any training), then answers each stdin line
"RUN <batch> <steps> <seed>" with "PEER_RUN {"steps", "seconds", "loss"}": one fine-tuning run
over the first batch x steps examples, timed from the first step's start to the last loss on the
host, as the C++ side times it. Without torch it prints one "PEER_UNAVAILABLE: reason" line.

Run alone: /usr/bin/python3 bench/finetune_peer.py --model-dir DIR [--batch 16 --steps 2 ...]
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as e:  # the bench prints this and goes on without a peer
    print(f"PEER_UNAVAILABLE: {sys.executable} cannot import torch ({e}); "
          "on Debian: apt-get install python3-torch")
    sys.exit(0)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_peer import load_safetensors  # noqa: E402  (the same reader; torch only)

AUTOCAST = {"float32": None, "bfloat16": torch.bfloat16, "float16": torch.float16}


# --- BERT and RoBERTa (transformers' modeling_bert / modeling_roberta, eager attention) ----------
class BertEmbeddings(nn.Module):
    def __init__(self, c, roberta):
        super().__init__()
        d, self.pad, self.roberta = c["hidden_size"], c["pad_token_id"], roberta
        self.word_embeddings = nn.Embedding(c["vocab_size"], d, padding_idx=self.pad)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], d,
                                                padding_idx=self.pad if roberta else None)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], d)
        self.LayerNorm = nn.LayerNorm(d, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, ids, token_types):
        if self.roberta:  # create_position_ids_from_input_ids: count from padding_idx + 1
            real = ids.ne(self.pad).int()
            positions = (torch.cumsum(real, dim=1).type_as(real) * real).long() + self.pad
        else:
            positions = torch.arange(ids.shape[1], device=ids.device)[None]
        x = self.word_embeddings(ids) + self.token_type_embeddings(token_types)
        x = x + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.heads, self.head_dim = c["num_attention_heads"], d // c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, additive_mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = self.dropout(F.softmax(scores + additive_mask, dim=-1))
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return context.view(x.shape[0], x.shape[1], -1)


class DenseNormOutput(nn.Module):
    """BertSelfOutput and BertOutput: LayerNorm(dropout(dense(x)) + residual)."""

    def __init__(self, c, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = DenseNormOutput(c, c["hidden_size"])

    def forward(self, x, additive_mask):
        return self.output(self.self(x, additive_mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = DenseNormOutput(c, c["intermediate_size"])

    def forward(self, x, additive_mask):
        a = self.attention(x, additive_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))

    def forward(self, x, additive_mask):
        for layer in self.layer:
            x = layer(x, additive_mask)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c, roberta):
        super().__init__()
        self.embeddings = BertEmbeddings(c, roberta)
        self.encoder = BertEncoder(c)
        if not roberta:  # RobertaForSequenceClassification builds its encoder without a pooler
            self.pooler = BertPooler(c)

    def forward(self, ids, mask, token_types):
        # get_extended_attention_mask: 0 for real keys, the lowest float for padding.
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        return self.encoder(self.embeddings(ids, token_types), additive)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, roberta=False)
        self.dropout = nn.Dropout(c.get("classifier_dropout") or c["hidden_dropout_prob"])
        self.classifier = nn.Linear(c["hidden_size"], c["num_labels"])

    def forward(self, ids, mask, token_types):
        pooled = self.bert.pooler(self.bert(ids, mask, token_types))
        return self.classifier(self.dropout(pooled))


class RobertaClassificationHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c.get("classifier_dropout") or c["hidden_dropout_prob"])
        self.out_proj = nn.Linear(c["hidden_size"], c["num_labels"])

    def forward(self, x):
        x = self.dropout(x[:, 0])
        x = self.dropout(torch.tanh(self.dense(x)))
        return self.out_proj(x)


class RobertaForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.roberta = BertModel(c, roberta=True)
        self.classifier = RobertaClassificationHead(c)

    def forward(self, ids, mask, token_types):
        return self.classifier(self.roberta(ids, mask, token_types))


# --- XLNet (transformers' modeling_xlnet: content stream, attn_type "bi", no mems) ---------------
class XLNetRelativeAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, n, dh = c["d_model"], c["n_head"], c["d_head"]
        self.q, self.k, self.v, self.o, self.r = (nn.Parameter(torch.empty(d, n, dh))
                                                  for _ in range(5))
        self.r_r_bias, self.r_s_bias, self.r_w_bias = (nn.Parameter(torch.empty(n, dh))
                                                       for _ in range(3))
        self.seg_embed = nn.Parameter(torch.empty(2, n, dh))
        self.layer_norm = nn.LayerNorm(d, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["dropout"])
        self.scale = 1 / (dh ** 0.5)

    @staticmethod
    def rel_shift_bnij(x, klen):
        s = x.shape
        x = x.reshape(s[0], s[1], s[3], s[2])[:, :, 1:, :].reshape(s[0], s[1], s[2], s[3] - 1)
        return torch.index_select(x, 3, torch.arange(klen, device=x.device, dtype=torch.long))

    def forward(self, h, attn_mask, r, seg_mat):
        k_head_h = torch.einsum("ibh,hnd->ibnd", h, self.k)
        v_head_h = torch.einsum("ibh,hnd->ibnd", h, self.v)
        k_head_r = torch.einsum("ibh,hnd->ibnd", r.type(self.r.dtype), self.r)
        q_head = torch.einsum("ibh,hnd->ibnd", h, self.q)
        # rel_attn_core: content, position (shifted to distances i - j) and segment scores.
        ac = torch.einsum("ibnd,jbnd->bnij", q_head + self.r_w_bias, k_head_h)
        bd = torch.einsum("ibnd,jbnd->bnij", q_head + self.r_r_bias, k_head_r)
        bd = self.rel_shift_bnij(bd, klen=ac.shape[3])
        ef = torch.einsum("ibnd,snd->ibns", q_head + self.r_s_bias, self.seg_embed)
        ef = torch.einsum("ijbs,ibns->bnij", seg_mat, ef)
        score = (ac + bd + ef) * self.scale
        big = 65500 if attn_mask.dtype == torch.float16 else 1e30
        score = score - big * torch.einsum("ijbn->bnij", attn_mask)
        prob = self.dropout(F.softmax(score, dim=3))
        attn_vec = torch.einsum("bnij,jbnd->ibnd", prob, v_head_h)
        # post_attention
        out = self.dropout(torch.einsum("ibnd,hnd->ibh", attn_vec, self.o))
        return self.layer_norm(out + h)


class XLNetFeedForward(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer_norm = nn.LayerNorm(c["d_model"], eps=c["layer_norm_eps"])
        self.layer_1 = nn.Linear(c["d_model"], c["d_inner"])
        self.layer_2 = nn.Linear(c["d_inner"], c["d_model"])
        self.dropout = nn.Dropout(c["dropout"])

    def forward(self, x):
        y = self.dropout(F.gelu(self.layer_1(x)))
        return self.layer_norm(self.dropout(self.layer_2(y)) + x)


class XLNetLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.rel_attn = XLNetRelativeAttention(c)
        self.ff = XLNetFeedForward(c)

    def forward(self, h, attn_mask, r, seg_mat):
        return self.ff(self.rel_attn(h, attn_mask, r, seg_mat))


class XLNetModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.d_model, self.clamp_len = c["d_model"], c.get("clamp_len", -1)
        self.mask_emb = nn.Parameter(torch.empty(1, 1, c["d_model"]))  # query stream only
        self.word_embedding = nn.Embedding(c["vocab_size"], c["d_model"])
        self.layer = nn.ModuleList(XLNetLayer(c) for _ in range(c["n_layer"]))
        self.dropout = nn.Dropout(c["dropout"])

    def relative_positional_encoding(self, qlen, klen, bsz):
        freq_seq = torch.arange(0, self.d_model, 2.0, dtype=torch.int64).float()
        inv_freq = 1 / torch.pow(10000, (freq_seq / self.d_model))
        pos_seq = torch.arange(klen, -qlen, -1.0, dtype=torch.int64).float()
        if self.clamp_len > 0:
            pos_seq = pos_seq.clamp(-self.clamp_len, self.clamp_len)
        angle = torch.einsum("i,d->id", pos_seq, inv_freq)
        pos_emb = torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)
        return pos_emb[:, None, :].expand(-1, bsz, -1)

    def forward(self, ids, mask, token_types):
        ids = ids.transpose(0, 1).contiguous()
        token_types = token_types.transpose(0, 1).contiguous()
        mask = mask.transpose(0, 1).contiguous().float()
        qlen, bsz = ids.shape
        # Masks as XLNetModel.forward builds them from attention_mask (no perm_mask, no mems):
        # padded keys are masked except each query's own position.
        attn_mask = ((1.0 - mask)[None][:, :, :, None] > 0).float()
        non_tgt_mask = -torch.eye(qlen, device=ids.device).to(attn_mask)
        non_tgt_mask = ((attn_mask + non_tgt_mask[:, :, None, None]) > 0).to(attn_mask)
        h = self.dropout(self.word_embedding(ids))
        seg_mat = (token_types[:, None] != token_types[None, :]).long()
        seg_mat = F.one_hot(seg_mat, num_classes=2).float()
        pos_emb = self.dropout(self.relative_positional_encoding(qlen, qlen, bsz).to(h.device))
        for layer in self.layer:
            h = layer(h, non_tgt_mask, pos_emb, seg_mat)
        return self.dropout(h).permute(1, 0, 2).contiguous()


class SequenceSummary(nn.Module):
    """summary_type "last", projection to d_model, tanh, summary_last_dropout."""

    def __init__(self, c):
        super().__init__()
        self.summary = nn.Linear(c["d_model"], c["d_model"])
        self.last_dropout = nn.Dropout(c.get("summary_last_dropout", 0.1))

    def forward(self, x):
        return self.last_dropout(torch.tanh(self.summary(x[:, -1])))


class XLNetForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = XLNetModel(c)
        self.sequence_summary = SequenceSummary(c)
        self.logits_proj = nn.Linear(c["d_model"], c["num_labels"])

    def forward(self, ids, mask, token_types):
        return self.logits_proj(self.sequence_summary(self.transformer(ids, mask, token_types)))


MODELS = {"bert": BertForSequenceClassification, "roberta": RobertaForSequenceClassification,
          "xlnet": XLNetForSequenceClassification}


def load_model(model_dir, device):
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    c.setdefault("hidden_dropout_prob", 0.1)
    c.setdefault("attention_probs_dropout_prob", 0.1)
    if "num_labels" not in c:  # save_pretrained writes id2label instead
        c["num_labels"] = len(c.get("id2label") or {0: 0, 1: 1})
    model = MODELS[c["model_type"]](c)
    state = load_safetensors(os.path.join(model_dir, "model.safetensors"), "cpu", torch.float32)
    model.load_state_dict(state, strict=True)
    return c["model_type"], model.to(device)


class Trainer:
    """The fine-tuning loop. One optimiser for the life of the process, as the C++ side keeps its
    AdamW state across runs; each run decays the learning rate linearly to 0 over its steps."""

    def __init__(self, model, data, device, autocast, lr):
        self.model, self.device, self.lr = model, device, lr
        # On the host, moved batch by batch as a DataLoader's batches are (the C++ side copies
        # each batch's ids to the device too).
        self.ids = torch.tensor(data["ids"])
        self.types = torch.tensor(data["token_types"])
        self.mask = torch.ones_like(self.ids)
        self.labels = torch.tensor(data["labels"], dtype=torch.float32)
        self.autocast = autocast
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        self.sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    def context(self):
        if self.autocast is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast)

    def batch(self, rows):
        return [t[rows].to(self.device) for t in (self.ids, self.mask, self.types, self.labels)]

    def check_logits(self, count):
        self.model.eval()
        ids, mask, types, _ = self.batch(slice(0, count))
        with torch.no_grad(), self.context():
            logits = self.model(ids, mask, types)
        return logits.float().tolist()

    def run(self, batch, steps, seed):
        """Returns (seconds, last loss)."""
        torch.manual_seed(seed)
        self.model.train()
        params = [p for p in self.model.parameters()]
        losses = []
        self.sync()
        t0 = time.perf_counter()
        for step in range(steps):
            for group in self.optimizer.param_groups:  # get_linear_schedule_with_warmup, no warm-up
                group["lr"] = self.lr * max(0.0, (steps - step) / steps)
            ids, mask, types, labels = self.batch(slice(step * batch, (step + 1) * batch))
            self.optimizer.zero_grad(set_to_none=True)
            with self.context():
                logits = self.model(ids, mask, types)
            loss = F.binary_cross_entropy_with_logits(logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            self.optimizer.step()
            losses.append(loss.detach())
        last = losses[-1].item()  # waits for the device, as the C++ side's loss.item() does
        return time.perf_counter() - t0, last


def add_flags(ap, batch, steps, device, autocast):
    """The flags both peers take (finetune_bench passes --serve, --model-dir, --threads, --device
    and --autocast)."""
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--serve", action="store_true", help="take RUN lines on stdin (finetune_bench)")
    ap.add_argument("--batch", type=int, default=batch, help="without --serve: examples per step")
    ap.add_argument("--steps", type=int, default=steps, help="without --serve: steps per timed run")
    ap.add_argument("--threads", type=int, default=0, help="intra-op CPU threads (0: one per core)")
    ap.add_argument("--device", default=device)
    ap.add_argument("--autocast", default=autocast, choices=sorted(AUTOCAST))
    ap.add_argument("--learning-rate", type=float, default=2e-5)


def serve(trainer, a, data, name, detail):
    """Prints PEER_READY, then answers RUN lines (--serve) or, alone, times one run of --steps."""
    print("PEER_READY " + json.dumps({
        "name": name, "detail": detail,
        "check_logits": trainer.check_logits(data.get("check_examples", 4))}), flush=True)
    if a.serve:
        for line in sys.stdin:
            parts = line.split()
            if not parts or parts[0] == "QUIT":
                break
            batch, steps, seed = int(parts[1]), int(parts[2]), int(parts[3])
            seconds, loss = trainer.run(batch, steps, seed)
            print("PEER_RUN " + json.dumps({"steps": steps, "seconds": seconds, "loss": loss}),
                  flush=True)
        return
    steps = min(a.steps, len(data["ids"]) // a.batch)  # the examples the bench wrote
    trainer.run(a.batch, 1, 0)  # warm-up
    seconds, loss = trainer.run(a.batch, steps, 1)
    print(f"{name}: {steps} steps of {a.batch} in {seconds:.2f} s = "
          f"{steps * a.batch / seconds:.2f} samples/s (last loss {loss:.4f})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_flags(ap, batch=16, steps=2, device="cpu", autocast="float32")
    a = ap.parse_args()
    torch.set_num_threads(a.threads if a.threads > 0 else (os.cpu_count() or 1))
    device = torch.device(a.device)
    with open(os.path.join(a.model_dir, "inputs.json")) as f:
        data = json.load(f)
    t0 = time.perf_counter()
    family, model = load_model(a.model_dir, device)
    trainer = Trainer(model, data, device, AUTOCAST[a.autocast], a.learning_rate)
    print(f"loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    serve(trainer, a, data, "python-pytorch",
          f"torch.nn {family} as transformers writes it, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {sys.executable}")


if __name__ == "__main__":
    main()

// finetune_bench: how fast worker/runtime fine-tunes its encoder classifiers, against this
// machine's matrix-multiply speed and against a peer (the same architecture in plain PyTorch, or
// transformers on the GPU) in one run.
//
// For each model family asked for (BERT, RoBERTa, XLNet), it writes a model folder with random
// weights (config.json + model.safetensors, the tensor names transformers writes), loads it with
// EncoderClassifier::Load and times EncoderClassifier::FineTune: train mode (dropout on),
// BCE-with-logits on a multi-label head, AdamW, gradient clipping, linear decay, over
// full-length sequences (no padding) at a fixed batch size. It prints training samples/s and the
// FLOP/s that achieves ÷ the FLOP/s of a large at::matmul measured here in the same precision
// (see TrainingFlops for what is counted). The peer script runs as a child process on the same
// model folder, examples, threads and optimiser settings (protocol: PeerRunFineTune below); C++
// and peer runs alternate and the best of --repeats is kept for each, so a burst of load from
// other processes on a shared machine hits both alike. Compare ratios within one run, never
// absolute timings across runs.
#include <ATen/Context.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/zeros.h>
#include <c10/core/InferenceMode.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/peer_process.h"
#include "common/cli_flags.h"
#include "common/cli_main.h"
#include "common/safetensors/torch_bridge.h"
#include "common/status.h"
#include "worker/runtime/encoder_classifier.h"
#include "worker/runtime/encoder_config.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = BenchClock;

// The examples whose eval-mode logits both sides compute before training, as a check that they
// run the same model (a forward pass of a few rows: cheap next to the training steps).
constexpr int64_t kCheckExamples = 4;

struct Shape {
  int64_t vocab = 0;  // 0: the family's usual vocabulary (see Family)
  int64_t hidden = 768, layers = 2, heads = 12, intermediate = 3072, labels = 5;
};

// What differs between the families beyond the shape: transformers' config of bert-base-uncased,
// roberta-base and xlnet-base-cased, and the special tokens their tokenizers put around a text.
struct Family {
  EncoderFamily id;
  int64_t vocab;
  int64_t max_positions;  // 0: XLNet (relative positions)
  int64_t type_vocab;     // 0: XLNet (segments are compared, not embedded)
  int64_t pad_id;
  double layer_norm_eps;
  std::vector<int32_t> prefix, suffix;  // special ids before and after the text
};

std::optional<Family> FamilyNamed(const std::string& name) {
  if (name == "bert") return Family{EncoderFamily::kBert, 30522, 512, 2, 0, 1e-12, {101}, {102}};
  if (name == "roberta") return Family{EncoderFamily::kRoberta, 50265, 514, 1, 1, 1e-5, {0}, {2}};
  if (name == "xlnet") return Family{EncoderFamily::kXlnet, 32000, 0, 0, 5, 1e-12, {}, {4, 3}};
  return std::nullopt;
}

struct Options {
  Shape shape;
  std::string models = "bert,xlnet";
  int64_t seq_len = 128;
  int64_t batch = 16;
  int64_t steps = 2;         // optimiser steps per timed run
  int64_t warmup_steps = 1;  // one untimed run of this many steps first (allocations, caches)
  int64_t repeats = 2;
  int64_t threads = 0;
  std::string device = "cpu";
  std::string autocast = "float32";
  double learning_rate = 2e-5;
  int64_t seed = 1;
  std::string work_dir;
  bool keep_model = false;
  std::string peer;
  std::string python;
  bool skip_peer = false;
  int64_t matmul_size = 0;  // 0: 2048 on the CPU, 8192 on CUDA
};

// Training FLOPs of one optimiser step, the usual estimate: a matmul with P weights applied to N
// rows costs 2PN forward and 4PN backward (input and weight gradients), so 6PN in all; the
// attention products (scores and the weighted sum of values) likewise cost 3x their forward.
// Not counted: softmax, layer norms, activations, dropout, embeddings (gathers), the optimiser
// and XLNet's segment term (2 x T x 2 x d per example and layer): all are linear in the tokens
// with no d^2 factor. With d = hidden, f = intermediate, L = layers, B x T tokens:
//   P (per-token weights) = L (4 d^2 + 2 d f)       q, k, v, o and the two feed-forward matrices
//   H (head weights)      = d^2 + d labels          pooler / dense / summary and the classifier,
//                                                   applied to B rows only
//   matmuls   = 6 (P B T + H B)
//               XLNet: + 6 L d^2 (2T) B             r applied to the 2T relative positions of
//                                                   every example (dropout gives each its own)
//   attention = 3 L B (2 T^2 d) x 2                 BERT, RoBERTa: q.k and p.v
//             = 3 L B (2 T^2 d) x 4                 XLNet: q.k, q.r over 2T distances, p.v
struct StepFlops {
  double matmul = 0, attention = 0;
  double total() const { return matmul + attention; }
};

StepFlops TrainingFlops(EncoderFamily family, const Shape& s, int64_t batch, int64_t length) {
  const double d = s.hidden, layers = s.layers, B = batch, T = length;
  const double per_token = layers * (4 * d * d + 2 * d * s.intermediate);
  const double head = d * d + d * s.labels;
  StepFlops f;
  f.matmul = 6 * (per_token * B * T + head * B);
  double products = 2;  // attention products of T^2 d each
  if (family == EncoderFamily::kXlnet) {
    f.matmul += 6 * layers * d * d * 2 * T * B;
    products = 4;
  }
  f.attention = 3 * layers * B * 2 * T * T * d * products;
  return f;
}

// Weights in the encoder's matmuls (P above, and XLNet's r), for the printout.
double MatmulParams(EncoderFamily family, const Shape& s) {
  const double d = s.hidden;
  double p = s.layers * (4 * d * d + 2 * d * s.intermediate);
  if (family == EncoderFamily::kXlnet) p += s.layers * d * d;
  return p;
}

// Writes config.json and model.safetensors of a *ForSequenceClassification model: N(0, 0.02)
// weights (transformers' initializer range), unit LayerNorm weights and zero biases, generated on
// `device` (fast on a GPU for roberta-base's 125 M parameters). Returns the parameter count.
StatusOr<int64_t> WriteRandomModel(const fs::path& dir, const Family& fam, const Shape& s,
                                   const at::Device& device, uint64_t seed) {
  const int64_t d = s.hidden, f = s.intermediate, n = s.heads, dh = s.hidden / s.heads;
  const int64_t vocab = s.vocab > 0 ? s.vocab : fam.vocab;
  json config;
  if (fam.id == EncoderFamily::kXlnet) {
    config = {{"architectures", {"XLNetForSequenceClassification"}},
              {"model_type", "xlnet"},
              {"vocab_size", vocab},
              {"d_model", d},
              {"n_layer", s.layers},
              {"n_head", n},
              {"d_head", dh},
              {"d_inner", f},
              {"ff_activation", "gelu"},
              {"untie_r", true},
              {"attn_type", "bi"},
              {"bi_data", false},
              {"clamp_len", -1},
              {"dropout", 0.1},
              {"summary_type", "last"},
              {"summary_use_proj", true},
              {"summary_activation", "tanh"},
              {"summary_last_dropout", 0.1},
              {"layer_norm_eps", fam.layer_norm_eps},
              {"pad_token_id", fam.pad_id},
              {"bos_token_id", 1},
              {"eos_token_id", 2}};
  } else {
    const bool roberta = fam.id == EncoderFamily::kRoberta;
    config = {{"architectures",
               {roberta ? "RobertaForSequenceClassification" : "BertForSequenceClassification"}},
              {"model_type", roberta ? "roberta" : "bert"},
              {"vocab_size", vocab},
              {"hidden_size", d},
              {"num_hidden_layers", s.layers},
              {"num_attention_heads", n},
              {"intermediate_size", f},
              {"hidden_act", "gelu"},
              {"hidden_dropout_prob", 0.1},
              {"attention_probs_dropout_prob", 0.1},
              {"max_position_embeddings", fam.max_positions},
              {"type_vocab_size", fam.type_vocab},
              {"layer_norm_eps", fam.layer_norm_eps},
              {"pad_token_id", fam.pad_id}};
    if (roberta) {
      config["bos_token_id"] = 0;
      config["eos_token_id"] = 2;
    }
  }
  config["initializer_range"] = 0.02;
  config["num_labels"] = s.labels;
  config["problem_type"] = "multi_label_classification";
  config["torch_dtype"] = "float32";
  std::ofstream(dir / "config.json") << config.dump(2) << "\n";

  try {
    c10::InferenceMode inference;
    at::manual_seed(seed);
    const auto options = at::TensorOptions().dtype(at::kFloat).device(device);
    std::map<std::string, at::Tensor> t;
    auto random = [&](const std::string& name, std::vector<int64_t> shape) {
      t[name] = at::randn(shape, options).mul_(0.02);
    };
    auto linear = [&](const std::string& name, int64_t out, int64_t in) {
      random(name + ".weight", {out, in});
      t[name + ".bias"] = at::zeros({out}, options);
    };
    auto norm = [&](const std::string& name) {
      t[name + ".weight"] = at::ones({d}, options);
      t[name + ".bias"] = at::zeros({d}, options);
    };
    if (fam.id == EncoderFamily::kXlnet) {
      random("transformer.mask_emb", {1, 1, d});
      random("transformer.word_embedding.weight", {vocab, d});
      for (int64_t l = 0; l < s.layers; ++l) {
        const std::string a = "transformer.layer." + std::to_string(l) + ".rel_attn.";
        const std::string ff = "transformer.layer." + std::to_string(l) + ".ff.";
        for (const char* m : {"q", "k", "v", "o", "r"}) random(a + m, {d, n, dh});
        for (const char* b : {"r_r_bias", "r_s_bias", "r_w_bias"}) random(a + b, {n, dh});
        random(a + "seg_embed", {2, n, dh});
        norm(a + "layer_norm");
        norm(ff + "layer_norm");
        linear(ff + "layer_1", f, d);
        linear(ff + "layer_2", d, f);
      }
      linear("sequence_summary.summary", d, d);
      linear("logits_proj", s.labels, d);
    } else {
      const std::string p = fam.id == EncoderFamily::kRoberta ? "roberta." : "bert.";
      random(p + "embeddings.word_embeddings.weight", {vocab, d});
      random(p + "embeddings.position_embeddings.weight", {fam.max_positions, d});
      random(p + "embeddings.token_type_embeddings.weight", {fam.type_vocab, d});
      norm(p + "embeddings.LayerNorm");
      for (int64_t l = 0; l < s.layers; ++l) {
        const std::string x = p + "encoder.layer." + std::to_string(l) + ".";
        for (const char* m : {"query", "key", "value"}) linear(x + "attention.self." + m, d, d);
        linear(x + "attention.output.dense", d, d);
        norm(x + "attention.output.LayerNorm");
        linear(x + "intermediate.dense", f, d);
        linear(x + "output.dense", d, f);
        norm(x + "output.LayerNorm");
      }
      if (fam.id == EncoderFamily::kRoberta) {
        linear("classifier.dense", d, d);
        linear("classifier.out_proj", s.labels, d);
      } else {
        linear("bert.pooler.dense", d, d);
        linear("classifier", s.labels, d);
      }
    }
    int64_t count = 0;
    for (const auto& [name, tensor] : t) count += tensor.numel();
    AUGSWEEP_RETURN_IF_ERROR(SaveTensors((dir / "model.safetensors").string(), t));
    return count;
  } catch (const std::exception& e) {
    return InternalError(std::string("writing the random model failed: ") + e.what());
  }
}

// `count` full-length examples (the family's special tokens around ids from a fixed LCG, none of
// them a special or padding id) with random multi-hot labels; written to inputs.json so the peer
// trains on exactly the same batches. XLNet's <cls> gets token type 2, as its tokenizer does.
struct Inputs {
  std::vector<EncodedText> examples;
  std::vector<std::vector<float>> labels;
};

Inputs MakeInputs(const Family& fam, int64_t vocab, int64_t count, int64_t length, int64_t labels,
                  uint64_t seed) {
  Inputs in;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 7;
  auto next = [&] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x >> 33;
  };
  const int64_t text = length - static_cast<int64_t>(fam.prefix.size() + fam.suffix.size());
  for (int64_t i = 0; i < count; ++i) {
    EncodedText e;
    e.ids = fam.prefix;
    for (int64_t k = 0; k < text; ++k) {
      e.ids.push_back(static_cast<int32_t>(1000 + next() % static_cast<uint64_t>(vocab - 1000)));
    }
    e.ids.insert(e.ids.end(), fam.suffix.begin(), fam.suffix.end());
    e.token_types.assign(e.ids.size(), 0);
    if (fam.id == EncoderFamily::kXlnet) e.token_types.back() = 2;
    std::vector<float> row(labels);
    for (float& v : row) v = static_cast<float>(next() % 2);
    in.examples.push_back(std::move(e));
    in.labels.push_back(std::move(row));
  }
  return in;
}

void WriteInputs(const fs::path& path, const Inputs& in) {
  json ids = json::array(), types = json::array();
  for (const EncodedText& e : in.examples) {
    ids.push_back(e.ids);
    types.push_back(e.token_types);
  }
  std::ofstream(path) << json{{"ids", ids},
                              {"token_types", types},
                              {"labels", in.labels},
                              {"check_examples", kCheckExamples}}
                             .dump()
                      << "\n";
}

// The FLOP/s of `device`'s matrix multiply in `dtype`: the best of several rounds of n x n x n
// at::matmul, 2 n^3 FLOPs each. This is the ceiling the training FLOP/s are compared with.
double MeasureMatmulFlops(const at::Device& device, at::ScalarType dtype, int64_t n) {
  c10::InferenceMode inference;
  const auto options = at::TensorOptions().dtype(dtype).device(device);
  const at::Tensor a = at::randn({n, n}, options), b = at::randn({n, n}, options);
  at::Tensor c = at::matmul(a, b);  // first touch, BLAS/cuBLAS set-up
  Synchronize(device);
  const int per_round = device.is_cuda() ? 20 : 2;
  double best = 0;
  for (int round = 0; round < 4; ++round) {
    const auto t0 = Clock::now();
    for (int i = 0; i < per_round; ++i) c = at::matmul(a, b);
    Synchronize(device);
    best = std::max(best, 2.0 * n * n * n * per_round / Seconds(t0, Clock::now()));
  }
  return best;
}

// One timed fine-tuning run: the first batch x steps examples, one epoch.
struct RunResult {
  int64_t steps = 0, batch = 0;
  double seconds = 0;
  double loss = 0;  // the last step's
  double samples_per_s() const { return seconds > 0 ? steps * batch / seconds : 0; }
};

StatusOr<RunResult> TimeFineTune(EncoderClassifier& model, const Inputs& in, int64_t batch,
                                 int64_t steps, double learning_rate, uint64_t seed,
                                 const at::Device& device) {
  const size_t count = static_cast<size_t>(batch * steps);
  const std::vector<EncodedText> examples(in.examples.begin(), in.examples.begin() + count);
  const std::vector<std::vector<float>> labels(in.labels.begin(), in.labels.begin() + count);
  FineTuneOptions o;
  o.epochs = 1;
  o.batch_size = static_cast<int>(batch);
  o.adamw.learning_rate = learning_rate;
  o.adamw.weight_decay = 0.01;
  o.max_grad_norm = 1.0;
  o.seed = seed;
  Synchronize(device);
  const auto t0 = Clock::now();
  AUGSWEEP_ASSIGN_OR_RETURN(FineTuneReport report, model.FineTune(examples, labels, o));
  Synchronize(device);
  RunResult r;
  r.seconds = Seconds(t0, Clock::now());
  r.steps = report.steps;
  r.batch = batch;
  r.loss = report.step_losses.empty() ? 0 : report.step_losses.back();
  if (r.steps != steps) {
    return InternalError("FineTune took " + std::to_string(r.steps) + " steps, expected " +
                         std::to_string(steps));
  }
  return r;
}

// finetune_bench's request to its peer (bench/peer_process.h has the process and the framing):
//   bench -> "RUN <batch> <steps> <seed>"; peer -> "PEER_RUN {"seconds", "steps", "loss"}": one
//   fine-tuning run over the first batch x steps examples of inputs.json, timed as TimeFineTune.
StatusOr<RunResult> PeerRunFineTune(PeerProcess& peer, int64_t batch, int64_t steps,
                                    uint64_t seed) {
  AUGSWEEP_ASSIGN_OR_RETURN(
      json msg, peer.Request("RUN " + std::to_string(batch) + " " + std::to_string(steps) + " " +
                                 std::to_string(seed),
                             "PEER_RUN"));
  try {
    RunResult r;
    r.batch = batch;
    r.steps = msg.at("steps").get<int64_t>();
    r.seconds = msg.at("seconds").get<double>();
    r.loss = msg.value("loss", 0.0);
    if (r.steps != steps) {
      return InternalError("the peer took " + std::to_string(r.steps) + " steps, expected " +
                           std::to_string(steps));
    }
    return r;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("the peer's PEER_RUN line lacks a field: ") + e.what());
  }
}

// One model's results: the best run of each side.
struct ModelResult {
  std::string name;
  StepFlops flops;
  std::optional<RunResult> ours, theirs;
  std::string peer_name;
};

void KeepBest(std::optional<RunResult>& best, const RunResult& r) {
  if (!best || r.samples_per_s() > best->samples_per_s()) best = r;
}

// Prints how far the peer's eval-mode logits of the first kCheckExamples examples (sent with
// PEER_READY, computed before it trained) are from ours: a check that both run the same model.
// `ready` may be null (no peer).
Status CompareLogits(EncoderClassifier& model, const Inputs& inputs, const json* ready,
                     const std::string& autocast) {
  const std::vector<EncodedText> first(inputs.examples.begin(),
                                       inputs.examples.begin() + kCheckExamples);
  AUGSWEEP_ASSIGN_OR_RETURN(EncoderBatch batch, model.Pad(first));
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<float> ours, model.Forward(batch));
  if (ready == nullptr || !ready->contains("check_logits")) return OkStatus();
  std::vector<float> theirs;
  for (const auto& row : ready->at("check_logits")) {
    for (const auto& v : row) theirs.push_back(v.get<float>());
  }
  if (theirs.size() != ours.size()) {
    std::printf("eval logits: the peer sent %zu values, expected %zu\n", theirs.size(),
                ours.size());
    return OkStatus();
  }
  double diff = 0, scale = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::fabs(ours[i] - theirs[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(ours[i])));
  }
  // Under autocast both sides round differently; in float32 they agree to ~1e-7.
  const bool same = autocast != "float32" || diff <= 1e-3 * std::max(1.0, scale);
  std::printf("eval logits of %" PRId64
              " examples before training: max |c++ - peer| = %.2e (max |logit| %.3f)%s\n",
              kCheckExamples, diff, scale,
              same ? "" : "  <-- the two sides do not compute the same model");
  return OkStatus();
}

// Writes, loads and times one model family; appends its results. Returns a non-zero exit code on
// a failure of the C++ side (a peer failure only drops the peer).
int BenchModel(const Options& o, const std::string& name, const fs::path& base,
               const at::Device& device, int threads, double matmul_flops,
               std::vector<ModelResult>* results) {
  auto fail = [&](const Status& status) {
    std::fprintf(stderr, "finetune_bench: %s: %s\n", name.c_str(), status.ToString().c_str());
    return 1;
  };
  const Family fam = *FamilyNamed(name);
  Shape shape = o.shape;
  if (shape.vocab == 0) shape.vocab = fam.vocab;
  const fs::path dir = base / name;
  fs::create_directories(dir);
  const auto t0 = Clock::now();
  StatusOr<int64_t> params =
      WriteRandomModel(dir, fam, shape, device, static_cast<uint64_t>(o.seed));
  if (!params.ok()) return fail(params.status());
  const int64_t pool = o.batch * std::max(o.steps, o.warmup_steps);
  const Inputs inputs = MakeInputs(fam, shape.vocab, std::max(pool, kCheckExamples), o.seq_len,
                                   shape.labels, static_cast<uint64_t>(o.seed));
  WriteInputs(dir / "inputs.json", inputs);

  ModelResult result;
  result.name = name;
  result.flops = TrainingFlops(fam.id, shape, o.batch, o.seq_len);
  std::printf("\n== %s: %.1f M parameters (%.1f M in the encoder's matmuls), vocab %" PRId64
              "; a step: %" PRId64 " x %" PRId64
              " tokens, %.3f TFLOP (matmuls %.3f + attention %.3f); written in %.1f s\n",
              name.c_str(), *params / 1e6, MatmulParams(fam.id, shape) / 1e6, shape.vocab, o.batch,
              o.seq_len, result.flops.total() / 1e12, result.flops.matmul / 1e12,
              result.flops.attention / 1e12, Seconds(t0, Clock::now()));

  EncoderLoadOptions load;
  load.device = o.device;
  load.autocast_dtype = o.autocast;
  load.threads = threads;
  load.num_labels = static_cast<int>(shape.labels);
  const auto load_start = Clock::now();
  StatusOr<std::unique_ptr<EncoderClassifier>> model = EncoderClassifier::Load(dir.string(), load);
  if (!model.ok()) return fail(model.status());
  std::printf("load: %.1f s\n", Seconds(load_start, Clock::now()));

  // The peer.
  std::unique_ptr<PeerProcess> peer;
  std::string why;
  json ready;
  if (o.skip_peer) {
    why = "--skip-peer";
  } else if (o.peer == "none") {
    why = "--peer none";
  } else if (!fs::exists(o.peer)) {
    why = "no peer script at " + o.peer;
  } else {
    const std::string command = ShellQuote(o.python) + " " + ShellQuote(o.peer) +
                                " --serve --model-dir " + ShellQuote(dir.string()) + " --threads " +
                                std::to_string(threads) + " --device " + ShellQuote(o.device) +
                                " --autocast " + ShellQuote(o.autocast);
    std::printf("peer: %s\n", command.c_str());
    peer = PeerProcess::Start(command, &why, &ready);
  }
  if (peer) {
    result.peer_name = ready.value("name", std::string("peer"));
    const std::string detail = ready.value("detail", std::string());
    if (!detail.empty()) result.peer_name += " (" + detail + ")";
    std::printf("peer ready: %s\n", result.peer_name.c_str());
  } else {
    result.peer_name = "unavailable: " + why;
    std::printf("peer unavailable: %s\n", why.c_str());
  }
  std::fflush(stdout);
  auto drop_peer = [&](const Status& status) {
    std::printf("peer failed: %s\n", status.message().c_str());
    result.peer_name = "failed: " + status.message();
    peer.reset();
  };

  // Both sides' eval-mode logits on the same examples, before either trains.
  if (Status st = CompareLogits(**model, inputs, peer ? &ready : nullptr, o.autocast); !st.ok()) {
    return fail(st);
  }

  auto report = [&](const char* who, const char* what, const RunResult& r) {
    const double flops = result.flops.total() * r.steps / r.seconds;
    std::printf("%-4s %s: %" PRId64
                " step%s in %.2f s = %.2f samples/s, %.1f GFLOP/s = %.2f of matmul (last loss "
                "%.4f)\n",
                who, what, r.steps, r.steps == 1 ? "" : "s", r.seconds, r.samples_per_s(),
                flops / 1e9, flops / matmul_flops, r.loss);
    std::fflush(stdout);
  };
  uint64_t seed = static_cast<uint64_t>(o.seed);
  if (o.warmup_steps > 0) {
    StatusOr<RunResult> warm =
        TimeFineTune(**model, inputs, o.batch, o.warmup_steps, o.learning_rate, seed, device);
    if (!warm.ok()) return fail(warm.status());
    report("c++", "warm-up", *warm);
    if (peer) {
      StatusOr<RunResult> p = PeerRunFineTune(*peer, o.batch, o.warmup_steps, seed);
      if (!p.ok()) {
        drop_peer(p.status());
      } else {
        report("peer", "warm-up", *p);
      }
    }
  }
  for (int64_t rep = 1; rep <= o.repeats; ++rep) {
    ++seed;
    const std::string what = "run " + std::to_string(rep);
    StatusOr<RunResult> r =
        TimeFineTune(**model, inputs, o.batch, o.steps, o.learning_rate, seed, device);
    if (!r.ok()) return fail(r.status());
    report("c++", what.c_str(), *r);
    KeepBest(result.ours, *r);
    if (peer) {
      StatusOr<RunResult> p = PeerRunFineTune(*peer, o.batch, o.steps, seed);
      if (!p.ok()) {
        drop_peer(p.status());
      } else {
        report("peer", what.c_str(), *p);
        KeepBest(result.theirs, *p);
      }
    }
  }
  model->reset();
  if (peer) peer->Close();
  results->push_back(result);
  return 0;
}

int Run(const Options& o) {
  std::vector<std::string> models;
  {
    std::stringstream in(o.models);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!FamilyNamed(item)) {
        std::fprintf(stderr, "finetune_bench: --models: \"%s\" is not bert, roberta or xlnet\n",
                     item.c_str());
        return 2;
      }
      models.push_back(item);
    }
  }
  if (models.empty()) {
    std::fprintf(stderr, "finetune_bench: --models: empty\n");
    return 2;
  }
  const int threads = SetBenchThreads(o.threads);
  int exit_code = 0;
  const std::optional<at::Device> device = ParseBenchDevice("finetune_bench", o.device, &exit_code);
  if (!device) return exit_code;
  const TempFolder folder(o.work_dir, "augsweep-finetune-bench", o.keep_model);
  if (folder.path().empty()) {
    std::fprintf(stderr, "finetune_bench: cannot create a folder under %s\n",
                 o.work_dir.empty() ? "TMPDIR" : o.work_dir.c_str());
    return 1;
  }
  const std::string root_dir = folder.path().string();
  const auto started = Clock::now();

  const Shape& s = o.shape;
  std::printf("finetune_bench: models %s; hidden %" PRId64 ", %" PRId64 " layers, %" PRId64
              " heads, intermediate %" PRId64 ", %" PRId64 " labels; batch %" PRId64
              " x seq %" PRId64 "; %" PRId64 " warm-up + %" PRId64 " x %" PRId64
              " timed steps per side, alternating c++/peer, best run kept\n",
              o.models.c_str(), s.hidden, s.layers, s.heads, s.intermediate, s.labels, o.batch,
              o.seq_len, o.warmup_steps, o.repeats, o.steps);
  std::printf(
      "training: dropout 0.1, BCE-with-logits, AdamW (lr %g, weight decay 0.01, all "
      "parameters), grad clip 1.0, linear decay; device %s, autocast %s; threads %d; "
      "libtorch %s; models in %s%s\n",
      o.learning_rate, o.device.c_str(), o.autocast.c_str(), threads, TORCH_VERSION,
      root_dir.c_str(), o.keep_model ? " (kept)" : "");

  // The ceiling is the best the matmul did: measured before each model and after the last, so a
  // burst of load during one measurement does not inflate every ratio.
  const at::ScalarType compute = DtypeOf(o.autocast);
  const int64_t n = o.matmul_size > 0 ? o.matmul_size : (device->is_cuda() ? 8192 : 2048);
  double matmul = 0;
  auto measure = [&](const char* when) {
    const double now = MeasureMatmulFlops(*device, compute, n);
    matmul = std::max(matmul, now);
    std::printf("matmul %s: %.1f GFLOP/s (%s %s at::matmul %" PRId64
                "^3, best of 4 rounds); ceiling so far %.1f GFLOP/s\n",
                when, now / 1e9, o.device.c_str(), o.autocast.c_str(), n, matmul / 1e9);
    std::fflush(stdout);
  };
  std::vector<ModelResult> results;
  for (const std::string& name : models) {
    measure(("before " + name).c_str());
    if (int rc = BenchModel(o, name, root_dir, *device, threads, matmul, &results); rc != 0)
      return rc;
  }
  std::printf("\n");
  measure("after the runs");

  std::printf("\nsummary (batch %" PRId64 ", seq %" PRId64 ", %s, %s, %d threads; best of %" PRId64
              " runs of %" PRId64 " steps):\n",
              o.batch, o.seq_len, o.device.c_str(), o.autocast.c_str(), threads, o.repeats,
              o.steps);
  std::printf("%-10s %14s %14s %12s %14s %14s\n", "model", "c++ samples/s", "peer samples/s",
              "c++ / peer", "c++ / matmul", "peer / matmul");
  bool goal = true;
  for (const ModelResult& r : results) {
    auto of_matmul = [&](const RunResult& run) {
      return r.flops.total() * run.steps / run.seconds / matmul;
    };
    const bool both = r.ours && r.theirs;
    const double ratio = both ? r.ours->samples_per_s() / r.theirs->samples_per_s() : 0;
    goal = goal && both && ratio >= 1.0;
    std::printf("%-10s %14s %14s %12s %14s %14s\n", r.name.c_str(),
                Fixed(r.ours->samples_per_s(), 2).c_str(),
                r.theirs ? Fixed(r.theirs->samples_per_s(), 2).c_str() : "-",
                both ? Fixed(ratio, 2).c_str() : "-", Fixed(of_matmul(*r.ours), 2).c_str(),
                r.theirs ? Fixed(of_matmul(*r.theirs), 2).c_str() : "-");
  }
  for (const ModelResult& r : results)
    std::printf("peer of %s: %s\n", r.name.c_str(), r.peer_name.c_str());
  const bool any_peer =
      std::any_of(results.begin(), results.end(), [](const ModelResult& r) { return r.theirs; });
  std::printf("goal c++ / peer >= 1.0 for every model: %s\n",
              !any_peer ? "no peer to compare with" : (goal ? "met" : "NOT met"));
  std::printf("bench time: %.0f s\n", Seconds(started, Clock::now()));
  return 0;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) {
  using namespace augsweep;
  Options o;
  Shape& s = o.shape;
  const std::string source_dir = AUGSWEEP_SOURCE_DIR;
  o.peer = source_dir + "/bench/finetune_peer.py";
  o.python = DefaultPeerPython();
  FlagSet flags("finetune_bench [flags]",
                "Training samples/s of the libtorch encoder classifiers (BERT, RoBERTa, XLNet) on\n"
                "random-weight models, against the matmul FLOP/s and a peer (Python PyTorch) in\n"
                "the same run.");
  flags.String("models", &o.models, "comma-separated families: bert, roberta, xlnet");
  flags.Int("vocab", &s.vocab, "vocabulary size (0: the family's: 30522, 50265, 32000)");
  flags.Int("hidden", &s.hidden, "hidden size");
  flags.Int("layers", &s.layers, "encoder layers");
  flags.Int("heads", &s.heads, "attention heads");
  flags.Int("intermediate", &s.intermediate, "feed-forward inner size");
  flags.Int("labels", &s.labels, "labels of the multi-label head");
  flags.Int("seq-len", &o.seq_len, "tokens per example (all full length, no padding)");
  flags.Int("batch", &o.batch, "examples per optimiser step");
  flags.Int("steps", &o.steps, "optimiser steps per timed run");
  flags.Int("warmup-steps", &o.warmup_steps, "steps of the untimed first run per side (0: none)");
  flags.Int("repeats", &o.repeats, "timed runs per side and model; the fastest is reported");
  flags.Int("threads", &o.threads, "intra-op CPU threads for both programs (0: one per core)");
  flags.String("device", &o.device, "cpu, cuda or cuda:N");
  flags.String("autocast", &o.autocast, "float32, or bfloat16 / float16 mixed precision (CUDA)");
  flags.Double("learning-rate", &o.learning_rate, "AdamW peak learning rate");
  flags.Int("seed", &o.seed, "seed of the weights, examples, shuffles and dropout");
  flags.String("work-dir", &o.work_dir,
               "where the models' temporary folder goes (default: TMPDIR)");
  flags.Bool("keep-model", &o.keep_model, "keep the models' folder");
  flags.String("peer", &o.peer, "peer script (PEER_RUN protocol), or none");
  flags.String("python", &o.python, "the Python that runs the peer");
  flags.Bool("skip-peer", &o.skip_peer, "time the C++ side only");
  flags.Int("matmul-size", &o.matmul_size, "n of the n^3 matmul ceiling (0: 2048 CPU, 8192 CUDA)");
  std::vector<std::string> positional;
  if (auto exit_code = ParseFlagsOrExit(flags, std::vector<std::string>(argv + 1, argv + argc),
                                        "finetune_bench", &positional)) {
    return *exit_code;
  }
  auto bad = [](const std::string& what) {
    std::fprintf(stderr, "finetune_bench: %s\n", what.c_str());
    return 2;
  };
  if (!positional.empty()) return bad("unexpected argument \"" + positional[0] + "\"");
  if (s.vocab != 0 && s.vocab < 2000) return bad("--vocab must be 0 or >= 2000");
  if (s.hidden < 2 || s.layers < 1 || s.heads < 1 || s.intermediate < 1 || s.labels < 1)
    return bad("the shape flags must be positive");
  if (s.hidden % s.heads != 0 || s.hidden % 2 != 0)
    return bad("--hidden must be even and a multiple of --heads");
  if (o.seq_len < 4 || o.seq_len > 512) return bad("--seq-len must be in [4, 512]");
  if (o.batch < 1 || o.steps < 1 || o.warmup_steps < 0 || o.repeats < 1)
    return bad("--batch, --steps and --repeats must be >= 1, --warmup-steps >= 0");
  if (o.threads < 0) return bad("--threads must be >= 0");
  if (o.autocast != "float32" && o.autocast != "bfloat16" && o.autocast != "float16")
    return bad("--autocast: expected float32, bfloat16 or float16, got \"" + o.autocast + "\"");
  if (o.autocast != "float32" && o.device.rfind("cuda", 0) != 0)
    return bad("--autocast " + o.autocast + " needs --device cuda (the CPU trains in float32)");
  if (!(o.learning_rate > 0)) return bad("--learning-rate must be > 0");
  if (o.matmul_size < 0) return bad("--matmul-size must be >= 0");
  std::signal(SIGPIPE, SIG_IGN);  // a peer that dies must not kill the bench
  return Run(o);
}

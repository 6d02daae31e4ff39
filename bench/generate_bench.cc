// generate_bench: how fast worker/runtime's LLaMA decodes, against the memory-bandwidth roofline
// and against a peer (plain PyTorch in Python, or transformers' generate on the GPU) in one run.
//
// It writes a LLaMA-shaped model with random weights (config.json + model.safetensors) into a
// temporary folder, loads it with LlamaModel::Load and, for each batch size, times greedy
// generation with EOS disabled: the prefill (prompt forward + first token) and the decode steps
// after it separately. Single-sequence decode reads every weight once per token, so its ceiling
// is the memory bandwidth / the weight bytes; the bandwidth is measured here with a large tensor
// copy (bytes read + bytes written). The peer script runs as a child process on the same model
// folder, prompts and thread count (protocol: PeerRun below); C++ and peer runs alternate and
// the best of --repeats is kept for each, so a burst of load from other processes on a shared
// machine hits both alike. It prints C++ / peer tokens/s per batch size; compare ratios within one
// run, never absolute timings across runs.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/randn.h>
#include <c10/core/InferenceMode.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
#include "bench/random_llama.h"
#include "common/cli_flags.h"
#include "common/cli_main.h"
#include "common/safetensors/torch_bridge.h"
#include "common/status.h"
#include "worker/executors/batch_budget.h"
#include "worker/runtime/llama_model.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = BenchClock;

struct Options {
  RandomLlamaShape shape;
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string batches = "1,8,32";
  int64_t prompt_len = 16;
  int64_t new_tokens = 64;
  int64_t threads = 0;
  int64_t repeats = 2;
  bool warmup = true;
  int64_t seed = 1;
  std::string model_dir;  // empty: a fresh random model in a temporary folder
  std::string work_dir;   // where the temporary folder goes (empty: the system temp dir)
  bool keep_model = false;
  std::string peer;
  std::string python;
  double bandwidth_mib = 0;  // size of each copy buffer; 0: 256 MiB on CPU, 1 GiB on CUDA
};

// One batch size's timings (the best of `repeats` runs by decode speed).
struct RunResult {
  int64_t batch = 0;
  double prefill_s = 0;
  double decode_s = 0;
  int64_t decode_steps = 0;
  double decode_tokens_per_s() const {
    return decode_s > 0 ? static_cast<double>(decode_steps * batch) / decode_s : 0;
  }
};

// Batch sizes; "budget" is 0 here and becomes the generate executor's batch for the free memory
// once the model is loaded.
StatusOr<std::vector<int64_t>> ParseBatches(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item == "budget") {
      out.push_back(0);
      continue;
    }
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1) {
      return InvalidArgumentError(
          "--batches: \"" + item +
          "\" is not a positive integer or \"budget\" (expected e.g. 1,8,budget)");
    }
    out.push_back(v);
  }
  if (out.empty()) return InvalidArgumentError("--batches: empty");
  return out;
}

int64_t DtypeBytes(const std::string& name) { return name == "float32" ? 4 : 2; }

// max(batches) prompts of prompt_len ids: BOS, then ids from a fixed LCG (never BOS/EOS), written
// to prompts.json so the peer decodes exactly the same inputs. Batch B uses the first B.
std::vector<std::vector<int32_t>> MakePrompts(int64_t count, int64_t length, int64_t vocab,
                                              uint64_t seed) {
  std::vector<std::vector<int32_t>> prompts(count);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& prompt : prompts) {
    prompt.push_back(kBosId);
    while (static_cast<int64_t>(prompt.size()) < length) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      prompt.push_back(static_cast<int32_t>(3 + (x >> 33) % static_cast<uint64_t>(vocab - 3)));
    }
  }
  return prompts;
}

// Copy bandwidth of `device` in bytes/s, counting the bytes read and the bytes written: the best
// of several rounds of copies between two buffers much larger than any cache.
double MeasureBandwidth(const at::Device& device, int64_t bytes) {
  c10::InferenceMode inference;
  const int64_t n = bytes / 4;
  const auto opts = at::TensorOptions().dtype(at::kFloat).device(device);
  at::Tensor a = at::ones({n}, opts), b = at::empty({n}, opts);
  b.copy_(a);  // first touch: page faults are not bandwidth
  Synchronize(device);
  double best = 0;
  const int copies = device.is_cuda() ? 20 : 4;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = Clock::now();
    for (int i = 0; i < copies; ++i) (i % 2 ? a : b).copy_(i % 2 ? b : a);
    Synchronize(device);
    const double s = Seconds(t0, Clock::now());
    best = std::max(best, 2.0 * static_cast<double>(n * 4) * copies / s);
  }
  return best;
}

// Read-only bandwidth in bytes/s: the best of several sums over a buffer much larger than any
// cache. Decode only reads weights, so this is its tighter ceiling; the copy figure above is
// the roofline the goals are stated against.
double MeasureReadBandwidth(const at::Device& device, int64_t bytes) {
  c10::InferenceMode inference;
  const int64_t n = bytes / 4;
  at::Tensor a = at::ones({n}, at::TensorOptions().dtype(at::kFloat).device(device));
  a.sum();
  Synchronize(device);
  double best = 0;
  const int sums = device.is_cuda() ? 20 : 4;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = Clock::now();
    for (int i = 0; i < sums; ++i) a.sum();
    Synchronize(device);
    best = std::max(best, static_cast<double>(n * 4) * sums / Seconds(t0, Clock::now()));
  }
  return best;
}

// Times one greedy generation of `new_tokens` tokens for each of the prompts: the decode phase
// starts when the last sequence of the batch has its first token (the prefill's output; all are
// prefilled together since max_batch = batch) and ends when Generate returns.
StatusOr<RunResult> TimeGenerate(LlamaModel& model,
                                 const std::vector<std::vector<int32_t>>& prompts,
                                 int64_t new_tokens, std::vector<int32_t>* first_ids) {
  std::vector<SequenceRequest> requests;
  for (const auto& p : prompts) requests.push_back({p, 0});
  GenerationOptions g;
  g.max_new_tokens = static_cast<int>(new_tokens);
  g.temperature = 0;
  g.eos_ids = {-1};  // never matches: every sequence runs to max_new_tokens
  g.max_batch = static_cast<int>(prompts.size());
  const size_t batch = prompts.size();
  size_t started = 0;
  Clock::time_point prefill_done;
  auto on_token = [&](size_t, const std::vector<int32_t>& ids) {
    if (ids.size() == 1 && ++started == batch) prefill_done = Clock::now();
    return false;
  };
  const auto t0 = Clock::now();
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<SequenceOutput> out, model.Generate(requests, g, on_token));
  const auto t1 = Clock::now();
  for (const SequenceOutput& o : out) {
    if (static_cast<int64_t>(o.new_ids.size()) != new_tokens) {
      return InternalError("a sequence ended after " + std::to_string(o.new_ids.size()) +
                           " tokens, expected " + std::to_string(new_tokens));
    }
  }
  if (first_ids) *first_ids = out[0].new_ids;
  RunResult r;
  r.batch = static_cast<int64_t>(batch);
  r.prefill_s = Seconds(t0, prefill_done);
  r.decode_s = Seconds(prefill_done, t1);
  r.decode_steps = new_tokens - 1;
  return r;
}

// generate_bench's request to its peer (bench/peer_process.h has the process and the framing):
//   bench -> "RUN <batch> <new_tokens>"; peer -> "PEER_RUN {"batch", "prefill_s", "decode_s",
//            "decode_steps", "ids0"}"
StatusOr<RunResult> PeerRun(PeerProcess& peer, int64_t batch, int64_t new_tokens,
                            std::vector<int32_t>* ids0) {
  AUGSWEEP_ASSIGN_OR_RETURN(
      json msg,
      peer.Request("RUN " + std::to_string(batch) + " " + std::to_string(new_tokens), "PEER_RUN"));
  try {
    RunResult r;
    r.batch = msg.at("batch").get<int64_t>();
    r.prefill_s = msg.at("prefill_s").get<double>();
    r.decode_s = msg.at("decode_s").get<double>();
    r.decode_steps = msg.at("decode_steps").get<int64_t>();
    if (ids0 && msg.contains("ids0")) *ids0 = msg.at("ids0").get<std::vector<int32_t>>();
    return r;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("the peer's PEER_RUN line lacks a field: ") + e.what());
  }
}

std::unique_ptr<PeerProcess> StartPeer(const Options& o, const fs::path& model_dir, int threads,
                                       std::string* why, std::string* name) {
  if (o.peer == "none") {
    *why = "--peer none";
    return nullptr;
  }
  if (!fs::exists(o.peer)) {
    *why = "no peer script at " + o.peer;
    return nullptr;
  }
  const std::string command = ShellQuote(o.python) + " " + ShellQuote(o.peer) + " --serve" +
                              " --model-dir " + ShellQuote(model_dir.string()) + " --threads " +
                              std::to_string(threads) + " --device " + ShellQuote(o.device) +
                              " --dtype " + ShellQuote(o.dtype);
  std::printf("peer: %s\n", command.c_str());
  json ready;
  std::unique_ptr<PeerProcess> peer = PeerProcess::Start(command, why, &ready);
  if (peer) {
    *name = ready.value("name", std::string("peer"));
    const std::string detail = ready.value("detail", std::string());
    if (!detail.empty()) *name += " (" + detail + ")";
    std::printf("peer ready: %s\n", name->c_str());
  }
  return peer;
}

// Per batch size, the best (fastest decode) of the runs so far.
void KeepBest(std::map<int64_t, RunResult>& best, const RunResult& r) {
  auto it = best.find(r.batch);
  if (it == best.end() || r.decode_tokens_per_s() > it->second.decode_tokens_per_s())
    best[r.batch] = r;
}

int Run(const Options& o) {
  const RandomLlamaShape& s = o.shape;
  auto fail = [](const Status& status) {
    std::fprintf(stderr, "generate_bench: %s\n", status.ToString().c_str());
    return 1;
  };
  StatusOr<std::vector<int64_t>> batches_or = ParseBatches(o.batches);
  if (!batches_or.ok()) {
    std::fprintf(stderr, "generate_bench: %s\n", batches_or.status().message().c_str());
    return 2;
  }
  std::vector<int64_t> batches = *batches_or;
  const int threads = SetBenchThreads(o.threads);
  int exit_code = 0;
  const std::optional<at::Device> device = ParseBenchDevice("generate_bench", o.device, &exit_code);
  if (!device) return exit_code;

  // The model folder.
  fs::path model_dir = o.model_dir;
  std::optional<TempFolder> temp;
  if (model_dir.empty()) {
    temp.emplace(o.work_dir, "augsweep-generate-bench", o.keep_model);
    if (temp->path().empty()) {
      std::fprintf(stderr, "generate_bench: cannot create a folder under %s\n",
                   o.work_dir.empty() ? "TMPDIR" : o.work_dir.c_str());
      return 1;
    }
    model_dir = temp->path();
    const auto t0 = Clock::now();
    if (Status st = WriteRandomModel(model_dir, {o.shape, o.dtype, o.device, o.seed}); !st.ok())
      return fail(st);
    std::printf("model: wrote random weights to %s in %.1f s\n", model_dir.c_str(),
                Seconds(t0, Clock::now()));
  }

  const double weight_bytes = static_cast<double>(s.ReadPerStepParams() * DtypeBytes(o.dtype));
  std::printf("shape: vocab %" PRId64 ", hidden %" PRId64 ", layers %" PRId64 ", heads %" PRId64
              ", kv_heads %" PRId64 ", intermediate %" PRId64
              "; dtype %s; device %s; threads %d; "
              "libtorch %s\n",
              s.vocab, s.hidden, s.layers, s.heads, s.kv_heads, s.intermediate, o.dtype.c_str(),
              o.device.c_str(), threads, TORCH_VERSION);
  std::printf(
      "params: %.1f M in all; weights read per decode step: %.1f MB "
      "(all but the embedding table, of which a step gathers one row per sequence)\n",
      s.TotalParams() / 1e6, weight_bytes / 1e6);
  std::printf("workload: prompt %" PRId64 " tokens, %" PRId64
              " new tokens, greedy, EOS disabled, "
              "batches %s, best of %" PRId64 " alternating c++/peer runs\n",
              o.prompt_len, o.new_tokens, o.batches.c_str(), o.repeats);

  const int64_t buffer_bytes = o.bandwidth_mib > 0
                                   ? static_cast<int64_t>(o.bandwidth_mib * 1048576.0)
                                   : (device->is_cuda() ? int64_t{1} << 30 : int64_t{256} << 20);
  double bandwidth = MeasureBandwidth(*device, buffer_bytes);
  std::printf(
      "bandwidth: %.1f GB/s (%s tensor copy of %.0f MiB, bytes read + written; best of 5)\n",
      bandwidth / 1e9, o.device.c_str(), buffer_bytes / 1048576.0);
  double read_bandwidth = MeasureReadBandwidth(*device, buffer_bytes);
  std::printf("read bandwidth: %.1f GB/s (%s tensor sum, bytes read; best of 5)\n",
              read_bandwidth / 1e9, o.device.c_str());
  std::fflush(stdout);

  LoadOptions load;
  load.device = o.device;
  load.dtype = o.dtype;
  load.threads = threads;
  const auto load_start = Clock::now();
  StatusOr<std::unique_ptr<LlamaModel>> model = LlamaModel::Load(model_dir.string(), load);
  if (!model.ok()) return fail(model.status());
  std::printf("load: %.1f s\n", Seconds(load_start, Clock::now()));

  // "budget": what the generate executor would pick now, with the weights in memory
  // (worker/executors/batch_budget.h).
  const BatchShape budget_shape =
      LlamaBatchShape(s.layers, s.kv_heads, s.head_dim(), DtypeBytes(o.dtype),
                      o.prompt_len + o.new_tokens, s.vocab);
  int64_t free_bytes = 0;
  const int budget = BatchForDevice(budget_shape, o.device, &free_bytes);
  if (std::count(batches.begin(), batches.end(), 0) > 0) {
    std::printf("batch budget: %d (%.1f GB free on %s, %.2f MB of KV cache per sequence)\n", budget,
                free_bytes / 1e9, o.device.c_str(),
                budget_shape.kv_bytes_per_token * budget_shape.tokens_per_sequence / 1e6);
  }
  for (int64_t& b : batches) b = b == 0 ? budget : b;
  std::sort(batches.begin(), batches.end());
  batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
  const int64_t max_batch = batches.back();
  const auto prompts = MakePrompts(max_batch, o.prompt_len, s.vocab, static_cast<uint64_t>(o.seed));
  std::ofstream(model_dir / "prompts.json") << json(prompts).dump() << "\n";

  std::string why, peer_name;
  std::unique_ptr<PeerProcess> peer = StartPeer(o, model_dir, threads, &why, &peer_name);
  auto drop_peer = [&](const Status& status) {
    why = status.message();
    std::printf("peer failed: %s\n", why.c_str());
    peer.reset();
  };

  std::map<int64_t, RunResult> ours, theirs;
  std::vector<int32_t> our_ids, their_ids;  // greedy ids of the first prompt at batch 1
  auto report = [&](const char* who, const RunResult& r) {
    const double steps_per_s = r.decode_steps / r.decode_s;
    std::printf("%-4s batch %3" PRId64 ": prefill %" PRId64 "x%" PRId64
                " tokens %.3f s | decode %" PRId64
                " steps %.3f s = %8.2f tok/s | weights %.1f GB/s = %.2f of bandwidth\n",
                who, r.batch, r.batch, o.prompt_len, r.prefill_s, r.decode_steps, r.decode_s,
                r.decode_tokens_per_s(), steps_per_s * weight_bytes / 1e9,
                steps_per_s * weight_bytes / bandwidth);
    std::fflush(stdout);
  };
  for (int64_t batch : batches) {
    const std::vector<std::vector<int32_t>> batch_prompts(prompts.begin(), prompts.begin() + batch);
    const int64_t warm_tokens = std::min<int64_t>(4, o.new_tokens);
    if (o.warmup) {
      StatusOr<RunResult> warm = TimeGenerate(**model, batch_prompts, warm_tokens, nullptr);
      if (!warm.ok()) return fail(warm.status());
      if (peer) {
        if (StatusOr<RunResult> r = PeerRun(*peer, batch, warm_tokens, nullptr); !r.ok())
          drop_peer(r.status());
      }
    }
    for (int64_t rep = 0; rep < o.repeats; ++rep) {
      std::vector<int32_t> ids;
      StatusOr<RunResult> r = TimeGenerate(**model, batch_prompts, o.new_tokens, &ids);
      if (!r.ok()) return fail(r.status());
      report("c++", *r);
      KeepBest(ours, *r);
      if (batch == 1) our_ids = ids;
      if (peer) {
        StatusOr<RunResult> p =
            PeerRun(*peer, batch, o.new_tokens, batch == 1 ? &their_ids : nullptr);
        if (!p.ok()) {
          drop_peer(p.status());
        } else {
          report("peer", *p);
          KeepBest(theirs, *p);
        }
      }
    }
  }
  model->reset();
  if (peer) peer->Close();
  // The roofline is the best the memory system did; measure once more after the runs.
  const double bandwidth_after = MeasureBandwidth(*device, buffer_bytes);
  if (bandwidth_after > bandwidth) bandwidth = bandwidth_after;
  read_bandwidth = std::max(read_bandwidth, MeasureReadBandwidth(*device, buffer_bytes));
  std::printf(
      "bandwidth after the runs: %.1f GB/s; roofline used: %.1f GB/s copy = %.1f decode "
      "steps/s (read-only: %.1f GB/s)\n",
      bandwidth_after / 1e9, bandwidth / 1e9, bandwidth / weight_bytes, read_bandwidth / 1e9);

  // The summary: one column per batch size.
  const bool have_peer = !theirs.empty();
  std::printf("\nsummary: c++ (worker/runtime) vs peer: %s\n",
              have_peer ? peer_name.c_str() : ("unavailable: " + why).c_str());
  std::string header = "                                ";
  for (int64_t b : batches) {
    std::string cell = "batch " + std::to_string(b);
    header += std::string(cell.size() < 11 ? 11 - cell.size() : 1, ' ') + cell;
  }
  std::printf("%s\n", header.c_str());
  auto row = [&](const std::string& label, auto value) {
    std::string line = label;
    line.resize(32, ' ');
    for (int64_t b : batches) {
      std::string cell = value(b);
      line += std::string(cell.size() < 11 ? 11 - cell.size() : 1, ' ') + cell;
    }
    std::printf("%s\n", line.c_str());
  };
  auto roofline = [&](const RunResult& r) {
    return (r.decode_steps / r.decode_s) * weight_bytes / bandwidth;
  };
  auto has = [&](int64_t b) { return theirs.count(b) > 0; };
  row("c++ decode tok/s", [&](int64_t b) { return Fixed(ours[b].decode_tokens_per_s(), 2); });
  row("c++ weight reads / bandwidth", [&](int64_t b) { return Fixed(roofline(ours[b]), 2); });
  row("c++ weight reads / read bw",
      [&](int64_t b) { return Fixed(roofline(ours[b]) * bandwidth / read_bandwidth, 2); });
  bool ratio_goal = have_peer;
  if (have_peer) {
    row("peer decode tok/s", [&](int64_t b) {
      return has(b) ? Fixed(theirs[b].decode_tokens_per_s(), 2) : std::string("-");
    });
    row("peer weight reads / bandwidth",
        [&](int64_t b) { return has(b) ? Fixed(roofline(theirs[b]), 2) : std::string("-"); });
    row("c++ / peer decode tok/s", [&](int64_t b) {
      if (!has(b)) {
        ratio_goal = false;
        return std::string("-");
      }
      const double ratio = ours[b].decode_tokens_per_s() / theirs[b].decode_tokens_per_s();
      ratio_goal = ratio_goal && ratio >= 1.0;
      return Fixed(ratio, 2);
    });
  }
  row("c++ prefill tok/s",
      [&](int64_t b) { return Fixed(b * o.prompt_len / ours[b].prefill_s, 1); });
  if (have_peer) {
    row("peer prefill tok/s", [&](int64_t b) {
      return has(b) ? Fixed(b * o.prompt_len / theirs[b].prefill_s, 1) : std::string("-");
    });
  }
  if (!our_ids.empty() && !their_ids.empty()) {
    size_t same = 0;
    while (same < our_ids.size() && same < their_ids.size() && our_ids[same] == their_ids[same])
      ++same;
    std::printf("greedy ids at batch 1: c++ and peer agree on the first %zu of %zu tokens%s\n",
                same, our_ids.size(),
                same == our_ids.size() ? "" : " (random weights: near-ties can flip)");
  }
  if (ours.count(1)) {
    const double r = roofline(ours[1]);
    std::printf("goal batch-1 decode >= 0.60 of the bandwidth roofline: %.2f, %s\n", r,
                r >= 0.60 ? "met" : "NOT met");
  }
  if (have_peer)
    std::printf("goal c++ / peer >= 1.0 at every batch: %s\n", ratio_goal ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) {
  using namespace augsweep;
  Options o;
  RandomLlamaShape& s = o.shape;
  const std::string source_dir = AUGSWEEP_SOURCE_DIR;
  o.peer = source_dir + "/bench/generate_peer.py";
  o.python = DefaultPeerPython();
  FlagSet flags(
      "generate_bench [flags]",
      "Decode tokens/s of the libtorch LLaMA runtime on a random-weight model, against the\n"
      "memory-bandwidth roofline and a peer (Python PyTorch) in the same run.");
  flags.Int("vocab", &s.vocab, "vocabulary size");
  flags.Int("hidden", &s.hidden, "hidden size");
  flags.Int("layers", &s.layers, "decoder layers");
  flags.Int("heads", &s.heads, "attention heads");
  flags.Int("kv-heads", &s.kv_heads, "key/value heads (0: = heads)");
  flags.Int("intermediate", &s.intermediate, "MLP intermediate size");
  flags.String("dtype", &o.dtype, "float32, bfloat16 or float16 (float16: CUDA only)");
  flags.String("device", &o.device, "cpu, cuda or cuda:N");
  flags.String("batches", &o.batches, "comma-separated batch sizes");
  flags.Int("prompt-len", &o.prompt_len, "prompt tokens per sequence (BOS + random ids)");
  flags.Int("new-tokens", &o.new_tokens, "tokens generated per sequence");
  flags.Int("threads", &o.threads, "intra-op CPU threads for both programs (0: one per core)");
  flags.Int("repeats", &o.repeats, "timed runs per batch size; the fastest decode is reported");
  flags.Bool("warmup", &o.warmup, "run a 4-token generation at each batch size before timing");
  flags.Int("seed", &o.seed, "seed of the random weights and prompts");
  flags.String("model-dir", &o.model_dir, "use this model folder instead of writing a random one");
  flags.String("work-dir", &o.work_dir,
               "where the random model's temporary folder goes (default: TMPDIR)");
  flags.Bool("keep-model", &o.keep_model, "keep the random model's folder");
  flags.String("peer", &o.peer, "peer script (PEER_RESULT protocol), or none");
  flags.String("python", &o.python, "the Python that runs the peer");
  flags.Double("bandwidth-mib", &o.bandwidth_mib,
               "size of each copy buffer (0: 256 MiB on CPU, 1 GiB on CUDA)");
  std::vector<std::string> positional;
  if (auto exit_code = ParseFlagsOrExit(flags, std::vector<std::string>(argv + 1, argv + argc),
                                        "generate_bench", &positional)) {
    return *exit_code;
  }
  if (s.kv_heads == 0) s.kv_heads = s.heads;
  auto bad = [](const std::string& what) {
    std::fprintf(stderr, "generate_bench: %s\n", what.c_str());
    return 2;
  };
  if (!positional.empty()) return bad("unexpected argument \"" + positional[0] + "\"");
  if (s.vocab < 4 || s.hidden < 2 || s.layers < 1 || s.heads < 1 || s.kv_heads < 1 ||
      s.intermediate < 1)
    return bad("the shape flags must be positive (vocab >= 4)");
  if (s.hidden % s.heads != 0 || s.head_dim() % 2 != 0)
    return bad("--hidden must be a multiple of --heads with an even head size");
  if (s.heads % s.kv_heads != 0) return bad("--heads must be a multiple of --kv-heads");
  if (o.dtype != "float32" && o.dtype != "bfloat16" && o.dtype != "float16")
    return bad("--dtype: expected float32, bfloat16 or float16, got \"" + o.dtype + "\"");
  if (o.prompt_len < 1 || o.new_tokens < 2)
    return bad("--prompt-len must be >= 1 and --new-tokens >= 2");
  if (o.repeats < 1) return bad("--repeats must be >= 1");
  if (o.threads < 0) return bad("--threads must be >= 0");
  std::signal(SIGPIPE, SIG_IGN);  // a peer that dies must not kill the bench
  return Run(o);
}

#include "worker/runtime/golden_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <utility>

#include "worker/runtime/classifier_golden.h"
#include "worker/runtime/golden_json.h"

namespace augsweep {
namespace {

using namespace golden_json;  // NOLINT: the reading helpers are this file's vocabulary

GenerationOptions GreedyOptions(int max_new_tokens) {
  GenerationOptions o;
  o.max_new_tokens = max_new_tokens;
  o.temperature = 0;  // greedy; eos_ids empty: the model's own, as generate() used
  return o;
}

StatusOr<std::vector<int32_t>> GreedyAlone(LlamaModel& model, const std::vector<int32_t>& prompt,
                                           int max_new) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<SequenceOutput> out,
                            model.Generate({{prompt, 0}}, GreedyOptions(max_new)));
  return std::move(out[0].new_ids);
}

// ---------------------------------------------------------------------------------------------
// hf-causal-lm (hf-tiny/llama): batches, greedy, greedy_batch_left_padded.

Status CheckBatch(LlamaModel& model, const json& batch, size_t index, double tolerance,
                  std::vector<GoldenCheck>* out) {
  const std::string path = "batches[" + std::to_string(index) + "]";
  std::string label = path;
  if (auto it = batch.find("name"); it != batch.end() && it->is_string()) {
    label = "batches[" + it->get<std::string>() + "]";
  }
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D ids, IntsMember(batch, "input_ids", path));
  const size_t b_len = ids.size(), t_len = ids[0].size();
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D mask, IntsMember(batch, "attention_mask", path, b_len, t_len));
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D positions,
                            IntsMember(batch, "position_ids", path, b_len, t_len));
  AUGSWEEP_RETURN_IF_ERROR(SameShape(ids, mask, path + ".attention_mask"));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* golden_logits, Member(batch, "logits", path));
  const auto hidden_it = batch.find("hidden_states");
  const bool with_hidden = hidden_it != batch.end();

  std::vector<std::vector<float>> hidden;
  StatusOr<std::vector<float>> logits =
      model.Forward(ids, mask, positions, with_hidden ? &hidden : nullptr);
  if (!logits.ok()) return logits.status().WithContext("golden " + path);
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);
  if (logits->size() != b_len * t_len * vocab) {
    return InternalError("model returned " + std::to_string(logits->size()) + " logits for a [" +
                         std::to_string(b_len) + "][" + std::to_string(t_len) +
                         "] batch of vocab_size " + std::to_string(vocab));
  }

  DiffTracker logit_diff;
  AUGSWEEP_RETURN_IF_ERROR(
      CompareAtRealPositions(*logits, *golden_logits, mask, vocab, path + ".logits", &logit_diff));
  out->push_back(logit_diff.Check(label + ".logits", tolerance));

  if (auto it = batch.find("argmax_per_position"); it != batch.end()) {
    AUGSWEEP_ASSIGN_OR_RETURN(Ints2D golden_argmax,
                              Ints2(*it, path + ".argmax_per_position", b_len, t_len));
    // Only the real positions: a padded query's output is meaningless.
    Ints2D ours_real(b_len), golden_real(b_len);
    for (size_t b = 0; b < b_len; ++b) {
      for (size_t t = 0; t < t_len; ++t) {
        if (!mask[b][t]) continue;
        ours_real[b].push_back(ArgMax(logits->data() + (b * t_len + t) * vocab, vocab));
        golden_real[b].push_back(golden_argmax[b][t]);
      }
    }
    out->push_back(IdCheck(label + ".argmax_per_position", ours_real, golden_real, "row"));
  }

  if (with_hidden) {
    const json& golden_hidden = *hidden_it;
    if (!golden_hidden.is_array() || golden_hidden.size() != hidden.size()) {
      return Bad(path + ".hidden_states",
                 "expected " + std::to_string(hidden.size()) +
                     " tensors (embeddings and one per layer), got " +
                     (golden_hidden.is_array() ? std::to_string(golden_hidden.size())
                                               : golden_hidden.type_name()));
    }
    const size_t width = static_cast<size_t>(model.config().hidden_size);
    for (size_t i = 0; i < hidden.size(); ++i) {
      if (hidden[i].size() != b_len * t_len * width) {
        return InternalError("model returned hidden state " + std::to_string(i) + " of " +
                             std::to_string(hidden[i].size()) + " values, expected " +
                             std::to_string(b_len * t_len * width));
      }
      const std::string suffix = ".hidden_states[" + std::to_string(i) + "]";
      DiffTracker diff;
      AUGSWEEP_RETURN_IF_ERROR(
          CompareAtRealPositions(hidden[i], golden_hidden[i], mask, width, path + suffix, &diff));
      out->push_back(diff.Check(label + suffix, tolerance));
    }
  }
  return OkStatus();
}

// greedy.manual_kv_cache_loop: the logits along the greedy path (prefill, then one token at a
// time), recomputed here with one full forward over prompt + tokens.
Status CheckGreedyPathLogits(LlamaModel& model, const json& loop,
                             const std::vector<int32_t>& prompt, double tolerance,
                             std::vector<GoldenCheck>* out) {
  const std::string path = "greedy.manual_kv_cache_loop";
  AUGSWEEP_ASSIGN_OR_RETURN(const json* steps, Member(loop, "steps", path));
  if (!steps->is_array() || steps->empty())
    return Bad(path + ".steps", "expected a non-empty array");
  std::vector<int32_t> tokens;
  for (size_t i = 0; i < steps->size(); ++i) {
    AUGSWEEP_ASSIGN_OR_RETURN(
        const json* token,
        Member((*steps)[i], "token", path + ".steps[" + std::to_string(i) + "]"));
    AUGSWEEP_ASSIGN_OR_RETURN(int32_t id,
                              Int(*token, path + ".steps[" + std::to_string(i) + "].token"));
    tokens.push_back(id);
  }
  // Step i's logits are those at position len(prompt) - 1 + i.
  std::vector<int32_t> ids = prompt;
  ids.insert(ids.end(), tokens.begin(), tokens.end() - 1);
  StatusOr<std::vector<float>> logits =
      model.Forward({ids}, {std::vector<int32_t>(ids.size(), 1)}, {Iota(ids.size())});
  if (!logits.ok()) return logits.status().WithContext("golden " + path);
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);
  if (logits->size() != ids.size() * vocab)
    return InternalError("model returned the wrong number of logits");
  auto row = [&](size_t step) { return logits->data() + (prompt.size() - 1 + step) * vocab; };

  DiffTracker diff;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string step_path = path + ".steps[" + std::to_string(i) + "]";
    if (tokens[i] < 0 || static_cast<size_t>(tokens[i]) >= vocab)
      return Bad(step_path + ".token", "outside the vocabulary");
    const float* r = row(i);
    if (auto it = (*steps)[i].find("logit"); it != (*steps)[i].end()) {
      AUGSWEEP_ASSIGN_OR_RETURN(double v, Number(*it, step_path + ".logit"));
      diff.Add(r[tokens[i]], v, [&] { return step_path + ".logit"; });
    }
    if (auto it = (*steps)[i].find("runner_up_logit"); it != (*steps)[i].end()) {
      AUGSWEEP_ASSIGN_OR_RETURN(double v, Number(*it, step_path + ".runner_up_logit"));
      // The largest logit other than the token's own.
      float runner_up = -std::numeric_limits<float>::infinity();
      for (size_t v2 = 0; v2 < vocab; ++v2) {
        if (static_cast<int32_t>(v2) != tokens[i]) runner_up = std::max(runner_up, r[v2]);
      }
      diff.Add(runner_up, v, [&] { return step_path + ".runner_up_logit"; });
    }
  }
  for (const auto& [key, step] :
       {std::pair<const char*, size_t>{"first_step_logits", 0},
        std::pair<const char*, size_t>{"last_step_logits", tokens.size() - 1}}) {
    auto it = loop.find(key);
    if (it == loop.end()) continue;
    const std::string p = path + "." + key;
    if (!it->is_array() || it->size() != vocab) {
      return Bad(p, "expected " + std::to_string(vocab) + " numbers (the model's vocab_size)");
    }
    const float* r = row(step);
    for (size_t v = 0; v < vocab; ++v) {
      if (!(*it)[v].is_number()) return Bad(p + "[" + std::to_string(v) + "]", "expected a number");
      diff.Add(r[v], (*it)[v].get<double>(), [&] { return p + "[" + std::to_string(v) + "]"; });
    }
  }
  out->push_back(diff.Check("greedy.path_logits", tolerance));
  return OkStatus();
}

Status CheckGreedy(LlamaModel& model, const json& greedy, double tolerance,
                   std::vector<GoldenCheck>* out) {
  const std::string path = "greedy";
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> prompt, IntRowMember(greedy, "prompt_ids", path));
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> expected,
                            IntRowMember(greedy, "new_token_ids", path));
  if (prompt.empty()) return Bad(path + ".prompt_ids", "empty");
  AUGSWEEP_ASSIGN_OR_RETURN(int max_new,
                            OptionalCount(greedy, "max_new_tokens", path, expected.size()));
  StatusOr<std::vector<int32_t>> ours = GreedyAlone(model, prompt, max_new);
  if (!ours.ok()) return ours.status().WithContext("golden " + path);
  out->push_back(IdCheck("greedy.new_token_ids", {*ours}, {expected}, "row"));
  if (auto it = greedy.find("manual_kv_cache_loop"); it != greedy.end()) {
    AUGSWEEP_RETURN_IF_ERROR(CheckGreedyPathLogits(model, *it, prompt, tolerance, out));
  }
  return OkStatus();
}

// greedy_batch_left_padded (both schemas): the rows' real tokens generated as one batch, and
// each alone where the file records that too.
Status CheckGreedyBatch(LlamaModel& model, const json& g, std::vector<GoldenCheck>* out) {
  const std::string path = "greedy_batch_left_padded";
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D ids, IntsMember(g, "input_ids", path));
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D mask,
                            IntsMember(g, "attention_mask", path, ids.size(), ids[0].size()));
  AUGSWEEP_ASSIGN_OR_RETURN(Ints2D expected, IntsMember(g, "new_token_ids", path, ids.size()));
  AUGSWEEP_ASSIGN_OR_RETURN(int max_new,
                            OptionalCount(g, "max_new_tokens", path, expected[0].size()));
  std::vector<SequenceRequest> requests(ids.size());
  for (size_t b = 0; b < ids.size(); ++b) {
    for (size_t t = 0; t < ids[b].size(); ++t) {
      if (mask[b][t]) requests[b].prompt_ids.push_back(ids[b][t]);
    }
    if (requests[b].prompt_ids.empty())
      return Bad(path + ".attention_mask[" + std::to_string(b) + "]", "no real token");
  }
  StatusOr<std::vector<SequenceOutput>> batched = model.Generate(requests, GreedyOptions(max_new));
  if (!batched.ok()) return batched.status().WithContext("golden " + path);
  Ints2D ours;
  for (const SequenceOutput& s : *batched) ours.push_back(s.new_ids);
  out->push_back(IdCheck(path + ".new_token_ids", ours, expected, "row"));

  for (const char* key : {"unpadded_per_row_new_token_ids", "unbatched_new_token_ids"}) {
    if (!g.contains(key)) continue;
    AUGSWEEP_ASSIGN_OR_RETURN(Ints2D alone_expected, IntsMember(g, key, path, ids.size()));
    Ints2D alone;
    for (const SequenceRequest& r : requests) {
      StatusOr<std::vector<int32_t>> one = GreedyAlone(model, r.prompt_ids, max_new);
      if (!one.ok()) return one.status().WithContext("golden " + path);
      alone.push_back(std::move(one).value());
    }
    out->push_back(IdCheck(path + "." + key, alone, alone_expected, "row"));
  }
  return OkStatus();
}

Status CheckHfCausalLm(LlamaModel& model, const json& golden, double tolerance,
                       std::vector<GoldenCheck>* out) {
  AUGSWEEP_ASSIGN_OR_RETURN(const json* batches, Member(golden, "batches", ""));
  if (!batches->is_array() || batches->empty()) return Bad("batches", "expected a non-empty array");
  for (size_t i = 0; i < batches->size(); ++i) {
    AUGSWEEP_RETURN_IF_ERROR(CheckBatch(model, (*batches)[i], i, tolerance, out));
  }
  AUGSWEEP_ASSIGN_OR_RETURN(const json* greedy, Member(golden, "greedy", ""));
  AUGSWEEP_RETURN_IF_ERROR(CheckGreedy(model, *greedy, tolerance, out));
  AUGSWEEP_ASSIGN_OR_RETURN(const json* batch, Member(golden, "greedy_batch_left_padded", ""));
  return CheckGreedyBatch(model, *batch, out);
}

// ---------------------------------------------------------------------------------------------
// llama2c-cases (hf-real/stories260K): cases, greedy_batch_left_padded.

Status CheckCase(LlamaModel& model, const json& c, size_t index, double tolerance,
                 std::vector<GoldenCheck>* out) {
  const std::string path = "cases[" + std::to_string(index) + "]";
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> prompt, IntRowMember(c, "prompt_ids", path));
  if (prompt.empty()) return Bad(path + ".prompt_ids", "empty");
  AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> expected,
                            IntRowMember(c, "greedy_continuation_ids", path));
  AUGSWEEP_ASSIGN_OR_RETURN(int max_new, OptionalCount(c, "max_new_tokens", path, expected.size()));
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);

  StatusOr<std::vector<int32_t>> ours = GreedyAlone(model, prompt, max_new);
  if (!ours.ok()) return ours.status().WithContext("golden " + path);
  GoldenCheck greedy = IdCheck(path + ".greedy_continuation_ids", {*ours}, {expected}, "row");
  if (auto it = c.find("prompt"); it != c.end() && it->is_string()) {
    greedy.detail = "prompt \"" + it->get<std::string>() + "\": " + greedy.detail;
  }
  out->push_back(std::move(greedy));

  // One forward without a cache over the first N tokens of prompt + continuation.
  if (auto it = c.find("argmax_per_position"); it != c.end()) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int32_t> golden_argmax,
                              Ints(*it, path + ".argmax_per_position"));
    std::vector<int32_t> full = prompt;
    full.insert(full.end(), expected.begin(), expected.end());
    if (golden_argmax.empty() || golden_argmax.size() > full.size()) {
      return Bad(path + ".argmax_per_position", "expected 1 to " + std::to_string(full.size()) +
                                                    " values (prompt + continuation), got " +
                                                    std::to_string(golden_argmax.size()));
    }
    full.resize(golden_argmax.size());
    StatusOr<std::vector<float>> logits =
        model.Forward({full}, {std::vector<int32_t>(full.size(), 1)}, {Iota(full.size())});
    if (!logits.ok()) return logits.status().WithContext("golden " + path);
    if (logits->size() != full.size() * vocab)
      return InternalError("model returned the wrong number of logits");
    std::vector<int32_t> argmax;
    for (size_t p = 0; p < full.size(); ++p)
      argmax.push_back(ArgMax(logits->data() + p * vocab, vocab));
    out->push_back(IdCheck(path + ".argmax_per_position", {argmax}, {golden_argmax}, "row"));
  }

  if (auto it = c.find("logits_pos0_4"); it != c.end()) {
    const std::string lpath = path + ".logits_pos0_4";
    if (!it->is_array() || it->empty()) return Bad(lpath, "expected a non-empty array");
    std::vector<int32_t> ids, positions;
    for (size_t p = 0; p < it->size(); ++p) {
      const std::string ep = lpath + "[" + std::to_string(p) + "]";
      AUGSWEEP_ASSIGN_OR_RETURN(const json* id, Member((*it)[p], "input_id", ep));
      AUGSWEEP_ASSIGN_OR_RETURN(const json* pos, Member((*it)[p], "pos", ep));
      AUGSWEEP_ASSIGN_OR_RETURN(int32_t id_value, Int(*id, ep + ".input_id"));
      AUGSWEEP_ASSIGN_OR_RETURN(int32_t pos_value, Int(*pos, ep + ".pos"));
      ids.push_back(id_value);
      positions.push_back(pos_value);
    }
    StatusOr<std::vector<float>> logits =
        model.Forward({ids}, {std::vector<int32_t>(ids.size(), 1)}, {positions});
    if (!logits.ok()) return logits.status().WithContext("golden " + lpath);
    if (logits->size() != ids.size() * vocab)
      return InternalError("model returned the wrong number of logits");
    DiffTracker diff;
    for (size_t p = 0; p < ids.size(); ++p) {
      const std::string ep = lpath + "[" + std::to_string(p) + "].logits";
      AUGSWEEP_ASSIGN_OR_RETURN(const json* row,
                                Member((*it)[p], "logits", lpath + "[" + std::to_string(p) + "]"));
      if (!row->is_array() || row->size() != vocab) {
        return Bad(ep, "expected " + std::to_string(vocab) + " numbers (the model's vocab_size)");
      }
      for (size_t v = 0; v < vocab; ++v) {
        if (!(*row)[v].is_number())
          return Bad(ep + "[" + std::to_string(v) + "]", "expected a number");
        diff.Add((*logits)[p * vocab + v], (*row)[v].get<double>(),
                 [&] { return ep + "[" + std::to_string(v) + "]"; });
      }
    }
    out->push_back(diff.Check(lpath, tolerance));
  }
  return OkStatus();
}

Status CheckLlama2cCases(LlamaModel& model, const json& golden, double tolerance,
                         std::vector<GoldenCheck>* out) {
  AUGSWEEP_ASSIGN_OR_RETURN(const json* cases, Member(golden, "cases", ""));
  if (!cases->is_array() || cases->empty()) return Bad("cases", "expected a non-empty array");
  for (size_t i = 0; i < cases->size(); ++i) {
    AUGSWEEP_RETURN_IF_ERROR(CheckCase(model, (*cases)[i], i, tolerance, out));
  }
  if (auto it = golden.find("greedy_batch_left_padded"); it != golden.end()) {
    AUGSWEEP_RETURN_IF_ERROR(CheckGreedyBatch(model, *it, out));
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The schema table.

bool IsHfCausalLm(const json& g) {
  if (!g.contains("batches") || !g.contains("greedy") || !g.contains("greedy_batch_left_padded"))
    return false;
  const json& b = g["batches"];
  return b.is_array() && !b.empty() && b[0].is_object() && b[0].contains("position_ids");
}

bool IsLlama2cCases(const json& g) {
  // Tokenizer goldens have `cases` too, without continuations.
  if (!g.contains("cases")) return false;
  const json& c = g["cases"];
  return c.is_array() && !c.empty() && c[0].is_object() && c[0].contains("greedy_continuation_ids");
}

struct Schema {
  const char* name;
  const char* keys;  // what identifies it, for the unknown-schema message
  bool (*matches)(const json&);
  // Checks a model folder against a golden file of this schema.
  StatusOr<std::vector<GoldenCheck>> (*run)(const std::string& model_dir, const json& golden,
                                            const GoldenCheckOptions& options);
};

StatusOr<std::vector<GoldenCheck>> RunLlamaSchema(const std::string& model_dir, const json& golden,
                                                  const GoldenCheckOptions& options) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<LlamaModel> model,
                            LlamaModel::Load(model_dir, options.load));
  return CheckLlamaGolden(*model, golden, options.float_tolerance);
}

StatusOr<std::vector<GoldenCheck>> RunClassifierSchema(const std::string& model_dir,
                                                       const json& golden,
                                                       const GoldenCheckOptions& options) {
  // Classifier weights stay float32; a half dtype means mixed precision (autocast, CUDA only), as
  // the workers fine-tune on CUDA.
  EncoderLoadOptions load;
  load.device = options.load.device;
  load.autocast_dtype = options.load.dtype;
  load.threads = options.load.threads;
  AUGSWEEP_ASSIGN_OR_RETURN(std::unique_ptr<EncoderClassifier> model,
                            EncoderClassifier::Load(model_dir, load));
  return CheckClassifierGolden(*model, golden, options.float_tolerance);
}

// One entry per schema.
constexpr Schema kSchemas[] = {
    {"hf-causal-lm", "batches (with position_ids), greedy, greedy_batch_left_padded", IsHfCausalLm,
     RunLlamaSchema},
    {"llama2c-cases", "cases (with greedy_continuation_ids)", IsLlama2cCases, RunLlamaSchema},
    {"hf-sequence-classification", "batches (with labels), train_step",
     IsSequenceClassificationGolden, RunClassifierSchema},
};

StatusOr<std::vector<GoldenCheck>> CheckLlamaGoldenOrThrow(LlamaModel& model, const json& golden,
                                                           double float_tolerance) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string schema, DetectGoldenSchema(golden));
  std::vector<GoldenCheck> checks;
  if (schema == "hf-causal-lm") {
    AUGSWEEP_RETURN_IF_ERROR(CheckHfCausalLm(model, golden, float_tolerance, &checks));
  } else if (schema == "llama2c-cases") {
    AUGSWEEP_RETURN_IF_ERROR(CheckLlama2cCases(model, golden, float_tolerance, &checks));
  } else {
    return InvalidArgumentError("golden schema " + schema + " is not a LLaMA-family schema");
  }
  return checks;
}

}  // namespace

StatusOr<std::string> DetectGoldenSchema(const json& golden) {
  for (const Schema& s : kSchemas) {
    if (golden.is_object() && s.matches(golden)) return std::string(s.name);
  }
  std::string keys;
  if (golden.is_object()) {
    for (auto it = golden.begin(); it != golden.end(); ++it)
      keys += (keys.empty() ? "" : ", ") + it.key();
  }
  std::string known;
  for (const Schema& s : kSchemas)
    known += std::string(known.empty() ? "" : "; ") + s.name + " (" + s.keys + ")";
  return InvalidArgumentError("unknown golden schema (top-level keys: " +
                              (keys.empty() ? "none" : keys) + "); known schemas: " + known);
}

StatusOr<std::vector<GoldenCheck>> CheckLlamaGolden(LlamaModel& model, const json& golden,
                                                    double float_tolerance) {
  // The accessors check every type before reading; this only keeps the no-exception promise
  // should a corner of nlohmann::json still throw.
  try {
    return CheckLlamaGoldenOrThrow(model, golden, float_tolerance);
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("golden json: ") + e.what());
  }
}

bool GoldenReport::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const GoldenCheck& c) { return c.passed; });
}

StatusOr<GoldenReport> RunGoldenCheck(const std::string& model_dir, const std::string& golden_path,
                                      const GoldenCheckOptions& options) {
  if (!(options.float_tolerance >= 0)) {
    return InvalidArgumentError("tolerance: expected a number >= 0, got " +
                                Num(options.float_tolerance));
  }
  std::ifstream in(golden_path, std::ios::binary);
  if (!in) return NotFoundError(golden_path + ": cannot open");
  const json golden = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (golden.is_discarded()) return InvalidArgumentError(golden_path + ": not valid JSON");
  GoldenReport report;
  StatusOr<std::string> schema = DetectGoldenSchema(golden);
  if (!schema.ok()) return schema.status().WithContext(golden_path);
  report.schema = *schema;
  for (const Schema& s : kSchemas) {
    if (report.schema != s.name) continue;
    StatusOr<std::vector<GoldenCheck>> checks = s.run(model_dir, golden, options);
    if (!checks.ok()) {
      // Errors about the golden file get its path; the model loader's name the model's files.
      const Status status = checks.status();
      if (status.message().rfind("golden ", 0) != 0) return status;
      return Status(status.code(), golden_path + ": " + status.message().substr(7));
    }
    report.checks = std::move(checks).value();
  }
  return report;
}

}  // namespace augsweep

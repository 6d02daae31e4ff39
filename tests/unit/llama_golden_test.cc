// Acceptance tests of worker/runtime's LLaMA decoder against independent golden data
// (tests/fixtures/README.md): a tiny random LlamaForCausalLM whose logits, hidden states and greedy
// continuations come from Hugging Face transformers, and the real pre-trained stories260K whose
// greedy continuations come from llama2.c, compared through worker/runtime/golden_check.h (which
// these tests also check: it must fail on a tampered reference). Then the sampling contract
// (seeds, batch independence, top-k/top-p, penalties, EOS, stop and cancel callbacks) and the
// loader's error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/writer.h"
#include "worker/runtime/golden_check.h"
#include "worker/runtime/llama_model.h"
#include "worker/runtime/sampling.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;
const fs::path kTinyDir = kFixtures / "hf-tiny" / "llama";
const fs::path kStoriesDir = kFixtures / "hf-real" / "stories260K";
constexpr double kLogitTolerance = 1e-4;

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

const json& TinyGolden() {
  static const json* golden = new json(ReadJson(kTinyDir / "golden.json"));
  return *golden;
}
const json& StoriesGolden() {
  static const json* golden = new json(ReadJson(kStoriesDir / "golden.json"));
  return *golden;
}

LlamaModel& LoadOnce(const fs::path& dir) {
  static std::map<std::string, std::unique_ptr<LlamaModel>>* models =
      new std::map<std::string, std::unique_ptr<LlamaModel>>();
  auto& slot = (*models)[dir.string()];
  if (!slot) {
    auto model = LlamaModel::Load(dir.string(), LoadOptions{});
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    if (!model.ok()) std::abort();
    slot = std::move(model).value();
  }
  return *slot;
}
LlamaModel& Tiny() { return LoadOnce(kTinyDir); }
LlamaModel& Stories() { return LoadOnce(kStoriesDir); }

std::vector<std::vector<int32_t>> Ints2D(const json& j) {
  return j.get<std::vector<std::vector<int32_t>>>();
}

std::vector<int32_t> Greedy(LlamaModel& model, const std::vector<int32_t>& prompt, int max_new) {
  GenerationOptions options;
  options.max_new_tokens = max_new;
  auto out = model.Generate({{prompt, 0}}, options);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? (*out)[0].new_ids : std::vector<int32_t>{};
}

// ---------------------------------------------------------------------------------------------
// hf-tiny/llama (transformers reference)

TEST(LlamaGoldenTest, TinyConfig) {
  const LlamaConfig& c = Tiny().config();
  EXPECT_EQ(c.architecture, "LlamaForCausalLM");
  EXPECT_EQ(c.vocab_size, 512);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_layers, 2);
  EXPECT_EQ(c.num_heads, 8);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 8);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_EQ(c.eos_token_ids, std::vector<int32_t>{2});
}

// Runs worker/runtime/golden_check.h over a golden file and expects exactly `names`, every one
// passed, float checks strictly inside the tolerance. Prints each difference (the test log is
// where a regression's size is read) and records it as a test property.
void ExpectGoldenChecksPass(LlamaModel& model, const json& golden, const std::string& label,
                            const std::vector<std::string>& names) {
  auto checks = CheckLlamaGolden(model, golden, kLogitTolerance);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  std::vector<std::string> got;
  for (const GoldenCheck& c : *checks) {
    got.push_back(c.name);
    std::printf("[ %s ] %-56s %s %.3g  %s\n", label.c_str(), c.name.c_str(),
                c.exact ? "mismatches" : "max |diff|", c.max_abs_diff, c.detail.c_str());
    ::testing::Test::RecordProperty(label + ":" + c.name, std::to_string(c.max_abs_diff));
    EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    if (c.exact) {
      EXPECT_EQ(c.max_abs_diff, 0.0) << c.name;
      EXPECT_THAT(c.detail, HasSubstr("identical")) << c.name;
    } else {
      EXPECT_LT(c.max_abs_diff, kLogitTolerance) << c.name << ": " << c.detail;
    }
  }
  // Every check ran: a check the library skipped would otherwise pass unnoticed.
  EXPECT_THAT(got, ElementsAreArray(names));
}

TEST(LlamaGoldenTest, TinyMatchesTransformers) {
  // Logits and argmax at the real positions of every batch, the hidden states of right_padded,
  // the greedy continuation and the logits along its path, and the left-padded batch generated
  // together and row by row.
  std::vector<std::string> names;
  for (const char* batch : {"right_padded", "no_padding", "left_padded_generate_positions"}) {
    const std::string b = std::string("batches[") + batch + "]";
    names.push_back(b + ".logits");
    names.push_back(b + ".argmax_per_position");
    if (b == "batches[right_padded]") {
      for (int i = 0; i < 3; ++i) names.push_back(b + ".hidden_states[" + std::to_string(i) + "]");
    }
  }
  names.insert(names.end(), {"greedy.new_token_ids", "greedy.path_logits",
                             "greedy_batch_left_padded.new_token_ids",
                             "greedy_batch_left_padded.unpadded_per_row_new_token_ids"});
  ExpectGoldenChecksPass(Tiny(), TinyGolden(), "tiny llama", names);
}

TEST(LlamaGoldenTest, TinyGreedyFixtureAndFlags) {
  // The fixture itself: 20 new tokens, and generate_output_ids is prompt + continuation.
  const json& g = TinyGolden()["greedy"];
  const auto prompt = g["prompt_ids"].get<std::vector<int32_t>>();
  const auto expected = g["new_token_ids"].get<std::vector<int32_t>>();
  ASSERT_EQ(expected.size(), 20u);
  std::vector<int32_t> full = prompt;
  full.insert(full.end(), expected.begin(), expected.end());
  EXPECT_EQ(full, g["generate_output_ids"].get<std::vector<int32_t>>());
  // The left-padded rows run to max_new_tokens: no EOS, no stop.
  const json& b = TinyGolden()["greedy_batch_left_padded"];
  const auto ids = Ints2D(b["input_ids"]);
  const auto mask = Ints2D(b["attention_mask"]);
  std::vector<SequenceRequest> requests(ids.size());
  for (size_t r = 0; r < ids.size(); ++r) {
    for (size_t t = 0; t < ids[r].size(); ++t) {
      if (mask[r][t]) requests[r].prompt_ids.push_back(ids[r][t]);
    }
  }
  GenerationOptions options;
  options.max_new_tokens = 20;
  auto out = Tiny().Generate(requests, options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (size_t r = 0; r < requests.size(); ++r) {
    EXPECT_EQ((*out)[r].new_ids.size(), 20u);
    EXPECT_FALSE((*out)[r].finished_by_eos);
    EXPECT_FALSE((*out)[r].stopped);
  }
}

// ---------------------------------------------------------------------------------------------
// hf-real/stories260K (llama2.c reference; lm_head tied and not stored)

TEST(LlamaGoldenTest, StoriesMatchesLlama2c) {
  EXPECT_TRUE(Stories().config().tie_word_embeddings);
  // Every case's greedy continuation, argmax at every position of one full forward, and the
  // logits at positions 0-4; then the left-padded batch, together and row by row.
  std::vector<std::string> names;
  for (size_t i = 0; i < StoriesGolden()["cases"].size(); ++i) {
    const std::string c = "cases[" + std::to_string(i) + "]";
    names.insert(names.end(), {c + ".greedy_continuation_ids", c + ".argmax_per_position",
                               c + ".logits_pos0_4"});
  }
  ASSERT_EQ(names.size(), 18u);
  names.insert(names.end(), {"greedy_batch_left_padded.new_token_ids",
                             "greedy_batch_left_padded.unbatched_new_token_ids"});
  ExpectGoldenChecksPass(Stories(), StoriesGolden(), "stories260K", names);
}

TEST(LlamaGoldenTest, StoriesGreedyBatchLeftPadded) {
  // golden_check generates the batch with max_batch 16; here with max_batch 2 and 1, so that the
  // third prompt waits for a free slot.
  const json& g = StoriesGolden()["greedy_batch_left_padded"];
  const auto ids = Ints2D(g["input_ids"]);
  const auto mask = Ints2D(g["attention_mask"]);
  const auto expected = Ints2D(g["new_token_ids"]);
  std::vector<SequenceRequest> requests;
  for (size_t b = 0; b < ids.size(); ++b) {
    SequenceRequest r;
    for (size_t t = 0; t < ids[b].size(); ++t) {
      if (mask[b][t]) r.prompt_ids.push_back(ids[b][t]);
    }
    requests.push_back(r);
  }
  for (int max_batch : {2, 1}) {
    SCOPED_TRACE("max_batch " + std::to_string(max_batch));
    GenerationOptions options;
    options.max_new_tokens = g["max_new_tokens"].get<int>();
    options.max_batch = max_batch;
    auto out = Stories().Generate(requests, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), 3u);
    for (size_t b = 0; b < 3; ++b) EXPECT_THAT((*out)[b].new_ids, ElementsAreArray(expected[b]));
  }
  // The golden left-padded forward itself: logits at real positions equal the unpadded ones.
  auto padded = Stories().Forward(ids, mask, Ints2D(g["initial_position_ids"]));
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  const size_t t_len = ids[0].size();
  for (size_t b = 0; b < ids.size(); ++b) {
    const size_t pad = t_len - requests[b].prompt_ids.size();
    std::vector<int32_t> positions(requests[b].prompt_ids.size());
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int32_t>(i);
    auto alone = Stories().Forward({requests[b].prompt_ids},
                                   {std::vector<int32_t>(positions.size(), 1)}, {positions});
    ASSERT_TRUE(alone.ok());
    double diff = 0;
    for (size_t i = 0; i < alone->size(); ++i) {
      diff = std::max<double>(diff, std::abs((*alone)[i] - (*padded)[(b * t_len + pad) * 512 + i]));
    }
    EXPECT_LT(diff, kLogitTolerance) << "row " << b;
  }
}

// ---------------------------------------------------------------------------------------------
// golden_check itself: it must fail on a wrong reference, read only the real positions, detect
// the schema and name what is wrong with a file.

const GoldenCheck* FindCheck(const std::vector<GoldenCheck>& checks, const std::string& name) {
  for (const GoldenCheck& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(GoldenCheckTest, TamperedLogitFailsOnlyItsCheck) {
  json golden = TinyGolden();
  json& logit = golden["batches"][1]["logits"][1][4][17];
  logit = logit.get<double>() + 1e-3;
  // A padded position (right_padded row 1 has 7 real tokens) is never read.
  golden["batches"][0]["logits"][1][8][3] = 1000.0;
  auto checks = CheckLlamaGolden(Tiny(), golden, kLogitTolerance);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  for (const GoldenCheck& c : *checks) {
    if (c.name == "batches[no_padding].logits") {
      EXPECT_FALSE(c.passed);
      EXPECT_NEAR(c.max_abs_diff, 1e-3, 1e-4);
      EXPECT_THAT(c.detail, HasSubstr("batches[1].logits[1][4][17]"));
    } else {
      EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    }
  }
  // A looser tolerance accepts it.
  checks = CheckLlamaGolden(Tiny(), golden, 2e-3);
  ASSERT_TRUE(checks.ok());
  EXPECT_TRUE(FindCheck(*checks, "batches[no_padding].logits")->passed);
}

TEST(GoldenCheckTest, TamperedTokenIdFailsExactly) {
  json golden = TinyGolden();
  json& id = golden["greedy"]["new_token_ids"][3];
  const int original = id.get<int>();
  id = (original + 1) % 512;
  golden["greedy_batch_left_padded"]["new_token_ids"][1].erase(19);  // one id short
  auto checks = CheckLlamaGolden(Tiny(), golden, kLogitTolerance);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  const GoldenCheck* greedy = FindCheck(*checks, "greedy.new_token_ids");
  ASSERT_NE(greedy, nullptr);
  EXPECT_FALSE(greedy->passed);
  EXPECT_TRUE(greedy->exact);
  EXPECT_EQ(greedy->max_abs_diff, 1.0);
  EXPECT_THAT(greedy->detail, AllOf(HasSubstr("1 of 20"), HasSubstr("index 3"),
                                    HasSubstr("ours " + std::to_string(original))));
  const GoldenCheck* batch = FindCheck(*checks, "greedy_batch_left_padded.new_token_ids");
  ASSERT_NE(batch, nullptr);
  EXPECT_FALSE(batch->passed);
  EXPECT_EQ(batch->max_abs_diff, 1.0);
  EXPECT_THAT(batch->detail, AllOf(HasSubstr("row 1"), HasSubstr("index 19")));
  EXPECT_TRUE(
      FindCheck(*checks, "greedy_batch_left_padded.unpadded_per_row_new_token_ids")->passed);
}

TEST(GoldenCheckTest, DetectsSchemasAndRejectsOthers) {
  EXPECT_EQ(*DetectGoldenSchema(TinyGolden()), "hf-causal-lm");
  EXPECT_EQ(*DetectGoldenSchema(StoriesGolden()), "llama2c-cases");
  EXPECT_EQ(*DetectGoldenSchema(ReadJson(kFixtures / "hf-tiny/bert/golden.json")),
            "hf-sequence-classification");
  // A tokenizer golden has `cases` too, but no continuations: it is no model's schema.
  auto schema = DetectGoldenSchema(ReadJson(kFixtures / "tokenizers/gpt2-bpe/golden.json"));
  EXPECT_EQ(schema.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(schema.status().message(),
              AllOf(HasSubstr("unknown golden schema"), HasSubstr("hf-causal-lm")));
  EXPECT_EQ(DetectGoldenSchema(json::array()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckLlamaGolden(Tiny(), json{{"foo", 1}}, 1e-4).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(GoldenCheckTest, MalformedFieldsAreNamed) {
  json golden = TinyGolden();
  golden["batches"][0].erase("attention_mask");
  auto checks = CheckLlamaGolden(Tiny(), golden, kLogitTolerance);
  EXPECT_EQ(checks.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checks.status().message(),
              AllOf(HasSubstr("batches[0].attention_mask"), HasSubstr("missing")));

  golden = TinyGolden();
  golden["batches"][2]["logits"][0][3].erase(511);  // a golden file for another vocabulary
  checks = CheckLlamaGolden(Tiny(), golden, kLogitTolerance);
  EXPECT_EQ(checks.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checks.status().message(),
              AllOf(HasSubstr("batches[2].logits[0][3]"), HasSubstr("512")));

  golden = StoriesGolden();
  golden["cases"][1]["greedy_continuation_ids"][2] = "x";
  checks = CheckLlamaGolden(Stories(), golden, kLogitTolerance);
  EXPECT_EQ(checks.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(checks.status().message(), HasSubstr("cases[1].greedy_continuation_ids[2]"));
}

TEST(GoldenCheckTest, RunGoldenCheckReadsFilesAndNamesThem) {
  GoldenCheckOptions options;
  auto report = RunGoldenCheck(kTinyDir.string(), (kTinyDir / "golden.json").string(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->schema, "hf-causal-lm");
  EXPECT_TRUE(report->passed());
  EXPECT_EQ(report->checks.size(), 13u);

  const std::string absent = (kTinyDir / "absent.json").string();
  auto missing = RunGoldenCheck(kTinyDir.string(), absent, options);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(absent));

  const std::string tokenizer_golden =
      (kFixtures / "tokenizers" / "gpt2-bpe" / "golden.json").string();
  auto unknown = RunGoldenCheck(kTinyDir.string(), tokenizer_golden, options);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(),
              AllOf(HasSubstr(tokenizer_golden), HasSubstr("unknown golden schema")));

  auto bad_model =
      RunGoldenCheck((kTinyDir / "nowhere").string(), (kTinyDir / "golden.json").string(), options);
  EXPECT_FALSE(bad_model.ok());
  EXPECT_THAT(bad_model.status().message(), HasSubstr("nowhere"));

  options.float_tolerance = -1;
  EXPECT_EQ(RunGoldenCheck(kTinyDir.string(), (kTinyDir / "golden.json").string(), options)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(LlamaGoldenTest, RotaryPositionsAreRelativeAndBeyondMaxPositions) {
  // Attention sees only relative positions, so shifting every position (here past the tiny
  // model's max_position_embeddings of 256, which makes the rotary tables grow) keeps the logits
  // up to float32 rounding of the larger angles.
  const std::vector<int32_t> ids = {1, 457, 459, 20, 73, 492};
  std::vector<int32_t> near(6), far(6);
  for (int i = 0; i < 6; ++i) {
    near[i] = i;
    far[i] = 1000 + i;
  }
  const std::vector<int32_t> mask(6, 1);
  auto a = Tiny().Forward({ids}, {mask}, {near});
  auto b = Tiny().Forward({ids}, {mask}, {far});
  ASSERT_TRUE(a.ok() && b.ok());
  double diff = 0;
  for (size_t i = 0; i < a->size(); ++i) diff = std::max<double>(diff, std::abs((*a)[i] - (*b)[i]));
  EXPECT_LT(diff, 1e-3);
  EXPECT_GT(diff, 0.0);  // the positions did change the computation
}

TEST(LlamaGoldenTest, Bfloat16OnCpuStaysClose) {
  LoadOptions options;
  options.dtype = "bfloat16";
  auto model = LlamaModel::Load(kStoriesDir.string(), options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const json& c = StoriesGolden()["cases"][0];
  const auto prompt = c["prompt_ids"].get<std::vector<int32_t>>();
  std::vector<int32_t> positions(prompt.size());
  for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int32_t>(i);
  const std::vector<int32_t> mask(prompt.size(), 1);
  auto bf16 = (*model)->Forward({prompt}, {mask}, {positions});
  auto fp32 = Stories().Forward({prompt}, {mask}, {positions});
  ASSERT_TRUE(bf16.ok() && fp32.ok());
  double diff = 0;
  for (size_t i = 0; i < fp32->size(); ++i) {
    diff = std::max<double>(diff, std::abs((*bf16)[i] - (*fp32)[i]));
  }
  std::printf("[ stories260K ] bfloat16 vs float32 logits max |diff| = %.3g\n", diff);
  EXPECT_LT(diff, 0.5);
  // Greedy stays on the llama2.c path for a while (bfloat16 has 8 bits of mantissa).
  const auto expected = c["greedy_continuation_ids"].get<std::vector<int32_t>>();
  EXPECT_THAT(Greedy(**model, prompt, 8),
              ElementsAreArray(std::vector<int32_t>(expected.begin(), expected.begin() + 8)));
}

// ---------------------------------------------------------------------------------------------
// Sampling, stopping, cancelling (on stories260K, whose distributions are those of a real model)

std::vector<SequenceRequest> StoryPrompts() {
  std::vector<SequenceRequest> requests;
  uint64_t seed = 11;
  for (const json& c : StoriesGolden()["cases"]) {
    if (requests.size() == 4) break;
    requests.push_back({c["prompt_ids"].get<std::vector<int32_t>>(), seed++});
  }
  return requests;
}

GenerationOptions SamplingOptions() {
  GenerationOptions o;
  o.max_new_tokens = 40;
  o.temperature = 0.8f;
  o.top_p = 0.9f;
  o.top_k = 20;
  return o;
}

std::vector<SequenceOutput> GenerateStories(const std::vector<SequenceRequest>& requests,
                                            const GenerationOptions& options) {
  auto out = Stories().Generate(requests, options);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::vector<SequenceOutput>(requests.size());
}

TEST(LlamaSamplingTest, RngIsDeterministicAndUniform) {
  SequenceRng a(42), b(42), c(43);
  double sum = 0;
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    const double u = a.Uniform();
    ASSERT_EQ(u, b.Uniform());
    differs |= (u != c.Uniform());
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_TRUE(differs);
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
  // Inverse CDF: [0.2, 0, 0.5, 0.3] has cumulative bounds 0.2, 0.2, 0.7, 1.0.
  const std::vector<float> p = {0.2f, 0.0f, 0.5f, 0.3f};
  EXPECT_EQ(DrawFromProbabilities(p, 0.0), 0u);
  EXPECT_EQ(DrawFromProbabilities(p, 0.19), 0u);
  EXPECT_EQ(DrawFromProbabilities(p, 0.21), 2u);
  EXPECT_EQ(DrawFromProbabilities(p, 0.69), 2u);
  EXPECT_EQ(DrawFromProbabilities(p, 0.71), 3u);
  EXPECT_EQ(DrawFromProbabilities(p, 0.999999), 3u);
}

TEST(LlamaSamplingTest, SameSeedSameOutputAndSeedsMatter) {
  const auto requests = StoryPrompts();
  const auto first = GenerateStories({requests[0]}, SamplingOptions());
  const auto again = GenerateStories({requests[0]}, SamplingOptions());
  EXPECT_EQ(first[0].new_ids, again[0].new_ids);
  EXPECT_EQ(first[0].new_ids.size(), 40u);
  // Different seeds give different stories (a handful of seeds: at least one must differ).
  bool any_differs = false;
  for (uint64_t seed = 100; seed < 104; ++seed) {
    any_differs |=
        GenerateStories({{requests[0].prompt_ids, seed}}, SamplingOptions())[0].new_ids !=
        first[0].new_ids;
  }
  EXPECT_TRUE(any_differs);
  // And sampling is not greedy.
  EXPECT_NE(first[0].new_ids, Greedy(Stories(), requests[0].prompt_ids, 40));
}

TEST(LlamaSamplingTest, SequenceOutputDoesNotDependOnItsBatch) {
  const auto requests = StoryPrompts();
  ASSERT_EQ(requests.size(), 4u);
  const auto batched = GenerateStories(requests, SamplingOptions());
  GenerationOptions two = SamplingOptions();
  two.max_batch = 2;  // requests 2 and 3 take the slots of 0 and 1 when they end
  const auto refilled = GenerateStories(requests, two);
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto alone = GenerateStories({requests[i]}, SamplingOptions());
    EXPECT_EQ(alone[0].new_ids, batched[i].new_ids) << "request " << i;
    EXPECT_EQ(alone[0].new_ids, refilled[i].new_ids) << "request " << i;
  }
  // Reordered: outputs follow their requests, not their positions.
  const auto reversed =
      GenerateStories({requests[3], requests[2], requests[1], requests[0]}, SamplingOptions());
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(reversed[3 - i].new_ids, batched[i].new_ids);
}

TEST(LlamaSamplingTest, TopKOneIsGreedy) {
  const auto requests = StoryPrompts();
  GenerationOptions o = SamplingOptions();
  o.top_k = 1;
  o.top_p = 1;
  o.temperature = 1.5f;
  const auto out = GenerateStories(requests, o);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(out[i].new_ids, Greedy(Stories(), requests[i].prompt_ids, 40)) << i;
  }
}

TEST(LlamaSamplingTest, TinyTopPIsGreedy) {
  // With top_p tiny only the most probable token survives.
  const auto requests = StoryPrompts();
  GenerationOptions o = SamplingOptions();
  o.top_k = 0;
  o.top_p = 1e-6f;
  const auto out = GenerateStories(requests, o);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(out[i].new_ids, Greedy(Stories(), requests[i].prompt_ids, 40)) << i;
  }
}

TEST(LlamaSamplingTest, PureTemperatureSamplingIsDeterministicAndBatchIndependent) {
  const auto requests = StoryPrompts();
  GenerationOptions o;
  o.max_new_tokens = 30;
  o.temperature = 1.0f;  // no top-k, no top-p: the whole vocabulary
  const auto batched = GenerateStories(requests, o);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(GenerateStories({requests[i]}, o)[0].new_ids, batched[i].new_ids) << i;
  }
}

TEST(LlamaSamplingTest, RepetitionPenaltyChangesGreedyOutput) {
  // "The cat sat on the" repeats "She liked to play with her toys." under plain greedy.
  const auto prompt = StoriesGolden()["cases"][3]["prompt_ids"].get<std::vector<int32_t>>();
  const auto plain = Greedy(Stories(), prompt, 57);
  GenerationOptions o;
  o.max_new_tokens = 57;
  o.repetition_penalty = 1.3f;
  const auto penalized = GenerateStories({{prompt, 0}}, o)[0].new_ids;
  EXPECT_NE(penalized, plain);
  // Penalised tokens repeat less: count distinct ids.
  auto distinct = [](std::vector<int32_t> v) {
    std::sort(v.begin(), v.end());
    return std::unique(v.begin(), v.end()) - v.begin();
  };
  EXPECT_GT(distinct(penalized), distinct(plain));
  // Penalty 1 is exactly greedy; batching does not change the penalised output either.
  o.repetition_penalty = 1.0f;
  EXPECT_EQ(GenerateStories({{prompt, 0}}, o)[0].new_ids, plain);
  o.repetition_penalty = 1.3f;
  auto requests = StoryPrompts();
  requests.push_back({prompt, 0});
  EXPECT_EQ(GenerateStories(requests, o).back().new_ids, penalized);
}

// The logits of the next token after `ids`, by a forward pass without a cache: the reference the
// sampling controls are checked against (a decode step with the KV cache differs from it only by
// float rounding).
std::vector<float> NextTokenLogits(LlamaModel& model, const std::vector<int32_t>& ids) {
  std::vector<int32_t> mask(ids.size(), 1), positions(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) positions[i] = static_cast<int32_t>(i);
  auto logits = model.Forward({ids}, {mask}, {positions});
  EXPECT_TRUE(logits.ok()) << logits.status().ToString();
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);
  return std::vector<float>(logits->end() - static_cast<std::ptrdiff_t>(vocab), logits->end());
}

TEST(LlamaSamplingTest, PresenceAndFrequencyPenaltiesMatchAReferenceDecode) {
  const auto prompt = StoriesGolden()["cases"][3]["prompt_ids"].get<std::vector<int32_t>>();
  const int steps = 30;
  GenerationOptions o;
  o.max_new_tokens = steps;
  o.presence_penalty = 1.5f;
  o.frequency_penalty = 0.8f;
  const auto penalized = GenerateStories({{prompt, 0}}, o)[0].new_ids;
  // The reference: greedy over logits lowered by presence once and frequency per occurrence of
  // each generated (never prompt) token.
  std::vector<int32_t> ids = prompt, expected;
  std::map<int32_t, int> counts;
  for (int step = 0; step < steps; ++step) {
    std::vector<float> logits = NextTokenLogits(Stories(), ids);
    for (const auto& [token, n] : counts) logits[token] -= 1.5f + 0.8f * static_cast<float>(n);
    const int32_t next =
        static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    expected.push_back(next);
    ids.push_back(next);
    ++counts[next];
    if (next == Stories().config().eos_token_ids[0]) break;
  }
  EXPECT_EQ(penalized, expected);
  EXPECT_NE(penalized, Greedy(Stories(), prompt, steps)) << "the penalties changed nothing";
  // Batching does not change a penalised sequence.
  auto requests = StoryPrompts();
  requests.push_back({prompt, 0});
  EXPECT_EQ(GenerateStories(requests, o).back().new_ids, penalized);
}

TEST(LlamaSamplingTest, MinPMatchesAReferenceDrawAndOneIsGreedy) {
  const auto prompt = StoriesGolden()["cases"][3]["prompt_ids"].get<std::vector<int32_t>>();
  const int steps = 30;
  const uint64_t seed = 1234;
  GenerationOptions o;
  o.max_new_tokens = steps;
  o.temperature = 1.5f;
  o.min_p = 0.2f;
  const auto sampled = GenerateStories({{prompt, seed}}, o)[0].new_ids;
  // The reference: softmax of logits / T, tokens below min_p x the top probability dropped,
  // the draw as the runtime's (one Uniform() of the sequence's own RNG per token).
  SequenceRng rng(seed);
  std::vector<int32_t> ids = prompt, expected;
  for (int step = 0; step < steps; ++step) {
    const std::vector<float> logits = NextTokenLogits(Stories(), ids);
    const float top = *std::max_element(logits.begin(), logits.end());
    std::vector<double> weights(logits.size());
    double total = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      weights[i] = std::exp((logits[i] - top) / 1.5);
      total += weights[i];
    }
    std::vector<float> probs(logits.size());
    for (size_t i = 0; i < logits.size(); ++i) {
      const double p = weights[i] / total;
      probs[i] = p < 0.2 / total ? 0.0f : static_cast<float>(p);  // the top token's p is 1/total
    }
    const auto next = static_cast<int32_t>(DrawFromProbabilities(probs, rng.Uniform()));
    expected.push_back(next);
    ids.push_back(next);
    if (next == Stories().config().eos_token_ids[0]) break;
  }
  EXPECT_EQ(sampled, expected);
  EXPECT_NE(sampled, Greedy(Stories(), prompt, steps)) << "min_p 0.2 at T=1.5 should still sample";
  // min_p 1 keeps only the most probable token: greedy, whatever the temperature and seed.
  o.min_p = 1.0f;
  EXPECT_EQ(GenerateStories({{prompt, seed}}, o)[0].new_ids, Greedy(Stories(), prompt, steps));
}

TEST(LlamaSamplingTest, BadWordsAreNeverGeneratedAndMatchAReferenceDecode) {
  const auto prompt = StoriesGolden()["cases"][3]["prompt_ids"].get<std::vector<int32_t>>();
  const int steps = 30;
  const auto plain = Greedy(Stories(), prompt, steps);
  ASSERT_GE(plain.size(), 6u);
  // One token banned everywhere, and a pair banned after its first token (the prompt's last
  // token counts as history too).
  const std::vector<std::vector<int32_t>> bad = {
      {plain[1]}, {plain[3], plain[4]}, {prompt.back(), plain[0]}};
  GenerationOptions o;
  o.max_new_tokens = steps;
  o.bad_words_ids = bad;
  const auto banned = GenerateStories({{prompt, 0}}, o)[0].new_ids;
  std::vector<int32_t> ids = prompt, expected;
  for (int step = 0; step < steps; ++step) {
    std::vector<float> logits = NextTokenLogits(Stories(), ids);
    for (const auto& word : bad) {
      if (word.size() == 1 || ids.back() == word[0]) {
        logits[word.back()] = -std::numeric_limits<float>::infinity();
      }
    }
    const int32_t next =
        static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    expected.push_back(next);
    ids.push_back(next);
    if (next == Stories().config().eos_token_ids[0]) break;
  }
  EXPECT_EQ(banned, expected);
  EXPECT_NE(banned.front(), plain.front()) << "the pair (last prompt token, first greedy token)";
  EXPECT_EQ(std::count(banned.begin(), banned.end(), plain[1]), 0);
  for (size_t i = 0; i + 1 < banned.size(); ++i) {
    EXPECT_FALSE(banned[i] == plain[3] && banned[i + 1] == plain[4]) << "banned pair at " << i;
  }
  // Batching does not change it; a bad word outside the vocabulary is refused.
  auto requests = StoryPrompts();
  requests.push_back({prompt, 0});
  EXPECT_EQ(GenerateStories(requests, o).back().new_ids, banned);
  o.bad_words_ids = {{1, 100000}};
  auto refused = Stories().Generate({{prompt, 0}}, o);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("bad_words_ids[0]"));
}

TEST(LlamaSamplingTest, SamplesOfOnePromptShareItsPrefillAndStayIndependent) {
  const auto prompts = StoryPrompts();
  const auto& a = prompts[0].prompt_ids;
  const auto other = std::find_if(prompts.begin(), prompts.end(),
                                  [&](const SequenceRequest& r) { return r.prompt_ids != a; });
  ASSERT_NE(other, prompts.end());
  const auto& b = other->prompt_ids;
  GenerationOptions o;
  o.max_new_tokens = 20;
  o.temperature = 1.0f;
  // Three samples of `a` (seeds 1, 2, 3) around one of `b`, admitted together.
  const std::vector<SequenceRequest> requests = {{a, 1}, {b, 9}, {a, 2}, {a, 3}};
  GenerationStats stats;
  auto out = Stories().Generate(requests, o, {}, {}, &stats);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(stats.prefilled_prompts, 2) << "a once, b once";
  for (size_t i = 0; i < requests.size(); ++i) {
    GenerationStats alone_stats;
    auto alone = Stories().Generate({requests[i]}, o, {}, {}, &alone_stats);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ((*out)[i].new_ids, (*alone)[0].new_ids) << "request " << i;
    EXPECT_EQ(alone_stats.prefilled_prompts, 1);
  }
  EXPECT_NE((*out)[0].new_ids, (*out)[2].new_ids) << "different seeds, different samples";
  // Admitted one by one (max_batch 1), nothing is shared and nothing changes.
  o.max_batch = 1;
  auto serial = Stories().Generate(requests, o, {}, {}, &stats);
  ASSERT_TRUE(serial.ok());
  EXPECT_EQ(stats.prefilled_prompts, 4);
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ((*serial)[i].new_ids, (*out)[i].new_ids);
  EXPECT_GE(stats.forward_passes, 4);
}

// The stream form: requests decided on the way (here: each finished sequence asks for one more,
// a longer prompt than any before, so the cache grows mid-run), each equal to its own run.
TEST(LlamaSamplingTest, StreamedRequestsEqualTheirOwnRunsAndTheCacheGrows) {
  const auto prompts = StoryPrompts();
  GenerationOptions o = SamplingOptions();
  o.max_new_tokens = 12;
  o.max_batch = 2;
  std::vector<SequenceRequest> given;
  std::map<size_t, SequenceOutput> outputs;
  size_t next = 0;
  RequestStream stream;
  stream.next = [&]() -> std::optional<SequenceRequest> {
    // Two to start with; then one more each time one ends, until six.
    if (next >= 6 || (next >= 2 && outputs.size() + 2 <= next)) return std::nullopt;
    SequenceRequest r = prompts[next % prompts.size()];
    r.seed = 100 + next;
    // Later prompts are longer than the first two: the cache must lengthen.
    for (size_t k = 0; k < 8 * next; ++k) r.prompt_ids.push_back(r.prompt_ids[1 + k % 3]);
    ++next;
    given.push_back(r);
    return r;
  };
  std::vector<size_t> order;
  stream.finished = [&](size_t index, SequenceOutput out) {
    order.push_back(index);
    outputs[index] = std::move(out);
  };
  GenerationStats stats;
  ASSERT_TRUE(Stories().GenerateStream(stream, o, {}, {}, &stats).ok());
  ASSERT_EQ(outputs.size(), 6u);
  EXPECT_EQ(given.size(), 6u);
  for (size_t i = 0; i < given.size(); ++i) {
    auto alone = Stories().Generate({given[i]}, o);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(outputs[i].new_ids, (*alone)[0].new_ids) << "request " << i;
  }
  EXPECT_EQ(stats.prefilled_prompts, 6);
  // Bad input in a stream is refused by number, as in the list form.
  size_t calls = 0;
  RequestStream bad;
  bad.next = [&]() -> std::optional<SequenceRequest> {
    if (calls++ > 0) return std::nullopt;
    return SequenceRequest{{}, 0};
  };
  bad.finished = [](size_t, SequenceOutput) {};
  const Status refused = Stories().GenerateStream(bad, o);
  EXPECT_THAT(refused.message(), HasSubstr("requests[0].prompt_ids: empty"));
}

TEST(LlamaSamplingTest, EosEndsOnlyItsSequence) {
  const auto requests = StoryPrompts();
  const auto greedy0 = Greedy(Stories(), requests[0].prompt_ids, 40);
  const int32_t eos = greedy0[5];
  const size_t first = std::find(greedy0.begin(), greedy0.end(), eos) - greedy0.begin();
  GenerationOptions o;
  o.max_new_tokens = 40;
  o.eos_ids = {eos};
  // With max_batch 2 request 2 is admitted while request 1 is mid-way.
  o.max_batch = 2;
  const auto out_refilled = GenerateStories(requests, o);
  o.max_batch = 16;
  const auto out = GenerateStories(requests, o);
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(out_refilled[i].new_ids, out[i].new_ids);
  EXPECT_TRUE(out[0].finished_by_eos);
  EXPECT_EQ(out[0].new_ids, std::vector<int32_t>(greedy0.begin(), greedy0.begin() + first + 1));
  for (size_t i = 1; i < requests.size(); ++i) {
    const auto greedy = Greedy(Stories(), requests[i].prompt_ids, 40);
    const auto at = std::find(greedy.begin(), greedy.end(), eos);
    const std::vector<int32_t> expected(greedy.begin(), at == greedy.end() ? greedy.end() : at + 1);
    EXPECT_EQ(out[i].new_ids, expected) << i;
    EXPECT_EQ(out[i].finished_by_eos, at != greedy.end()) << i;
  }
  // The model's own EOS (2) never comes in these 40 tokens; an id outside the vocabulary
  // disables EOS.
  o.eos_ids = {-1};
  EXPECT_EQ(GenerateStories({requests[0]}, o)[0].new_ids, greedy0);
}

TEST(LlamaSamplingTest, ShouldStopEndsTheSequenceItNames) {
  const auto requests = StoryPrompts();
  GenerationOptions o = SamplingOptions();
  std::vector<size_t> calls(requests.size());
  auto stop = [&](size_t i, const std::vector<int32_t>& ids) {
    ++calls[i];
    return i == 1 && ids.size() == 3;
  };
  const auto reference = GenerateStories(requests, o);
  // max_batch 2: request 2 takes request 1's slot while request 0 is still decoding.
  for (int max_batch : {16, 2}) {
    SCOPED_TRACE("max_batch " + std::to_string(max_batch));
    o.max_batch = max_batch;
    std::fill(calls.begin(), calls.end(), 0);
    const auto out = Stories().Generate(requests, o, stop, {});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TRUE((*out)[1].stopped);
    EXPECT_EQ((*out)[1].new_ids,
              std::vector<int32_t>(reference[1].new_ids.begin(), reference[1].new_ids.begin() + 3));
    EXPECT_EQ(calls[1], 3u);
    for (size_t i : {0, 2, 3}) {
      EXPECT_FALSE((*out)[i].stopped);
      EXPECT_EQ((*out)[i].new_ids, reference[i].new_ids) << i;
      EXPECT_EQ(calls[i], reference[i].new_ids.size()) << i;
    }
  }
}

TEST(LlamaSamplingTest, CancelledReturnsCancelledError) {
  const auto requests = StoryPrompts();
  int checks = 0;
  auto out = Stories().Generate(requests, SamplingOptions(), {}, [&] { return ++checks > 5; });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(checks, 6);
  out = Stories().Generate(requests, SamplingOptions(), {}, [] { return true; });
  EXPECT_EQ(out.status().code(), StatusCode::kCancelled);
}

TEST(LlamaSamplingTest, EdgeCasesAndBadOptions) {
  const auto requests = StoryPrompts();
  GenerationOptions o;
  o.max_new_tokens = 0;
  auto out = Stories().Generate(requests, o);
  ASSERT_TRUE(out.ok());
  for (const auto& s : *out) EXPECT_TRUE(s.new_ids.empty());
  o.max_new_tokens = 1;
  out = Stories().Generate(requests, o);
  ASSERT_TRUE(out.ok());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ((*out)[i].new_ids, Greedy(Stories(), requests[i].prompt_ids, 1));
  }
  EXPECT_TRUE(Stories().Generate({}, GenerationOptions{})->empty());

  auto expect_invalid = [&](GenerationOptions bad, const std::string& field) {
    auto r = Stories().Generate(requests, bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(r.status().message(), HasSubstr(field));
  };
  GenerationOptions bad;
  bad.top_p = 0;
  expect_invalid(bad, "top_p");
  bad = {};
  bad.temperature = -1;
  expect_invalid(bad, "temperature");
  bad = {};
  bad.max_batch = 0;
  expect_invalid(bad, "max_batch");
  bad = {};
  bad.repetition_penalty = 0;
  expect_invalid(bad, "repetition_penalty");
  bad = {};
  bad.min_p = 1.5f;
  expect_invalid(bad, "min_p");
  bad = {};
  bad.presence_penalty = 2.5f;
  expect_invalid(bad, "presence_penalty");
  bad = {};
  bad.frequency_penalty = std::nanf("");
  expect_invalid(bad, "frequency_penalty");

  auto r = Stories().Generate({{{1, 600}, 0}}, GenerationOptions{});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), AllOf(HasSubstr("prompt_ids[1]"), HasSubstr("600")));
  r = Stories().Generate({{{}, 0}}, GenerationOptions{});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  auto f = Stories().Forward({{1, 2}}, {{1}}, {{0, 1}});
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("attention_mask"));
}

// ---------------------------------------------------------------------------------------------
// Config and loader errors

class LlamaLoadErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("augsweep_llama_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `config` as dir_/config.json.
  void WriteConfig(const json& config) { std::ofstream(dir_ / "config.json") << config.dump(2); }

  // Copies the tiny model's tensors into dir_/model.safetensors, except `drop`, and with
  // `reshape` given a new shape (same bytes).
  void WriteWeights(const std::string& drop, const std::string& reshape = "",
                    std::vector<int64_t> new_shape = {}) {
    auto ckpt = Checkpoint::Open(kTinyDir.string());
    ASSERT_TRUE(ckpt.ok());
    std::vector<TensorToWrite> tensors;
    for (const std::string& name : (*ckpt)->names()) {
      if (name == drop) continue;
      const CheckpointTensor* t = (*ckpt)->Find(name);
      TensorToWrite w{name, t->info->dtype, t->info->shape, t->file->Data(*t->info)};
      if (name == reshape) w.shape = new_shape;
      tensors.push_back(w);
    }
    ASSERT_TRUE(WriteSafetensors((dir_ / "model.safetensors").string(), tensors, {}).ok());
  }

  json TinyConfig() const { return ReadJson(kTinyDir / "config.json"); }

  fs::path dir_;
};

TEST_F(LlamaLoadErrorTest, UnsupportedArchitectureIsNamed) {
  json config = TinyConfig();
  config["architectures"] = {"GPT2LMHeadModel"};
  WriteConfig(config);
  auto c = ReadLlamaConfig(dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), AllOf(HasSubstr("config.json"), HasSubstr("architectures"),
                                          HasSubstr("GPT2LMHeadModel")));
  auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("GPT2LMHeadModel"));
}

TEST_F(LlamaLoadErrorTest, BadConfigFieldsAreNamed) {
  json config = TinyConfig();
  config["hidden_act"] = "gelu";
  WriteConfig(config);
  EXPECT_THAT(ReadLlamaConfig(dir_.string()).status().message(),
              AllOf(HasSubstr("hidden_act"), HasSubstr("gelu")));
  config = TinyConfig();
  config["num_key_value_heads"] = 3;
  WriteConfig(config);
  EXPECT_THAT(ReadLlamaConfig(dir_.string()).status().message(),
              AllOf(HasSubstr("num_key_value_heads"), HasSubstr("3")));
  config = TinyConfig();
  config.erase("hidden_size");
  WriteConfig(config);
  EXPECT_THAT(ReadLlamaConfig(dir_.string()).status().message(),
              AllOf(HasSubstr("hidden_size"), HasSubstr("missing")));
  config = TinyConfig();
  config["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  WriteConfig(config);
  EXPECT_THAT(ReadLlamaConfig(dir_.string()).status().message(),
              AllOf(HasSubstr("rope_scaling.rope_type"), HasSubstr("yarn")));
  EXPECT_EQ(ReadLlamaConfig((dir_ / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(LlamaLoadErrorTest, ReadsLlama3FieldsAndEosLists) {
  json config = TinyConfig();
  config["rope_scaling"] = {{"rope_type", "llama3"},
                            {"factor", 8.0},
                            {"low_freq_factor", 1.0},
                            {"high_freq_factor", 4.0},
                            {"original_max_position_embeddings", 8192}};
  config["eos_token_id"] = {128001, 128009};
  config["head_dim"] = 8;
  WriteConfig(config);
  std::ofstream(dir_ / "generation_config.json")
      << R"({"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]})";
  auto c = ReadLlamaConfig(dir_.string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->rope_scaling.has_value());
  EXPECT_EQ(c->rope_scaling->type, "llama3");
  EXPECT_EQ(c->rope_scaling->factor, 8.0);
  EXPECT_EQ(c->rope_scaling->original_max_position_embeddings, 8192);
  EXPECT_EQ(c->eos_token_ids, (std::vector<int32_t>{128001, 128009, 128008}));
  EXPECT_EQ(c->eos_token_id, 128001);
  EXPECT_EQ(c->bos_token_id, 1);  // config.json's wins
}

TEST_F(LlamaLoadErrorTest, MissingTensorIsNamed) {
  WriteConfig(TinyConfig());
  WriteWeights("model.layers.1.mlp.up_proj.weight");
  auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), AllOf(HasSubstr("model.layers.1.mlp.up_proj.weight"),
                                          HasSubstr("missing"), HasSubstr("[172, 64]")));
}

TEST_F(LlamaLoadErrorTest, UntiedModelNeedsLmHead) {
  WriteConfig(TinyConfig());
  WriteWeights("lm_head.weight");
  auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
  EXPECT_THAT(m.status().message(), HasSubstr("lm_head.weight"));
}

TEST_F(LlamaLoadErrorTest, WrongShapeNamesBothShapes) {
  WriteConfig(TinyConfig());
  WriteWeights("", "model.layers.0.mlp.down_proj.weight", {172, 64});
  auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), AllOf(HasSubstr("model.layers.0.mlp.down_proj.weight"),
                                          HasSubstr("[172, 64]"), HasSubstr("[64, 172]")));
}

TEST_F(LlamaLoadErrorTest, BadLoadOptions) {
  LoadOptions o;
  o.dtype = "float64";
  EXPECT_THAT(LlamaModel::Load(kTinyDir.string(), o).status().message(), HasSubstr("float64"));
  o = {};
  o.device = "tpu";
  EXPECT_THAT(LlamaModel::Load(kTinyDir.string(), o).status().message(), HasSubstr("tpu"));
  o = {};
  o.dtype = "float16";
  EXPECT_EQ(LlamaModel::Load(kTinyDir.string(), o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LlamaLoadErrorTest, RopeScalingKeepsPositionZeroAndChangesLaterPositions) {
  // llama3 scaling with factor 1 is the identity; with factor 8 it changes every rotated position
  // but not position 0 (cos 1, sin 0 whatever the frequencies).
  const std::vector<std::vector<int32_t>> ids = {{1, 457, 459, 20, 73, 492}};
  const std::vector<std::vector<int32_t>> mask = {{1, 1, 1, 1, 1, 1}};
  const std::vector<std::vector<int32_t>> pos = {{0, 1, 2, 3, 4, 5}};
  auto plain = Tiny().Forward(ids, mask, pos);
  ASSERT_TRUE(plain.ok());
  fs::copy_file(kTinyDir / "model.safetensors", dir_ / "model.safetensors");
  for (double factor : {1.0, 8.0}) {
    json config = TinyConfig();
    // Wavelengths of head_dim 8, theta 1e4: 6.3, 63, 628, 6283; with original 256 the bands are
    // < 64 (kept), 64..256 (interpolated), > 256 (divided).
    config["rope_scaling"] = {{"rope_type", "llama3"},
                              {"factor", factor},
                              {"low_freq_factor", 1.0},
                              {"high_freq_factor", 4.0},
                              {"original_max_position_embeddings", 256}};
    WriteConfig(config);
    auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    auto scaled = (*m)->Forward(ids, mask, pos);
    ASSERT_TRUE(scaled.ok());
    double pos0 = 0, later = 0;
    for (size_t i = 0; i < plain->size(); ++i) {
      const double d = std::abs((*plain)[i] - (*scaled)[i]);
      (i < 512 ? pos0 : later) = std::max(i < 512 ? pos0 : later, d);
    }
    EXPECT_EQ(pos0, 0.0) << factor;
    if (factor == 1.0) {
      EXPECT_LT(later, 1e-6);
    } else {
      EXPECT_GT(later, 1e-3);
    }
  }
}

TEST_F(LlamaLoadErrorTest, Qwen2WithZeroBiasesMatchesLlama) {
  // Qwen2 = LLaMA + q/k/v biases: zero biases must reproduce the tiny LLaMA's logits, and a
  // non-zero v bias must change them (so the biases are really read and applied).
  json config = TinyConfig();
  config["architectures"] = {"Qwen2ForCausalLM"};
  config["model_type"] = "qwen2";
  WriteConfig(config);
  auto ckpt = Checkpoint::Open(kTinyDir.string());
  ASSERT_TRUE(ckpt.ok());
  std::vector<float> zeros(64, 0.0f), ones(64, 0.5f);
  auto write = [&](const std::vector<float>& v_bias) {
    std::vector<TensorToWrite> tensors;
    for (const std::string& name : (*ckpt)->names()) {
      const CheckpointTensor* t = (*ckpt)->Find(name);
      tensors.push_back({name, t->info->dtype, t->info->shape, t->file->Data(*t->info)});
    }
    std::vector<std::string> names;
    for (int l = 0; l < 2; ++l) {
      for (const char* p : {"q", "k", "v"}) {
        const std::string name =
            "model.layers." + std::to_string(l) + ".self_attn." + p + "_proj.bias";
        const std::vector<float>& values = std::string(p) == "v" ? v_bias : zeros;
        const int64_t size = std::string(p) == "q" ? 64 : 32;
        tensors.push_back({name,
                           DType::kF32,
                           {size},
                           std::as_bytes(std::span<const float>(values.data(), size))});
      }
    }
    ASSERT_TRUE(WriteSafetensors((dir_ / "model.safetensors").string(), tensors, {}).ok());
  };
  const std::vector<std::vector<int32_t>> ids = {{1, 457, 459, 20, 73, 492}};
  const std::vector<std::vector<int32_t>> mask = {{1, 1, 1, 1, 1, 1}};
  const std::vector<std::vector<int32_t>> pos = {{0, 1, 2, 3, 4, 5}};
  auto plain = Tiny().Forward(ids, mask, pos);
  ASSERT_TRUE(plain.ok());
  for (const auto* v_bias : {&zeros, &ones}) {
    write(*v_bias);
    auto m = LlamaModel::Load(dir_.string(), LoadOptions{});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ((*m)->config().architecture, "Qwen2ForCausalLM");
    auto logits = (*m)->Forward(ids, mask, pos);
    ASSERT_TRUE(logits.ok());
    double diff = 0;
    for (size_t i = 0; i < plain->size(); ++i) {
      diff = std::max<double>(diff, std::abs((*plain)[i] - (*logits)[i]));
    }
    if (v_bias == &zeros) {
      EXPECT_LT(diff, 1e-6);
    } else {
      EXPECT_GT(diff, 1e-3);
    }
  }
}

}  // namespace
}  // namespace augsweep

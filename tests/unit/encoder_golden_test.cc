// Acceptance tests of worker/runtime's encoder classifiers against independent golden data
// (tests/fixtures/README.md, hf-tiny/{bert,roberta,distilbert,xlnet}: tiny random
// *ForSequenceClassification models whose logits, losses, gradients and AdamW step come from
// Hugging Face transformers), through classifier_golden.h; then the head initialisation of a
// base model, padding, the loader's errors and a short fine-tuning run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/safetensors/checkpoint.h"
#include "common/safetensors/writer.h"
#include "worker/runtime/classifier_golden.h"
#include "worker/runtime/encoder_classifier.h"
#include "worker/runtime/golden_check.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

std::unique_ptr<EncoderClassifier> LoadOrDie(const fs::path& dir, EncoderLoadOptions options = {}) {
  options.threads = options.threads ? options.threads : 2;
  auto model = EncoderClassifier::Load(dir.string(), options);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

struct FamilyCase {
  const char* folder;
  double logit_tolerance;  // the issue: 1e-5, XLNet 1e-4
};

class EncoderGoldenTest : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(EncoderGoldenTest, MatchesTransformers) {
  const fs::path dir = kFixtures / "hf-tiny" / GetParam().folder;
  std::unique_ptr<EncoderClassifier> model = LoadOrDie(dir);
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->head_initialised().empty());
  const json golden = ReadJson(dir / "golden.json");
  ASSERT_TRUE(IsSequenceClassificationGolden(golden));
  auto checks = CheckClassifierGolden(*model, golden, GetParam().logit_tolerance);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  ASSERT_GT(checks->size(), 10u);
  for (const GoldenCheck& c : *checks) {
    EXPECT_TRUE(c.passed) << c.name << ": " << c.max_abs_diff << " > " << c.tolerance << "; "
                          << c.detail;
    // The losses are held to 1e-5 whatever the logits' tolerance.
    if (c.name.find("loss") != std::string::npos) {
      EXPECT_LE(c.max_abs_diff, 1e-5) << c.name;
    }
  }
}

TEST_P(EncoderGoldenTest, GoldenCheckFailsOnATamperedReference) {
  const fs::path dir = kFixtures / "hf-tiny" / GetParam().folder;
  std::unique_ptr<EncoderClassifier> model = LoadOrDie(dir);
  ASSERT_NE(model, nullptr);
  json golden = ReadJson(dir / "golden.json");
  double& logit = golden["batches"][0]["logits"][0][0].get_ref<double&>();
  logit += 0.01;
  auto checks = CheckClassifierGolden(*model, golden, GetParam().logit_tolerance);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  int failed = 0;
  for (const GoldenCheck& c : *checks) failed += c.passed ? 0 : 1;
  EXPECT_EQ(failed, 1);
}

// The shortest row of the padded batch, padded by Pad() alone (no padding then), gives the
// reference logits of its padded version: padding changes nothing, whichever side it is on.
TEST_P(EncoderGoldenTest, PaddingChangesNothing) {
  const fs::path dir = kFixtures / "hf-tiny" / GetParam().folder;
  std::unique_ptr<EncoderClassifier> model = LoadOrDie(dir);
  ASSERT_NE(model, nullptr);
  const json golden = ReadJson(dir / "golden.json");
  const json& batch = golden["batches"][0];
  const size_t row = batch["input_ids"].size() - 1;
  EncodedText alone;
  for (size_t t = 0; t < batch["input_ids"][row].size(); ++t) {
    if (batch["attention_mask"][row][t] == 0) continue;
    alone.ids.push_back(batch["input_ids"][row][t]);
    if (batch.contains("token_type_ids"))
      alone.token_types.push_back(batch["token_type_ids"][row][t]);
  }
  ASSERT_LT(alone.ids.size(), batch["input_ids"][row].size()) << "the row should be padded";
  auto padded = model->Pad({alone});
  ASSERT_TRUE(padded.ok());
  auto logits = model->Forward(*padded);
  ASSERT_TRUE(logits.ok());
  for (size_t k = 0; k < logits->size(); ++k) {
    EXPECT_NEAR((*logits)[k], batch["logits"][row][k].get<double>(), GetParam().logit_tolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, EncoderGoldenTest,
                         ::testing::Values(FamilyCase{"bert", 1e-5}, FamilyCase{"roberta", 1e-5},
                                           FamilyCase{"distilbert", 1e-5},
                                           FamilyCase{"xlnet", 1e-4}),
                         [](const auto& test) { return std::string(test.param.folder); });

TEST(EncoderGoldenCheck, RunGoldenCheckRecognisesTheSchema) {
  const fs::path dir = kFixtures / "hf-tiny" / "bert";
  GoldenCheckOptions options;
  options.load.threads = 2;
  options.float_tolerance = 1e-5;
  auto report = RunGoldenCheck(dir.string(), (dir / "golden.json").string(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->schema, "hf-sequence-classification");
  EXPECT_TRUE(report->passed());
}

// A copy of a fixture folder without some tensors / with another config.
fs::path CopyFixture(const std::string& family, const std::string& name) {
  const fs::path out = fs::path(::testing::TempDir()) / ("encoder_" + name);
  fs::remove_all(out);
  fs::create_directories(out);
  fs::copy(kFixtures / "hf-tiny" / family, out, fs::copy_options::recursive);
  return out;
}

// Rewrites model.safetensors keeping only the tensors `keep` accepts.
void FilterTensors(const fs::path& dir, const std::function<bool(const std::string&)>& keep) {
  auto checkpoint = Checkpoint::Open(dir.string());
  ASSERT_TRUE(checkpoint.ok());
  std::vector<TensorToWrite> tensors;
  for (const std::string& name : (*checkpoint)->names()) {
    if (!keep(name)) continue;
    const CheckpointTensor* t = (*checkpoint)->Find(name);
    tensors.push_back(TensorToWrite{name, t->info->dtype, t->info->shape, t->file->Data(*t->info)});
  }
  const fs::path tmp = dir / "filtered.safetensors";
  ASSERT_TRUE(WriteSafetensors(tmp.string(), tensors, {}).ok());
  checkpoint->reset();
  fs::rename(tmp, dir / "model.safetensors");
}

TEST(EncoderClassifierLoad, BaseModelGetsASeededHeadForTheRequestedLabels) {
  const fs::path dir = CopyFixture("roberta", "base");
  FilterTensors(dir, [](const std::string& name) { return name.rfind("roberta.", 0) == 0; });
  EncoderLoadOptions options;
  options.num_labels = 3;
  options.head_init_seed = 7;
  std::unique_ptr<EncoderClassifier> a = LoadOrDie(dir, options);
  std::unique_ptr<EncoderClassifier> b = LoadOrDie(dir, options);
  options.head_init_seed = 8;
  std::unique_ptr<EncoderClassifier> c = LoadOrDie(dir, options);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->config().num_labels, 3);
  EXPECT_THAT(a->head_initialised(),
              ::testing::ElementsAre("classifier.dense.weight", "classifier.dense.bias",
                                     "classifier.out_proj.weight", "classifier.out_proj.bias"));
  auto wa = a->ParameterValues("classifier.out_proj.weight");
  auto wb = b->ParameterValues("classifier.out_proj.weight");
  auto wc = c->ParameterValues("classifier.out_proj.weight");
  ASSERT_TRUE(wa.ok() && wb.ok() && wc.ok());
  EXPECT_EQ(wa->size(), 3u * 64u);
  EXPECT_EQ(*wa, *wb);
  EXPECT_NE(*wa, *wc);
  // N(0, initializer_range = 0.1): the sample spread is near 0.1.
  double sq = 0;
  for (float v : *wa) sq += v * v;
  EXPECT_NEAR(std::sqrt(sq / wa->size()), 0.1, 0.02);
  auto bias = a->ParameterValues("classifier.out_proj.bias");
  ASSERT_TRUE(bias.ok());
  EXPECT_EQ(*bias, std::vector<float>(3, 0.0f));
}

TEST(EncoderClassifierLoad, MissingEncoderTensorIsNamed) {
  const fs::path dir = CopyFixture("bert", "missing");
  FilterTensors(dir, [](const std::string& name) {
    return name != "bert.encoder.layer.1.attention.self.key.weight";
  });
  auto model = EncoderClassifier::Load(dir.string(), {});
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(),
              HasSubstr("bert.encoder.layer.1.attention.self.key.weight"));
  EXPECT_THAT(model.status().message(), HasSubstr("missing"));
}

TEST(EncoderClassifierLoad, BadConfigFieldIsNamed) {
  const fs::path dir = CopyFixture("distilbert", "badconfig");
  json config = ReadJson(dir / "config.json");
  config["n_heads"] = 5;  // does not divide dim 64
  std::ofstream(dir / "config.json") << config.dump();
  auto model = EncoderClassifier::Load(dir.string(), {});
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("config.json"));
  EXPECT_THAT(model.status().message(), HasSubstr("num_attention_heads"));
}

TEST(EncoderClassifierPad, FollowsEachFamilysTokenizer) {
  std::unique_ptr<EncoderClassifier> bert = LoadOrDie(kFixtures / "hf-tiny" / "bert");
  std::unique_ptr<EncoderClassifier> xlnet = LoadOrDie(kFixtures / "hf-tiny" / "xlnet");
  ASSERT_TRUE(bert && xlnet);
  auto right = bert->Pad({{{101, 7, 102}, {}}, {{101, 102}, {}}});
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->input_ids[1], (std::vector<int32_t>{101, 102, 0}));
  EXPECT_EQ(right->attention_mask[1], (std::vector<int32_t>{1, 1, 0}));
  auto left = xlnet->Pad({{{9, 4, 3}, {0, 0, 2}}, {{4, 3}, {0, 2}}});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->input_ids[1], (std::vector<int32_t>{5, 4, 3}));
  EXPECT_EQ(left->attention_mask[1], (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(left->token_type_ids[1], (std::vector<int32_t>{3, 0, 2}));
  EXPECT_FALSE(bert->Pad({{{1, 2}, {0}}}).ok());  // types and ids disagree
}

// A separable toy task: label 0 when token 11 is present, label 1 when token 12 is present.
// Fine-tuning must learn it (the loss falls, the probabilities separate), deterministically.
TEST(EncoderClassifierFineTune, LearnsASeparableTaskDeterministically) {
  const fs::path dir = kFixtures / "hf-tiny" / "distilbert";
  std::vector<EncodedText> examples;
  std::vector<std::vector<float>> labels;
  for (int i = 0; i < 32; ++i) {
    const bool a = i % 2 == 0, b = (i / 2) % 2 == 0;
    std::vector<int32_t> ids = {101, 30 + i % 7};
    if (a) ids.push_back(11);
    if (b) ids.push_back(12);
    ids.push_back(40 + i % 5);
    ids.push_back(102);
    examples.push_back({ids, {}});
    labels.push_back({a ? 1.0f : 0.0f, b ? 1.0f : 0.0f});
  }
  FineTuneOptions options;
  options.epochs = 12;
  options.batch_size = 8;
  options.adamw.learning_rate = 3e-3;
  options.warmup_ratio = 0.1;
  options.seed = 3;
  EncoderLoadOptions load;
  load.num_labels = 2;
  auto run = [&]() {
    std::unique_ptr<EncoderClassifier> model = LoadOrDie(dir, load);
    auto report = model->FineTune(examples, labels, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    auto probs = model->Predict(examples, 5);
    EXPECT_TRUE(probs.ok());
    return std::make_pair(*report, *probs);
  };
  auto [report, probs] = run();
  EXPECT_EQ(report.steps, 12 * 4);
  ASSERT_EQ(report.epoch_losses.size(), 12u);
  EXPECT_LT(report.epoch_losses.back(), 0.5 * report.epoch_losses.front());
  // Every positive scores above every negative (AUC 1 on the training set).
  for (int k = 0; k < 2; ++k) {
    float lowest_positive = 1, highest_negative = 0;
    for (size_t i = 0; i < examples.size(); ++i) {
      if (labels[i][k] > 0) {
        lowest_positive = std::min(lowest_positive, probs[i][k]);
      } else {
        highest_negative = std::max(highest_negative, probs[i][k]);
      }
    }
    EXPECT_GT(lowest_positive, highest_negative) << "label " << k;
  }
  auto [report2, probs2] = run();
  EXPECT_EQ(report.step_losses, report2.step_losses);
  EXPECT_EQ(probs, probs2);
}

// DistilBERT with sinusoidal_pos_embds: the position table is not trained (as in transformers,
// where it has no gradient); the learned one of the same checkpoint is.
TEST(EncoderClassifierFineTune, SinusoidalPositionsOfDistilBertStayFrozen) {
  const fs::path source = kFixtures / "hf-tiny" / "distilbert";
  const fs::path dir =
      fs::temp_directory_path() / ("augsweep-sinusoidal-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(source, dir, fs::copy_options::recursive);
  json config = ReadJson(dir / "config.json");
  config["sinusoidal_pos_embds"] = true;
  std::ofstream(dir / "config.json") << config.dump(2);

  const std::string positions = "distilbert.embeddings.position_embeddings.weight";
  const std::string words = "distilbert.embeddings.word_embeddings.weight";
  std::vector<EncodedText> examples(8, EncodedText{{101, 5, 9, 102}, {}});
  std::vector<std::vector<float>> labels(8, std::vector<float>(5, 1.0f));
  FineTuneOptions options;
  options.epochs = 2;
  options.batch_size = 4;
  options.adamw.learning_rate = 1e-2;
  for (const bool sinusoidal : {true, false}) {
    std::unique_ptr<EncoderClassifier> model = LoadOrDie(sinusoidal ? dir : source);
    ASSERT_NE(model, nullptr);
    auto positions_before = model->ParameterValues(positions);
    auto words_before = model->ParameterValues(words);
    ASSERT_TRUE(positions_before.ok() && words_before.ok());
    auto report = model->FineTune(examples, labels, options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(*model->ParameterValues(positions) == *positions_before, sinusoidal)
        << (sinusoidal ? "the sinusoidal table was trained" : "the learned table was not trained");
    EXPECT_NE(*model->ParameterValues(words), *words_before);
  }
  fs::remove_all(dir);
}

// A learning rate that blows the weights up: the loss stops being finite. The run is
// deterministic for its seed, so the error must be one the worker does not retry.
TEST(EncoderClassifierFineTune, DivergenceIsAFailedPrecondition) {
  std::unique_ptr<EncoderClassifier> model = LoadOrDie(kFixtures / "hf-tiny" / "bert");
  ASSERT_NE(model, nullptr);
  std::vector<EncodedText> examples(8, EncodedText{{101, 5, 9, 102}, {}});
  std::vector<std::vector<float>> labels(8, std::vector<float>(5, 1.0f));
  FineTuneOptions options;
  options.epochs = 3;
  options.batch_size = 4;
  options.adamw.learning_rate = 1e30;
  auto report = model->FineTune(examples, labels, options);
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition) << report.status().ToString();
  EXPECT_THAT(report.status().message(), HasSubstr("fine-tuning diverged"));
}

TEST(EncoderClassifierFineTune, CancelStopsBeforeTheNextStep) {
  std::unique_ptr<EncoderClassifier> model = LoadOrDie(kFixtures / "hf-tiny" / "bert");
  ASSERT_NE(model, nullptr);
  std::vector<EncodedText> examples(4, EncodedText{{101, 5, 102}, {}});
  std::vector<std::vector<float>> labels(4, std::vector<float>(5, 0.0f));
  auto report = model->FineTune(examples, labels, {}, [] { return true; });
  EXPECT_EQ(report.status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace augsweep

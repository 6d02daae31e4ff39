// Classifier input layout (classifier_inputs.h) against:
//   * the input batches of tests/fixtures/hf-tiny/{bert,roberta,distilbert,xlnet}/golden.json:
//     their inner ids are random, so the test takes them out of each golden row, lays them out
//     again and expects the same ids, masks and token types (padding side and pad ids included;
//     the fixtures' sentence-pair batch is skipped: augsweep lays out single texts);
//   * bert-wordpiece-uncased/golden.json's batch_padding and batch_truncation, encoded from
//     text with the WordPiece tokenizer;
//   * hand-made truncation cases and errors.
#include "common/tokenizers/classifier_inputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/tokenizers/wordpiece.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ReadText;
using Ids = std::vector<int32_t>;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;

std::vector<int64_t> Flatten(const json& rows) {
  std::vector<int64_t> out;
  for (const json& row : rows) {
    for (const json& v : row) out.push_back(v.get<int64_t>());
  }
  return out;
}

// The text ids of one golden row: special tokens and padding removed.
Ids TextOf(EncoderFamily family, const ClassifierSpecialIds& s, const json& ids, const json& mask) {
  Ids real;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (mask[i].get<int>() != 0) real.push_back(ids[i].get<int32_t>());
  }
  if (family == EncoderFamily::kXlnet) {
    EXPECT_EQ(real.back(), s.cls);
    EXPECT_EQ(real[real.size() - 2], s.sep);
    return Ids(real.begin(), real.end() - 2);
  }
  EXPECT_EQ(real.front(), s.cls);
  EXPECT_EQ(real.back(), s.sep);
  return Ids(real.begin() + 1, real.end() - 1);
}

struct FamilyCase {
  const char* folder;
  EncoderFamily family;
  ClassifierSpecialIds special;
};

class HfTinyLayoutTest : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(HfTinyLayoutTest, RebuildsEveryGoldenBatch) {
  const FamilyCase& c = GetParam();
  const json golden = json::parse(ReadText(kFixtures / "hf-tiny" / c.folder / "golden.json"));
  ASSERT_EQ(golden["batches"].size(), 3u);
  for (const json& batch : golden["batches"]) {
    const std::string name = batch["name"];
    SCOPED_TRACE(std::string(c.folder) + " " + name);
    // augsweep lays out single texts only; the fixture's sentence-pair batch is not used.
    if (name == "padded_pairs") continue;
    const bool has_types = batch.contains("token_type_ids");
    std::vector<Ids> texts;
    for (size_t r = 0; r < batch["input_ids"].size(); ++r) {
      texts.push_back(
          TextOf(c.family, c.special, batch["input_ids"][r], batch["attention_mask"][r]));
    }
    auto laid_out =
        LayOutClassifierBatch(c.family, c.special, texts, ClassifierInputOptions{128, false});
    ASSERT_TRUE(laid_out.ok()) << laid_out.status().ToString();
    EXPECT_EQ(laid_out->batch_size, static_cast<int64_t>(batch["input_ids"].size()));
    EXPECT_EQ(laid_out->seq_len, static_cast<int64_t>(batch["input_ids"][0].size()));
    EXPECT_EQ(laid_out->input_ids, Flatten(batch["input_ids"]));
    EXPECT_EQ(laid_out->attention_mask, Flatten(batch["attention_mask"]));
    if (has_types) {
      EXPECT_EQ(laid_out->token_type_ids, Flatten(batch["token_type_ids"]));
    } else {
      EXPECT_TRUE(laid_out->token_type_ids.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllFamilies, HfTinyLayoutTest,
    ::testing::Values(FamilyCase{"bert", EncoderFamily::kBert, {101, 102, 0}},
                      FamilyCase{"distilbert", EncoderFamily::kDistilBert, {101, 102, 0}},
                      FamilyCase{"roberta", EncoderFamily::kRoberta, {0, 2, 1}},
                      FamilyCase{"xlnet", EncoderFamily::kXlnet, {3, 4, 5}}),
    [](const ::testing::TestParamInfo<FamilyCase>& test) {
      return std::string(test.param.folder);
    });

class BertGoldenBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadWordPieceTokenizer(
        (kFixtures / "tokenizers/bert-wordpiece-uncased/vocab.txt").string());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    tokenizer_ = std::move(loaded).value();
    golden_ = json::parse(ReadText(kFixtures / "tokenizers/bert-wordpiece-uncased/golden.json"));
  }
  std::unique_ptr<WordPieceTokenizer> tokenizer_;
  json golden_;
};

TEST_F(BertGoldenBatchTest, DynamicPaddingAndTruncation) {
  const json& padding = golden_["batch_padding"];
  auto padded = EncodeClassifierBatch(*tokenizer_, EncoderFamily::kBert,
                                      padding["texts"].get<std::vector<std::string>>(), {});
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  EXPECT_EQ(padded->input_ids, Flatten(padding["input_ids"]));
  EXPECT_EQ(padded->token_type_ids, Flatten(padding["token_type_ids"]));
  EXPECT_EQ(padded->attention_mask, Flatten(padding["attention_mask"]));
  EXPECT_EQ(padded->Row(padded->input_ids, 2), padding["input_ids"][2].get<std::vector<int64_t>>());

  const json& truncation = golden_["batch_truncation"];
  const int max_length = truncation["max_length"];
  for (bool pad_to_max : {false, true}) {
    auto truncated = EncodeClassifierBatch(*tokenizer_, EncoderFamily::kBert,
                                           truncation["texts"].get<std::vector<std::string>>(),
                                           ClassifierInputOptions{max_length, pad_to_max});
    ASSERT_TRUE(truncated.ok()) << truncated.status().ToString();
    EXPECT_EQ(truncated->seq_len, max_length);
    EXPECT_EQ(truncated->input_ids, Flatten(truncation["input_ids"]));
    EXPECT_EQ(truncated->token_type_ids, Flatten(truncation["token_type_ids"]));
    EXPECT_EQ(truncated->attention_mask, Flatten(truncation["attention_mask"]));
  }
  // DistilBERT: same ids, no token types.
  auto distil = EncodeClassifierBatch(*tokenizer_, EncoderFamily::kDistilBert,
                                      padding["texts"].get<std::vector<std::string>>(), {});
  ASSERT_TRUE(distil.ok());
  EXPECT_EQ(distil->input_ids, Flatten(padding["input_ids"]));
  EXPECT_TRUE(distil->token_type_ids.empty());
}

TEST_F(BertGoldenBatchTest, OneExampleAtATime) {
  // What the executor calls per text: ids with special tokens, unpadded.
  const json& truncation = golden_["batch_truncation"];
  auto single = EncodeClassifierInput(*tokenizer_, EncoderFamily::kDistilBert,
                                      truncation["texts"][1].get<std::string>(),
                                      truncation["max_length"].get<int>());
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(single->ids, truncation["input_ids"][1].get<std::vector<int32_t>>());
  EXPECT_TRUE(single->token_type_ids.empty());

  EXPECT_EQ(EncodeClassifierInput(*tokenizer_, EncoderFamily::kBert, "x", 2).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ClassifierTruncationTest, TheTextLosesItsEndAndTheSpecialTokensStay) {
  const ClassifierSpecialIds bert{101, 102, 0};
  std::vector<Ids> long_text{{1, 2, 3, 4, 5, 6}};
  auto cut = LayOutClassifierBatch(EncoderFamily::kBert, bert, long_text, {5, false});
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->input_ids, (std::vector<int64_t>{101, 1, 2, 3, 102}));
  EXPECT_EQ(cut->token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 0}));
  // XLNet keeps <sep> <cls> at the end and pads on the left.
  std::vector<Ids> singles{{1, 2, 3, 4, 5}, {6}};
  auto xlnet = LayOutClassifierBatch(EncoderFamily::kXlnet, {3, 4, 5}, singles, {5, false});
  ASSERT_TRUE(xlnet.ok());
  EXPECT_EQ(xlnet->input_ids, (std::vector<int64_t>{1, 2, 3, 4, 3, 5, 5, 6, 4, 3}));
  EXPECT_EQ(xlnet->attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0, 1, 1, 1}));
  EXPECT_EQ(xlnet->token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 2, 3, 3, 0, 0, 2}));
  auto one = LayOutClassifierInput(EncoderFamily::kXlnet, {3, 4, 5}, {1, 2}, 0);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->ids, (std::vector<int32_t>{1, 2, 4, 3}));
  EXPECT_EQ(one->token_type_ids, (std::vector<int32_t>{0, 0, 0, 2}));
  // No limit.
  auto unlimited = LayOutClassifierBatch(EncoderFamily::kBert, bert, singles, {0, false});
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ(unlimited->seq_len, 7);
}

TEST(ClassifierInputErrorsTest, BadArgumentsAreReported) {
  const ClassifierSpecialIds bert{101, 102, 0};
  std::vector<Ids> one{{1, 2}};
  EXPECT_EQ(LayOutClassifierBatch(EncoderFamily::kBert, bert, {}, {}).status().code(),
            StatusCode::kInvalidArgument);
  auto too_short = LayOutClassifierBatch(EncoderFamily::kRoberta, bert, one, {2, false});
  ASSERT_FALSE(too_short.ok());
  EXPECT_NE(too_short.status().message().find("max_length 2"), std::string::npos);
  EXPECT_TRUE(LayOutClassifierBatch(EncoderFamily::kRoberta, bert, one, {3, false}).ok());

  EXPECT_EQ(*ParseEncoderFamily("xlnet"), EncoderFamily::kXlnet);
  EXPECT_STREQ(EncoderFamilyName(EncoderFamily::kDistilBert), "distilbert");
  EXPECT_EQ(ParseEncoderFamily("gpt2").status().code(), StatusCode::kInvalidArgument);

  // A tokenizer without [CLS]: the layout cannot be built.
  auto no_cls = WordPieceTokenizer::Create("[UNK]\n[SEP]\n[PAD]\na\n", "vocab.txt", {});
  ASSERT_TRUE(no_cls.ok());
  auto batch = EncodeClassifierBatch(**no_cls, EncoderFamily::kBert, {"a"}, {});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(batch.status().message().find("cls"), std::string::npos);
}

}  // namespace
}  // namespace augsweep

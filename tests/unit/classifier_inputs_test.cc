// Classifier input layout (classifier_inputs.h) against:
//   * the input batches of tests/fixtures/hf-tiny/{bert,roberta,distilbert,xlnet}/golden.json:
//     their inner ids are random, so the test takes them out of each golden row, lays them out
//     again and expects the same ids, masks and token types (padding side, pad ids and pair
//     layout included);
//   * bert-wordpiece-uncased/golden.json's pairs, batch_padding and batch_truncation, encoded
//     from text with the WordPiece tokenizer;
//   * hand-made truncation cases (longest_first) and errors.
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

// The text ids of one golden row (special tokens and padding removed), split into the two
// texts of a pair at the separator the family uses.
struct InnerIds {
  Ids a, b;
};

InnerIds InnerOf(EncoderFamily family, const ClassifierSpecialIds& s, const json& ids,
                 const json& mask, const json* types, bool pair) {
  std::vector<int32_t> real;
  std::vector<int> real_types;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (mask[i].get<int>() == 0) continue;
    real.push_back(ids[i].get<int32_t>());
    real_types.push_back(types != nullptr ? (*types)[i].get<int>() : -1);
  }
  InnerIds out;
  size_t begin = 0, end = real.size();
  switch (family) {
    case EncoderFamily::kBert:
    case EncoderFamily::kDistilBert:
    case EncoderFamily::kRoberta:
      EXPECT_EQ(real.front(), s.cls);
      EXPECT_EQ(real.back(), s.sep);
      begin = 1;
      end = real.size() - 1;
      break;
    case EncoderFamily::kXlnet:
      EXPECT_EQ(real.back(), s.cls);
      EXPECT_EQ(real[real.size() - 2], s.sep);
      end = real.size() - 2;
      break;
  }
  if (!pair) {
    out.a.assign(real.begin() + begin, real.begin() + end);
    return out;
  }
  // The first separator ends the first text.
  size_t split = begin;
  if (types != nullptr) {
    while (real_types[split + 1] == 0) ++split;  // the last type-0 token is that separator
  } else {
    while (real[split] != s.sep) ++split;
  }
  EXPECT_EQ(real[split], s.sep);
  out.a.assign(real.begin() + begin, real.begin() + split);
  size_t b_begin = split + 1;
  if (family == EncoderFamily::kRoberta) {
    EXPECT_EQ(real[b_begin], s.sep);  // </s></s>
    ++b_begin;
  }
  out.b.assign(real.begin() + b_begin, real.begin() + end);
  return out;
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
    const bool pair = name == "padded_pairs";
    const bool has_types = batch.contains("token_type_ids");
    std::vector<Ids> first, second;
    for (size_t r = 0; r < batch["input_ids"].size(); ++r) {
      const json* types = has_types ? &batch["token_type_ids"][r] : nullptr;
      InnerIds inner = InnerOf(c.family, c.special, batch["input_ids"][r],
                               batch["attention_mask"][r], types, pair);
      first.push_back(inner.a);
      second.push_back(inner.b);
    }
    auto laid_out = LayOutClassifierBatch(c.family, c.special, first, pair ? &second : nullptr,
                                          ClassifierInputOptions{128, false});
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

TEST_F(BertGoldenBatchTest, Pairs) {
  for (const json& p : golden_["pairs"]) {
    SCOPED_TRACE(p["text_a"].dump());
    auto batch = EncodeClassifierPairBatch(*tokenizer_, EncoderFamily::kBert,
                                           {p["text_a"].get<std::string>()},
                                           {p["text_b"].get<std::string>()}, {});
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    EXPECT_EQ(batch->input_ids, p["input_ids"].get<std::vector<int64_t>>());
    EXPECT_EQ(batch->token_type_ids, p["token_type_ids"].get<std::vector<int64_t>>());
    EXPECT_EQ(batch->attention_mask, p["attention_mask"].get<std::vector<int64_t>>());
  }
}

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
  const json& p = golden_["pairs"][0];
  auto pair = EncodeClassifierPairInput(*tokenizer_, EncoderFamily::kBert, p["text_a"].get<std::string>(),
                                        p["text_b"].get<std::string>(), 512);
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(pair->ids, p["input_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(pair->token_type_ids, p["token_type_ids"].get<std::vector<int32_t>>());

  const json& truncation = golden_["batch_truncation"];
  auto single =
      EncodeClassifierInput(*tokenizer_, EncoderFamily::kDistilBert, truncation["texts"][1].get<std::string>(),
                            truncation["max_length"].get<int>());
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(single->ids, truncation["input_ids"][1].get<std::vector<int32_t>>());
  EXPECT_TRUE(single->token_type_ids.empty());

  EXPECT_EQ(EncodeClassifierInput(*tokenizer_, EncoderFamily::kBert, "x", 2).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ClassifierTruncationTest, LongestFirstTakesFromTheLongerTextThenAlternates) {
  const ClassifierSpecialIds bert{101, 102, 0};
  auto pair = [&](const Ids& a, const Ids& b, int max_length, EncoderFamily family) {
    std::vector<Ids> first{a}, second{b};
    auto batch = LayOutClassifierBatch(family, bert, first, &second, {max_length, false});
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return batch.ok() ? batch->input_ids : std::vector<int64_t>{};
  };
  // 6 + 2 + 3 specials = 11 > 8: remove 3, all from the longer first text.
  EXPECT_EQ(pair({1, 2, 3, 4, 5, 6}, {7, 8}, 8, EncoderFamily::kBert),
            (std::vector<int64_t>{101, 1, 2, 3, 102, 7, 8, 102}));
  // 4 + 4 + 3 = 11 > 8: remove 3 from equal texts: 1 from the first, 2 from the second.
  EXPECT_EQ(pair({1, 2, 3, 4}, {5, 6, 7, 8}, 8, EncoderFamily::kBert),
            (std::vector<int64_t>{101, 1, 2, 3, 102, 5, 6, 102}));
  // 5 + 3 + 3 = 11 > 7: remove 4: 2 to even out, then 1 each.
  EXPECT_EQ(pair({1, 2, 3, 4, 5}, {6, 7, 8}, 7, EncoderFamily::kBert),
            (std::vector<int64_t>{101, 1, 2, 102, 6, 7, 102}));
  // Second text longer; RoBERTa's pair has 4 special tokens.
  EXPECT_EQ(pair({1}, {2, 3, 4, 5, 6}, 7, EncoderFamily::kRoberta),
            (std::vector<int64_t>{101, 1, 102, 102, 2, 3, 102}));
  // XLNet keeps <sep> <cls> at the end and pads on the left.
  std::vector<Ids> singles{{1, 2, 3, 4, 5}, {6}};
  auto xlnet =
      LayOutClassifierBatch(EncoderFamily::kXlnet, {3, 4, 5}, singles, nullptr, {5, false});
  ASSERT_TRUE(xlnet.ok());
  EXPECT_EQ(xlnet->input_ids, (std::vector<int64_t>{1, 2, 3, 4, 3, 5, 5, 6, 4, 3}));
  EXPECT_EQ(xlnet->attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0, 1, 1, 1}));
  EXPECT_EQ(xlnet->token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 2, 3, 3, 0, 0, 2}));
  auto xlnet_pair =
      LayOutClassifierInput(EncoderFamily::kXlnet, {3, 4, 5}, {1, 2}, &singles[1], 0);
  ASSERT_TRUE(xlnet_pair.ok());
  EXPECT_EQ(xlnet_pair->ids, (std::vector<int32_t>{1, 2, 4, 6, 4, 3}));
  EXPECT_EQ(xlnet_pair->token_type_ids, (std::vector<int32_t>{0, 0, 0, 1, 1, 2}));
  // No limit.
  auto unlimited =
      LayOutClassifierBatch(EncoderFamily::kBert, bert, singles, nullptr, {0, false});
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ(unlimited->seq_len, 7);
}

TEST(ClassifierInputErrorsTest, BadArgumentsAreReported) {
  const ClassifierSpecialIds bert{101, 102, 0};
  std::vector<Ids> one{{1, 2}};
  std::vector<Ids> two{{1}, {2}};
  EXPECT_EQ(LayOutClassifierBatch(EncoderFamily::kBert, bert, {}, nullptr, {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LayOutClassifierBatch(EncoderFamily::kBert, bert, one, &two, {}).status().code(),
            StatusCode::kInvalidArgument);
  auto too_short = LayOutClassifierBatch(EncoderFamily::kRoberta, bert, one, &one, {4, false});
  ASSERT_FALSE(too_short.ok());
  EXPECT_NE(too_short.status().message().find("max_length 4"), std::string::npos);
  EXPECT_TRUE(LayOutClassifierBatch(EncoderFamily::kRoberta, bert, one, &one, {5, false}).ok());

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

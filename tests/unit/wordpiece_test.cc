// WordPiece (BERT / DistilBERT vocab.txt) against transformers' slow BertTokenizer:
//   * every case of tests/fixtures/tokenizers/bert-wordpiece-uncased/golden.json (ids with and
//     without [CLS]/[SEP], tokens, decoded text) and llama.cpp's test vectors for that vocab;
//   * options (cased, accents kept, no CJK splitting), the max-word-length rule, vocab parsing.
// Pairs, padding and truncation are checked in classifier_inputs_test.cc.
#include "common/tokenizers/wordpiece.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/tokenizers/unicode_data.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

using nlohmann::json;
using testing::ReadText;
namespace fs = std::filesystem;

const fs::path kBert = fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/bert-wordpiece-uncased";

class BertUncasedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = LoadWordPieceTokenizer((kBert / "vocab.txt").string());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    tokenizer_ = std::move(loaded).value().release();
    golden_ = new json(json::parse(ReadText(kBert / "golden.json")));
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    delete golden_;
  }
  static inline WordPieceTokenizer* tokenizer_ = nullptr;
  static inline json* golden_ = nullptr;
};

TEST_F(BertUncasedTest, SpecialIds) {
  EXPECT_EQ(tokenizer_->vocab_size(), 30522);
  EXPECT_EQ(tokenizer_->pad_id(), 0);
  EXPECT_EQ(tokenizer_->unk_id(), 100);
  EXPECT_EQ(tokenizer_->cls_id(), 101);
  EXPECT_EQ(tokenizer_->sep_id(), 102);
  EXPECT_EQ(tokenizer_->mask_id(), 103);
  EXPECT_EQ(tokenizer_->bos_id(), -1);
  EXPECT_EQ(tokenizer_->PieceToId("##ing"), 2075);
  EXPECT_EQ(tokenizer_->IdToPiece(7592), "hello");
}

TEST_F(BertUncasedTest, GoldenCases) {
  const json& cases = (*golden_)["cases"];
  ASSERT_EQ(cases.size(), 36u);
  for (const json& c : cases) {
    const std::string text = c["text"];
    SCOPED_TRACE("text: " + c["text"].dump());
    EXPECT_EQ(tokenizer_->Tokenize(text), c["tokens"].get<std::vector<std::string>>());
    EXPECT_EQ(tokenizer_->Encode(text, false), c["ids_no_special"].get<std::vector<int32_t>>());
    const std::vector<int32_t> ids = c["ids"];
    EXPECT_EQ(tokenizer_->Encode(text, true), ids);
    EXPECT_EQ(tokenizer_->Decode(ids, false), c["decoded"].get<std::string>());
  }
}

TEST_F(BertUncasedTest, LlamaCppTestVectors) {
  const json& cases = (*golden_)["llamacpp_test_vectors"]["cases"];
  ASSERT_GT(cases.size(), 40u);
  for (const json& c : cases) {
    SCOPED_TRACE("text: " + c["text"].dump());
    EXPECT_EQ(tokenizer_->Encode(c["text"].get<std::string>(), false),
              c["llamacpp_reference_ids"].get<std::vector<int32_t>>());
  }
}

TEST_F(BertUncasedTest, DecodeSkipsSpecialTokensAndGluesContinuations) {
  const std::vector<int32_t> ids = tokenizer_->Encode("Tabs and newlines, don't they?", true);
  EXPECT_EQ(tokenizer_->Decode(ids, true), "tabs and newlines, don't they?");
  EXPECT_EQ(tokenizer_->Decode(ids, false), "[CLS] tabs and newlines, don't they? [SEP]");
  EXPECT_EQ(tokenizer_->Decode({}, false), "");
  EXPECT_EQ(tokenizer_->Decode({-1, 101, 999999}, true), "");
}

TEST_F(BertUncasedTest, LongWordsBecomeOneUnknown) {
  // max_input_chars_per_word = 100 code points: 100 is split, 101 is [UNK] as a whole.
  const std::string hundred(100, 'a');
  EXPECT_GT(tokenizer_->Tokenize(hundred).size(), 1u);
  EXPECT_EQ(tokenizer_->Tokenize(hundred + "a"), std::vector<std::string>{"[UNK]"});
  // Code points, not bytes: 60 two-byte letters stay below the limit.
  std::string accented;
  for (int i = 0; i < 60; ++i) accented += "\xC3\xA9";  // é, stripped to e
  EXPECT_NE(tokenizer_->Tokenize(accented), std::vector<std::string>{"[UNK]"});
}

TEST_F(BertUncasedTest, SpecialTokenTextIsKeptOnlyWhenSpelledExactly) {
  EXPECT_EQ(tokenizer_->Encode("a [MASK] b", false), (std::vector<int32_t>{1037, 103, 1038}));
  // Lower-casing happens first, so "[Mask]" is ordinary text.
  EXPECT_EQ(tokenizer_->Tokenize("[Mask]"), (std::vector<std::string>{"[", "mask", "]"}));
}

TEST_F(BertUncasedTest, InvalidUtf8IsDropped) {
  // A bad byte reads as U+FFFD, which the basic tokenizer's clean-up removes.
  EXPECT_EQ(tokenizer_->Encode("hel\xFFlo", false), tokenizer_->Encode("hello", false));
}

TEST(WordPieceOptionsTest, CasedKeepsCaseAndAccentsAndComposesNfc) {
  const std::string vocab =
      "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nCaf\xC3\xA9\ncaf\xC3\xA9\ncafe\nCafe\n##s\n."
      "\n\xE4\xB8\xAD\n"
      "\xE4\xB8\xAD\xE6\x96\x87\n";
  WordPieceOptions cased;
  cased.do_lower_case = false;
  auto t = WordPieceTokenizer::Create(vocab, "vocab.txt", cased);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // "Café" precomposed and decomposed both become the NFC vocabulary entry.
  EXPECT_EQ((*t)->Tokenize("Caf\xC3\xA9s."), (std::vector<std::string>{"Caf\xC3\xA9", "##s", "."}));
  EXPECT_EQ((*t)->Tokenize("Cafe\xCC\x81"), std::vector<std::string>{"Caf\xC3\xA9"});
  EXPECT_EQ((*t)->pad_id(), 0);
  EXPECT_EQ((*t)->cls_id(), 2);

  WordPieceOptions cased_stripped = cased;
  cased_stripped.strip_accents = true;
  t = WordPieceTokenizer::Create(vocab, "vocab.txt", cased_stripped);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->Tokenize("Caf\xC3\xA9"), std::vector<std::string>{"Cafe"});

  WordPieceOptions lower_keep_accents;
  lower_keep_accents.strip_accents = false;
  t = WordPieceTokenizer::Create(vocab, "vocab.txt", lower_keep_accents);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->Tokenize("CAF\xC3\x89"), std::vector<std::string>{"caf\xC3\xA9"});

  // CJK ideographs are words of their own unless tokenize_chinese_chars is off.
  t = WordPieceTokenizer::Create(vocab, "vocab.txt", {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->Tokenize("\xE4\xB8\xAD\xE6\x96\x87"),
            (std::vector<std::string>{"\xE4\xB8\xAD", "[UNK]"}));
  WordPieceOptions no_cjk;
  no_cjk.tokenize_chinese_chars = false;
  t = WordPieceTokenizer::Create(vocab, "vocab.txt", no_cjk);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->Tokenize("\xE4\xB8\xAD\xE6\x96\x87"),
            std::vector<std::string>{"\xE4\xB8\xAD\xE6\x96\x87"});
}

TEST(WordPieceVocabTest, LinesRepeatedTokensAndErrors) {
  // \r\n and \r end lines too; a repeated token keeps its last id; no trailing empty token.
  auto t = WordPieceTokenizer::Create("[UNK]\r\na\rb\na\n", "v.txt", {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->vocab_size(), 4);
  EXPECT_EQ((*t)->PieceToId("a"), 3);
  EXPECT_EQ((*t)->IdToPiece(1), "a");
  EXPECT_EQ((*t)->cls_id(), -1);
  EXPECT_EQ((*t)->Encode("a b", true), (std::vector<int32_t>{3, 2}));

  auto no_unk = WordPieceTokenizer::Create("a\nb\n", "dir/vocab.txt", {});
  ASSERT_FALSE(no_unk.ok());
  EXPECT_EQ(no_unk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_unk.status().message().find("dir/vocab.txt"), std::string::npos);
  EXPECT_NE(no_unk.status().message().find("[UNK]"), std::string::npos);

  auto bad_utf8 = WordPieceTokenizer::Create("[UNK]\n\xFF\n", "v.txt", {});
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_NE(bad_utf8.status().message().find("v.txt"), std::string::npos);

  auto missing = LoadWordPieceTokenizer("/no/such/vocab.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(UnicodeDataTest, AgreesWithPythonOnHardCases) {
  using unicode::DecodeUtf8;
  using unicode::EncodeUtf8;
  EXPECT_EQ(unicode::GeneralCategory(0x0301), "Mn");
  EXPECT_EQ(unicode::GeneralCategory(0x200B), "Cf");
  EXPECT_EQ(unicode::GeneralCategory(0x10FFFF), "Cn");
  EXPECT_EQ(unicode::GeneralCategory(0x3000), "Zs");
  EXPECT_EQ(unicode::CombiningClass(0x0301), 230);
  EXPECT_EQ(unicode::CombiningClass('a'), 0);
  // NFD orders marks by combining class; NFC recomposes; Hangul is algorithmic.
  EXPECT_EQ(EncodeUtf8(unicode::Nfd(DecodeUtf8("\xE1\xBB\x87"))), "e\xCC\xA3\xCC\x82");  // ệ
  EXPECT_EQ(EncodeUtf8(unicode::Nfc(DecodeUtf8("e\xCC\x82\xCC\xA3"))), "\xE1\xBB\x87");
  EXPECT_EQ(unicode::Nfd(U"\uD55C"), std::u32string(U"\u1112\u1161\u11AB"));
  EXPECT_EQ(unicode::Nfc(U"\u1112\u1161\u11AB"), std::u32string(U"\uD55C"));
  // Composition exclusions stay decomposed.
  EXPECT_EQ(unicode::Nfc(U"\u0915\u093C"), std::u32string(U"\u0915\u093C"));
  // NFKD: compatibility mappings, recursively.
  EXPECT_EQ(unicode::Nfkd(U"\uFB01\u00BD\u2460"), std::u32string(U"fi1\u20442"
                                                                 U"1"));
  std::u32string lower;
  unicode::AppendLower(0x0130, &lower);  // İ -> i + combining dot above
  unicode::AppendLower(0x03A3, &lower);  // Σ -> σ (no Final_Sigma context)
  EXPECT_EQ(lower, std::u32string(U"i\u0307\u03C3"));
  EXPECT_TRUE(unicode::IsPythonSpace(0x1F));
  EXPECT_TRUE(unicode::IsPythonSpace(0x2028));
  EXPECT_FALSE(unicode::IsPythonSpace(0x200B));
  EXPECT_TRUE(unicode::IsPythonDigit(0x00B2));
  EXPECT_TRUE(unicode::IsPythonDigit(0x0663));
  EXPECT_FALSE(unicode::IsPythonDigit(0x00BD));
  EXPECT_EQ(DecodeUtf8("a\xFF"), std::u32string(U"a\uFFFD"));
}

}  // namespace
}  // namespace augsweep

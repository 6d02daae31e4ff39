// XLNetTokenizer's rules around SentencePiece: preprocessing (remove_space, `` and '', NFKD with
// combining marks dropped, lower-casing), the digit-comma split, special tokens (split out of the
// text, <sep> <cls> at the end, <mask> eating the space on its left) and decoding. Hand-built
// models check each rule; the unigram-nfkc fixture checks them together against golden ids
// computed on top of the sentencepiece library (see its generate.py).
#include "common/tokenizers/xlnet_tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/unit/sentencepiece_model_builder.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::BuildSentencePieceModel;
using testing::ReadText;
using testing::TestModelSpec;
using testing::TestPiece;

const fs::path kUnigram = fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/unigram-nfkc";
constexpr const char* kSp = "\xE2\x96\x81";  // ▁

std::string Sp(const std::string& s) { return kSp + s; }

// XLNet's piece layout: <unk> <s> </s> <cls> <sep> <pad> <mask> <eod> <eop>, then `normal`.
std::unique_ptr<XlnetTokenizer> Xlnet(const std::vector<TestPiece>& normal,
                                      const XlnetOptions& options = {}) {
  TestModelSpec spec;
  spec.model_type = 1;
  spec.pieces = {{"<unk>", 0, 2},  {"<s>", 0, 3},   {"</s>", 0, 3},
                 {"<cls>", 0, 3},  {"<sep>", 0, 3}, {"<pad>", 0, 3},
                 {"<mask>", 0, 3}, {"<eod>", 0, 3}, {"<eop>", 0, 4}};
  spec.pieces.insert(spec.pieces.end(), normal.begin(), normal.end());
  auto model = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "spiece.model");
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return nullptr;
  auto t = XlnetTokenizer::Create(std::move(model).value(), options, "spiece.model");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// Scores chosen so that "10,", "00," and "0," come out as single pieces, and re-encoding "10",
// "00" and "0" gives "▁10", "▁" "00" and "▁0".
const std::vector<TestPiece> kNumberPieces = {
    {Sp(""), -3},      {Sp("1"), -2},    {Sp("10"), -1.5}, {"0", -4},     {"00", -1},
    {"1", -2.5},       {",", -2},        {"0,", -1},       {"00,", -1},   {Sp("10,"), -1},
    {Sp("x"), -1},     {Sp("0"), -0.5},  {Sp("a,"), -1},   {Sp("a"), -2}, {"a", -2},
    {"\xD9\xA1,", -1}, {"\xD9\xA1", -2}, {"b", -2},        {Sp("b"), -2}, {"x", -2}};

TEST(XlnetRulesTest, SpecialIdsFollowTheModel) {
  auto t = Xlnet(kNumberPieces);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->unk_id(), 0);
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
  EXPECT_EQ(t->cls_id(), 3);
  EXPECT_EQ(t->sep_id(), 4);
  EXPECT_EQ(t->pad_id(), 5);
  EXPECT_EQ(t->mask_id(), 6);
}

TEST(XlnetRulesTest, DigitCommaPiecesAreSplit) {
  auto t = Xlnet(kNumberPieces);
  ASSERT_NE(t, nullptr);
  using V = std::vector<std::string>;
  // "▁10," -> encode "10" again: "▁10" keeps its "▁" because the piece had one.
  EXPECT_EQ(t->Tokenize("10,"), (V{Sp("10"), ","}));
  // "00," without "▁": the re-encoding "▁ 00" loses its lone "▁".
  EXPECT_EQ(t->Tokenize("x00,"), (V{Sp("x"), "00", ","}));
  // "0," without "▁": the re-encoding "▁0" loses its leading "▁".
  EXPECT_EQ(t->Tokenize("x0,"), (V{Sp("x"), "0", ","}));
  // Not after a digit: kept.
  EXPECT_EQ(t->Tokenize("a,"), (V{Sp("a,")}));
  // Python's str.isdigit(): Arabic-Indic one counts.
  EXPECT_EQ(t->Tokenize("x\xD9\xA1,"), (V{Sp("x"), "\xD9\xA1", ","}));
  EXPECT_EQ(t->Encode("10,", false),
            (std::vector<int32_t>{t->PieceToId(Sp("10")), t->PieceToId(",")}));
}

TEST(XlnetRulesTest, Preprocessing) {
  XlnetOptions options;
  auto t = Xlnet(kNumberPieces, options);
  ASSERT_NE(t, nullptr);
  // remove_space: strip, and any run of Python whitespace -> one space.
  EXPECT_EQ(t->Preprocess("  a\xE3\x80\x80\xC2\xA0 b\x1f"), "a b");
  // `` and '' become ", before NFKD.
  EXPECT_EQ(t->Preprocess("``x'' '''"), "\"x\" \"'");
  // keep_accents = false: NFKD, then drop every combining character.
  EXPECT_EQ(t->Preprocess("caf\xC3\xA9 \xEF\xAC\x81 \xC3\x85 \xE2\x91\xA0"), "cafe fi A 1");
  EXPECT_EQ(t->Preprocess("\xE0\xA4\xB9\xE0\xA4\xBF"), "\xE0\xA4\xB9\xE0\xA4\xBF");  // ि is Mc

  options.keep_accents = true;
  options.remove_space = false;
  options.do_lower_case = true;
  t = Xlnet(kNumberPieces, options);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Preprocess(" Caf\xC3\x89  X"), " caf\xC3\xa9  x");
}

TEST(XlnetRulesTest, SpecialTokensAndLayout) {
  auto t = Xlnet(kNumberPieces);
  ASSERT_NE(t, nullptr);
  using V = std::vector<std::string>;
  EXPECT_EQ(t->Tokenize("a<cls>b <sep>"), (V{Sp("a"), "<cls>", Sp("b"), "<sep>"}));
  EXPECT_EQ(t->Tokenize("<eop><eod>x"), (V{"<eop>", "<eod>", Sp("x")}));
  EXPECT_EQ(t->Encode("a <mask>", false), (std::vector<int32_t>{t->PieceToId(Sp("a")), 6}));
  // XLNet appends <sep> <cls>.
  const std::vector<int32_t> ids = t->Encode("a b", true);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[2], 4);
  EXPECT_EQ(ids[3], 3);
  // Decoding: special tokens verbatim and without spaces around them; pieces joined with "▁"
  // as space and stripped.
  EXPECT_EQ(t->Decode(ids, false), "a b<sep><cls>");
  EXPECT_EQ(t->Decode(ids, true), "a b");
  EXPECT_EQ(t->Decode(t->Encode("a <mask> b", false), false), "a<mask>b");
  EXPECT_EQ(t->Decode(t->Encode("10, a", false), true), "10, a");
}

TEST(XlnetGoldenTest, MatchesReferenceIds) {
  auto t = LoadXlnetTokenizer((kUnigram / "spiece.model").string());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const json golden = json::parse(ReadText(kUnigram / "golden.json"));
  for (const auto& [token, id] : golden["special_ids"].items()) {
    EXPECT_EQ((*t)->PieceToId(token), id.get<int32_t>()) << token;
  }
  EXPECT_EQ((*t)->sep_id(), 4);
  EXPECT_EQ((*t)->cls_id(), 3);
  EXPECT_EQ((*t)->pad_id(), 5);
  ASSERT_GT(golden["xlnet_cases"].size(), 350u);
  for (const json& c : golden["xlnet_cases"]) {
    SCOPED_TRACE("text: " + c["text"].dump());
    const std::vector<int32_t> ids = c["ids_no_special"];
    EXPECT_EQ((*t)->Encode(c["text"].get<std::string>(), false), ids);
    std::vector<int32_t> with_special = ids;
    with_special.push_back(4);
    with_special.push_back(3);
    EXPECT_EQ((*t)->Encode(c["text"].get<std::string>(), true), with_special);
  }
}

}  // namespace
}  // namespace augsweep

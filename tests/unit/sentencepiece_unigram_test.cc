// SentencePiece unigram models and normalization tables:
//   * tests/fixtures/tokenizers/unigram-nfkc: a small unigram model trained with sentencepiece
//     0.1.97 in XLNet's layout (nmt_nfkc table, XLNet's control and user-defined symbols), and
//     that library's pieces, ids and decoded text for ~400 strings;
//   * hand-built models (sentencepiece_model_builder.h) for the rules one by one: Viterbi picks
//     the best total score (not the longest piece), ties, unknown characters, user-defined and
//     unused pieces, byte fallback;
//   * hand-built precompiled_charsmap tables: longest match, deletions, heading whitespace, and
//     damaged tables.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/tokenizers/precompiled_charsmap.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "tests/unit/sentencepiece_model_builder.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::BuildPrecompiledCharsMap;
using testing::BuildSentencePieceModel;
using testing::PiecesWithSpecials;
using testing::ReadText;
using testing::TestModelSpec;
using testing::TestPiece;
using Pieces = std::vector<std::pair<std::string, int32_t>>;

const fs::path kUnigram = fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/unigram-nfkc";
constexpr const char* kSp = "\xE2\x96\x81";  // ▁

std::string Sp(const std::string& s) { return kSp + s; }

std::unique_ptr<SentencePieceTokenizer> Unigram(const std::vector<TestPiece>& normal,
                                                bool byte_fallback = false,
                                                const std::string& charsmap = "") {
  TestModelSpec spec;
  spec.model_type = 1;
  spec.pieces = PiecesWithSpecials(normal, byte_fallback);
  spec.byte_fallback = byte_fallback;
  spec.charsmap = charsmap;
  auto t = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "unigram.model");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::vector<std::string> PieceStrings(const Pieces& pieces) {
  std::vector<std::string> out;
  for (const auto& p : pieces) out.push_back(p.first);
  return out;
}

TEST(UnigramGoldenTest, MatchesSentencePieceLibrary) {
  auto t = LoadSentencePieceTokenizer((kUnigram / "spiece.model").string());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const json golden = json::parse(ReadText(kUnigram / "golden.json"));
  EXPECT_EQ((*t)->model().normalizer_name, "nmt_nfkc");
  EXPECT_FALSE((*t)->model().precompiled_charsmap.empty());
  EXPECT_EQ((*t)->unk_id(), 0);
  EXPECT_EQ((*t)->PieceToId("<cls>"), 3);
  EXPECT_EQ((*t)->PieceToId(Sp("")), 17);
  ASSERT_GT(golden["cases"].size(), 350u);
  for (const json& c : golden["cases"]) {
    const std::string text = c["text"];
    SCOPED_TRACE("text: " + c["text"].dump());
    const Pieces pieces = (*t)->EncodePieces(text);
    EXPECT_EQ(PieceStrings(pieces), c["pieces"].get<std::vector<std::string>>());
    const std::vector<int32_t> ids = c["ids"];
    EXPECT_EQ((*t)->Encode(text, false), ids);
    EXPECT_EQ((*t)->Decode(ids, true), c["decoded"].get<std::string>());
  }
}

TEST(UnigramViterbiTest, PicksTheBestTotalScoreNotTheLongestPiece) {
  auto t = Unigram({{Sp(""), -2},
                    {Sp("ab"), -3},
                    {Sp("a"), -1},
                    {"b", -1},
                    {"a", -4},
                    {"c", -5},
                    {"abc", -20},
                    {Sp("abc"), -7.5}});
  ASSERT_NE(t, nullptr);
  // ▁a b c = -7 beats ▁abc = -7.5, ▁ab c = -8 and ▁ abc = -22.
  EXPECT_EQ(PieceStrings(t->EncodePieces("abc")), (std::vector<std::string>{Sp("a"), "b", "c"}));
  // ▁a b = -2 beats ▁ab = -3.
  EXPECT_EQ(PieceStrings(t->EncodePieces("ab")), (std::vector<std::string>{Sp("a"), "b"}));
  EXPECT_EQ(t->Encode("ab c", false),
            (std::vector<int32_t>{t->PieceToId(Sp("a")), t->PieceToId("b"), t->PieceToId(Sp("")),
                                  t->PieceToId("c")}));
}

TEST(UnigramViterbiTest, TiesGoToThePathWhoseLastPieceStartsFirst) {
  auto t = Unigram({{Sp("p"), -2}, {"q", -2}, {Sp(""), -2}, {"pq", -2}});
  ASSERT_NE(t, nullptr);
  // ▁p q and ▁ pq both score -4; "pq" starts before "q", so it is found first and kept.
  EXPECT_EQ(PieceStrings(t->EncodePieces("pq")), (std::vector<std::string>{Sp(""), "pq"}));
}

TEST(UnigramViterbiTest, UnknownCharactersScoreMinMinusTenAndMerge) {
  auto t = Unigram({{Sp(""), -2}, {"a", -1}, {"xy", -25}, {"z", -3}});
  ASSERT_NE(t, nullptr);
  // "é" and "ü" start no piece: one <unk> each (min score -25, minus 10), merged into one piece
  // whose text is the normalized text it covers.
  const Pieces pieces = t->EncodePieces(
      "a\xC3\xA9\xC3\xBC"
      "a");
  EXPECT_EQ(pieces, (Pieces{{Sp(""), 3}, {"a", 4}, {"\xC3\xA9\xC3\xBC", 0}, {"a", 4}}));
  EXPECT_EQ(t->Encode("a\xC3\xA9\xC3\xBC"
                      "a",
                      false),
            (std::vector<int32_t>{3, 4, 0, 4}));
  // A multi-character piece spans characters that have no piece of their own: xy (-25) beats
  // <unk><unk> (-70).
  EXPECT_EQ(PieceStrings(t->EncodePieces("xy")), (std::vector<std::string>{Sp(""), "xy"}));
  // Unknown between known: x alone is <unk> even though "xy" exists.
  EXPECT_EQ(t->EncodePieces("xz"), (Pieces{{Sp(""), 3}, {"x", 0}, {"z", 6}}));
  EXPECT_EQ(t->Decode(t->Encode("xz", false), true), " \xE2\x81\x87 z");
}

TEST(UnigramViterbiTest, UserDefinedPiecesWinAndUnusedPiecesAreSkipped) {
  auto t = Unigram({{Sp(""), -2},
                    {"x", -1},
                    {"y", -1},
                    {"z", -1},
                    {"xyz", 0, 4},       // user-defined: scores 3 * FLT_MIN - 0.1
                    {Sp("q"), -0.5, 5},  // unused: never produced
                    {"q", -1}});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(PieceStrings(t->EncodePieces("xyzx")), (std::vector<std::string>{Sp(""), "xyz", "x"}));
  EXPECT_EQ(PieceStrings(t->EncodePieces("q")), (std::vector<std::string>{Sp(""), "q"}));
}

TEST(UnigramViterbiTest, ByteFallbackSpellsUnknownCharactersAsBytes) {
  auto t = Unigram({{Sp(""), -2}, {"a", -1}}, /*byte_fallback=*/true);
  ASSERT_NE(t, nullptr);
  const Pieces pieces = t->EncodePieces("a\xC3\xA9");
  EXPECT_EQ(PieceStrings(pieces), (std::vector<std::string>{Sp(""), "a", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(pieces[2].second, 3 + 0xC3);  // after <unk> <s> </s>
  EXPECT_EQ(t->Decode(t->Encode("a\xC3\xA9", false), true), "a\xC3\xA9");
}

TEST(PrecompiledCharsMapTest, LongestRuleWinsAndReplacementsMayBeEmpty) {
  const std::string blob = BuildPrecompiledCharsMap(
      {{"ab", "X"}, {"abc", "Y"}, {"\xEF\xBC\xA1", "A"}, {"\xE2\x80\x8B", ""}});
  auto map = PrecompiledCharsMap::Parse(blob);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  std::vector<std::pair<size_t, uint32_t>> found;
  map->CommonPrefixSearch(
      "abcd", [&](size_t length, uint32_t value) { found.emplace_back(length, value); });
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].first, 2u);
  EXPECT_EQ(found[1].first, 3u);
  EXPECT_EQ(map->LongestMatch("abcd"), (std::pair<std::string_view, size_t>{"Y", 3}));
  EXPECT_EQ(map->LongestMatch("abd"), (std::pair<std::string_view, size_t>{"X", 2}));
  EXPECT_EQ(map->LongestMatch("a"), (std::pair<std::string_view, size_t>{"", 0}));
  EXPECT_EQ(map->LongestMatch("\xEF\xBC\xA1!"), (std::pair<std::string_view, size_t>{"A", 3}));
  EXPECT_EQ(map->LongestMatch("\xE2\x80\x8Bx"), (std::pair<std::string_view, size_t>{"", 3}));
  EXPECT_EQ(map->LongestMatch(std::string_view("\0a", 2)),
            (std::pair<std::string_view, size_t>{"", 0}));
  EXPECT_EQ(map->LongestMatch(""), (std::pair<std::string_view, size_t>{"", 0}));
}

TEST(PrecompiledCharsMapTest, NormalizerAppliesTheTable) {
  const std::string charsmap = BuildPrecompiledCharsMap({{"\xEF\xBC\xA1", "A"},   // Ａ
                                                         {"\xEF\xAC\x81", "fi"},  // ﬁ
                                                         {"\t", " "},
                                                         {"\xC2\xA0", " "},     // NBSP
                                                         {"\xE2\x80\x8B", ""},  // ZWSP
                                                         {"ab", "X"},
                                                         {"abc", "Y"},
                                                         {"\xE2\x91\xA0", " 1 "}});  // ①
  auto t = Unigram({{Sp(""), -2}, {"A", -1}, {"f", -1}, {"i", -1}}, false, charsmap);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Normalize("\xEF\xBC\xA1\xEF\xAC\x81\tabcd ab"), Sp("Afi") + Sp("Yd") + Sp("X"));
  // Text that normalizes to a space is dropped at the start; runs of spaces collapse, also
  // when they come from the table; a deletion leaves nothing.
  EXPECT_EQ(t->Normalize("\t\xC2\xA0q\xE2\x80\x8Br\t\t"), Sp("qr"));
  EXPECT_EQ(t->Normalize("x \xE2\x91\xA0 y"), Sp("x") + Sp("1") + Sp("y"));
  EXPECT_EQ(t->Normalize("\t"), "");
  EXPECT_EQ(PieceStrings(t->EncodePieces("\xEF\xAC\x81")),
            (std::vector<std::string>{Sp(""), "f", "i"}));
}

TEST(PrecompiledCharsMapTest, DamagedTablesFailToLoadOrMatchNothing) {
  EXPECT_EQ(PrecompiledCharsMap::Parse("abc").status().code(), StatusCode::kDataLoss);
  // A header claiming more trie bytes than the blob holds.
  EXPECT_EQ(PrecompiledCharsMap::Parse(std::string("\xFF\x00\x00\x00xxxx", 8)).status().code(),
            StatusCode::kDataLoss);
  TestModelSpec spec;
  spec.model_type = 1;
  spec.pieces = PiecesWithSpecials({{"a", -1}}, false);
  spec.charsmap = std::string(64, 'x');
  auto bad = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "bad.model");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("bad.model"), std::string::npos);

  // Replacements cut off: the trie still points past the end, which reads as "no rule".
  std::string blob = BuildPrecompiledCharsMap({{"a", "LONG REPLACEMENT"}});
  blob.resize(blob.size() - 5);
  auto cut = PrecompiledCharsMap::Parse(blob);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->LongestMatch("a"), (std::pair<std::string_view, size_t>{"", 0}));
  // Trie units cut off (header adjusted): lookups stay inside the blob.
  std::string units_cut = BuildPrecompiledCharsMap({{"a", "b"}}).substr(0, 4 + 300 * 4);
  units_cut[0] = static_cast<char>((299 * 4) & 0xFF);
  units_cut[1] = static_cast<char>((299 * 4) >> 8);
  auto small = PrecompiledCharsMap::Parse(units_cut);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->LongestMatch("a").second, 0u);
}

}  // namespace
}  // namespace augsweep

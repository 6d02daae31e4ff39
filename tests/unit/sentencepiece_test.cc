// SentencePiece BPE tokenizer (common/tokenizers/sentencepiece_*.h) against golden data:
//   * Meta's Llama 2 tokenizer.model with ids from sentencepiece 0.1.97 and HF LlamaTokenizer
//     (read from ../shared/fixtures, never copied here because of its licence; skipped if absent);
//   * llama2.c's stories260K tokenizer (tests/fixtures/hf-real/stories260K) with llama2.c's ids
//     and texts;
//   * small hand-built models for features the real ones lack, with expectations produced by
//     sentencepiece 0.1.97 (Debian python3-sentencepiece) on the same model bytes;
//   * broken files, which must give errors, never crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "common/tokenizers/sentencepiece_model.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "common/tokenizers/tokenizer.h"
#include "tests/unit/sentencepiece_model_builder.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using testing::BuildSentencePieceModel;
using testing::PiecesWithSpecials;
using testing::TestModelSpec;
using testing::TestPiece;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;
const fs::path kStories = kFixtures / "hf-real/stories260K";
const fs::path kLlama2 =
    fs::path(AUGSWEEP_SOURCE_DIR) / "../shared/fixtures/tokenizers/llama2-sentencepiece";

nlohmann::json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<int32_t> Ids(const nlohmann::json& j) { return j.get<std::vector<int32_t>>(); }

std::unique_ptr<SentencePieceTokenizer> MustLoad(const fs::path& path) {
  auto t = LoadSentencePieceTokenizer(path.string());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::unique_ptr<SentencePieceTokenizer> MustBuild(const TestModelSpec& spec) {
  auto t = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "test.model");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// ------------------------------------------------------------------------------ Llama 2

class Llama2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kLlama2 / "tokenizer.model")) {
      GTEST_SKIP() << "Llama 2 tokenizer fixture not found at " << kLlama2.string()
                   << " (it lives in ../shared/fixtures and is not copied into this repository "
                      "because of the Llama 2 licence)";
    }
    tok_ = MustLoad(kLlama2 / "tokenizer.model");
    ASSERT_NE(tok_, nullptr);
    golden_ = ReadJson(kLlama2 / "golden.json");
  }
  std::unique_ptr<SentencePieceTokenizer> tok_;
  nlohmann::json golden_;
};

TEST_F(Llama2Test, ModelHeader) {
  EXPECT_EQ(tok_->vocab_size(), 32000);
  EXPECT_EQ(tok_->unk_id(), 0);
  EXPECT_EQ(tok_->bos_id(), 1);
  EXPECT_EQ(tok_->eos_id(), 2);
  EXPECT_EQ(tok_->pad_id(), -1);
  EXPECT_EQ(tok_->model().model_type, SentencePieceModel::ModelType::kBpe);
  EXPECT_TRUE(tok_->model().byte_fallback);
  EXPECT_FALSE(tok_->model().remove_extra_whitespaces);
  EXPECT_EQ(tok_->IdToPiece(15043), "\xE2\x96\x81Hello");
  EXPECT_EQ(tok_->PieceToId("\xE2\x96\x81Hello"), 15043);
  EXPECT_EQ(tok_->PieceToId("<0x0A>"), 13);
  EXPECT_EQ(tok_->PieceToId("no such piece"), -1);
}

TEST_F(Llama2Test, GoldenCases) {
  ASSERT_EQ(golden_["cases"].size(), 36u);
  for (const auto& c : golden_["cases"]) {
    const std::string text = c["text"];
    SCOPED_TRACE(c["text"].dump());
    const std::vector<int32_t> ids = tok_->Encode(text, false);
    EXPECT_EQ(ids, Ids(c["ids"]));
    EXPECT_EQ(tok_->Encode(text, true), Ids(c["hf_llama_tokenizer_slow_ids"]));
    EXPECT_EQ(tok_->Decode(Ids(c["ids"]), true), c["decoded"].get<std::string>());
    std::vector<std::string> pieces;
    for (int32_t id : ids) pieces.push_back(tok_->IdToPiece(id));
    EXPECT_EQ(pieces, c["pieces"].get<std::vector<std::string>>());
  }
}

TEST_F(Llama2Test, LlamaCppTestVectors) {
  const auto& cases = golden_["llamacpp_test_vectors"]["cases"];
  ASSERT_EQ(cases.size(), 46u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["text"].dump());
    EXPECT_EQ(tok_->Encode(c["text"].get<std::string>(), false), Ids(c["llamacpp_reference_ids"]));
  }
}

TEST_F(Llama2Test, SpecialTokenTextOnlySplitWithAddSpecial) {
  // sp.encode treats "<s>" as text; LlamaTokenizer(legacy=True) splits it out, and encodes the
  // text around it separately, each part with its own dummy prefix.
  EXPECT_EQ(tok_->Encode("<s>", false), (std::vector<int32_t>{529, 29879, 29958}));
  EXPECT_EQ(tok_->Encode("<s>", true), (std::vector<int32_t>{1, 1}));
  EXPECT_EQ(tok_->Encode("a</s>b", true), (std::vector<int32_t>{1, 263, 2, 289}));
  // Decoding: control tokens vanish with skip_special, else print as their text.
  EXPECT_EQ(tok_->Decode({1, 15043, 2}, true), "Hello");
  EXPECT_EQ(tok_->Decode({1, 15043, 2}, false), "<s> Hello</s>");
  EXPECT_EQ(tok_->Decode({0}, true), " \xE2\x81\x87 ");  // <unk> -> " ⁇ "
  EXPECT_EQ(tok_->Decode({0}, false), "<unk>");
}

TEST_F(Llama2Test, ByteFallbackDecodeRepairsBadBytes) {
  // <0xE4><0xB8> is a truncated 3-byte sequence: SentencePiece prints U+FFFD per byte.
  EXPECT_EQ(tok_->Decode({231, 187, 15043}, true), "\xEF\xBF\xBD\xEF\xBF\xBD Hello");
  EXPECT_EQ(tok_->Decode({231, 187, 176}, true), "\xE4\xB8\xAD");  // 中
  // Streaming returns the raw bytes; together they form the character.
  EXPECT_EQ(tok_->DecodePiece(-1, 231) + tok_->DecodePiece(231, 187) + tok_->DecodePiece(187, 176),
            "\xE4\xB8\xAD");
  EXPECT_EQ(tok_->DecodePiece(1, 15043), "Hello");  // after BOS: dummy prefix dropped
  EXPECT_EQ(tok_->DecodePiece(3186, 15043), " Hello");
  EXPECT_EQ(tok_->DecodePiece(15043, 2), "");
}

// ------------------------------------------------------------------------------ stories260K

TEST(Stories260KTokenizerTest, PromptIdsAndTextsFromLlama2c) {
  auto tok = MustLoad(kStories / "tokenizer.model");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->vocab_size(), 512);
  EXPECT_EQ(tok->bos_id(), 1);
  EXPECT_EQ(tok->eos_id(), 2);
  EXPECT_TRUE(tok->model().remove_extra_whitespaces);
  const nlohmann::json golden = ReadJson(kStories / "golden.json");
  ASSERT_EQ(golden["cases"].size(), 6u);
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["prompt"].dump());
    const std::vector<int32_t> prompt = Ids(c["prompt_ids"]);
    EXPECT_EQ(tok->Encode(c["prompt"].get<std::string>(), true), prompt);
    std::vector<std::string> pieces;
    for (int32_t id : prompt) pieces.push_back(tok->IdToPiece(id));
    EXPECT_EQ(pieces, c["prompt_pieces"].get<std::vector<std::string>>());

    const std::vector<int32_t> continuation = Ids(c["greedy_continuation_ids"]);
    std::vector<int32_t> all = prompt;
    all.insert(all.end(), continuation.begin(), continuation.end());
    EXPECT_EQ(tok->Decode(all, true), c["text"].get<std::string>());
    EXPECT_EQ(tok->Decode(continuation, true), c["continuation_decoded_alone"].get<std::string>());
    // Streaming after the prompt gives the continuation as llama2.c prints it.
    std::string streamed;
    int32_t previous = prompt.back();
    for (int32_t id : continuation) {
      streamed += tok->DecodePiece(previous, id);
      previous = id;
    }
    EXPECT_EQ(streamed, c["continuation_text"].get<std::string>());
  }
}

TEST(Stories260KTokenizerTest, RemovesExtraWhitespaceLikeSentencePiece) {
  // fixtures README "tokenizer_whitespace_divergence": SentencePiece (not llama2.c) collapses.
  auto tok = MustLoad(kStories / "tokenizer.model");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->Encode("Once  upon a time", true), (std::vector<int32_t>{1, 403, 407, 261, 378}));
  EXPECT_EQ(tok->Encode("  Once upon a time  ", true),
            (std::vector<int32_t>{1, 403, 407, 261, 378}));
  EXPECT_EQ(tok->Normalize("  a  b "),
            "\xE2\x96\x81"
            "a"
            "\xE2\x96\x81"
            "b");
  EXPECT_EQ(tok->Encode("   ", true), (std::vector<int32_t>{1}));
}

TEST(Stories260KTokenizerTest, LoadTokenizerPrefersTokenizerModelInAFolder) {
  auto tok = LoadTokenizer(kStories.string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  EXPECT_NE(dynamic_cast<const SentencePieceTokenizer*>(tok->get()), nullptr);
  EXPECT_EQ((*tok)->Encode("Zoo", true), (std::vector<int32_t>{1, 410, 469, 347}));
}

// ------------------------------------------------------------------------------ hand-built models

// Pieces after <unk>=0 <s>=1 </s>=2 (and, with byte pieces, 256 of them first).
std::vector<TestPiece> ToyPieces() {
  return {{"\xE2\x96\x81", -1},
          {"a", -2},
          {"b", -3},
          {"c", -4},
          {"\xE2\x96\x81"
           "a",
           -5},
          {"ab", -1.5},
          {"abc", -0.5, 5 /*unused*/},
          {"\xE2\x96\x81"
           "ab",
           -6},
          {"bc", -2.5},
          {"<sep>", 0, 4 /*user-defined*/},
          {"\xE2\x96\x81\xE2\x96\x81", -7},
          {"ca", -2.5}};
}

// Expected values below were produced by sentencepiece 0.1.97 on the same model bytes.
TEST(SentencePieceToyModelTest, NoByteFallbackUnusedAndUserDefinedPieces) {
  TestModelSpec spec;
  spec.pieces = PiecesWithSpecials(ToyPieces(), false);
  auto tok = MustBuild(spec);
  ASSERT_NE(tok, nullptr);
  using V = std::vector<int32_t>;
  EXPECT_EQ(tok->Encode("ab", false), (V{10}));
  // "abc" scores best but is unused: it is split back into "ab" + "c".
  EXPECT_EQ(tok->Encode("abc", false), (V{3, 8, 6}));
  EXPECT_EQ(tok->Encode("abcabc", false), (V{3, 8, 6, 8, 6}));
  EXPECT_EQ(tok->Encode("a b  c", false), (V{7, 3, 5, 3, 6}));
  // A run of unknown characters is one <unk>.
  EXPECT_EQ(tok->Encode("xyz ab", false), (V{3, 0, 10}));
  EXPECT_EQ(tok->Encode("x y", false), (V{3, 0, 3, 0}));
  EXPECT_EQ(tok->Encode("a\xC3\xA9", false), (V{7, 0}));
  // User-defined pieces are matched whole, never merged.
  EXPECT_EQ(tok->Encode("a<sep>b", false), (V{7, 12, 5}));
  EXPECT_EQ(tok->Encode("  ab  ", false), (V{10}));
  EXPECT_EQ(tok->Encode("   ", false), (V{}));
  EXPECT_EQ(tok->Encode("cab", false), (V{3, 6, 8}));
  EXPECT_EQ(tok->Decode({3, 0, 10}, true), " \xE2\x81\x87  ab");
  EXPECT_EQ(tok->Decode({1, 3, 0, 0, 2}, true), " \xE2\x81\x87  \xE2\x81\x87 ");
  // remove_extra_whitespaces: every leading "▁" goes, not only the first.
  EXPECT_EQ(tok->Decode({3, 7}, true), "a");
  EXPECT_EQ(tok->pad_id(), -1);
}

TEST(SentencePieceToyModelTest, ByteFallbackWithoutWhitespaceRemoval) {
  TestModelSpec spec;
  spec.pieces = PiecesWithSpecials(ToyPieces(), true);
  spec.byte_fallback = true;
  spec.remove_extra_whitespaces = false;
  auto tok = MustBuild(spec);
  ASSERT_NE(tok, nullptr);
  using V = std::vector<int32_t>;
  EXPECT_EQ(tok->Encode("a b  c", false), (V{263, 259, 261, 269, 262}));
  EXPECT_EQ(tok->Encode("xyz ab", false), (V{259, 123, 124, 125, 266}));
  EXPECT_EQ(tok->Encode("  ab  ", false), (V{269, 266, 269}));
  EXPECT_EQ(tok->Encode("   ", false), (V{269, 269}));
  EXPECT_EQ(tok->Encode("a\xC3\xA9", false), (V{263, 198, 172}));
  EXPECT_EQ(tok->Decode({259, 263}, true), " a");
  EXPECT_EQ(tok->Decode({263, 198, 172}, true), "a\xC3\xA9");
}

TEST(SentencePieceToyModelTest, NoDummyPrefix) {
  TestModelSpec spec;
  spec.pieces = PiecesWithSpecials(ToyPieces(), false);
  spec.add_dummy_prefix = false;
  spec.remove_extra_whitespaces = false;
  auto tok = MustBuild(spec);
  ASSERT_NE(tok, nullptr);
  using V = std::vector<int32_t>;
  EXPECT_EQ(tok->Encode("ab", false), (V{8}));
  EXPECT_EQ(tok->Encode("  ab  ", false), (V{3, 10, 13}));
  EXPECT_EQ(tok->Encode("xy", false), (V{0}));
  EXPECT_EQ(tok->Decode({7, 4, 4}, true), " aaa");  // no dummy prefix: the space stays
}

// ------------------------------------------------------------------------------ bad files

TEST(SentencePieceBadFilesTest, EmptyTruncatedAndGarbageAreErrors) {
  const std::string good = ReadBytes(kStories / "tokenizer.model");
  ASSERT_GT(good.size(), 1000u);
  auto load = [](const std::string& bytes) {
    return SentencePieceTokenizerFromBytes(bytes, "x.model");
  };

  auto empty = load("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(empty.status().message().find("x.model"), std::string::npos);

  // Every strict prefix fails with DataLoss: cut inside a piece, a spec or a varint, or between
  // fields (the specs after the pieces are then missing).
  for (size_t cut = 1; cut < good.size(); cut += (cut < 64 ? 1 : 97)) {
    auto t = load(good.substr(0, cut));
    ASSERT_FALSE(t.ok()) << cut;
    EXPECT_EQ(t.status().code(), StatusCode::kDataLoss) << t.status().ToString();
  }
  auto truncated = load(good.substr(0, good.size() - 1));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("runs past the end"), std::string::npos)
      << truncated.status().ToString();

  std::mt19937 rng(42);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bytes(1 + rng() % 2000, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    auto t = load(bytes);
    if (t.ok()) {  // astronomically unlikely; then it must still work
      (*t)->Decode((*t)->Encode("hello", true), true);
    }
  }
  // A real model with random bytes flipped: error or a usable tokenizer, never a crash.
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes = good;
    for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    auto t = load(bytes);
    if (t.ok()) (*t)->Decode((*t)->Encode("Once upon a time, 123 \xF0\x9F\x98\x80", true), true);
  }
}

TEST(SentencePieceBadFilesTest, InconsistentModelsAreInvalidArgument) {
  using testing::ProtoBytes;
  // A well-formed message without pieces.
  auto no_pieces = SentencePieceTokenizerFromBytes(ProtoBytes(2, ""), "x.model");
  ASSERT_FALSE(no_pieces.ok());
  EXPECT_EQ(no_pieces.status().code(), StatusCode::kInvalidArgument);

  TestModelSpec spec;
  spec.pieces = {{"a", 0, 1}, {"b", 0, 1}};  // no <unk>
  auto no_unk = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "x.model");
  ASSERT_FALSE(no_unk.ok());
  EXPECT_NE(no_unk.status().message().find("UNKNOWN"), std::string::npos);

  spec.pieces = PiecesWithSpecials({{"a", 0}, {"a", -1}}, false);
  auto duplicate = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "x.model");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("defined twice"), std::string::npos);

  spec.pieces = PiecesWithSpecials({{"a", 0}}, true);  // byte pieces without byte_fallback
  auto bytes_off = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "x.model");
  ASSERT_FALSE(bytes_off.ok());
  EXPECT_NE(bytes_off.status().message().find("byte_fallback"), std::string::npos);

  // Wrong wire type for a known field.
  auto wrong_type = SentencePieceTokenizerFromBytes(testing::ProtoInt(1, 5), "x.model");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(wrong_type.status().message().find("pieces"), std::string::npos);
}

TEST(SentencePieceBadFilesTest, UnsupportedModelsAreUnimplemented) {
  TestModelSpec spec;
  spec.pieces = PiecesWithSpecials(ToyPieces(), false);
  spec.model_type = 3;  // WORD
  auto word = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "spiece.model");
  ASSERT_FALSE(word.ok());
  EXPECT_EQ(word.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(word.status().message().find("WORD"), std::string::npos);
  EXPECT_NE(word.status().message().find("spiece.model"), std::string::npos);

  // A normalization table that is not one (its header gives an impossible size) is DataLoss;
  // real tables are covered by sentencepiece_unigram_test.cc.
  spec.model_type = 2;
  spec.charsmap = std::string(64, 'x');
  auto nfkc = SentencePieceTokenizerFromBytes(BuildSentencePieceModel(spec), "t.model");
  ASSERT_FALSE(nfkc.ok());
  EXPECT_EQ(nfkc.status().code(), StatusCode::kDataLoss);

  // Later occurrences of a message field merge into earlier ones, as in protobuf: appending a
  // trainer_spec with model_type CHAR to the BPE stories model turns it into a char model.
  const std::string stories = ReadBytes(kStories / "tokenizer.model");
  auto merged = SentencePieceTokenizerFromBytes(
      stories + testing::ProtoBytes(2, testing::ProtoInt(3, 4)), "merged.model");
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), StatusCode::kUnimplemented);
  // ... and with UNIGRAM it loads as a unigram model over the same pieces.
  auto unigram = SentencePieceTokenizerFromBytes(
      stories + testing::ProtoBytes(2, testing::ProtoInt(3, 1)), "merged.model");
  ASSERT_TRUE(unigram.ok()) << unigram.status().ToString();
  EXPECT_EQ((*unigram)->model().model_type, SentencePieceModel::ModelType::kUnigram);
}

TEST(SentencePieceBadFilesTest, MissingFileIsNotFound) {
  auto t = LoadSentencePieceTokenizer("/no/such/dir/tokenizer.model");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("/no/such/dir/tokenizer.model"), std::string::npos);
}

}  // namespace
}  // namespace augsweep

// Byte-level BPE (common/tokenizers/byte_level_bpe.h, tokenizer_json.h) against GPT-2's files with
// golden ids from transformers' slow GPT2Tokenizer and llama.cpp's test vectors (which came from
// the HF fast tokenizer), the same vocabulary re-packed as tokenizer.json in GPT-2 and Llama 3
// layouts, the pre-tokenizer regexes against Python's `regex`, and tiny hand-written
// tokenizer.json files for added-token flags and for what must be rejected.
#include "common/tokenizers/byte_level_bpe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "common/tokenizers/pretokenizer_regex.h"
#include "common/tokenizers/tokenizer.h"
#include "common/tokenizers/tokenizer_json.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using V = std::vector<int32_t>;

using testing::Gpt2TokenizerJson;
using testing::kGpt2;
using testing::ReadText;
using testing::TempDir;

V Ids(const json& j) { return j.get<V>(); }

std::unique_ptr<ByteLevelBpeTokenizer> Gpt2(const ByteLevelBpeOptions& options = {}) {
  auto t = LoadByteLevelBpeFromVocabAndMerges((kGpt2 / "vocab.json").string(),
                                              (kGpt2 / "merges.txt").string(), options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// ------------------------------------------------------------------------------ GPT-2 golden

TEST(Gpt2BpeTest, GoldenCasesLikeTheSlowTokenizer) {
  auto tok = Gpt2();
  ByteLevelBpeOptions prefix_options;
  prefix_options.add_prefix_space = true;
  auto prefixed = Gpt2(prefix_options);
  ByteLevelBpeOptions cleanup_options;
  cleanup_options.clean_up_tokenization_spaces = true;
  auto cleanup = Gpt2(cleanup_options);
  ASSERT_TRUE(tok && prefixed && cleanup);
  EXPECT_EQ(tok->vocab_size(), 50257);
  EXPECT_EQ(tok->bos_id(), 50256);
  EXPECT_EQ(tok->eos_id(), 50256);
  EXPECT_EQ(tok->pad_id(), -1);

  const json golden = json::parse(ReadText(kGpt2 / "golden.json"));
  ASSERT_EQ(golden["cases"].size(), 36u);
  for (const auto& c : golden["cases"]) {
    const std::string text = c["text"];
    SCOPED_TRACE(c["text"].dump());
    const V ids = tok->Encode(text, false);
    EXPECT_EQ(ids, Ids(c["ids"]));
    EXPECT_EQ(tok->Encode(text, true), Ids(c["ids"]));  // GPT-2 adds no special tokens
    EXPECT_EQ(prefixed->Encode(text, false), Ids(c["ids_add_prefix_space"]));
    std::vector<std::string> tokens;
    for (int32_t id : ids) tokens.push_back(tok->IdToPiece(id));
    EXPECT_EQ(tokens, c["tokens"].get<std::vector<std::string>>());
    // transformers' decode applies clean_up_tokenization_spaces; ours does only when asked.
    EXPECT_EQ(cleanup->Decode(Ids(c["ids"]), false), c["decoded"].get<std::string>());
    EXPECT_EQ(tok->Decode(Ids(c["ids"]), false), text);
  }
}

TEST(Gpt2BpeTest, LlamaCppTestVectors) {
  auto tok = Gpt2();
  ASSERT_NE(tok, nullptr);
  const json golden = json::parse(ReadText(kGpt2 / "golden.json"));
  const auto& cases = golden["llamacpp_test_vectors"]["cases"];
  ASSERT_EQ(cases.size(), 46u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c["text"].dump());
    const std::string text = c["text"];
    EXPECT_EQ(tok->Encode(text, false), Ids(c["llamacpp_reference_ids"]));
    EXPECT_EQ(tok->Decode(tok->Encode(text, false), false), text);
  }
}

TEST(Gpt2BpeTest, SpecialTokenTextAndDecoding) {
  auto tok = Gpt2();
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->Encode("a<|endoftext|>b", false), (V{64, 50256, 65}));
  EXPECT_EQ(tok->Decode({64, 50256, 65}, true), "ab");
  EXPECT_EQ(tok->Decode({64, 50256, 65}, false), "a<|endoftext|>b");
  EXPECT_EQ(tok->PieceToId("\xC4\xA0Hello"), 18435);  // "ĠHello"
  EXPECT_EQ(tok->PieceToId("<|endoftext|>"), 50256);
  EXPECT_EQ(tok->PieceToId("not a token"), -1);
  // A token holding part of a character: streaming returns its raw bytes, Decode repairs them.
  const V ids = tok->Encode("\xE6\x96\x87", false);  // 文 = two tokens
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(tok->DecodePiece(-1, ids[0]) + tok->DecodePiece(ids[0], ids[1]), "\xE6\x96\x87");
  EXPECT_EQ(tok->Decode({ids[0]}, false), "\xEF\xBF\xBD");  // one maximal bad subsequence
  EXPECT_EQ(tok->DecodePiece(-1, 50256), "");
  EXPECT_EQ(tok->Decode({-1, 99999999, 64}, false), "a");  // out-of-range ids are skipped
}

TEST(Gpt2BpeTest, LoadTokenizerFindsVocabAndMerges) {
  for (const fs::path& path : {kGpt2, kGpt2 / "vocab.json"}) {
    auto tok = LoadTokenizer(path.string());
    ASSERT_TRUE(tok.ok()) << tok.status().ToString();
    EXPECT_EQ((*tok)->Encode("Hello world", true), (V{15496, 995}));
  }
  TempDir dir;
  dir.Write("vocab.json", ReadText(kGpt2 / "vocab.json"));
  auto missing_merges = LoadTokenizer(dir.path().string());
  ASSERT_FALSE(missing_merges.ok());
  EXPECT_EQ(missing_merges.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing_merges.status().message().find("merges.txt"), std::string::npos);
}

// ------------------------------------------------------------------------------ tokenizer.json

TEST(TokenizerJsonTest, Gpt2LayoutMatchesTheGoldenIds) {
  auto tok = ByteLevelBpeFromTokenizerJson(Gpt2TokenizerJson(false).dump(), "gpt2/tokenizer.json");
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  const json golden = json::parse(ReadText(kGpt2 / "golden.json"));
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["text"].dump());
    EXPECT_EQ((*tok)->Encode(c["text"].get<std::string>(), false), Ids(c["ids"]));
  }
  for (const auto& c : golden["llamacpp_test_vectors"]["cases"]) {
    SCOPED_TRACE(c["text"].dump());
    EXPECT_EQ((*tok)->Encode(c["text"].get<std::string>(), false),
              Ids(c["llamacpp_reference_ids"]));
  }
  // The fast tokenizer's add_prefix_space adds a space only where there is none.
  ByteLevelBpeOptions options;
  options.add_prefix_space = true;
  auto prefixed = ByteLevelBpeFromTokenizerJson(Gpt2TokenizerJson(false).dump(), "t.json", options);
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ((*prefixed)->Encode("Hello world", false), (V{18435, 995}));
  EXPECT_EQ((*prefixed)->Encode(" Hello world", false), (V{18435, 995}));
}

TEST(TokenizerJsonTest, Llama3LayoutAddsTheTemplateBos) {
  auto tok = ByteLevelBpeFromTokenizerJson(Gpt2TokenizerJson(true).dump(), "llama3-like.json");
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  EXPECT_EQ((*tok)->bos_id(), 50256);
  const json golden = json::parse(ReadText(kGpt2 / "golden.json"));
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["text"].dump());
    V with_bos = {50256};
    const V ids = Ids(c["ids"]);
    with_bos.insert(with_bos.end(), ids.begin(), ids.end());
    EXPECT_EQ((*tok)->Encode(c["text"].get<std::string>(), false), ids);
    EXPECT_EQ((*tok)->Encode(c["text"].get<std::string>(), true), with_bos);
    EXPECT_EQ((*tok)->Decode(with_bos, false), "<|endoftext|>" + c["text"].get<std::string>());
  }
}

TEST(TokenizerJsonTest, ConfigNextToTheFileSetsSpecialTokens) {
  TempDir dir;
  dir.Write("tokenizer.json", Gpt2TokenizerJson(true).dump());
  dir.Write("tokenizer_config.json",
            R"({"bos_token": {"content": "<|endoftext|>"}, "eos_token": "!", "pad_token": null})");
  auto tok = LoadTokenizer(dir.path().string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  EXPECT_EQ((*tok)->bos_id(), 50256);
  EXPECT_EQ((*tok)->eos_id(), 0);  // "!" is id 0
  dir.Write("tokenizer_config.json", R"({"eos_token": "<|eot_id|>"})");
  auto bad = LoadTokenizer((dir.path() / "tokenizer.json").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("<|eot_id|>"), std::string::npos);
}

// A tiny byte-level vocabulary: "Ġ" is the byte-alphabet spelling of a space.
json TinyTokenizerJson() {
  return json::parse(R"({
    "added_tokens": [
      {"id": 8, "content": "<mask>", "lstrip": true, "rstrip": false, "single_word": false, "special": true},
      {"id": 9, "content": "<|x|>", "lstrip": false, "rstrip": true, "single_word": false, "special": true},
      {"id": 10, "content": "[W]", "lstrip": false, "rstrip": false, "single_word": true, "special": false}
    ],
    "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 7], "cls": ["<s>", 6]},
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "ignore_merges": false,
              "vocab": {"a": 0, "b": 1, "c": 2, "Ġ": 3, "ab": 4, "bc": 5, "<s>": 6, "</s>": 7, "abc": 11},
              "merges": ["a b", "b c"]}
  })");
}

TEST(TokenizerJsonTest, AddedTokenFlagsPostProcessorAndIgnoreMerges) {
  auto tok = ByteLevelBpeFromTokenizerJson(TinyTokenizerJson().dump(), "tiny.json");
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  auto& t = **tok;
  EXPECT_EQ(t.vocab_size(), 12);
  EXPECT_EQ(t.bos_id(), 6);  // the post-processor's cls
  EXPECT_EQ(t.eos_id(), 7);
  EXPECT_EQ(t.Encode("abc", false), (V{4, 2}));  // "a b" ranks first, "ab c" is no merge
  EXPECT_EQ(t.Encode("abc", true), (V{6, 4, 2, 7}));
  // lstrip swallows the spaces before <mask>; rstrip the ones after <|x|>.
  EXPECT_EQ(t.Encode("ab  <mask>c", false), (V{4, 8, 2}));
  EXPECT_EQ(t.Encode("ab<|x|>  c", false), (V{4, 9, 2}));
  EXPECT_EQ(t.Encode("ab <|x|> c", false), (V{4, 3, 9, 2}));
  // single_word: only where it is not glued to a word character.
  EXPECT_EQ(t.Encode("a [W] b", false), (V{0, 3, 10, 3, 1}));
  // Glued to "a" it is plain text, whose bytes this vocab lacks: without unk_token they drop.
  EXPECT_EQ(t.Encode("a[W]", false), (V{0}));
  EXPECT_EQ(t.Decode({4, 8, 10, 9, 2}, true), "ab[W]c");
  EXPECT_EQ(t.Decode({4, 8, 10, 9, 2}, false), "ab<mask>[W]<|x|>c");

  json with_ignore = TinyTokenizerJson();
  with_ignore["model"]["ignore_merges"] = true;
  auto ignoring = ByteLevelBpeFromTokenizerJson(with_ignore.dump(), "tiny.json");
  ASSERT_TRUE(ignoring.ok()) << ignoring.status().ToString();
  EXPECT_EQ((*ignoring)->Encode("abc", false), (V{11}));  // whole pre-token is in the vocab
  EXPECT_EQ((*ignoring)->Encode("abcab", false), (V{4, 2, 4}));
}

TEST(TokenizerJsonTest, UnsupportedAndBrokenFiles) {
  auto expect_code = [](const json& j, StatusCode code, const std::string& needle) {
    auto t = ByteLevelBpeFromTokenizerJson(j.dump(), "bad/tokenizer.json");
    ASSERT_FALSE(t.ok()) << needle;
    EXPECT_EQ(t.status().code(), code) << t.status().ToString();
    EXPECT_NE(t.status().message().find(needle), std::string::npos) << t.status().ToString();
    EXPECT_NE(t.status().message().find("bad/tokenizer.json"), std::string::npos);
  };
  json j = TinyTokenizerJson();
  j["model"]["type"] = "WordPiece";
  expect_code(j, StatusCode::kUnimplemented, "model.type");
  j = TinyTokenizerJson();
  j["normalizer"] = {{"type", "NFC"}};
  expect_code(j, StatusCode::kUnimplemented, "normalizer");
  j = TinyTokenizerJson();
  j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}};
  expect_code(j, StatusCode::kUnimplemented, "Metaspace");
  j = TinyTokenizerJson();
  j["model"]["byte_fallback"] = true;
  expect_code(j, StatusCode::kUnimplemented, "byte_fallback");
  j = TinyTokenizerJson();
  j["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       json::array({{{"type", "Split"},
                     {"pattern", {{"Regex", "(?<=a)b"}}},
                     {"behavior", "Isolated"},
                     {"invert", false}},
                    {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}})}};
  expect_code(j, StatusCode::kUnimplemented, "lookaround");
  j = TinyTokenizerJson();
  j["model"]["merges"] = json::array({"a x"});
  expect_code(j, StatusCode::kInvalidArgument, "\"x\"");
  j = TinyTokenizerJson();
  j["model"]["vocab"]["dup"] = 1;
  expect_code(j, StatusCode::kInvalidArgument, "id 1");
  j = TinyTokenizerJson();
  j["model"]["vocab"] = "not an object";
  expect_code(j, StatusCode::kInvalidArgument, "model.vocab");
  j = TinyTokenizerJson();
  j["added_tokens"][0]["special"] = "yes";  // wrong type deep inside
  expect_code(j, StatusCode::kInvalidArgument, "bad/tokenizer.json");

  const std::string text = TinyTokenizerJson().dump();
  for (size_t cut : {size_t{0}, size_t{1}, text.size() / 2, text.size() - 1}) {
    auto t = ByteLevelBpeFromTokenizerJson(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kDataLoss) << t.status().ToString();
  }
  auto garbage = ByteLevelBpeFromVocabAndMerges("\x01\x02{", "", "garbage");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kDataLoss);
  auto bad_merges =
      ByteLevelBpeFromVocabAndMerges(R"({"a": 0, "b": 1, "ab": 2})", "#version: 0.2\na b c\n", "m");
  ASSERT_FALSE(bad_merges.ok());
  EXPECT_NE(bad_merges.status().message().find("merges.txt:2"), std::string::npos);
}

// ------------------------------------------------------------------------------ regex splitting

std::vector<std::string> SplitWith(std::string_view pattern, std::string_view text) {
  auto splitter = RegexSplitter::Create(pattern);
  EXPECT_TRUE(splitter.ok()) << splitter.status().ToString();
  std::vector<std::string_view> pieces;
  if (splitter.ok()) splitter->Split(text, &pieces);
  return {pieces.begin(), pieces.end()};
}

// Expected pieces are Python `regex.findall` with the original (lookahead) pattern.
TEST(PreTokenizerRegexTest, Llama3PatternMatchesPythonRegex) {
  using S = std::vector<std::string>;
  EXPECT_EQ(SplitWith(kLlama3SplitPattern, "I'LL pay 1234567 dollars!!\n\n  ok"),
            (S{"I", "'LL", " pay", " ", "123", "456", "7", " dollars", "!!\n\n", " ", " ok"}));
  EXPECT_EQ(SplitWith(kLlama3SplitPattern, "a   b\u00a0\u00a0c "),
            (S{"a", "  ", " b", "\u00a0", "\u00a0c", " "}));
  EXPECT_EQ(SplitWith(kLlama3SplitPattern, "x\r\n\r\n  y"), (S{"x", "\r\n\r\n", " ", " y"}));
  EXPECT_EQ(SplitWith(kLlama3SplitPattern, ""), (S{}));
}

TEST(PreTokenizerRegexTest, Gpt2PatternMatchesPythonRegex) {
  using S = std::vector<std::string>;
  EXPECT_EQ(SplitWith(kGpt2SplitPattern, "I'LL pay 1234567 dollars!!\n\n  ok"),
            (S{"I", "'", "LL", " pay", " 1234567", " dollars", "!!", "\n\n ", " ok"}));
  EXPECT_EQ(SplitWith(kGpt2SplitPattern, "a   b\u00a0\u00a0c "),
            (S{"a", "  ", " b", "\u00a0", "\u00a0", "c", " "}));
  // Bytes that are not UTF-8 never match; they come out between the matches.
  EXPECT_EQ(SplitWith(kGpt2SplitPattern,
                      "ab\xFF"
                      "cd"),
            (S{"ab", "\xFF", "cd"}));
}

// The hand-written scanner for the GPT-2, Llama 3 and Qwen 2 patterns against the RE2 path
// (checked against Python above) on random text, random bytes included.
TEST(PreTokenizerRegexTest, ScannerAgreesWithRe2) {
  static const char* const kPool[] = {"a",
                                      "Z",
                                      "7",
                                      " ",
                                      "  ",
                                      "\t",
                                      "\n",
                                      "\r\n",
                                      "\r",
                                      "'",
                                      "'s",
                                      "'S",
                                      "'ll",
                                      "'RE",
                                      "'\xC5\xBF",
                                      "!",
                                      "..",
                                      "\xC2\xA0",
                                      "\xE3\x80\x80",
                                      "\xC3\xA9",
                                      "e\xCC\x81",
                                      "\xE6\x97\xA5",
                                      "\xC2\xBD",
                                      "\xD9\xA3",
                                      "\xF0\x9F\x98\x80",
                                      "\x0B",
                                      "\x1C",
                                      "\xFF",
                                      "\xE4\xB8",
                                      "\xC2\x85",
                                      "_",
                                      "12345"};
  std::mt19937 rng(9);
  for (std::string_view pattern : {kGpt2SplitPattern, kLlama3SplitPattern, kQwen2SplitPattern}) {
    auto scanner = RegexSplitter::Create(pattern);
    auto re2 = RegexSplitter::Create(pattern, /*allow_scanner=*/false);
    ASSERT_TRUE(scanner.ok() && re2.ok());
    ASSERT_TRUE(scanner->uses_scanner());
    ASSERT_FALSE(re2->uses_scanner());
    for (int trial = 0; trial < 3000; ++trial) {
      std::string text;
      const int n = rng() % 16;
      for (int i = 0; i < n; ++i) text += kPool[rng() % std::size(kPool)];
      std::vector<std::string_view> a, b;
      scanner->Split(text, &a);
      re2->Split(text, &b);
      ASSERT_EQ(std::vector<std::string>(a.begin(), a.end()),
                std::vector<std::string>(b.begin(), b.end()))
          << pattern << " on " << json(text).dump(-1, ' ', true, json::error_handler_t::replace);
    }
  }
}

TEST(PreTokenizerRegexTest, RejectsWhatRe2CannotDo) {
  for (std::string_view pattern :
       {R"(a(?=b))", R"((?<!a)b)", R"(a++)", R"((?>ab))", R"(x|\s+(?!\S)|\s+(?!\S))"}) {
    auto splitter = RegexSplitter::Create(pattern);
    ASSERT_FALSE(splitter.ok()) << pattern;
    EXPECT_EQ(splitter.status().code(), StatusCode::kUnimplemented) << pattern;
  }
  auto invalid = RegexSplitter::Create("(unclosed");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace augsweep

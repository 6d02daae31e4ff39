// Properties every tokenizer must keep on arbitrary input (random UTF-8 and random bytes):
// never crash, only in-range ids, always valid UTF-8 out, lossless round trips where the model
// promises them (byte-level BPE: exactly; SentencePiece: up to its whitespace normalization;
// WordPiece and XLNet: no round trip, only the invariants and their special tokens),
// streaming DecodePiece agreeing with Decode. Also measures encode speed and prints it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "common/tokenizers/byte_level_bpe.h"
#include "common/tokenizers/sentencepiece_tokenizer.h"
#include "common/tokenizers/text_util.h"
#include "common/tokenizers/tokenizer_json.h"
#include "common/tokenizers/xlnet_tokenizer.h"
#include "common/utf8.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

const fs::path kStoriesModel =
    fs::path(AUGSWEEP_FIXTURES_DIR) / "hf-real/stories260K/tokenizer.model";
const fs::path kLlama2Model = fs::path(AUGSWEEP_SOURCE_DIR) /
                              "../shared/fixtures/tokenizers/llama2-sentencepiece/tokenizer.model";
const fs::path kBertVocab =
    fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/bert-wordpiece-uncased/vocab.txt";
const fs::path kUnigramModel =
    fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/unigram-nfkc/spiece.model";

// Random valid UTF-8, weighted towards what tokenizers find hard: spaces and whitespace runs,
// combining marks, 4-byte characters, control characters. Never U+2581 (SentencePiece's space
// stand-in, which legitimately decodes to a space).
std::string RandomUtf8(std::mt19937& rng, int max_chars) {
  static const uint32_t kWhitespace[] = {' ',  ' ',  ' ',  '\t', '\n',   '\r',
                                         0x0B, 0x0C, 0x85, 0xA0, 0x2003, 0x3000};
  std::string out;
  const int n = static_cast<int>(rng() % (max_chars + 1));
  for (int i = 0; i < n; ++i) {
    const uint32_t kind = rng() % 100;
    uint32_t cp;
    if (kind < 45) {
      cp = 0x20 + rng() % 95;
    } else if (kind < 62) {
      cp = kWhitespace[rng() % std::size(kWhitespace)];
    } else if (kind < 70) {
      cp = 0xC0 + rng() % 0x200;  // Latin, IPA
    } else if (kind < 75) {
      cp = 0x300 + rng() % 0x70;  // combining marks
    } else if (kind < 80) {
      cp = 0x4E00 + rng() % 0x5000;  // CJK
    } else if (kind < 85) {
      cp = 0x1F300 + rng() % 0x300;  // emoji
    } else if (kind < 90) {
      cp = rng() % 0x20;  // C0 controls, NUL included
    } else {
      do {
        cp = rng() % 0x110000;
      } while ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2581);
    }
    tokenizer_text::AppendCodePoint(cp, &out);
  }
  return out;
}

std::string RandomBytes(std::mt19937& rng, int max_len) {
  std::string out(rng() % (max_len + 1), '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// `s` with every byte outside printable ASCII as \xNN, for failure messages.
std::string Escaped(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    }
  }
  return out;
}

void ExpectSane(const Tokenizer& tok, const std::vector<int32_t>& ids, const std::string& input) {
  for (int32_t id : ids) {
    ASSERT_GE(id, 0) << Escaped(input);
    ASSERT_LT(id, tok.vocab_size());
  }
  EXPECT_TRUE(IsValidUtf8(tok.Decode(ids, true)));
  EXPECT_TRUE(IsValidUtf8(tok.Decode(ids, false)));
}

std::string Streamed(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string out;
  int32_t previous = -1;
  for (int32_t id : ids) {
    out += tok.DecodePiece(previous, id);
    previous = id;
  }
  return out;
}

// What SentencePiece gives back for `text`: its normalized form with "▁" as spaces and the dummy
// prefix dropped.
std::string SentencePieceRoundTrip(const SentencePieceTokenizer& tok, const std::string& text) {
  std::string expected =
      tokenizer_text::ReplaceAll(tok.Normalize(text), tokenizer_text::kSpaceSymbol, " ");
  if (tok.model().add_dummy_prefix && !expected.empty() && expected[0] == ' ') expected.erase(0, 1);
  return expected;
}

void FuzzSentencePiece(const SentencePieceTokenizer& tok, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const std::string text = RandomUtf8(rng, 40);
    const std::vector<int32_t> ids = tok.Encode(text, false);
    ExpectSane(tok, ids, text);
    const std::string decoded = tok.Decode(ids, true);
    EXPECT_EQ(decoded, SentencePieceRoundTrip(tok, text)) << Escaped(text);
    EXPECT_EQ(Streamed(tok, ids), decoded);
    const std::vector<int32_t> with_bos = tok.Encode(text, true);
    ExpectSane(tok, with_bos, text);
    ASSERT_FALSE(with_bos.empty());
    EXPECT_EQ(with_bos[0], tok.bos_id());
    EXPECT_EQ(Streamed(tok, with_bos), tok.Decode(with_bos, true));

    const std::string bytes = RandomBytes(rng, 60);
    ExpectSane(tok, tok.Encode(bytes, false), bytes);
    ExpectSane(tok, tok.Encode(bytes, true), bytes);
  }
}

void FuzzByteLevel(const Tokenizer& tok, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const std::string text = RandomUtf8(rng, 40);
    const std::vector<int32_t> ids = tok.Encode(text, false);
    ExpectSane(tok, ids, text);
    EXPECT_EQ(tok.Decode(ids, false), text) << Escaped(text);
    EXPECT_EQ(Streamed(tok, ids), text);
    EXPECT_EQ(tok.Decode(tok.Encode(text, true), true), text);

    // Any bytes survive a round trip through byte-level BPE: Decode only repairs them.
    const std::string bytes = RandomBytes(rng, 60);
    const std::vector<int32_t> byte_ids = tok.Encode(bytes, false);
    ExpectSane(tok, byte_ids, bytes);
    EXPECT_EQ(Streamed(tok, byte_ids), bytes);
    EXPECT_EQ(tok.Decode(byte_ids, false), tokenizer_text::Utf8Lossy(bytes));
  }
}

// Tokenizers whose decoding is not a round trip (lower-casing, <unk>, normalization): only the
// invariants, and the special tokens add_special puts at the ends (-1: none expected there).
void FuzzInvariants(const Tokenizer& tok, uint32_t seed, int32_t first_special,
                    int32_t last_special) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    for (const std::string& text : {RandomUtf8(rng, 40), RandomBytes(rng, 60)}) {
      ExpectSane(tok, tok.Encode(text, false), text);
      const std::vector<int32_t> with_special = tok.Encode(text, true);
      ExpectSane(tok, with_special, text);
      ASSERT_GE(with_special.size(), size_t{first_special >= 0} + size_t{last_special >= 0});
      if (first_special >= 0) {
        EXPECT_EQ(with_special.front(), first_special) << Escaped(text);
      }
      if (last_special >= 0) {
        EXPECT_EQ(with_special.back(), last_special) << Escaped(text);
      }
    }
  }
}

TEST(TokenizerRobustnessTest, BertWordPiece) {
  auto tok = LoadTokenizer(kBertVocab.string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  FuzzInvariants(**tok, 9, 101, 102);
}

TEST(TokenizerRobustnessTest, UnigramAndXlnet) {
  auto unigram = LoadSentencePieceTokenizer(kUnigramModel.string());
  ASSERT_TRUE(unigram.ok()) << unigram.status().ToString();
  FuzzInvariants(**unigram, 10, (*unigram)->bos_id(), -1);  // LlamaTokenizer-style BOS
  auto xlnet = LoadXlnetTokenizer(kUnigramModel.string());
  ASSERT_TRUE(xlnet.ok()) << xlnet.status().ToString();
  FuzzInvariants(**xlnet, 11, -1, (*xlnet)->cls_id());
}

TEST(TokenizerRobustnessTest, Stories260KSentencePiece) {
  auto tok = LoadSentencePieceTokenizer(kStoriesModel.string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  FuzzSentencePiece(**tok, 1);
}

TEST(TokenizerRobustnessTest, Llama2SentencePiece) {
  if (!fs::exists(kLlama2Model)) GTEST_SKIP() << "Llama 2 tokenizer not found at " << kLlama2Model;
  auto tok = LoadSentencePieceTokenizer(kLlama2Model.string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  FuzzSentencePiece(**tok, 2);
  // Without remove_extra_whitespaces the round trip is exact.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    const std::string text = RandomUtf8(rng, 30);
    EXPECT_EQ((*tok)->Decode((*tok)->Encode(text, false), true), text);
  }
}

TEST(TokenizerRobustnessTest, Gpt2ByteLevel) {
  auto tok = LoadByteLevelBpeFromVocabAndMerges((testing::kGpt2 / "vocab.json").string(),
                                                (testing::kGpt2 / "merges.txt").string());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  FuzzByteLevel(**tok, 4);
}

TEST(TokenizerRobustnessTest, Llama3RegexOverGpt2Vocab) {
  auto tok = ByteLevelBpeFromTokenizerJson(
      testing::Gpt2TokenizerJson(true, kLlama3SplitPattern).dump(), "llama3-regex.json");
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  FuzzByteLevel(**tok, 5);
}

// Tokenizers are shared by worker threads: concurrent use (byte-level BPE fills its cache and
// the scanner its character-class table meanwhile) gives the single-threaded results.
TEST(TokenizerRobustnessTest, ConcurrentEncodeMatchesSequential) {
  std::vector<std::unique_ptr<Tokenizer>> tokenizers;
  for (const fs::path& path : {kStoriesModel, testing::kGpt2, kBertVocab}) {
    auto tok = LoadTokenizer(path.string());
    ASSERT_TRUE(tok.ok()) << tok.status().ToString();
    tokenizers.push_back(std::move(tok).value());
  }
  auto llama3 = ByteLevelBpeFromTokenizerJson(
      testing::Gpt2TokenizerJson(true, kLlama3SplitPattern).dump(), "llama3-regex.json");
  ASSERT_TRUE(llama3.ok());
  tokenizers.push_back(std::move(llama3).value());
  auto xlnet = LoadXlnetTokenizer(kUnigramModel.string());
  ASSERT_TRUE(xlnet.ok());
  tokenizers.push_back(std::move(xlnet).value());
  std::mt19937 rng(8);
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) texts.push_back(RandomUtf8(rng, 60));
  for (const auto& tok : tokenizers) {
    // Expected values from a fresh tokenizer of the same kind would hide cache effects, so the
    // threads run first, on a cold tokenizer, and the sequential pass checks them afterwards.
    std::vector<std::vector<std::vector<int32_t>>> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (size_t i = 0; i < texts.size(); ++i) {
          results[t].push_back(tok->Encode(texts[(i + 77 * t) % texts.size()], true));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < 4; ++t) {
      for (size_t i = 0; i < texts.size(); ++i) {
        ASSERT_EQ(results[t][i], tok->Encode(texts[(i + 77 * t) % texts.size()], true));
      }
    }
  }
}

// ------------------------------------------------------------------------------ speed

// About 400 KB of English prose: the fixtures README (real, varied text) repeated.
std::string ProseText() {
  const std::string readme = testing::ReadText(fs::path(AUGSWEEP_FIXTURES_DIR) / "README.md");
  std::string text;
  while (text.size() < 400 * 1024) text += readme;
  return text;
}

// About 400 KB of random lower-case "words": almost no pre-token repeats, so byte-level BPE's
// cache does not help.
std::string RandomWordsText() {
  std::mt19937 rng(6);
  std::string text;
  while (text.size() < 400 * 1024) {
    const int len = 2 + rng() % 9;
    for (int i = 0; i < len; ++i) text.push_back(static_cast<char>('a' + rng() % 26));
    text.push_back(rng() % 12 == 0 ? '\n' : ' ');
  }
  return text;
}

double EncodeMegabytesPerSecond(const Tokenizer& tok, const std::string& text, size_t* num_ids) {
  const auto start = std::chrono::steady_clock::now();
  *num_ids = tok.Encode(text, false).size();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return text.size() / 1e6 / seconds;
}

TEST(TokenizerSpeedTest, EncodeThroughput) {
  const std::string prose = ProseText();
  const std::string words = RandomWordsText();
  struct Entry {
    std::string name;
    std::unique_ptr<Tokenizer> tok;
  };
  std::vector<Entry> entries;
  auto add = [&](const std::string& name, StatusOr<std::unique_ptr<Tokenizer>> tok) {
    ASSERT_TRUE(tok.ok()) << tok.status().ToString();
    entries.push_back({name, std::move(tok).value()});
  };
  add("stories260K sentencepiece", LoadTokenizer(kStoriesModel.string()));
  if (fs::exists(kLlama2Model)) add("llama2 sentencepiece", LoadTokenizer(kLlama2Model.string()));
  add("gpt2 byte-level", LoadTokenizer(testing::kGpt2.string()));
  add("bert wordpiece", LoadTokenizer(kBertVocab.string()));
  auto xlnet = LoadXlnetTokenizer(kUnigramModel.string());
  ASSERT_TRUE(xlnet.ok());
  entries.push_back({"xlnet unigram (nmt_nfkc)", std::move(xlnet).value()});
  for (const Entry& e : entries) {
    for (const auto& [label, text] :
         {std::pair{"prose", &prose}, std::pair{"random words", &words}}) {
      size_t num_ids = 0;
      // The byte-level BPE cache starts cold for each text: a fresh tokenizer would be fairer
      // still, but prose repeats within 400 KB anyway.
      const double mbps = EncodeMegabytesPerSecond(*e.tok, *text, &num_ids);
      std::cout << "[ speed    ] " << e.name << ", " << label << ": " << text->size() / 1024
                << " KB -> " << num_ids << " ids, " << mbps << " MB/s\n";
      // Far below any sane speed, so only a pathological (e.g. quadratic) slowdown fails.
      EXPECT_GT(mbps, 0.1) << e.name << " " << label;
      EXPECT_GT(num_ids, text->size() / 20);
    }
  }
}

}  // namespace
}  // namespace augsweep

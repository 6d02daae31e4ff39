// LoadTokenizer on encoder-classifier model folders (made in scratch folders from the fixtures):
// which file it picks for BERT, DistilBERT, RoBERTa and XLNet folders, the options it reads from
// tokenizer_config.json, the special tokens it exposes, and that LLaMA folders still open their
// tokenizer.model.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/tokenizers/classifier_inputs.h"
#include "common/tokenizers/tokenizer.h"
#include "common/tokenizers/xlnet_tokenizer.h"
#include "tests/unit/tokenizer_test_util.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ReadText;
using testing::TempDir;

const fs::path kFixtures = AUGSWEEP_FIXTURES_DIR;
const fs::path kBertVocab = kFixtures / "tokenizers/bert-wordpiece-uncased/vocab.txt";
const fs::path kSpiece = kFixtures / "tokenizers/unigram-nfkc/spiece.model";

std::unique_ptr<Tokenizer> Load(const fs::path& path) {
  auto t = LoadTokenizer(path.string());
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(TokenizerFolderTest, BertAndDistilBertFoldersUseVocabTxt) {
  for (const char* model_type : {"bert", "distilbert"}) {
    TempDir dir;
    dir.Write("vocab.txt", ReadText(kBertVocab));
    dir.Write("config.json", json{{"model_type", model_type}}.dump());
    // A WordPiece tokenizer.json (which we cannot read) must not get in the way.
    dir.Write("tokenizer.json", json{{"model", {{"type", "WordPiece"}}}}.dump());
    auto t = Load(dir.path());
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->Encode("Hello world!", true), (std::vector<int32_t>{101, 7592, 2088, 999, 102}));
    EXPECT_EQ(t->cls_id(), 101);
    EXPECT_EQ(t->sep_id(), 102);
    EXPECT_EQ(t->pad_id(), 0);
    EXPECT_EQ(t->mask_id(), 103);
  }
}

TEST(TokenizerFolderTest, TokenizerConfigSetsWordPieceOptions) {
  TempDir dir;
  dir.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\n<s>\n");
  dir.Write("tokenizer_config.json", json{{"tokenizer_class", "BertTokenizer"},
                                          {"do_lower_case", false},
                                          {"strip_accents", nullptr},
                                          {"cls_token", {{"content", "<s>"}, {"lstrip", false}}}}
                                         .dump());
  auto t = Load(dir.path());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("Hello", false), std::vector<int32_t>{5});
  EXPECT_EQ(t->cls_id(), 7);
  EXPECT_EQ(t->Encode("hello", true), (std::vector<int32_t>{7, 6, 3}));
  // The vocab file on its own path reads the same config.
  t = Load(dir.path() / "vocab.txt");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("Hello", false), std::vector<int32_t>{5});

  // Without any config, BertTokenizer's defaults (lower-casing).
  TempDir plain;
  plain.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\n");
  t = Load(plain.path());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("Hello", true), (std::vector<int32_t>{2, 6, 3}));
}

TEST(TokenizerFolderTest, RobertaFolderUsesVocabJsonWithRobertaSpecialTokens) {
  // RoBERTa's vocab.json holds GPT-2's tokens under other ids: rebuild one with GPT-2's files,
  // the four fairseq specials first and <mask> last, every GPT-2 id shifted by 4.
  const json gpt2_vocab = json::parse(ReadText(testing::kGpt2 / "vocab.json"));
  json vocab = {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}};
  int32_t max_id = 0;
  for (const auto& [token, id] : gpt2_vocab.items()) {
    if (token == "<|endoftext|>") continue;
    vocab[token] = id.get<int32_t>() + 4;
    max_id = std::max(max_id, id.get<int32_t>() + 4);
  }
  vocab["<mask>"] = max_id + 1;
  TempDir dir;
  dir.Write("vocab.json", vocab.dump());
  dir.Write("merges.txt", ReadText(testing::kGpt2 / "merges.txt"));
  dir.Write("config.json", json{{"model_type", "roberta"}}.dump());
  auto t = Load(dir.path());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->cls_id(), 0);
  EXPECT_EQ(t->bos_id(), 0);
  EXPECT_EQ(t->sep_id(), 2);
  EXPECT_EQ(t->eos_id(), 2);
  EXPECT_EQ(t->pad_id(), 1);
  EXPECT_EQ(t->unk_id(), 3);
  EXPECT_EQ(t->mask_id(), max_id + 1);

  // The same BPE as GPT-2's slow tokenizer, ids shifted; add_special: <s> ... </s>.
  const json golden = json::parse(ReadText(testing::kGpt2 / "golden.json"));
  int checked = 0;
  for (const json& c : golden["cases"]) {
    const std::string text = c["text"];
    if (text.find("<|endoftext|>") != std::string::npos) continue;  // not special in RoBERTa
    std::vector<int32_t> expected{0};
    for (const json& id : c["ids"]) expected.push_back(id.get<int32_t>() + 4);
    expected.push_back(2);
    EXPECT_EQ(t->Encode(text, true), expected) << c["text"].dump();
    ++checked;
  }
  EXPECT_GT(checked, 30);
  // Special-token text is split out; <mask> takes the space before it.
  const std::vector<int32_t> with_mask = t->Encode("Hello <mask>!</s>", false);
  ASSERT_EQ(with_mask.size(), 4u);
  EXPECT_EQ(with_mask[1], max_id + 1);
  EXPECT_EQ(with_mask[3], 2);
  EXPECT_EQ(t->Decode(t->Encode("Hello world , ok", true), true), "Hello world, ok");

  // The classifier layout takes its ids from the tokenizer.
  auto batch = EncodeClassifierBatch(*t, EncoderFamily::kRoberta, {"a b c"}, {});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->input_ids.front(), 0);
  EXPECT_EQ(batch->input_ids.back(), 2);
  EXPECT_TRUE(batch->token_type_ids.empty());
}

TEST(TokenizerFolderTest, XlnetFolderUsesSpieceModelWithXlnetRules) {
  TempDir dir;
  dir.Write("spiece.model", ReadText(kSpiece));
  dir.Write("config.json", json{{"model_type", "xlnet"}}.dump());
  auto t = Load(dir.path());
  ASSERT_NE(t, nullptr);
  ASSERT_NE(dynamic_cast<XlnetTokenizer*>(t.get()), nullptr);
  EXPECT_EQ(t->cls_id(), 3);
  EXPECT_EQ(t->sep_id(), 4);
  EXPECT_EQ(t->pad_id(), 5);
  EXPECT_EQ(t->mask_id(), 6);
  const std::vector<int32_t> ids = t->Encode("caf\xC3\xA9", true);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids[ids.size() - 2], 4);
  EXPECT_EQ(ids.back(), 3);

  // tokenizer_config.json options reach XLNetTokenizer: keep_accents keeps "é" (which NFKC then
  // keeps composed, and this model lacks, so it is <unk>) where NFKD would have made it "e".
  dir.Write("tokenizer_config.json", json{{"keep_accents", true}}.dump());
  auto keep = Load(dir.path());
  ASSERT_NE(keep, nullptr);
  EXPECT_NE(keep->Encode("\xC3\x89t\xC3\xA9", false), t->Encode("\xC3\x89t\xC3\xA9", false));

  // Without a config the same file is a plain SentencePiece model: no digit-comma split, no
  // NFKD, and add_special means what LlamaTokenizer does (<s> in front).
  TempDir plain;
  plain.Write("spiece.model", ReadText(kSpiece));
  auto sp = Load(plain.path());
  ASSERT_NE(sp, nullptr);
  EXPECT_EQ(dynamic_cast<XlnetTokenizer*>(sp.get()), nullptr);
  EXPECT_EQ(sp->Encode("x", true).front(), 1);

  // An XLNet config without the file says what is missing.
  TempDir empty;
  empty.Write("config.json", json{{"model_type", "xlnet"}}.dump());
  auto missing = LoadTokenizer(empty.path().string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("spiece.model"), std::string::npos);
}

TEST(TokenizerFolderTest, LlamaFoldersStillOpenTokenizerModel) {
  const fs::path stories = kFixtures / "hf-real/stories260K";
  auto t = Load(stories);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->vocab_size(), 512);
  EXPECT_EQ(t->cls_id(), -1);
}

TEST(TokenizerFolderTest, WordPieceTokenizerJsonWithoutVocabIsUnimplemented) {
  TempDir dir;
  dir.Write("tokenizer.json", json{{"model", {{"type", "WordPiece"}}}}.dump());
  auto t = LoadTokenizer(dir.path().string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnimplemented);

  TempDir bad_config;
  bad_config.Write("vocab.txt", "[UNK]\n");
  bad_config.Write("config.json", "{not json");
  t = LoadTokenizer(bad_config.path().string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(t.status().message().find("config.json"), std::string::npos);
}

}  // namespace
}  // namespace augsweep

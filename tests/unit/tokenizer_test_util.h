// Test helpers shared by the tokenizer tests: fixture paths, GPT-2's files re-packed as a
// Hugging Face tokenizer.json, and a scratch folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "common/tokenizers/pretokenizer_regex.h"

namespace augsweep::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline const fs::path kGpt2 = fs::path(AUGSWEEP_FIXTURES_DIR) / "tokenizers/gpt2-bpe";

inline std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// GPT-2's vocab and merges laid out as a tokenizer.json. `llama3_layout` uses Llama 3's shape:
// Split + ByteLevel(use_regex=false) pre-tokenizer, [a, b] merges, a BOS template.
inline json Gpt2TokenizerJson(bool llama3_layout,
                              std::string_view split_pattern = kGpt2SplitPattern) {
  json merges = json::array();
  std::istringstream lines(ReadText(kGpt2 / "merges.txt"));
  std::string line;
  std::getline(lines, line);  // #version
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (llama3_layout) {
      merges.push_back(json::array({line.substr(0, space), line.substr(space + 1)}));
    } else {
      merges.push_back(line);
    }
  }
  json root;
  root["version"] = "1.0";
  root["added_tokens"] = json::array({{{"id", 50256},
                                       {"content", "<|endoftext|>"},
                                       {"single_word", false},
                                       {"lstrip", false},
                                       {"rstrip", false},
                                       {"normalized", true},
                                       {"special", true}}});
  root["normalizer"] = nullptr;
  root["decoder"] = {{"type", "ByteLevel"},
                     {"add_prefix_space", true},
                     {"trim_offsets", true},
                     {"use_regex", true}};
  root["model"] = {{"type", "BPE"},
                   {"dropout", nullptr},
                   {"unk_token", nullptr},
                   {"continuing_subword_prefix", ""},
                   {"end_of_word_suffix", ""},
                   {"fuse_unk", false},
                   {"byte_fallback", false},
                   {"vocab", json::parse(ReadText(kGpt2 / "vocab.json"))},
                   {"merges", merges}};
  if (llama3_layout) {
    root["model"]["ignore_merges"] = false;
    root["pre_tokenizer"] = {
        {"type", "Sequence"},
        {"pretokenizers", json::array({{{"type", "Split"},
                                        {"pattern", {{"Regex", std::string(split_pattern)}}},
                                        {"behavior", "Isolated"},
                                        {"invert", false}},
                                       {{"type", "ByteLevel"},
                                        {"add_prefix_space", false},
                                        {"trim_offsets", true},
                                        {"use_regex", false}}})}};
    root["post_processor"] = {
        {"type", "Sequence"},
        {"processors",
         json::array({{{"type", "ByteLevel"},
                       {"add_prefix_space", true},
                       {"trim_offsets", false},
                       {"use_regex", true}},
                      {{"type", "TemplateProcessing"},
                       {"single",
                        json::array({{{"SpecialToken", {{"id", "<|endoftext|>"}, {"type_id", 0}}}},
                                     {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                       {"pair", json::array()},
                       {"special_tokens",
                        {{"<|endoftext|>",
                          {{"id", "<|endoftext|>"},
                           {"ids", {50256}},
                           {"tokens", {"<|endoftext|>"}}}}}}}})}};
  } else {
    root["pre_tokenizer"] = {{"type", "ByteLevel"},
                             {"add_prefix_space", false},
                             {"trim_offsets", true},
                             {"use_regex", true}};
    root["post_processor"] = {{"type", "ByteLevel"},
                              {"add_prefix_space", true},
                              {"trim_offsets", false},
                              {"use_regex", true}};
  }
  return root;
}

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("augsweep_tok_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

}  // namespace augsweep::testing

// Writes every fuzz target's seed corpus from files the repository already has (fixtures,
// examples, test specs), one folder per target:
//   fuzz_seeds SOURCE_DIR OUT_DIR
// Most seeds are copies; three are made: bpe_vocab_merges joins vocab.json and merges.txt with
// a NUL byte (the target's split), chat_template takes the templates out of the fixture
// tokenizer_configs and the Jinja cases, and submit_request serializes the SubmitSweepHeader
// the CLI would send for the quick test spec and its dataset.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augsweep/v1/sweep_service.pb.h"
#include "common/read_file.h"
#include "common/sha256.h"
#include "common/spec/sweep_spec.h"

namespace fs = std::filesystem;

namespace {

// The table of copied seeds: target, then files relative to the source folder.
struct CopiedSeeds {
  const char* target;
  std::vector<const char*> files;
};

const CopiedSeeds kCopied[] = {
    // spec_fuzz parses as if from tests/integration/, where these specs' paths resolve.
    {"spec_fuzz",
     {"tests/integration/quick.yaml", "tests/integration/chat.yaml",
      "tests/integration/transformer.yaml", "tests/integration/filters.yaml"}},
    {"dataset_csv_fuzz", {"examples/data/wordnet-themes.csv"}},
    {"dataset_jsonl_fuzz", {}},  // made below from the CSV's rows
    {"safetensors_header_fuzz",
     {"examples/models/stories260K/model.safetensors",
      "tests/fixtures/hf-tiny/bert/model.safetensors"}},
    {"safetensors_index_fuzz", {}},  // made below
    {"wordpiece_vocab_fuzz",
     {"examples/models/tiny-bert-demo/vocab.txt",
      "tests/fixtures/tokenizers/bert-wordpiece-uncased/vocab.txt"}},
    {"bpe_vocab_merges_fuzz", {}},  // made below
    {"tokenizer_json_fuzz", {"examples/models/tiny-chat/tokenizer.json"}},
    {"sentencepiece_model_fuzz",
     {"examples/models/stories260K/tokenizer.model",
      "tests/fixtures/tokenizers/unigram-nfkc/spiece.model"}},
    {"tokenizer_config_fuzz",
     {"examples/models/stories260K/tokenizer_config.json",
      "examples/models/tiny-chat/tokenizer_config.json",
      "tests/fixtures/chat-templates/qwen2.5-7b-instruct/tokenizer_config.json",
      "tests/fixtures/chat-templates/mistral-7b-instruct-v0.3/tokenizer_config.json"}},
    {"chat_template_fuzz", {}},   // made below
    {"submit_request_fuzz", {}},  // made below
};

bool Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string Read(const fs::path& path) {
  augsweep::StatusOr<std::string> bytes = augsweep::ReadWholeFile(path.string());
  if (!bytes.ok()) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", bytes.status().ToString().c_str());
    std::exit(1);
  }
  return *bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seeds SOURCE_DIR OUT_DIR\n");
    return 2;
  }
  const fs::path src(argv[1]), out(argv[2]);
  int written = 0;
  auto put = [&](const char* target, const std::string& name, const std::string& bytes) {
    if (!Write(out / target / name, bytes)) {
      std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", (out / target / name).c_str());
      std::exit(1);
    }
    ++written;
  };
  for (const CopiedSeeds& seeds : kCopied) {
    fs::create_directories(out / seeds.target);
    for (const char* file : seeds.files) {
      put(seeds.target,
          fs::path(file).parent_path().filename().string() + "-" +
              fs::path(file).filename().string(),
          Read(src / file));
    }
  }

  // JSONL rows like the CSV's: {"id", "text", "themes": [...]}.
  put("dataset_jsonl_fuzz", "rows.jsonl",
      "{\"id\": \"1\", \"text\": \"night shifts are short\", \"themes\": [\"a\", \"b\"]}\n"
      "{\"id\": \"2\", \"text\": \"pay is late\", \"themes\": [\"b\"], \"a\": 1, \"b\": true}\n");
  put("safetensors_index_fuzz", "index.json",
      R"({"metadata": {"total_size": 8}, "weight_map": {"w": "model-00001-of-00001.safetensors"}})");
  const fs::path gpt2 = src / "tests/fixtures/tokenizers/gpt2-bpe";
  put("bpe_vocab_merges_fuzz", "gpt2",
      Read(gpt2 / "vocab.json") + std::string(1, '\0') + Read(gpt2 / "merges.txt"));

  for (const char* family : {"qwen2.5-7b-instruct", "mistral-7b-instruct-v0.3",
                             "phi-3.5-mini-instruct", "deepseek-r1-distill-qwen"}) {
    const nlohmann::json config = nlohmann::json::parse(
        Read(src / "tests/fixtures/chat-templates" / family / "tokenizer_config.json"));
    if (config.contains("chat_template") && config["chat_template"].is_string())
      put("chat_template_fuzz", std::string(family) + ".jinja", config["chat_template"]);
  }
  const nlohmann::json cases =
      nlohmann::json::parse(Read(src / "tests/fixtures/jinja/cases.json"))["cases"];
  for (size_t i = 0; i < cases.size(); ++i)
    put("chat_template_fuzz", "case-" + std::to_string(i) + ".jinja", cases[i]["template"]);

  // What `augsweep submit tests/integration/quick.yaml` sends first; its spec_yaml carries the
  // dataset's bytes, which the target uses as the dataset.
  augsweep::StatusOr<augsweep::ParsedSpec> spec =
      augsweep::LoadSweepSpec((src / "tests/integration/quick.yaml").string());
  if (!spec.ok()) {
    std::fprintf(stderr, "fuzz_seeds: %s\n", spec.status().ToString().c_str());
    return 1;
  }
  const std::string dataset = Read(spec->spec.dataset().path());
  augsweep::v1::SubmitSweepHeader header;
  *header.mutable_spec() = spec->spec;
  header.set_spec_yaml(dataset);
  header.set_dataset_sha256(augsweep::Sha256Hex(dataset));
  header.set_dataset_size(dataset.size());
  put("submit_request_fuzz", "quick.pb", header.SerializeAsString());
  std::printf("fuzz_seeds: %d seeds in %s\n", written, out.c_str());
  return 0;
}

// generate_job_bench: a whole generate job's throughput (kept texts per second) of the llama
// executor, one continuous batch over all themes against the shape the executor had before it
// (one theme at a time, at most 16 sequences), in one run.
//
// The model is LLaMA-shaped with random weights (default: generate_bench's 134 M shape) and the
// Llama 2 tokenizer from ../shared/fixtures (vocabulary 32000; stories260K's 512-piece tokenizer
// with vocabulary 512 when that is absent); the data is examples/data/wordnet-themes.csv (5
// themes) and the prompt the demo's examples/templates/plain.txt. Variants run in turn, --repeats
// times each, and the best is kept, so a burst of load from other processes hits all alike.
// Compare the ratios, never absolute timings across runs.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/random_llama.h"
#include "common/cli_flags.h"
#include "common/cli_main.h"
#include "common/dataset/dataset.h"
#include "worker/executors/llama_generator.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;

struct Options {
  RandomLlamaShape shape;
  int64_t texts = 100;  // per theme
  int64_t max_new_tokens = 32;
  int64_t threads = 0;
  int64_t repeats = 1;
  int64_t batch = 0;  // the all-themes variant's max_batch; 0: the executor's memory budget
  std::string work_dir;
};

class NoControl : public JobControl {
 public:
  bool cancelled() const override { return false; }
  void ReportProgress(float) override {}
};

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Variant {
  const char* name;
  bool one_theme_at_a_time;
  int max_batch;  // 0: the budget
};

struct Outcome {
  double seconds = 0;
  int kept = 0;
  int completions = 0;
};

int Run(int argc, char** argv) {
  Options o;
  FlagSet flags("generate_job_bench [flags]",
                "A generate job's kept texts per second: one batch over all themes against one "
                "theme at a time with at most 16 sequences (the executor before the cross-theme "
                "batch).");
  RandomLlamaShape& s = o.shape;
  flags.Int("hidden", &s.hidden, "hidden size");
  flags.Int("layers", &s.layers, "decoder layers");
  flags.Int("heads", &s.heads, "attention heads");
  flags.Int("intermediate", &s.intermediate, "MLP intermediate size");
  flags.Int("texts", &o.texts, "texts asked per theme (N_max)");
  flags.Int("max-new-tokens", &o.max_new_tokens, "tokens per completion at most");
  flags.Int("threads", &o.threads, "intra-op CPU threads (0: one per core)");
  flags.Int("repeats", &o.repeats, "runs per variant; the fastest is reported");
  flags.Int("batch", &o.batch, "max_batch of the all-themes variants (0: the memory budget)");
  flags.String("work-dir", &o.work_dir, "where the random model's folder goes (default: temp)");
  std::vector<std::string> positional;
  if (auto code = ParseFlagsOrExit(flags, std::vector<std::string>(argv + 1, argv + argc),
                                   "generate_job_bench", &positional)) {
    return *code;
  }
  if (!positional.empty() || o.texts < 1 || o.max_new_tokens < 1 || o.repeats < 1) {
    return ReportCommandError("generate_job_bench",
                              InvalidArgumentError("expected positive --texts, --max-new-tokens "
                                                   "and --repeats, and no arguments"));
  }

  const fs::path root(AUGSWEEP_SOURCE_DIR);
  fs::path tokenizer = root / "../shared/fixtures/tokenizers/llama2-sentencepiece/tokenizer.model";
  if (!fs::exists(tokenizer)) {
    std::fprintf(stderr,
                 "generate_job_bench: %s absent; stories260K's 512-piece tokenizer instead\n",
                 tokenizer.c_str());
    tokenizer = root / "tests/fixtures/hf-real/stories260K/tokenizer.model";
    s.vocab = 512;
  }
  s.kv_heads = s.heads;
  const fs::path dir = (o.work_dir.empty() ? fs::temp_directory_path() : fs::path(o.work_dir)) /
                       ("generate_job_bench." + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto cleanup = [&] { fs::remove_all(dir); };
  if (Status st = WriteRandomModel(dir, {s, "float32", "cpu", 1}); !st.ok()) {
    cleanup();
    return ReportCommandError("generate_job_bench", st);
  }
  fs::copy_file(tokenizer, dir / "tokenizer.model");

  DatasetOptions data;
  data.path = (root / "examples/data/wordnet-themes.csv").string();
  data.id_field = "id";
  data.label_field = "themes";
  StatusOr<Dataset> dataset = LoadDataset(data);
  if (!dataset.ok()) {
    cleanup();
    return ReportCommandError("generate_job_bench", dataset.status());
  }
  GenerateRequest request;
  v1::GeneratorSpec& g = request.generator;
  g.set_name("random-llama");
  g.set_kind("llama");
  g.set_model_dir(dir.string());
  g.set_dtype("float32");
  g.set_prompt_template(ReadText(root / "examples/templates/plain.txt"));
  g.set_max_new_tokens(static_cast<int32_t>(o.max_new_tokens));
  g.set_top_p(0.95);
  g.set_repetition_penalty(1.0);
  g.set_examples_per_prompt(3);
  request.temperature = 1.0;
  request.texts_per_theme = static_cast<int>(o.texts);
  request.seed = 1234;
  request.themes = dataset->themes;
  for (const Example& e : dataset->examples) request.train.push_back({e.text, e.labels});

  LlamaGenerator generator("cpu", static_cast<int>(o.threads));
  NoControl control;
  // A job as the executor ran it: one request, or one per theme with only that theme's texts.
  auto run = [&](const Variant& v) -> StatusOr<Outcome> {
    std::vector<GenerateRequest> jobs;
    if (v.one_theme_at_a_time) {
      for (size_t t = 0; t < request.themes.size(); ++t) {
        GenerateRequest one = request;
        one.train.clear();
        for (const LabelledText& x : request.train) {
          if (std::binary_search(x.labels.begin(), x.labels.end(), static_cast<int>(t))) {
            one.train.push_back({x.text, {static_cast<int>(t)}});
          }
        }
        jobs.push_back(std::move(one));
      }
    } else {
      jobs.push_back(request);
    }
    Outcome out;
    const auto start = std::chrono::steady_clock::now();
    for (GenerateRequest& job : jobs) {
      job.generator.set_max_batch(v.max_batch);
      AUGSWEEP_ASSIGN_OR_RETURN(v1::SyntheticSet set, generator.Generate(job, control));
      out.kept += set.texts_size();
      out.completions += set.raw_completions_size();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  };

  const int budget = static_cast<int>(o.batch);
  const Variant variants[] = {
      {"one theme at a time, batch 16 (before)", true, 16},
      {"all themes, batch 16", false, 16},
      {"all themes, batch from the budget (after)", false, budget},
  };
  std::printf(
      "generate_job_bench: %zu themes x %lld texts, %lld new tokens at most, %.0f M "
      "parameters, vocab %lld, CPU float32\n",
      request.themes.size(), static_cast<long long>(o.texts),
      static_cast<long long>(o.max_new_tokens), s.TotalParams() / 1e6,
      static_cast<long long>(s.vocab));
  std::vector<Outcome> best(std::size(variants));
  for (int64_t r = 0; r < o.repeats; ++r) {
    for (size_t v = 0; v < std::size(variants); ++v) {
      StatusOr<Outcome> outcome = run(variants[v]);
      if (!outcome.ok()) {
        cleanup();
        return ReportCommandError("generate_job_bench", outcome.status());
      }
      if (best[v].seconds == 0 || outcome->seconds < best[v].seconds) best[v] = *outcome;
    }
  }
  cleanup();
  const double before = best[0].kept / best[0].seconds;
  for (size_t v = 0; v < std::size(variants); ++v) {
    const double rate = best[v].kept / best[v].seconds;
    std::printf("  %-44s %6d kept of %6d completions in %7.1f s: %7.2f texts/s (x%.2f)\n",
                variants[v].name, best[v].kept, best[v].completions, best[v].seconds, rate,
                rate / before);
  }
  return 0;
}

}  // namespace
}  // namespace augsweep

int main(int argc, char** argv) { return augsweep::Run(argc, argv); }

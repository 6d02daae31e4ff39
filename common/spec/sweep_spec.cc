#include "common/spec/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "common/read_file.h"
#include "common/spec/executor_kinds.h"
#include "common/spec/yaml_fields.h"
#include "common/synthetic_quality/near_duplicates.h"
#include "common/synthetic_quality/sanity_filter.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using spec_internal::ErrorAt;
using spec_internal::YamlFields;

// Defaults live here, in one place, so that a spec's resolved form is explicit.
constexpr int kDefaultFolds = 5;
constexpr int kDefaultRepeats = 1;
constexpr uint64_t kDefaultSeed = 1234;
constexpr int kDefaultMaxNewTokens = 64;
constexpr double kDefaultTopP = 0.95;
constexpr int kDefaultExamplesPerPrompt = 3;
constexpr double kDefaultEdaAlpha = 0.1;
constexpr int kDefaultEpochs = 3;
constexpr double kDefaultTransformerLearningRate = 2e-5;
constexpr double kDefaultLogregLearningRate = 0.5;
constexpr int kDefaultLogregEpochs = 200;
constexpr int kDefaultBatchSize = 16;
constexpr int kDefaultMaxLength = 128;
constexpr double kDefaultWeightDecay = 0.01;
constexpr double kDefaultWarmupRatio = 0.1;
constexpr int kDefaultTimeLimitS = 4 * 3600;

const std::set<std::string> kDtypes = {"float32", "float16", "bfloat16"};
const std::set<std::string> kDevices = {"cuda", "cpu", "any"};

template <typename Container>
std::string JoinSet(const Container& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Resolves a spec-relative path to an absolute, normalised one.
std::string ResolvePath(const fs::path& spec_dir, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = spec_dir / p;
  return fs::absolute(p).lexically_normal().string();
}

class SpecParser {
 public:
  SpecParser(std::string file) : file_(std::move(file)) {
    spec_dir_ = fs::absolute(fs::path(file_)).parent_path();
  }

  StatusOr<ParsedSpec> Parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return InvalidArgumentError(file_ + ":" + std::to_string(e.mark.line + 1) +
                                  ": not valid YAML: " + e.msg);
    }
    if (!root.IsDefined() || root.IsNull())
      return InvalidArgumentError(file_ + ": the spec is empty");
    try {
      AUGSWEEP_RETURN_IF_ERROR(ParseRoot(root));
    } catch (const YAML::Exception& e) {  // defensive: yaml-cpp throws on some malformed trees
      return InvalidArgumentError(file_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    return std::move(result_);
  }

 private:
  Status ParseRoot(const YAML::Node& root) {
    YamlFields f(file_, root, "");
    AUGSWEEP_RETURN_IF_ERROR(
        f.CheckKeys({"name", "dataset", "cv", "seed", "generators", "temperatures",
                     "augment_counts", "classifiers", "filters", "resources"}));
    v1::SweepSpec& spec = result_.spec;
    spec.set_spec_path(fs::absolute(file_).lexically_normal().string());
    AUGSWEEP_ASSIGN_OR_RETURN(std::string name, f.String("name", fs::path(file_).stem().string()));
    if (name.empty()) return f.Error("name", "expected a non-empty name");
    spec.set_name(name);
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t seed, f.Int("seed", kDefaultSeed, 0, INT64_MAX));
    spec.set_seed(static_cast<uint64_t>(seed));

    if (!f.Has("dataset")) return f.Error("dataset", "required section is missing");
    AUGSWEEP_RETURN_IF_ERROR(ParseDataset(YamlFields(file_, f.Get("dataset"), "dataset")));
    AUGSWEEP_RETURN_IF_ERROR(ParseCv(f));

    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<int64_t> counts,
                              f.IntList("augment_counts", 0, 1'000'000));
    std::set<int64_t> seen_counts;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (!seen_counts.insert(counts[i]).second) {
        return ErrorAt(file_, f.Get("augment_counts")[i],
                       "augment_counts[" + std::to_string(i) + "]",
                       "augment count " + std::to_string(counts[i]) + " is listed twice");
      }
    }
    std::sort(counts.begin(), counts.end());
    for (int64_t n : counts) spec.add_augment_counts(static_cast<int32_t>(n));
    const bool needs_generators = counts.back() > 0;
    if (!seen_counts.count(0)) {
      result_.warnings.push_back(file_ +
                                 ": augment_counts has no 0: the table will have no "
                                 "baseline row to compare the augmented cells against");
    }

    if (needs_generators || f.Has("generators")) {
      AUGSWEEP_RETURN_IF_ERROR(ParseGenerators(f));
    }
    if (needs_generators || f.Has("temperatures")) {
      AUGSWEEP_ASSIGN_OR_RETURN(std::vector<double> temps, f.DoubleList("temperatures", 0.0, 10.0));
      std::set<double> seen;
      for (size_t i = 0; i < temps.size(); ++i) {
        if (!seen.insert(temps[i]).second) {
          return ErrorAt(file_, f.Get("temperatures")[i], "temperatures[" + std::to_string(i) + "]",
                         "temperature listed twice");
        }
        spec.add_temperatures(temps[i]);
      }
    }
    if (!needs_generators && spec.generators_size() > 0) {
      result_.warnings.push_back(file_ + ": augment_counts is only 0: the generators are not used");
    }
    AUGSWEEP_RETURN_IF_ERROR(ParseClassifiers(f));
    if (f.Has("filters")) AUGSWEEP_RETURN_IF_ERROR(ParseFilters(f));
    if (spec.filters_size() > 0 && !needs_generators) {
      result_.warnings.push_back(file_ + ": augment_counts is only 0: the filters are not used");
    }
    AUGSWEEP_RETURN_IF_ERROR(ParseResources(f));
    return OkStatus();
  }

  Status ParseDataset(const YamlFields& f) {
    AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys({"path", "format", "id_field", "text_field", "label_field",
                                          "label_columns", "label_separator", "themes"}));
    v1::DatasetSpec& d = *result_.spec.mutable_dataset();
    AUGSWEEP_ASSIGN_OR_RETURN(std::string path, f.String("path", std::nullopt));
    d.set_path(ResolvePath(spec_dir_, path));
    std::error_code ec;
    if (!fs::is_regular_file(d.path(), ec)) {
      return f.Error("path", "dataset file not found: " + d.path());
    }
    std::string ext = fs::path(d.path()).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string inferred = ext == ".jsonl" || ext == ".ndjson" ? "jsonl" : "csv";
    AUGSWEEP_ASSIGN_OR_RETURN(std::string format, f.String("format", inferred));
    if (format == "csv") {
      d.set_format(v1::DatasetSpec::CSV);
    } else if (format == "jsonl") {
      d.set_format(v1::DatasetSpec::JSONL);
    } else {
      return f.Error("format", "expected csv or jsonl, got \"" + format + "\"");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(std::string id_field, f.String("id_field", ""));
    AUGSWEEP_ASSIGN_OR_RETURN(std::string text_field, f.String("text_field", "text"));
    AUGSWEEP_ASSIGN_OR_RETURN(std::string label_field, f.String("label_field", ""));
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<std::string> columns,
                              f.StringList("label_columns", false));
    AUGSWEEP_ASSIGN_OR_RETURN(std::string separator, f.String("label_separator", ";"));
    AUGSWEEP_ASSIGN_OR_RETURN(std::vector<std::string> themes, f.StringList("themes", false));
    if (label_field.empty() == columns.empty()) {
      return f.Error("",
                     "set exactly one of label_field (one field holding every label of a row) "
                     "or label_columns (one 0/1 column per theme)");
    }
    if (separator.empty()) return f.Error("label_separator", "expected a non-empty separator");
    std::set<std::string> unique_themes(themes.begin(), themes.end());
    if (unique_themes.size() != themes.size()) return f.Error("themes", "a theme is listed twice");
    d.set_id_field(id_field);
    d.set_text_field(text_field);
    d.set_label_field(label_field);
    for (const auto& c : columns) d.add_label_columns(c);
    d.set_label_separator(separator);
    for (const auto& t : themes) d.add_themes(t);
    return OkStatus();
  }

  Status ParseCv(const YamlFields& root) {
    v1::CvSpec& cv = *result_.spec.mutable_cv();
    if (!root.Has("cv")) {
      cv.set_folds(kDefaultFolds);
      cv.set_repeats(kDefaultRepeats);
      cv.set_seed(kDefaultSeed);
      return OkStatus();
    }
    YamlFields f(file_, root.Get("cv"), "cv");
    AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys({"folds", "repeats", "seed"}));
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t folds, f.Int("folds", kDefaultFolds, 2, 100));
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t repeats, f.Int("repeats", kDefaultRepeats, 1, 100));
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t seed, f.Int("seed", kDefaultSeed, 0, INT64_MAX));
    cv.set_folds(static_cast<int32_t>(folds));
    cv.set_repeats(static_cast<int32_t>(repeats));
    cv.set_seed(static_cast<uint64_t>(seed));
    return OkStatus();
  }

  // A list-of-mappings section: checks the shape and that every item's name is unique.
  Status ForEachItem(const YamlFields& root, const std::string& key,
                     const std::function<Status(const YamlFields&)>& parse_item) {
    if (!root.Has(key)) return root.Error(key, "required section is missing (expected a list)");
    YAML::Node list = root.Get(key);
    if (!list.IsSequence() || list.size() == 0) {
      return root.Error(key, "expected a non-empty list of mappings");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      AUGSWEEP_RETURN_IF_ERROR(
          parse_item(YamlFields(file_, list[i], key + "[" + std::to_string(i) + "]")));
    }
    return OkStatus();
  }

  Status CheckUniqueName(const YamlFields& f, const std::string& name,
                         std::set<std::string>& names) {
    if (name.empty()) return f.Error("name", "expected a non-empty name");
    if (!names.insert(name).second) return f.Error("name", "name \"" + name + "\" is used twice");
    return OkStatus();
  }

  Status ParseModelDir(const YamlFields& f, bool needed, std::string* out) {
    if (!needed) return OkStatus();
    AUGSWEEP_ASSIGN_OR_RETURN(std::string dir, f.String("model", std::nullopt));
    *out = ResolvePath(spec_dir_, dir);
    std::error_code ec;
    if (!fs::is_directory(*out, ec)) {
      return f.Error("model", "model folder not found: " + *out +
                                  " (expected a Hugging Face folder with config.json)");
    }
    return OkStatus();
  }

  Status ParseGenerators(const YamlFields& root) {
    std::set<std::string> names;
    return ForEachItem(root, "generators", [&](const YamlFields& f) -> Status {
      if (!f.node().IsMap()) return f.CheckKeys({});
      AUGSWEEP_ASSIGN_OR_RETURN(std::string kind, f.String("kind", std::nullopt));
      if (!IsGeneratorKind(kind)) {
        return f.Error("kind", "unknown generator kind \"" + kind + "\"; expected one of: " +
                                   ExecutorKindNames(ExecutorRole::kGenerator));
      }
      const bool is_llm = kind == "llama";
      AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys(is_llm
                                               ? std::set<std::string>{"name",
                                                                       "kind",
                                                                       "model",
                                                                       "dtype",
                                                                       "prompt_template",
                                                                       "max_new_tokens",
                                                                       "top_p",
                                                                       "top_k",
                                                                       "min_p",
                                                                       "repetition_penalty",
                                                                       "presence_penalty",
                                                                       "frequency_penalty",
                                                                       "stop",
                                                                       "bad_words",
                                                                       "samples_per_prompt",
                                                                       "examples_per_prompt",
                                                                       "prompt_format",
                                                                       "system",
                                                                       "clean",
                                                                       "max_batch"}
                                               : std::set<std::string>{"name", "kind", "alpha"}));
      v1::GeneratorSpec& g = *result_.spec.add_generators();
      g.set_kind(kind);
      AUGSWEEP_ASSIGN_OR_RETURN(std::string name, f.String("name", std::nullopt));
      AUGSWEEP_RETURN_IF_ERROR(CheckUniqueName(f, name, names));
      g.set_name(name);
      if (!is_llm) {
        AUGSWEEP_ASSIGN_OR_RETURN(double alpha, f.Double("alpha", kDefaultEdaAlpha, 0.01, 1.0));
        g.set_eda_alpha(alpha);
        return OkStatus();
      }
      AUGSWEEP_RETURN_IF_ERROR(ParseModelDir(f, true, g.mutable_model_dir()));
      // bf16 on a GPU unless the spec says otherwise; a CPU worker computes in float32 anyway.
      AUGSWEEP_ASSIGN_OR_RETURN(std::string dtype, f.String("dtype", "bfloat16"));
      if (!kDtypes.count(dtype)) {
        return f.Error("dtype", "expected one of " + JoinSet(kDtypes) + ", got \"" + dtype + "\"");
      }
      g.set_dtype(dtype);
      AUGSWEEP_ASSIGN_OR_RETURN(std::string tpl, f.String("prompt_template", std::nullopt));
      g.set_prompt_template_path(ResolvePath(spec_dir_, tpl));
      StatusOr<std::string> contents = ReadWholeFile(g.prompt_template_path());
      if (!contents.ok())
        return f.Error("prompt_template", "cannot read " + contents.status().message());
      if (contents->empty())
        return f.Error("prompt_template", g.prompt_template_path() + " is empty");
      g.set_prompt_template(*contents);
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t max_new,
                                f.Int("max_new_tokens", kDefaultMaxNewTokens, 1, 8192));
      AUGSWEEP_ASSIGN_OR_RETURN(double top_p, f.Double("top_p", kDefaultTopP, 0.0, 1.0));
      if (top_p == 0.0) return f.Error("top_p", "expected a number above 0 and at most 1, got 0");
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t top_k, f.Int("top_k", 0, 0, 1'000'000));
      AUGSWEEP_ASSIGN_OR_RETURN(double min_p, f.Double("min_p", 0.0, 0.0, 1.0));
      AUGSWEEP_ASSIGN_OR_RETURN(double penalty, f.Double("repetition_penalty", 1.0, 1.0, 10.0));
      AUGSWEEP_ASSIGN_OR_RETURN(double presence, f.Double("presence_penalty", 0.0, -2.0, 2.0));
      AUGSWEEP_ASSIGN_OR_RETURN(double frequency, f.Double("frequency_penalty", 0.0, -2.0, 2.0));
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t shots,
                                f.Int("examples_per_prompt", kDefaultExamplesPerPrompt, 0, 64));
      g.set_max_new_tokens(static_cast<int32_t>(max_new));
      g.set_top_p(top_p);
      g.set_top_k(static_cast<int32_t>(top_k));
      g.set_min_p(min_p);
      g.set_repetition_penalty(penalty);
      g.set_presence_penalty(presence);
      g.set_frequency_penalty(frequency);
      AUGSWEEP_ASSIGN_OR_RETURN(std::vector<std::string> stops, f.StringList("stop", false));
      if (stops.size() > 16) return f.Error("stop", "expected at most 16 stop strings");
      for (const std::string& s : stops) {
        if (s.empty() || s.size() > 64)
          return f.Error("stop", "expected stop strings of 1 to 64 bytes, got \"" + s + "\"");
        g.add_stop(s);
      }
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t max_batch, f.Int("max_batch", 0, 1, 4096));
      g.set_max_batch(static_cast<int32_t>(max_batch));
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t samples, f.Int("samples_per_prompt", 1, 1, 64));
      g.set_samples_per_prompt(static_cast<int32_t>(samples));
      AUGSWEEP_ASSIGN_OR_RETURN(std::vector<std::string> bad_words,
                                f.StringList("bad_words", false));
      if (bad_words.size() > 256) return f.Error("bad_words", "expected at most 256 entries");
      for (const std::string& w : bad_words) {
        if (w.empty() || w.size() > 64)
          return f.Error("bad_words", "expected entries of 1 to 64 bytes, got \"" + w + "\"");
        g.add_bad_words(w);
      }
      g.set_examples_per_prompt(static_cast<int32_t>(shots));
      return ParsePromptFormat(f, g);
    });
  }

  // prompt_format, system and clean: plain prompts (the default) or the model's chat template.
  Status ParsePromptFormat(const YamlFields& f, v1::GeneratorSpec& g) {
    AUGSWEEP_ASSIGN_OR_RETURN(std::string format, f.String("prompt_format", "plain"));
    if (format != "plain" && format != "chat") {
      return f.Error("prompt_format", "expected \"plain\" or \"chat\", got \"" + format + "\"");
    }
    const bool chat = format == "chat";
    if (!chat) {
      for (const char* key : {"system", "clean"}) {
        if (f.node()[key]) return f.Error(key, "only used with prompt_format: chat");
      }
      return OkStatus();
    }
    g.set_prompt_format(format);
    AUGSWEEP_ASSIGN_OR_RETURN(std::string system, f.String("system", ""));
    if (system.size() > 16384) return f.Error("system", "expected at most 16384 bytes");
    g.set_system_prompt(system);
    std::vector<std::string> clean = {"quotes", "list_markers", "preamble"};
    if (f.node()["clean"]) {
      AUGSWEEP_ASSIGN_OR_RETURN(clean, f.StringList("clean", false));
      for (const std::string& rule : clean) {
        if (rule != "quotes" && rule != "list_markers" && rule != "preamble") {
          return f.Error("clean",
                         "expected rules of quotes, list_markers, preamble, got \"" + rule + "\"");
        }
      }
    }
    for (const std::string& rule : clean) g.add_clean(rule);
    return OkStatus();
  }

  Status ParseClassifiers(const YamlFields& root) {
    std::set<std::string> names;
    return ForEachItem(root, "classifiers", [&](const YamlFields& f) -> Status {
      if (!f.node().IsMap()) return f.CheckKeys({});
      AUGSWEEP_ASSIGN_OR_RETURN(std::string kind, f.String("kind", std::nullopt));
      if (!IsClassifierKind(kind)) {
        return f.Error("kind", "unknown classifier kind \"" + kind + "\"; expected one of: " +
                                   ExecutorKindNames(ExecutorRole::kClassifier));
      }
      const bool transformer = ClassifierNeedsModel(kind);
      std::set<std::string> allowed = {"name", "kind", "epochs", "learning_rate", "weight_decay"};
      if (transformer) {
        allowed.insert(
            {"model", "batch_size", "max_length", "warmup_ratio", "decay_bias_and_norm"});
      }
      AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys(allowed));
      v1::ClassifierSpec& c = *result_.spec.add_classifiers();
      c.set_kind(kind);
      AUGSWEEP_ASSIGN_OR_RETURN(std::string name, f.String("name", std::nullopt));
      AUGSWEEP_RETURN_IF_ERROR(CheckUniqueName(f, name, names));
      c.set_name(name);
      AUGSWEEP_RETURN_IF_ERROR(ParseModelDir(f, transformer, c.mutable_model_dir()));
      // tfidf-logreg: epochs are passes of full-batch gradient descent, weight_decay its L2 term.
      AUGSWEEP_ASSIGN_OR_RETURN(
          int64_t epochs,
          f.Int("epochs", transformer ? kDefaultEpochs : kDefaultLogregEpochs, 1, 100000));
      AUGSWEEP_ASSIGN_OR_RETURN(double lr, f.Double("learning_rate",
                                                    transformer ? kDefaultTransformerLearningRate
                                                                : kDefaultLogregLearningRate,
                                                    1e-9, 100.0));
      AUGSWEEP_ASSIGN_OR_RETURN(double wd,
                                f.Double("weight_decay", kDefaultWeightDecay, 0.0, 10.0));
      c.set_epochs(static_cast<int32_t>(epochs));
      c.set_learning_rate(lr);
      c.set_weight_decay(wd);
      if (!transformer) return OkStatus();
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t batch, f.Int("batch_size", kDefaultBatchSize, 1, 4096));
      AUGSWEEP_ASSIGN_OR_RETURN(int64_t max_len, f.Int("max_length", kDefaultMaxLength, 8, 4096));
      AUGSWEEP_ASSIGN_OR_RETURN(double warmup,
                                f.Double("warmup_ratio", kDefaultWarmupRatio, 0.0, 1.0));
      AUGSWEEP_ASSIGN_OR_RETURN(bool decay_all, f.Bool("decay_bias_and_norm", false));
      c.set_batch_size(static_cast<int32_t>(batch));
      c.set_max_length(static_cast<int32_t>(max_len));
      c.set_warmup_ratio(warmup);
      c.set_decay_bias_and_norm(decay_all);
      return OkStatus();
    });
  }

  // A filter check's block: absent or `false` is off, `true` or a mapping (may be `{}`) is on.
  // Returns whether it is on; `block` gets the mapping (empty for `true`).
  StatusOr<bool> CheckBlock(const YamlFields& f, const std::string& key, YAML::Node* block) {
    if (!f.Has(key)) return false;
    YAML::Node n = f.Get(key);
    if (n.IsScalar()) {
      AUGSWEEP_ASSIGN_OR_RETURN(bool on, f.Bool(key, std::nullopt));
      *block = YAML::Node(YAML::NodeType::Map);
      return on;
    }
    if (!n.IsMap()) return f.Error(key, "expected true, false or a mapping of its settings");
    *block = n;
    return true;
  }

  Status ParseFilters(const YamlFields& root) {
    std::set<std::string> names;
    return ForEachItem(root, "filters", [&](const YamlFields& f) -> Status {
      AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys({"name", "sanity", "duplicates", "label_consistency"}));
      v1::FilterSpec& filter = *result_.spec.add_filters();
      AUGSWEEP_ASSIGN_OR_RETURN(std::string name, f.String("name", std::nullopt));
      AUGSWEEP_RETURN_IF_ERROR(CheckUniqueName(f, name, names));
      filter.set_name(name);
      YAML::Node block;
      AUGSWEEP_ASSIGN_OR_RETURN(bool sanity, CheckBlock(f, "sanity", &block));
      if (sanity) {
        YamlFields s(file_, block, f.PathOf("sanity"));
        AUGSWEEP_RETURN_IF_ERROR(
            s.CheckKeys({"min_words", "max_words", "min_letter_share", "echo_jaccard"}));
        const SanityOptions defaults;
        AUGSWEEP_ASSIGN_OR_RETURN(int64_t min_words,
                                  s.Int("min_words", defaults.min_words, 0, 100000));
        AUGSWEEP_ASSIGN_OR_RETURN(int64_t max_words,
                                  s.Int("max_words", defaults.max_words, 1, 1000000));
        if (max_words < min_words) return s.Error("max_words", "expected max_words >= min_words");
        AUGSWEEP_ASSIGN_OR_RETURN(double letters,
                                  s.Double("min_letter_share", defaults.min_letter_share, 0, 1));
        AUGSWEEP_ASSIGN_OR_RETURN(double echo,
                                  s.Double("echo_jaccard", defaults.echo_jaccard, 0.01, 1));
        v1::SanityCheck& c = *filter.mutable_sanity();
        c.set_min_words(static_cast<int32_t>(min_words));
        c.set_max_words(static_cast<int32_t>(max_words));
        c.set_min_letter_share(letters);
        c.set_echo_jaccard(echo);
      }
      AUGSWEEP_ASSIGN_OR_RETURN(bool duplicates, CheckBlock(f, "duplicates", &block));
      if (duplicates) {
        YamlFields d(file_, block, f.PathOf("duplicates"));
        AUGSWEEP_RETURN_IF_ERROR(d.CheckKeys({"threshold", "shingle_words"}));
        const NearDuplicateOptions defaults;
        AUGSWEEP_ASSIGN_OR_RETURN(double threshold,
                                  d.Double("threshold", defaults.threshold, 0.01, 1));
        AUGSWEEP_ASSIGN_OR_RETURN(int64_t shingle,
                                  d.Int("shingle_words", defaults.shingle_words, 1, 10));
        filter.mutable_duplicates()->set_threshold(threshold);
        filter.mutable_duplicates()->set_shingle_words(static_cast<int32_t>(shingle));
      }
      AUGSWEEP_ASSIGN_OR_RETURN(bool label, CheckBlock(f, "label_consistency", &block));
      if (label) {
        YamlFields l(file_, block, f.PathOf("label_consistency"));
        AUGSWEEP_RETURN_IF_ERROR(l.CheckKeys({"classifier", "threshold", "action"}));
        v1::LabelCheck& c = *filter.mutable_label_consistency();
        AUGSWEEP_ASSIGN_OR_RETURN(std::string classifier, l.String("classifier", ""));
        AUGSWEEP_RETURN_IF_ERROR(ResolveLabelClassifier(l, classifier, c.mutable_classifier()));
        AUGSWEEP_ASSIGN_OR_RETURN(double threshold, l.Double("threshold", 0.5, 0, 1));
        AUGSWEEP_ASSIGN_OR_RETURN(std::string action, l.String("action", "drop"));
        if (action != "drop" && action != "relabel")
          return l.Error("action", "expected drop or relabel, got \"" + action + "\"");
        c.set_threshold(threshold);
        c.set_action(action);
      }
      return OkStatus();
    });
  }

  // The label check's classifier: the one the spec names, else the spec's first tf-idf
  // classifier (the fold's own baseline), else tf-idf with the parser's defaults.
  Status ResolveLabelClassifier(const YamlFields& f, const std::string& name,
                                v1::ClassifierSpec* out) {
    for (const v1::ClassifierSpec& c : result_.spec.classifiers()) {
      if (name.empty() ? c.kind() == "tfidf-logreg" : c.name() == name) {
        *out = c;
        return OkStatus();
      }
    }
    if (!name.empty()) {
      std::vector<std::string> names;
      for (const v1::ClassifierSpec& c : result_.spec.classifiers()) names.push_back(c.name());
      return f.Error("classifier",
                     "no classifier named \"" + name + "\"; the spec has: " + JoinSet(names));
    }
    out->set_name("tfidf-logreg");
    out->set_kind("tfidf-logreg");
    out->set_epochs(kDefaultLogregEpochs);
    out->set_learning_rate(kDefaultLogregLearningRate);
    out->set_weight_decay(kDefaultWeightDecay);
    return OkStatus();
  }

  Status ParseResourceBlock(const YamlFields& root, const std::string& key,
                            const std::string& device, v1::ResourceSpec* out) {
    out->set_device(device);
    out->set_time_limit_s(kDefaultTimeLimitS);
    if (!root.Has(key)) return OkStatus();
    YamlFields f(file_, root.Get(key), root.PathOf(key));
    AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys({"device", "min_memory_mb", "time_limit_s"}));
    AUGSWEEP_ASSIGN_OR_RETURN(std::string dev, f.String("device", device));
    if (!kDevices.count(dev)) {
      return f.Error("device", "expected one of " + JoinSet(kDevices) + ", got \"" + dev + "\"");
    }
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t mem, f.Int("min_memory_mb", 0, 0, INT64_MAX));
    AUGSWEEP_ASSIGN_OR_RETURN(int64_t limit,
                              f.Int("time_limit_s", kDefaultTimeLimitS, 10, 30 * 24 * 3600));
    out->set_device(dev);
    out->set_min_memory_mb(mem);
    out->set_time_limit_s(static_cast<int32_t>(limit));
    return OkStatus();
  }

  Status ParseResources(const YamlFields& root) {
    v1::SweepSpec& spec = result_.spec;
    // Jobs run anywhere unless the spec asks for a device; real studies ask for cuda.
    if (!root.Has("resources")) {
      spec.mutable_generate_resources()->set_device("any");
      spec.mutable_generate_resources()->set_time_limit_s(kDefaultTimeLimitS);
      spec.mutable_train_eval_resources()->set_device("any");
      spec.mutable_train_eval_resources()->set_time_limit_s(kDefaultTimeLimitS);
      return OkStatus();
    }
    YamlFields f(file_, root.Get("resources"), "resources");
    AUGSWEEP_RETURN_IF_ERROR(f.CheckKeys({"generate", "train_eval"}));
    AUGSWEEP_RETURN_IF_ERROR(
        ParseResourceBlock(f, "generate", "any", spec.mutable_generate_resources()));
    return ParseResourceBlock(f, "train_eval", "any", spec.mutable_train_eval_resources());
  }

  std::string file_;
  fs::path spec_dir_;
  ParsedSpec result_;
};

}  // namespace

StatusOr<ParsedSpec> ParseSweepSpec(std::string_view yaml_text, const std::string& spec_path) {
  return SpecParser(spec_path).Parse(yaml_text);
}

StatusOr<ParsedSpec> LoadSweepSpec(const std::string& path) {
  AUGSWEEP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseSweepSpec(text, path);
}

Status ValidateResolvedSpec(const v1::SweepSpec& spec) {
  auto bad = [&](const std::string& what) {
    return InvalidArgumentError("sweep spec " + spec.name() + " (" + spec.spec_path() +
                                "): " + what);
  };
  if (spec.name().empty()) return bad("no name");
  // The parser's ranges: a spec from the wire may hold any number.
  if (spec.cv().folds() < 2 || spec.cv().folds() > 100 || spec.cv().repeats() < 1 ||
      spec.cv().repeats() > 100)
    return bad("cv needs folds 2 to 100 and repeats 1 to 100");
  if (spec.augment_counts().empty() || spec.classifiers().empty())
    return bad("no augment counts or no classifiers");
  bool augmented = false;
  for (int32_t n : spec.augment_counts()) {
    if (n < 0 || n > 1'000'000) return bad("augment counts must be 0 to 1000000");
    augmented |= n > 0;
  }
  if (augmented && (spec.generators().empty() || spec.temperatures().empty())) {
    return bad("augment counts above 0 need generators and temperatures");
  }
  for (const auto& g : spec.generators()) {
    if (!IsGeneratorKind(g.kind())) return bad("unknown generator kind \"" + g.kind() + "\"");
    if (g.kind() == "llama" && g.model_dir().empty())
      return bad("generator " + g.name() + " has no model");
    if (g.max_batch() < 0 || g.max_batch() > 4096)
      return bad("generator " + g.name() + ": max_batch must be 0 to 4096");
    if (!g.prompt_format().empty() && g.prompt_format() != "plain" && g.prompt_format() != "chat")
      return bad("generator " + g.name() + ": unknown prompt_format \"" + g.prompt_format() + "\"");
  }
  for (const auto& c : spec.classifiers()) {
    if (!IsClassifierKind(c.kind())) return bad("unknown classifier kind \"" + c.kind() + "\"");
    if (ClassifierNeedsModel(c.kind()) && c.model_dir().empty())
      return bad("classifier " + c.name() + " has no model");
    if (c.epochs() < 1) return bad("classifier " + c.name() + " needs epochs >= 1");
  }
  std::set<std::string> filter_names;
  for (const auto& filter : spec.filters()) {
    const std::string which = "filter \"" + filter.name() + "\": ";
    if (filter.name().empty() || !filter_names.insert(filter.name()).second)
      return bad("filter names must be non-empty and unique");
    if (filter.has_sanity() && (filter.sanity().min_words() < 0 ||
                                filter.sanity().max_words() < filter.sanity().min_words() ||
                                !(filter.sanity().echo_jaccard() > 0)))
      return bad(which + "sanity needs 0 <= min_words <= max_words and echo_jaccard > 0");
    if (filter.has_duplicates() &&
        (!(filter.duplicates().threshold() > 0 && filter.duplicates().threshold() <= 1) ||
         filter.duplicates().shingle_words() < 1))
      return bad(which + "duplicates needs a threshold in (0, 1] and shingle_words >= 1");
    if (filter.has_label_consistency()) {
      const v1::LabelCheck& l = filter.label_consistency();
      if (!IsClassifierKind(l.classifier().kind()) || l.classifier().epochs() < 1)
        return bad(which + "label_consistency needs a classifier of a known kind");
      if (l.action() != "drop" && l.action() != "relabel")
        return bad(which + "label_consistency action must be drop or relabel");
      if (!(l.threshold() >= 0 && l.threshold() <= 1))
        return bad(which + "label_consistency threshold must be in [0, 1]");
    }
  }
  if (spec.dataset().label_field().empty() == spec.dataset().label_columns().empty()) {
    return bad("the dataset needs exactly one of label_field and label_columns");
  }
  return OkStatus();
}

DatasetOptions ToDatasetOptions(const v1::DatasetSpec& d) {
  DatasetOptions o;
  o.path = d.path();
  o.format = d.format() == v1::DatasetSpec::JSONL ? DatasetFormat::kJsonl : DatasetFormat::kCsv;
  o.id_field = d.id_field();
  o.text_field = d.text_field();
  o.label_field = d.label_field();
  o.label_columns.assign(d.label_columns().begin(), d.label_columns().end());
  o.label_separator = d.label_separator();
  o.themes.assign(d.themes().begin(), d.themes().end());
  return o;
}

std::vector<std::string> DatasetWarnings(const v1::SweepSpec& spec, const Dataset& dataset) {
  std::vector<std::string> warnings;
  const std::vector<int> positives = ThemePositiveCounts(dataset);
  const int folds = spec.cv().folds();
  for (size_t t = 0; t < dataset.themes.size(); ++t) {
    if (positives[t] < folds) {
      warnings.push_back(spec.dataset().path() + ": theme \"" + dataset.themes[t] + "\" has " +
                         std::to_string(positives[t]) + " positive example(s), fewer than the " +
                         std::to_string(folds) +
                         " folds: some test folds will have none and its "
                         "AUC is undefined there");
    }
    if (positives[t] == static_cast<int>(dataset.examples.size())) {
      warnings.push_back(spec.dataset().path() + ": theme \"" + dataset.themes[t] +
                         "\" is on every example: its AUC is undefined in every fold");
    }
  }
  if (static_cast<int>(dataset.examples.size()) < folds) {
    warnings.push_back(spec.dataset().path() + ": " + std::to_string(dataset.examples.size()) +
                       " examples for " + std::to_string(folds) + " folds");
  }
  return warnings;
}

}  // namespace augsweep
